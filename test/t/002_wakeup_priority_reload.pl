# Wake on commit (not on insert, not on rollback), priority order, which transactions record a
# burst's results, SIGHUP reload, and DROP/CREATE EXTENSION while the worker runs.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node request_exports wait_for_exports sample_couple);
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

# A poll interval of 10 minutes: anything that finishes quickly was woken by the commit.
my $node = new_export_node('wakeup', 'budget_exports.poll_interval' => "'10min'");
ok($node->poll_query_until('app',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND datname = 'app'"),
	'worker connected');
sleep 1;  # let it reach its idle wait

# A rolled-back request leaves nothing behind and wakes nobody.
$node->safe_psql('app', "BEGIN; INSERT INTO budget_exports (couple_id, export_type) VALUES ('@{[sample_couple]}', 'csv'); ROLLBACK;");
is($node->safe_psql('app', 'SELECT count(*) FROM export_queue'), '0', 'rollback: no queue row');

# A committed request is done long before the poll interval.
my $started = time;
my ($id) = request_exports($node, 'csv');
my $status = wait_for_exports($node, 10, $id);
my $elapsed = time - $started;
is($status->{$id}, 'completed', 'committed request completed');
cmp_ok($elapsed, '<', 5, sprintf('woken by the commit, not the 10 min poll (%.0f ms)', $elapsed * 1000));

# While a transaction stays open its jobs are invisible; at COMMIT they run by priority:
# the service role's override (5) first, then csv (4), excel (3), pdf (2).
my @ordered = split /\n/, $node->safe_psql('app', qq{
	BEGIN;
	WITH new AS (
	  INSERT INTO budget_exports (couple_id, export_type)
	  SELECT '@{[sample_couple]}', t FROM unnest(ARRAY['pdf', 'excel', 'csv', 'pdf']) WITH ORDINALITY AS x(t, n)
	  ORDER BY n RETURNING id, export_type, created_at)
	SELECT id FROM new;
	SET LOCAL ROLE service_role;
	UPDATE export_queue SET priority = 5
	 WHERE export_id = (SELECT id FROM budget_exports WHERE export_type = 'pdf' AND status = 'generating'
	                     ORDER BY id LIMIT 1);
	COMMIT;
});
ok(wait_for_exports($node, 60, @ordered), 'the batch finished');
my $order = $node->safe_psql('app', q{
	SELECT string_agg(q.priority || ':' || e.export_type, ' ' ORDER BY q.started_at)
	  FROM export_queue q JOIN budget_exports e ON e.id = q.export_id
	 WHERE e.id IN (} . join(', ', map { "'$_'" } @ordered) . q{)});
is($order, '5:pdf 4:csv 3:excel 2:pdf', 'claimed by priority, highest first');

# The first job after the queue looked empty records its result in a transaction of its own
# (its couple's NOTIFY waits for no claim); after it, each result is recorded in the
# transaction that claims the next job, where completed_at and started_at are both that
# transaction's now(). (Maintenance falling due mid-burst may split one more pair.)
my @combined = split /\n/, $node->safe_psql('app', q{
	SELECT (lag(q.completed_at) OVER (ORDER BY q.started_at) = q.started_at)::text
	  FROM export_queue q
	 WHERE q.export_id IN (} . join(', ', map { "'$_'" } @ordered) . q{)
	 ORDER BY q.started_at});
is($combined[1], 'false', 'the first job of a burst after idleness is recorded on its own');
ok((grep { $_ eq 'true' } @combined[2 .. 3]), 'later jobs are claimed with the result before them: '
	. join(' ', @combined[1 .. 3]));

# With nothing queued the worker sleeps (until the next maintenance round, 10 s): it used to
# claim every millisecond, about 850 transactions a second, once the queue was empty. The
# count includes this test's own two queries and one maintenance round at most.
my $commits = "SELECT xact_commit FROM pg_stat_database WHERE datname = 'app'";
my $before = $node->safe_psql('app', $commits);
sleep 3;
my $idle_commits = $node->safe_psql('app', $commits) - $before;
cmp_ok($idle_commits, '<', 30, "an idle worker sleeps ($idle_commits transactions in 3 s)");

# SIGHUP: a new storage location takes effect without a restart.
my $new_store = $node->basedir . '/relocated_store';
$node->append_conf('postgresql.conf', "budget_exports.storage_url = 'file://$new_store'\n");
$node->reload;
sleep 1;
($id) = request_exports($node, 'csv');
wait_for_exports($node, 10, $id);
like($node->safe_psql('app', "SELECT file_url FROM budget_exports WHERE id = '$id'"),
	qr{^file://\Q$new_store\E/budget-exports/}, 'reloaded storage_url is used');

# DROP EXTENSION is not blocked by the worker, and the worker resumes after CREATE.
my $drop_started = time;
$node->safe_psql('app', 'DROP EXTENSION budget_exports');
cmp_ok(time - $drop_started, '<', 5, 'DROP EXTENSION is not blocked');
sleep 1;
like(slurp_file($node->logfile), qr/budget_exports/, 'worker still alive (log)');
$node->safe_psql('app', 'CREATE EXTENSION budget_exports');
($id) = request_exports($node, 'csv');
$status = wait_for_exports($node, 30, $id);
is($status->{$id}, 'completed', 'after DROP + CREATE EXTENSION the worker serves the new tables');
is($node->safe_psql('app',
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'budget_exports worker'"), '1',
	'still one worker');

# DROP DATABASE of another database is not held up by the worker.
$node->safe_psql('postgres', 'CREATE DATABASE scratch');
my $dropdb_started = time;
$node->safe_psql('postgres', 'DROP DATABASE scratch');
cmp_ok(time - $dropdb_started, '<', 3, 'DROP DATABASE of another database is immediate');

# Fast shutdown is not blocked either.
my $stop_started = time;
$node->stop('fast');
cmp_ok(time - $stop_started, '<', 10, 'fast shutdown with an idle worker');
done_testing();
