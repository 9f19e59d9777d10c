# Memory stays flat whatever the row count (issue #14): a 1M-line CSV and a 1M-line Excel
# export keep the worker's and the renderer's peak resident memory under 64 MB.
# A test of memory, not of time: the figures are the processes' high-water marks (VmHWM)
# read from /proc after the exports; how long they take does not matter.
#
# VmHWM counts every page a process ever had resident, shared memory included: a backend
# that reads a large table through shared_buffers has those buffers in its RSS. The server
# here runs with shared_buffers = 16MB, so what is measured is the worker's own memory
# (plus at most those 16 MB), not the size of the buffer cache.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node wait_for_exports worker_pid renderer_pids);
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

use constant LIMIT_KB => 64 * 1024;
use constant ROWS => 1_000_000;

my $node = new_export_node('memory',
	'shared_buffers' => "'16MB'",
	'budget_exports.max_file_size' => "'1GB'",     # a 1M-line CSV is about 80 MB
	'budget_exports.render_time_limit' => "'20min'",
	'budget_exports.lease_duration' => "'30min'",
	'budget_exports.statement_timeout' => "'20min'");

my $couple = 'b2000000-0000-4000-8000-000000000001';
my $user = 'b2000000-0000-4000-8000-000000000101';
$node->safe_psql('app', qq{
	INSERT INTO auth.users (id, email, raw_user_meta_data)
	VALUES ('$user', 'million\@example.com', '{"full_name": "Million Rows"}');
	INSERT INTO public.couples (id, user_id) VALUES ('$couple', '$user');
	INSERT INTO public.budget_master (user_id, total_budget, currency_code) VALUES ('$user', 90000, 'EUR');
	INSERT INTO public.budget_categories (id, user_id, name, allocated_amount, spent_amount, sort_order)
	SELECT ('b2000000-0000-4000-8001-' || lpad(c::text, 12, '0'))::uuid, '$user', 'Category ' || c, 1000 * c, 0, c
	  FROM generate_series(1, 10) AS c;
	INSERT INTO public.budget_transactions (user_id, category_id, amount, description, transaction_date,
	                                        transaction_type, payment_method, vendor_name, notes)
	SELECT '$user', ('b2000000-0000-4000-8001-' || lpad((1 + n % 10)::text, 12, '0'))::uuid, 10 + n % 900,
	       'Line item number ' || n || ' of a very long budget', DATE '2026-01-05' + n % 300, 'expense', 'card',
	       'Vendor ' || n % 50, 'A note on line ' || n
	  FROM generate_series(1, ${\ROWS}) AS n;
	VACUUM ANALYZE public.budget_transactions;});

sub status_kb {
	my ($pid, $field) = @_;
	open my $fh, '<', "/proc/$pid/status" or return undef;
	while (my $line = <$fh>) { return $1 if $line =~ /^$field:\s+(\d+) kB/; }
	return undef;
}
sub vm_hwm_kb { return status_kb($_[0], 'VmHWM'); }

my $worker = worker_pid($node);
ok($worker, 'the worker runs');
my $start_kb = vm_hwm_kb($worker);
note("worker VmHWM before any export: $start_kb kB");

for my $type ('csv', 'excel') {
	my $id = $node->safe_psql('app', "INSERT INTO budget_exports (couple_id, export_type, export_filters)
		VALUES ('$couple', '$type', '{\"include_notes\": true}') RETURNING id");
	# the worker's private memory (RssAnon), sampled while it works: VmHWM also counts the
	# shared libraries and shared buffers it touched
	my $anon_peak = 0;
	for (1 .. 36000) {
		last if $node->safe_psql('app', "SELECT status <> 'generating' FROM budget_exports WHERE id = '$id'") eq 't';
		my $anon = status_kb($worker, 'RssAnon') // 0;
		$anon_peak = $anon if $anon > $anon_peak;
		usleep(50_000);
	}
	my $status = wait_for_exports($node, 1800, $id);
	is($status->{$id}, 'completed', "1M-line $type export completed")
	  or diag($node->safe_psql('app', "SELECT error_message FROM budget_exports WHERE id = '$id'"));
	my ($items, $size, $reported) = split /\|/, $node->safe_psql('app', qq{
		SELECT q.timings ->> 'line_items', e.file_size_bytes, q.timings ->> 'renderer_peak_rss_kb'
		  FROM export_queue q JOIN budget_exports e ON e.id = q.export_id WHERE q.export_id = '$id'});
	is($items, ROWS, "the $type export holds every line item");
	cmp_ok($size, '>', 10 * 1024 * 1024, "the $type file is large (" . int($size / 1048576) . ' MB)');

	is(worker_pid($node), $worker, "the same worker ran the $type export");
	my $worker_kb = vm_hwm_kb($worker);
	note(sprintf('worker after the %s export: VmHWM %s kB; now RssAnon %s, RssFile %s, RssShmem %s kB; '
		  . 'sampled RssAnon peak %s kB', $type, $worker_kb, map({ status_kb($worker, $_) } qw(RssAnon RssFile RssShmem)),
		$anon_peak));
	cmp_ok($worker_kb, '<', LIMIT_KB, "worker peak RSS after the $type export: $worker_kb kB < 64 MB");
	cmp_ok($anon_peak, '<', 32 * 1024, "the worker's private memory stayed flat: at most $anon_peak kB < 32 MB");

	# the renderer is long-lived; it recycles itself only after a job that needed 128 MB or more
	my @renderers = renderer_pids($worker);
	is(scalar @renderers, 1, "the renderer is still alive after the $type export (it did not recycle)");
	my $renderer_kb = (@renderers ? vm_hwm_kb($renderers[0]) : undef) // $reported;
	ok(defined $renderer_kb && $renderer_kb > 0, "the renderer's peak RSS is known");
	cmp_ok($renderer_kb, '<', LIMIT_KB, "renderer peak RSS after the $type export: $renderer_kb kB < 64 MB");
	cmp_ok(abs($reported - $renderer_kb), '<=', 1024, "the renderer's own report ($reported kB) agrees with /proc");
}

done_testing();
