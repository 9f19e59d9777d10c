# Worker benchmark (prints figures; never fails on slowness). Run: make bench-worker
#  * latency: committed INSERT -> status completed, for sequential small CSV exports
#    (measured inside one session with clock_timestamp(), polling every 1 ms), and as a
#    LISTENing app sees it: commit -> NOTIFY received (test/bench/notify_latency.c)
#  * throughput: 1000 CSV exports committed at once, with 1 and then 2 workers
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../t";
use BudgetExportsNode qw(new_export_node sample_couple worker_pid renderer_pids cpu_seconds run_notify_latency);
use PostgreSQL::Test::Utils;
use Test::More;

my $rounds = $ENV{BENCH_LATENCY_ROUNDS} // 200;
my $batch = $ENV{BENCH_BATCH} // 1000;

sub percentile {
	my ($p, @sorted) = @_;
	return $sorted[ int($p * $#sorted + 0.5) ];
}

sub measure_latency {
	my ($node) = @_;
	# warm up: the first export starts the renderer and fills the plan caches
	$node->safe_psql('app', "INSERT INTO budget_exports (couple_id, export_type) SELECT '@{[sample_couple]}', 'csv' "
		  . 'FROM generate_series(1, 5)');
	$node->poll_query_until('app', "SELECT count(*) = 0 FROM budget_exports WHERE status = 'generating'")
	  or die 'warm-up did not finish';
	my $worker = worker_pid($node);
	my ($renderer) = renderer_pids($worker);
	my @cpu_before = (1000 * cpu_seconds($worker), $renderer ? 1000 * cpu_seconds($renderer) : 0);
	$node->safe_psql('app', 'CREATE TABLE IF NOT EXISTS bench_latency (ms double precision)');
	$node->safe_psql('app', qq{
	DO \$\$
	DECLARE
	  export_id uuid;
	  committed timestamptz;
	BEGIN
	  FOR i IN 1 .. $rounds LOOP
	    INSERT INTO budget_exports (couple_id, export_type) VALUES ('@{[sample_couple]}', 'csv')
	    RETURNING id INTO export_id;
	    COMMIT;
	    committed := clock_timestamp();
	    LOOP
	      EXIT WHEN (SELECT status FROM budget_exports WHERE id = export_id) <> 'generating';
	      PERFORM pg_sleep(0.001);
	      COMMIT;  -- a fresh snapshot for the next look
	    END LOOP;
	    INSERT INTO bench_latency VALUES (extract(epoch FROM clock_timestamp() - committed) * 1000);
	    COMMIT;
	  END LOOP;
	END \$\$;});
	my @cpu = (1000 * cpu_seconds($worker) - $cpu_before[0], $renderer ? 1000 * cpu_seconds($renderer) - $cpu_before[1] : 0);
	my @ms = sort { $a <=> $b } split /\n/, $node->safe_psql('app', 'SELECT ms FROM bench_latency');
	$node->safe_psql('app', 'TRUNCATE bench_latency');
	# CPU time is the steadier figure on a shared machine (wall time includes waiting for a core)
	diag(sprintf('  CPU time per job: worker %.2f ms, renderer %.2f ms (%d jobs)', $cpu[0] / @ms, $cpu[1] / @ms,
		scalar @ms));
	# where one job's milliseconds go: the worker's own split (export_queue.timings)
	my @split = split /\|/, $node->safe_psql('app', qq{
		SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY (timings ->> 'claim_ms')::float8)::numeric, 2),
		       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY (timings ->> 'read_ms')::float8)::numeric, 2),
		       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY (timings ->> 'render_ms')::float8)::numeric, 2),
		       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY (timings ->> 'renderer_busy_ms')::float8)::numeric, 2),
		       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY (timings ->> 'upload_ms')::float8)::numeric, 2),
		       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY (timings ->> 'total_ms')::float8)::numeric, 2)
		  FROM export_queue WHERE timings ? 'total_ms' AND export_id IN (SELECT export_id FROM export_queue ORDER BY created_at DESC LIMIT $rounds)});
	diag(sprintf('  medians per job: claim %s ms, read %s ms, render %s ms (the renderer busy %s ms of it), write file %s ms '
		  . '(read..file %s ms); '
		  . 'the rest of the latency is the wake-up, the finish commit with its NOTIFY and the 1 ms polling', @split));
	return (percentile(0.5, @ms), percentile(0.99, @ms), scalar @ms);
}

# The same, as an app that LISTENs sees it: INSERT committed -> NOTIFY budget_exports with
# the export's id received (test/bench/notify_latency.c; no polling granularity).
sub measure_notify_latency {
	my ($node) = @_;
	my @ms = sort { $a <=> $b } split /\n/,
	  run_notify_latency($node->connstr('app'), sample_couple, $rounds);
	return (percentile(0.5, @ms), percentile(0.99, @ms), scalar @ms);
}

sub measure_throughput {
	my ($node) = @_;
	$node->safe_psql('app', 'TRUNCATE budget_exports CASCADE');
	my $start = $node->safe_psql('app', qq{
		INSERT INTO budget_exports (couple_id, export_type)
		SELECT '@{[sample_couple]}', 'csv' FROM generate_series(1, $batch);
		SELECT extract(epoch FROM clock_timestamp())});
	$node->poll_query_until('app', "SELECT count(*) = 0 FROM budget_exports WHERE status = 'generating'")
	  or die 'batch did not finish';
	my $end = $node->safe_psql('app', 'SELECT extract(epoch FROM max(updated_at)) FROM budget_exports');
	my $failed = $node->safe_psql('app', "SELECT count(*) FROM budget_exports WHERE status <> 'completed'");
	die "$failed exports failed" if $failed;
	return $batch / ($end - $start);
}

my %figures;
for my $workers (1, 2) {
	my $node = new_export_node("bench_$workers", 'budget_exports.workers' => $workers);
	$node->poll_query_until('app',
		"SELECT count(*) = $workers FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND datname = 'app'");
	if ($workers == 1) {
		my ($median, $p99, $n) = measure_latency($node);
		diag(sprintf('latency, commit -> completed, %d sequential CSV exports (320 rows, 28 kB): median %.1f ms, p99 %.1f ms',
			$n, $median, $p99));
		($median, $p99, $n) = measure_notify_latency($node);
		diag(sprintf('latency, commit -> NOTIFY received by a LISTENing client, %d sequential CSV exports: median %.1f ms, '
			  . 'p99 %.1f ms', $n, $median, $p99));
	}
	my @runs = sort { $a <=> $b } map { measure_throughput($node) } 1 .. 3;
	$figures{$workers} = $runs[1];
	diag(sprintf('throughput, %d worker(s), %d CSV exports committed at once: median of 3 runs %.0f exports/s (runs: %s)',
		$workers, $batch, $runs[1], join(', ', map { sprintf '%.0f', $_ } @runs)));
	$node->stop;
}
diag(sprintf('2 workers / 1 worker: %.2fx', $figures{2} / $figures{1}));
ok(1, 'benchmark ran');
done_testing();
