# The queue's own statements, without reading, rendering or storing (prints figures; never
# fails on slowness). Run: make bench-queue
#  * per job: claim (budget_exports_claim_job), object key (_record_object_key), result
#    (_complete_job), as the worker runs them, on a queue of 30,000 small exports
#  * k jobs per transaction: 1 (the worker today), 8 claimed one by one, 8 claimed by one
#    statement (a copy of the claim function with LIMIT k): what batching could save
#  * 2 pgbench clients on the machine's cores, fsync on (every commit waits for the WAL)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../t";
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node add_generated_couple);
use BenchSetup qw(create_queue_step);
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_export_node('queue_bench', 'budget_exports.workers' => 0, fsync => 'on');
my @couples = map { add_generated_couple($node, 100 + $_, 10) } 1 .. 50;
create_queue_step($node);
my $bindir = $node->config_data('--bindir');
my $couple_list = join(',', map { "'$_'" } @couples);
for my $round (1 .. 2) {
	for my $v ([1, 'false'], [8, 'false'], [8, 'true']) {
		my ($k, $batched) = @$v;
		$node->safe_psql('app', "TRUNCATE budget_exports CASCADE; TRUNCATE budget_export_storage_deletions;
			INSERT INTO budget_exports (couple_id, export_type) SELECT c, 'csv' FROM unnest(ARRAY[$couple_list]::uuid[]) c, generate_series(1, 600); VACUUM ANALYZE budget_exports; VACUUM ANALYZE export_queue;");
		my $script = $node->basedir . "/queue_bench_$k$batched.sql";
		open my $fh, '>', $script or die; print $fh "SELECT bench_step($k, $batched);\n"; close $fh;
		my ($out, $err) = run_command([ "$bindir/pgbench", '-n', '-c', '2', '-j', '2', '-T', '6', '-f', $script, $node->connstr('app') ]);
		my ($tps) = $out =~ /tps = ([\d.]+)/;
		my $jobs = $node->safe_psql('app', "SELECT count(*) FROM export_queue WHERE status = 'completed'");
		diag(sprintf "round %d: %d job(s) per transaction, %s: %.0f transactions/s, %d jobs in 6 s = %.0f jobs/s%s",
			$round, $k, $batched eq 'true' ? 'claimed by one statement' : 'claimed one by one', $tps, $jobs, $jobs / 6,
			$jobs >= 30_000 ? ' (the queue ran empty: a floor)' : '');
	}
}
ok(1, 'the queue benchmark ran');
done_testing();
