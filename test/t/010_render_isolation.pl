# Rendering runs in a separate, limited process (issue #10): whatever happens to it, the
# database does not restart, and the export's attempt ends cleanly.
#  * kill -9 of the renderer mid 100k-line PDF: retried once, completed, one file
#  * a renderer that crashes on every attempt (fault injection): failed after exactly
#    max_retries + 1 attempts while other couples' exports complete
#  * the memory limit (1M-line PDF, 64 MB) and max_file_size while writing
#  * pg_terminate_backend during a long render: worker and renderer gone at once, job queued
#    again without a spent retry
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node request_exports wait_for_exports sample_couple worker_pid renderer_pids
  proc_stat add_generated_couple);
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

my $node = new_export_node('render', 'restart_after_crash' => 'on');
my $data_dir = $node->data_dir;
my $fault_title = 'budget_exports test: crash the renderer';

sub request {
	my ($couple, $type, $filters) = @_;
	$filters //= '{}';
	return $node->safe_psql('app', "INSERT INTO budget_exports (couple_id, export_type, export_filters)
		VALUES ('$couple', '$type', '$filters') RETURNING id");
}

sub wait_until_rendering {
	my ($id) = @_;
	return $node->poll_query_until('app', qq{
		SELECT EXISTS (SELECT 1 FROM pg_stat_activity a JOIN export_queue q ON q.lease_owner LIKE '%(pid ' || a.pid || ')'
		                WHERE a.backend_type = 'budget_exports worker' AND a.query = 'budget_exports: rendering'
		                  AND q.export_id = '$id' AND q.status = 'started')});
}

sub store_files {
	my ($id) = @_;
	return scalar(() = glob("$data_dir/pgsql_tmp_budget_exports/budget-exports/*/$id/*"));
}

# The export's directory in the store: made while the file renders, removed if it fails.
sub store_dirs {
	my ($id) = @_;
	return scalar(() = glob("$data_dir/pgsql_tmp_budget_exports/budget-exports/*/$id"));
}

# Scratch files with content: a worker reuses its spool and output files, rewritten by each
# job; a failed job's are emptied at once, a finished job's when the worker goes idle.
sub scratch_files { return scalar(grep { -s $_ } glob("$data_dir/pgsql_tmp/pgsql_tmp_budget_exports_worker_*/*")); }

sub wait_for_scratch_files_empty {
	for (1 .. 100) {
		return 1 if scratch_files() == 0;
		usleep(100_000);
	}
	return 0;
}

sub queue_row {
	my ($id) = @_;
	return split /\|/, $node->safe_psql('app',
		"SELECT q.status, q.attempt_count, q.retry_count, coalesce(e.error_message, '')
		   FROM export_queue q JOIN budget_exports e ON e.id = q.export_id WHERE q.export_id = '$id'");
}

ok($node->poll_query_until('app', "SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker'"),
	'worker connected');
my $big = add_generated_couple($node, 2, 100_000);
my $huge = add_generated_couple($node, 3, 1_000_000);
my $small = add_generated_couple($node, 4, 50);
my $postmaster_started = $node->safe_psql('app', 'SELECT pg_postmaster_start_time()');
my $held = $node->background_psql('app');  # a connection the app holds across everything below
$held->query_safe('SELECT 1');

# The fault-injection setting is a superuser-only test aid, off by default.
is($node->safe_psql('app', 'SHOW budget_exports.test_render_fault'), '', 'fault injection is off by default');
my ($rc, $out, $err) = $node->psql('app', "SET ROLE authenticated; SET budget_exports.test_render_fault = 'abort'");
like($err, qr/permission denied to set parameter/, 'only a superuser may set the fault injection');

#---- 1. an export larger than max_file_size stops while it is written ---------------------
$node->safe_psql('app', "ALTER SYSTEM SET budget_exports.max_file_size = '1MB'");
$node->reload;
sleep 1;
# a first export opens the worker's store: from then on each export's directory in it is
# made while the file renders
my $first = request(sample_couple, 'csv');
is(wait_for_exports($node, 60, $first)->{$first}, 'completed', 'a first export completes');
my $oversized = request($big, 'csv');  # about 8 MB of CSV
is(wait_for_exports($node, 300, $oversized)->{$oversized}, 'failed', 'an oversized CSV fails');
my ($status, $attempts, $retries, $message) = queue_row($oversized);
like($message, qr/^the export is larger than the 1 MB file size limit \(rendering stopped there\); narrow the filters/,
	"oversized: couple-readable message ($message)");
is("$attempts/$retries", '1/0', 'oversized: one attempt, not retried');
is(store_files($oversized), 0, 'oversized: nothing stored');
is(store_dirs($oversized), 0, 'oversized: not even its directory in the store, made while it rendered');
is(scratch_files(), 0, 'oversized: no partial file is left (the scratch files are empty)');
$node->safe_psql('app', 'ALTER SYSTEM RESET budget_exports.max_file_size');
$node->reload;
sleep 1;

#---- 2. kill -9 of the renderer in the middle of a 100k-line PDF --------------------------
my $pdf = request($big, 'pdf');
ok(wait_until_rendering($pdf), 'the 100k-line PDF is rendering');
my $worker = worker_pid($node);
my @renderers = renderer_pids($worker);
is(scalar @renderers, 1, 'one renderer process, a child of the worker');
# CPU priority (render_nice = 10 by default): the renderer's nice value, and, since every
# backend is a session of its own (autogroup scheduling makes each session a group that
# competes as an equal), a session of its own whose autogroup has that nice value too.
my (undef, @renderer_stat) = proc_stat($renderers[0]);
my (undef, @worker_stat) = proc_stat($worker);
is($renderer_stat[16], 10, 'the renderer runs at nice 10 (render_nice)');
isnt($renderer_stat[3], $worker_stat[3],
	'the renderer has a session (scheduling autogroup) of its own, not its worker\'s');
SKIP: {
	skip 'no autogroup scheduling on this kernel', 1 unless -e "/proc/$renderers[0]/autogroup";
	like(slurp_file("/proc/$renderers[0]/autogroup"), qr/ nice 10$/m, "the renderer's autogroup runs at nice 10");
}
kill 'KILL', @renderers;
is(wait_for_exports($node, 600, $pdf)->{$pdf}, 'completed', 'kill -9 of the renderer: the export completes');
($status, $attempts, $retries, $message) = queue_row($pdf);
is("$attempts/$retries", '2/1', 'kill -9 of the renderer: completed on the second attempt, retry_count = 1');
is(store_files($pdf), 1, 'kill -9 of the renderer: one file in the store');
is(worker_pid($node), $worker, 'the same worker carried on');
ok(wait_for_scratch_files_empty(),
	'the idle worker has emptied its scratch files (no couple data stays behind)');

#---- 3. a renderer that crashes on every attempt ------------------------------------------
$node->safe_psql('app', "ALTER SYSTEM SET budget_exports.test_render_fault = 'segv'");
$node->reload;
sleep 1;
my $poison = request($small, 'pdf', qq({"options": {"custom_title": "$fault_title"}}));
my @others = map { request(sample_couple, $_) } qw(csv excel pdf csv);
my $result = wait_for_exports($node, 300, $poison, @others);
is($result->{$poison}, 'failed', 'the crashing export ends failed');
is(scalar(grep { $result->{$_} eq 'completed' } @others), 4, "other couples' exports completed meanwhile");
($status, $attempts, $retries, $message) = queue_row($poison);
is("$attempts/$retries", '4/3', 'failed after exactly max_retries + 1 = 4 attempts');
like($message, qr/rendering stopped unexpectedly \(the renderer was ended by SIGSEGV\)/, "crash: readable ($message)");
unlike($message, qr{/}, 'crash: no server path in the message');
$node->safe_psql('app', 'ALTER SYSTEM RESET budget_exports.test_render_fault');
$node->reload;
sleep 1;

#---- 4. the memory limit: a 1M-line PDF with 64 MB ------------------------------------------
$node->safe_psql('app', "ALTER SYSTEM SET budget_exports.render_memory_limit = '64MB'");
$node->reload;
sleep 1;
my $too_much = request($huge, 'pdf');
is(wait_for_exports($node, 900, $too_much)->{$too_much}, 'failed', 'a 1M-line PDF over the memory limit fails');
($status, $attempts, $retries, $message) = queue_row($too_much);
like($message, qr/^the report needed more than 64 MB of memory to render; narrow the filters/,
	"memory: the memory message ($message)");
is("$attempts/$retries", '1/0', 'memory: one attempt, not retried');
is(scratch_files(), 0, 'memory: no partial file is left (the scratch files are empty)');
$node->safe_psql('app', 'ALTER SYSTEM RESET budget_exports.render_memory_limit');
$node->reload;
sleep 1;

#---- 5. pg_terminate_backend while a long render runs ---------------------------------------
my $long = request($huge, 'pdf');
ok(wait_until_rendering($long), 'the 1M-line PDF is rendering');
sleep 1;
$worker = worker_pid($node);
@renderers = renderer_pids($worker);
is(scalar @renderers, 1, 'its renderer runs');
my $before = $node->safe_psql('app', "SELECT retry_count FROM export_queue WHERE export_id = '$long'");
my $sent = time;
$node->safe_psql('app', "SELECT pg_terminate_backend($worker)");
my $gone;
while (time - $sent < 30) {
	if (!-e "/proc/$worker") { $gone = time - $sent; last; }
	usleep(20_000);
}
ok(defined $gone, 'the worker exited');
diag(sprintf('worker gone %.2f s after pg_terminate_backend', $gone // -1));
ok(defined $gone && $gone < 3, 'the worker exited within about a second (3 s allowed on a loaded machine)');
ok(!-e "/proc/$renderers[0]", 'the renderer is gone: no orphan, no zombie');
($status, $attempts, $retries, $message) = queue_row($long);
is($status, 'queued', 'the interrupted job is queued again');
is($retries, $before, 'without a spent retry');
$node->safe_psql('app', "DELETE FROM budget_exports WHERE id = '$long'");  # not worth rendering again

#---- none of this restarted PostgreSQL ------------------------------------------------------
is($node->safe_psql('app', 'SELECT pg_postmaster_start_time()'), $postmaster_started,
	'pg_postmaster_start_time() unchanged');
unlike(slurp_file($node->logfile), qr/terminating any other active server processes/, 'no crash restart in the log');
is(eval { $held->query_safe('SELECT 42') } // "lost: $@", '42', 'the connection held across all of it still works');
$held->quit;

$node->stop;
done_testing();
