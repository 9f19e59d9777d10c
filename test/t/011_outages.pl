# Storage outages lose nothing and fail nothing (issue #11): Storage stopped for 60 s with 50
# exports queued, default retry settings: all complete, none spends more than a couple of
# retries, and they resume within 2 s of recovery; an outage past
# budget_exports.storage_outage_limit fails them with the documented message; and
# pg_terminate_backend of a worker in a slow upload puts its job back without a retry.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node request_exports wait_for_exports start_storage_server storage_control);
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($server, $base_url) = start_storage_server($tmp);
my ($port) = $base_url =~ /:(\d+)$/;

my $node = new_export_node('outage',
	'budget_exports.storage_url' => "'$base_url'",
	'budget_exports.storage_service_key' => "'test-service-key'",
	# the defaults of the retry settings (BudgetExportsNode shortens them for other tests)
	'budget_exports.backoff_base' => "'1s'",
	'budget_exports.backoff_max' => "'5min'",
	'budget_exports.max_retries' => 3);

sub stop_storage { $server->signal('TERM'); $server->finish; }
sub start_storage { ($server) = start_storage_server($tmp, port => $port); }

my ($warm) = request_exports($node, 'csv');
is(wait_for_exports($node, 60, $warm)->{$warm}, 'completed', 'Storage works before the outage');

# ---- a 60-second outage with 50 exports queued ----------------------------------------
stop_storage();
my $stopped = time;
my @ids = request_exports($node, ('csv') x 40, ('excel') x 5, ('pdf') x 5);
my $list = join(', ', map { "'$_'" } @ids);
ok($node->poll_query_until('app', "SELECT count(*) = 1 FROM budget_exports_problems WHERE problem = 'storage_unavailable'"),
	'the worker notices Storage is down');
like($node->safe_psql('app', "SELECT detail FROM budget_exports_problems"), qr/connect/i,
	'the operator view says why');
is($node->safe_psql('app', "SELECT worker_state FROM budget_exports_queue_stats"), 'storage_unavailable',
	'budget_exports_queue_stats shows the outage');
is($node->safe_psql('app', "SELECT DISTINCT waiting_for FROM budget_export_status WHERE export_id IN ($list)"),
	'waiting for storage', 'the couples read "waiting for storage"');
my $last_errors = $node->safe_psql('app', "SELECT string_agg(DISTINCT coalesce(last_error, ''), ';') FROM budget_export_status WHERE export_id IN ($list)");
unlike($last_errors, qr/127\.0\.0\.1|$port|curl|connect/i, "no host or library detail for couples: $last_errors");
sleep 1 while time - $stopped < 60;
is($node->safe_psql('app', "SELECT count(*) FROM budget_exports WHERE id IN ($list) AND status <> 'generating'"),
	'0', 'after 60 s nothing failed (or completed)');

start_storage();
my $restarted = time;
$node->poll_query_until('app', "SELECT count(*) = 50 FROM budget_exports WHERE id IN ($list) AND status <> 'generating'")
  or diag 'the batch did not finish in time';
my ($completed, $failed, $max_retry, $first_s, $all_s) = split /\|/, $node->safe_psql('app', qq{
	SELECT count(*) FILTER (WHERE e.status = 'completed'), count(*) FILTER (WHERE e.status = 'failed'),
	       max(q.retry_count),
	       round(extract(epoch FROM min(e.generated_at)) - $restarted, 2),
	       round(extract(epoch FROM max(e.generated_at)) - $restarted, 2)
	  FROM budget_exports e JOIN export_queue q ON q.export_id = e.id WHERE e.id IN ($list)});
is($completed, 50, 'all 50 completed after the outage');
is($failed, 0, 'none failed');
cmp_ok($max_retry, '<=', 2, "no export spent more than a couple of retries (max $max_retry)");
cmp_ok($first_s, '<=', 2, "the first finished $first_s s after Storage was back");
note "60 s outage, 50 exports: first done ${first_s} s, all done ${all_s} s after recovery, max retries $max_retry";
ok($node->poll_query_until('app', "SELECT count(*) = 0 FROM budget_exports_problems"), 'the outage is over in the operator view');

# ---- an outage past the limit fails the waiting exports with the documented message ---
$node->safe_psql('app', "ALTER SYSTEM SET budget_exports.storage_outage_limit = '5s'");
$node->reload;
stop_storage();
$stopped = time;
@ids = request_exports($node, ('csv') x 5);
$list = join(', ', map { "'$_'" } @ids);
ok($node->poll_query_until('app', "SELECT count(*) = 5 FROM budget_exports WHERE id IN ($list) AND status = 'failed'"),
	'past the limit the waiting exports fail');
my $after = time - $stopped;
cmp_ok($after, '>=', 5, sprintf('not before the limit (%.1f s)', $after));
is($node->safe_psql('app', "SELECT DISTINCT error_message FROM budget_exports WHERE id IN ($list)"),
	'the file store has been unavailable for too long; please request the export again later',
	'with the documented message');
is($node->safe_psql('app', "SELECT max(retry_count) FROM export_queue WHERE export_id IN ($list)"), '0',
	'and without spending retries');
start_storage();
$node->safe_psql('app', "ALTER SYSTEM RESET budget_exports.storage_outage_limit");
$node->reload;
my ($again) = request_exports($node, 'csv');
is(wait_for_exports($node, 60, $again)->{$again}, 'completed', 'Storage back: exports complete again');

# ---- pg_terminate_backend during a slow upload ------------------------------------------
storage_control($base_url, 'faults', '{"mode": "slow", "delay_ms": 20000, "count": 1, "kinds": ["upload"]}');
my ($slow) = request_exports($node, 'pdf');
my $pid;
ok($node->poll_query_until('app',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND query ~ 'uploading'"),
	'the worker is uploading');
usleep(500_000);    # inside the slow request
$pid = $node->safe_psql('app', "SELECT pid FROM pg_stat_activity WHERE backend_type = 'budget_exports worker'");
my ($attempts_before) = $node->safe_psql('app', "SELECT attempt_count FROM export_queue WHERE export_id = '$slow'");
my $t0 = time;
$node->safe_psql('app', "SELECT pg_terminate_backend($pid)");
$node->poll_query_until('app', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid");
my $gone = time - $t0;
cmp_ok($gone, '<', 2, sprintf('the worker in a slow upload is gone %.2f s after pg_terminate_backend', $gone));
note sprintf('pg_terminate_backend in an upload: gone after %.2f s', $gone);
my ($qstatus, $retries, $attempts) = split /\|/,
  $node->safe_psql('app', "SELECT status, retry_count, attempt_count FROM export_queue WHERE export_id = '$slow'");
ok($qstatus eq 'queued' || $qstatus eq 'started' || $qstatus eq 'completed', "job back in the queue ($qstatus)");
is($retries, '0', 'retry count unchanged');
like(slurp_file($node->logfile), qr/export $slow went back to the queue/, 'the worker released it as it exited');
is(wait_for_exports($node, 60, $slow)->{$slow}, 'completed', 'the restarted worker completes it');
is($node->safe_psql('app', "SELECT attempt_count FROM export_queue WHERE export_id = '$slow'"), $attempts_before,
	'the interrupted attempt was not counted');

$node->stop;
stop_storage();
done_testing();
