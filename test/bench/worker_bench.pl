# Worker benchmark (prints figures; never fails on slowness). Run: make bench-worker
#  * latency: committed INSERT -> status completed, for sequential small CSV exports
#    (measured inside one session with clock_timestamp(), polling every 1 ms)
#  * throughput: 1000 CSV exports committed at once, with 1 and then 2 workers
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../t";
use BudgetExportsNode qw(new_export_node sample_couple);
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
	my @ms = sort { $a <=> $b } split /\n/, $node->safe_psql('app', 'SELECT ms FROM bench_latency');
	$node->safe_psql('app', 'TRUNCATE bench_latency');
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
