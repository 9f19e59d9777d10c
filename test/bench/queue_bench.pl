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
use BudgetExportsNode qw(new_export_node add_generated_couple);
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_export_node('queue_bench', 'budget_exports.workers' => 0, fsync => 'on');
my @couples = map { add_generated_couple($node, 100 + $_, 10) } 1 .. 50;
# bench_claim_jobs: the claim function with its LIMIT 1 as a parameter (k = 1: the same claim)
$node->safe_psql('app', q{
DO $$ BEGIN
  EXECUTE replace(replace(pg_get_functiondef('budget_exports_claim_job(text, integer)'::regprocedure),
                  'budget_exports_claim_job(worker_name text, lease_seconds integer)', 'bench_claim_jobs(worker_name text, lease_seconds integer, max_jobs integer)'),
                  'LIMIT 1', 'LIMIT max_jobs');
END $$;
-- what the worker does for a claimed job: record its object key, then its result
CREATE FUNCTION bench_finish(queue_id uuid, lease_token uuid, storage_key text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM budget_exports_record_object_key(queue_id, lease_token, storage_key);
  PERFORM budget_exports_complete_job(queue_id, lease_token, storage_key, 'file:///x', 1000, repeat('a', 64),
                                      'text/csv', '{"a": 1}');
END $$;
CREATE FUNCTION bench_step(k integer, batched boolean) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE r record; n integer := 0; w text := 'bench ' || pg_backend_pid();
BEGIN
  FOR i IN 1 .. CASE WHEN batched THEN 1 ELSE k END LOOP
    FOR r IN SELECT * FROM bench_claim_jobs(w, 300, CASE WHEN batched THEN k ELSE 1 END) LOOP
      PERFORM bench_finish(r.queue_id, r.lease_token, r.couple_id || '/' || r.export_id || '/' || r.file_name);
      n := n + 1;
    END LOOP;
  END LOOP;
  RETURN n;
END $$;});
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
