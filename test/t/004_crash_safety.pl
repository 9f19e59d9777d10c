# Crash safety: kill -9 of the worker mid-job, and of the postmaster mid-batch, lose no
# job and record no result twice.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node request_exports wait_for_exports sample_couple);
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = new_export_node('crash',
	'budget_exports.lease_duration' => "'5s'",
	'restart_after_crash' => 'on');

# A data source that takes its time, so the worker can be caught in the middle of a job.
my $result_type = $node->safe_psql('app',
	"SELECT pg_get_function_result('budget_exports_budget_rows(uuid, jsonb)'::regprocedure)");
$node->safe_psql('app', qq{
	CREATE FUNCTION slow_budget_rows(couple_id uuid, filters jsonb)
	RETURNS $result_type LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS \$\$
	BEGIN
	  PERFORM pg_sleep(3);
	  RETURN QUERY SELECT * FROM public.budget_exports_budget_rows(couple_id, filters);
	END \$\$;
});
$node->append_conf('postgresql.conf', "budget_exports.data_source = 'slow_budget_rows'\n");
$node->reload;
ok($node->poll_query_until('app',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND datname = 'app'"),
	'worker connected');

# kill -9 of the worker while it reads the budget.
my ($id) = request_exports($node, 'csv');
ok($node->poll_query_until('app', "SELECT status = 'started' FROM export_queue WHERE export_id = '$id'"),
	'job claimed');
sleep 1;  # the claim commits asynchronously: let the WAL writer flush it (200 ms) first
my $pid = $node->safe_psql('app',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'budget_exports worker'");
kill 'KILL', $pid;
# the postmaster reinitialises after a crashed child; the new worker rescues the lease
my $status = wait_for_exports($node, 90, $id);
is($status->{$id}, 'completed', 'the job killed mid-way completed after the restart');
my ($attempts, $retries, $message) = split /\|/, $node->safe_psql('app',
	"SELECT attempt_count, retry_count, coalesce(error_message, '') FROM export_queue WHERE export_id = '$id'");
is($attempts, 2, 'claimed twice: once by the killed worker, once after the rescue');
is($node->safe_psql('app', "SELECT count(*) FROM budget_exports WHERE id = '$id' AND file_url IS NOT NULL"),
	'1', 'one result recorded');

# Back to the fast data source; then kill -9 the postmaster in the middle of 200 jobs.
$node->append_conf('postgresql.conf', "budget_exports.data_source = 'budget_exports_budget_rows'\n");
$node->reload;
sleep 1;
my @batch = split /\n/, $node->safe_psql('app', qq{
	INSERT INTO budget_exports (couple_id, export_type)
	SELECT '@{[sample_couple]}', 'csv' FROM generate_series(1, 200) RETURNING id});
is(scalar(@batch), 200, '200 requests queued');
$node->poll_query_until('app', "SELECT count(*) >= 20 FROM budget_exports WHERE status = 'completed'");
my $done_before = $node->safe_psql('app', "SELECT count(*) FROM budget_exports WHERE status = 'completed'");
$node->stop('immediate');
$node->start;
$status = wait_for_exports($node, 180, @batch);
ok($status, 'the batch finished after an immediate shutdown');
is(scalar(grep { $status->{$_} eq 'completed' } @batch), 200, "all 200 completed ($done_before before the crash)");
is($node->safe_psql('app', 'SELECT count(*) FROM export_queue WHERE attempt_count > 2'), '0',
	'no job ran more than twice (the one in flight at the crash ran again)');
is($node->safe_psql('app', q{
	SELECT count(*) FROM budget_exports e JOIN export_queue q ON q.export_id = e.id
	 WHERE e.status = 'completed' AND q.status <> 'completed'}), '0', 'queue and exports agree');

$node->stop;
done_testing();
