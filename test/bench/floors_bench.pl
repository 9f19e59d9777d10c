# `make bench-floors`: how fast small exports could be on this machine if nothing but their
# steps cost anything. Each step of a small CSV export (300 lines, 12 categories, 12
# milestones; the couples of `make bench`) is measured alone, in the same run, as the CPU
# time it takes and as its time alone on an idle machine:
#   * the queue: the claim, the object key and the result, as the worker runs them
#     (test/bench/BenchSetup.pm), one job per transaction and, for comparison, 8 jobs claimed
#     by one statement;
#   * the read: the least any read of the report's data does, in one read-only snapshot: the
#     couple, its categories, its milestones and its line items in report order, prepared
#     statements, nothing sent back but counts (the worker's own read does more);
#   * the render: the renderer process's own CPU per export, measured in the bursts below;
#   * the file store: test/bench/store_floor (the worker's FileStore::put), its CPU per object.
# Their sum is the CPU one export needs at least; the machine's CPUs divided by it is the
# most exports per second any worker could reach here. Next to it, in the same run, the real
# thing: bursts of 1,000 with 2 workers (the server's CPU per export, by process), and the
# latency of one export on an idle worker with its steps (export_queue.timings).
# Prints figures; never fails on a slow machine. BENCH_REPEATS (3) bursts and pgbench runs.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../t";
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node worker_pid renderer_pids cpu_seconds run_notify_latency);
use BenchSetup qw(add_bench_couple create_queue_step server_cpu_seconds median run_burst);
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $top = "$FindBin::RealBin/../..";
my $repeats = $ENV{BENCH_REPEATS} // 3;
my $cpus = () = grep { /^processor\s*:/ } do { open my $fh, '<', '/proc/cpuinfo' or die; <$fh> };

my $node = new_export_node('floors', 'budget_exports.workers' => 2, fsync => 'on', log_statement => "'none'");
$node->poll_query_until('app',
	"SELECT count(*) = 2 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND datname = 'app'")
  or die 'workers did not start';
my @small = map { add_bench_couple($node, 100 + $_, 300) } 1 .. 50;
$node->safe_psql('app', 'CREATE INDEX ON public.budget_categories (user_id);
	CREATE INDEX ON public.budget_payment_milestones (category_id);
	VACUUM ANALYZE');
my $bindir = $node->config_data('--bindir');
my %fig;

# CPU seconds so far: the whole server, the workers, and their renderers (live ones, and
# those that ended, which count in their worker's reaped children).
sub cpu_by_process {
	my @workers = @_;
	my %cpu = (server => server_cpu_seconds($node), workers => 0, renderers => 0);
	for my $worker (@workers) {
		$cpu{workers} += cpu_seconds($worker);
		$cpu{renderers} += cpu_seconds($worker, 1) - cpu_seconds($worker);
		$cpu{renderers} += cpu_seconds($_) for renderer_pids($worker);
	}
	return %cpu;
}

# --- the real thing, 1: one export on an idle worker
run_notify_latency($node->connstr('app'), $small[0]{couple}, 20);    # warm both workers and renderers
$node->safe_psql('app', 'TRUNCATE budget_exports CASCADE');
my @latency = split /\n/, run_notify_latency($node->connstr('app'), $small[0]{couple}, 300);
$fig{latency} = median(@latency);
for my $step (qw(claim_ms read_ms render_ms renderer_busy_ms upload_ms total_ms)) {
	$fig{"idle_$step"} = $node->safe_psql('app', "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY
		(timings ->> '$step')::float8) FROM export_queue WHERE status = 'completed'");
}
diag(sprintf('one export on an idle worker, commit -> NOTIFY: p50 %.2f ms (n=%d); medians of its steps: claim %s, '
	  . 'read %s, render %s (the renderer busy %s), file %s, claim..file %s ms', $fig{latency}, scalar @latency,
	map { $fig{"idle_$_"} } qw(claim_ms read_ms render_ms renderer_busy_ms upload_ms total_ms)));

# --- the real thing, 2: bursts of 1,000 (20 from each couple), 2 workers; CPU by process
my $values = join(', ', map { my $c = $_->{couple}; map { "('$c', 'csv')" } 1 .. 20 } @small);
my (@rates, %per_export);
for my $burst (1 .. $repeats) {
	my @workers = split /\n/, worker_pid($node);
	my %before = cpu_by_process(@workers);
	my ($done, $seconds) = run_burst($node, $values);
	my %after = cpu_by_process(@workers);
	push @rates, $done / $seconds;
	my %ms = map { $_ => 1000 * ($after{$_} - $before{$_}) / ($done || 1) } qw(server workers renderers);
	$ms{other} = $ms{server} - $ms{workers} - $ms{renderers};
	push @{ $per_export{$_} }, $ms{$_} for keys %ms;
	diag(sprintf('burst %d: %d exports at %.0f/s; CPU per export: %.2f ms in all (workers %.2f, renderers %.2f, '
		  . 'the rest of the server %.2f)', $burst, $done, $rates[-1], @ms{qw(server workers renderers other)}));
}
$fig{rate} = median(@rates);
$fig{"burst_$_"} = median(@{ $per_export{$_} }) for keys %per_export;

# --- each step alone: the workers off (a restart), so nothing claims the queue but pgbench
$node->append_conf('postgresql.conf', "budget_exports.workers = 0\n");
$node->restart;
create_queue_step($node);

# pgbench with $clients clients for 6 s on $script; returns (transactions/s, mean latency ms,
# server CPU seconds, transactions) .
sub pgbench_cpu {
	my ($script, $clients, @options) = @_;
	my $before = server_cpu_seconds($node);
	my ($out, $err) = run_command([ "$bindir/pgbench", '-n', '-c', $clients, '-j', $clients, '-T', '6', @options,
			'-f', $script, $node->connstr('app') ]);
	my $cpu = server_cpu_seconds($node) - $before;
	my ($tps) = $out =~ /tps = ([\d.]+)/ or die "pgbench: $out $err";
	my ($latency) = $out =~ /latency average = ([\d.]+) ms/;
	my ($count) = $out =~ /number of transactions actually processed: (\d+)/;
	return ($tps, $latency, $cpu, $count);
}

sub write_script {
	my ($name, $text) = @_;
	my $path = $node->basedir . "/$name.sql";
	open my $fh, '>', $path or die "$path: $!";
	print $fh $text;
	close $fh;
	return $path;
}

my $couple_list = join(',', map { "'$_->{couple}'" } @small);
sub fill_queue {
	$node->safe_psql('app', "TRUNCATE budget_exports CASCADE; TRUNCATE budget_export_storage_deletions;
		INSERT INTO budget_exports (couple_id, export_type)
		SELECT c, 'csv' FROM unnest(ARRAY[$couple_list]::uuid[]) c, generate_series(1, 600);
		VACUUM ANALYZE budget_exports; VACUUM ANALYZE export_queue;");
}

# The queue: CPU per job with 2 clients, and one client's time per job.
for my $variant ([ 'queue', 1, 'false' ], [ 'queue8', 8, 'true' ]) {
	my ($name, $k, $batched) = @$variant;
	my $script = write_script($name, "SELECT bench_step($k, $batched);\n");
	my (@cpu, @alone);
	for (1 .. $repeats) {
		fill_queue();
		my ($tps, $latency, $cpu, $count) = pgbench_cpu($script, $cpus);
		push @cpu, 1000 * $cpu / ($count * $k || 1);
		fill_queue();
		my (undef, $latency1) = pgbench_cpu($script, 1);
		push @alone, $latency1 / $k;
	}
	$fig{"${name}_cpu"} = median(@cpu);
	$fig{"${name}_alone"} = median(@alone);
	diag(sprintf('%s: CPU per job %s ms; alone %s ms per job', $name, join(', ', map { sprintf '%.3f', $_ } @cpu),
		join(', ', map { sprintf '%.3f', $_ } @alone)));
}

# The read: the least a read of the report's data does, in one read-only snapshot.
my $read_script = write_script('read', sprintf(<<'SQL', scalar @small));
\set n random(101, %d + 100)
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT u.raw_user_meta_data ->> 'full_name', m.wedding_date, m.currency_code, m.total_budget
  FROM public.couples c JOIN auth.users u ON u.id = c.user_id
  LEFT JOIN public.budget_master m ON m.user_id = c.user_id WHERE c.id = ('be000000-0000-4000-0001-' || lpad(:n::text, 12, '0'))::uuid;
SELECT count(*) FROM (SELECT bc.id, bc.name, bc.allocated_amount, bc.spent_amount FROM public.budget_categories bc
  JOIN public.couples c ON bc.user_id = c.user_id WHERE c.id = ('be000000-0000-4000-0001-' || lpad(:n::text, 12, '0'))::uuid ORDER BY bc.sort_order, bc.id) s;
SELECT count(*) FROM (SELECT pm.milestone_name, pm.amount, pm.due_date, pm.payment_status, bc.name
  FROM public.budget_payment_milestones pm JOIN public.budget_categories bc ON bc.id = pm.category_id
  JOIN public.couples c ON bc.user_id = c.user_id WHERE c.id = ('be000000-0000-4000-0001-' || lpad(:n::text, 12, '0'))::uuid ORDER BY pm.due_date, pm.id) s;
SELECT count(*) FROM (SELECT t.transaction_date, bc.name, t.description, t.vendor_name, t.payment_method,
    t.transaction_type, t.tags, t.amount
  FROM public.budget_transactions t JOIN public.couples c ON t.user_id = c.user_id
  LEFT JOIN public.budget_categories bc ON bc.id = t.category_id
  WHERE c.id = ('be000000-0000-4000-0001-' || lpad(:n::text, 12, '0'))::uuid ORDER BY t.transaction_date, t.id) s;
COMMIT;
SQL
{
	my (@cpu, @alone);
	for (1 .. $repeats) {
		my (undef, undef, $cpu, $count) = pgbench_cpu($read_script, $cpus, '-M', 'prepared');
		push @cpu, 1000 * $cpu / ($count || 1);
		my (undef, $latency1) = pgbench_cpu($read_script, 1, '-M', 'prepared');
		push @alone, $latency1;
	}
	$fig{read_cpu} = median(@cpu);
	$fig{read_alone} = median(@alone);
	diag(sprintf('read: CPU per read %s ms; alone %s ms', join(', ', map { sprintf '%.3f', $_ } @cpu),
		join(', ', map { sprintf '%.3f', $_ } @alone)));
}

# The file store: the worker's FileStore::put alone, on the disk the store uses.
{
	my (@cpu, @alone);
	for (1 .. $repeats) {
		my @t0 = times;
		my ($stdout) = run_command([ "$top/test/bench/store_floor", $node->data_dir . '/pgsql_tmp_floors', '500',
				$cpus ]);
		my @t1 = times;
		push @cpu, 1000 * (($t1[2] + $t1[3]) - ($t0[2] + $t0[3])) / (500 * (1 + $cpus));
		push @alone, $1 if $stdout =~ /^1 process\(es\): \d+ objects\/s \(([\d.]+) ms per object/m;
	}
	$fig{store_cpu} = median(@cpu);
	$fig{store_alone} = median(@alone);
	diag(sprintf('file store: CPU per object %s ms; alone %s ms', join(', ', map { sprintf '%.3f', $_ } @cpu),
		join(', ', map { sprintf '%.2f', $_ } @alone)));
}

# --- the table
my $floor = $fig{queue_cpu} + $fig{read_cpu} + $fig{burst_renderers} + $fig{store_cpu};
my $floor8 = $floor - $fig{queue_cpu} + $fig{queue8_cpu};
my $alone = $fig{queue_alone} + $fig{read_alone} + $fig{idle_renderer_busy_ms} + $fig{store_alone};
my @table = (
	[ 'step of a small CSV export (300 lines)', 'CPU per export', 'alone, idle machine' ],
	[ 'queue: claim, object key, result (1 job a transaction)', sprintf('%.3f ms', $fig{queue_cpu}),
		sprintf('%.3f ms', $fig{queue_alone}) ],
	[ '  the same, 8 jobs claimed by one statement', sprintf('%.3f ms', $fig{queue8_cpu}),
		sprintf('%.3f ms', $fig{queue8_alone}) ],
	[ 'read: couple, categories, milestones, line items (counts only)', sprintf('%.3f ms', $fig{read_cpu}),
		sprintf('%.3f ms', $fig{read_alone}) ],
	[ 'render: the renderer process (CPU in the bursts; busy when idle)', sprintf('%.3f ms', $fig{burst_renderers}),
		sprintf('%.3f ms', $fig{idle_renderer_busy_ms}) ],
	[ 'file store: FileStore::put of the file', sprintf('%.3f ms', $fig{store_cpu}),
		sprintf('%.3f ms', $fig{store_alone}) ],
	[ 'sum of the steps alone', sprintf('%.3f ms', $floor), sprintf('%.2f ms', $alone) ],
	[ "  at most, on $cpus CPUs", sprintf('%.0f exports/s', 1000 * $cpus / $floor), '' ],
	[ '  at most, the queue batched by 8', sprintf('%.0f exports/s', 1000 * $cpus / $floor8), '' ],
	[ 'the real export: 1,000 at once, 2 workers', sprintf('%.3f ms', $fig{burst_server}),
		sprintf('%.0f exports/s', $fig{rate}) ],
	[ '  of it: workers / renderers / the rest of the server',
		sprintf('%.2f / %.2f / %.2f ms', @fig{qw(burst_workers burst_renderers burst_other)}), '' ],
	[ 'the real export: one on an idle worker, commit -> NOTIFY p50', '', sprintf('%.2f ms', $fig{latency}) ],
	[ '  its steps: claim / read / render / file', '',
		sprintf('%.2f / %.2f / %.2f / %.2f ms', map { $fig{"idle_$_"} } qw(claim_ms read_ms render_ms upload_ms)) ],
	[ 'the targets of issue #14', '1,000 exports/s', '3 ms' ],
);
my @w = (0, 0, 0);
for my $r (@table) { $w[$_] = length $r->[$_] > $w[$_] ? length $r->[$_] : $w[$_] for 0 .. 2; }
my $text = join('', map {
		my $r = $_;
		'| ' . join(' | ', map { sprintf "%-*s", $w[$_], $r->[$_] } 0 .. 2) . " |\n"
		  . ($r == $table[0] ? '|' . join('|', map { '-' x ($_ + 2) } @w) . "|\n" : '')
	} @table);
diag("\n$text");
ok($fig{rate} > 0 && $floor > 0, 'every step was measured');
done_testing();
