# Shutdown, cancellation and cleanup (issue #11): pg_terminate_backend of a worker blocked
# behind LOCK TABLE budget_transactions puts its job back without a retry; lock_timeout
# bounds a worker's lock wait; deleting a couple while its export is in flight and a
# permanent failure after the upload both get the stored object deleted; a burst of 5,000
# queued exports does not hold up lease rescue or storage deletions.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node request_exports wait_for_exports start_storage_server storage_control
  sample_couple);
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($server, $base_url, $data_dir) = start_storage_server($tmp);
my $node = new_export_node('shutdown',
	'budget_exports.storage_url' => "'$base_url'",
	'budget_exports.storage_service_key' => "'test-service-key'");

sub worker_pid {
	return $node->safe_psql('app', "SELECT pid FROM pg_stat_activity WHERE backend_type = 'budget_exports worker'");
}

# A session that holds LOCK TABLE budget_transactions until told otherwise.
sub lock_budget_transactions {
	my ($in, $out) = ('', '');
	my $h = IPC::Run::start([ 'psql', '-X', '-q', '-A', '-t', '-d', $node->connstr('app') ], '<', \$in, '>', \$out, '2>', \$out);
	$in .= "BEGIN; LOCK TABLE budget_transactions IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n";
	$h->pump until $out =~ /locked/;
	return ($h, \$in);
}

sub unlock {
	my ($h, $in) = @_;
	$$in .= "COMMIT;\n\\q\n";
	$h->finish;
}

my ($warm) = request_exports($node, 'csv');
is(wait_for_exports($node, 60, $warm)->{$warm}, 'completed', 'the worker runs');

# ---- pg_terminate_backend of a worker in a lock wait ------------------------------------
my ($h, $in) = lock_budget_transactions();
my ($blocked) = request_exports($node, 'csv');
ok($node->poll_query_until('app',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND wait_event_type = 'Lock'"),
	'the worker waits for the lock');
my $pid = worker_pid();
my $t0 = time;
$node->safe_psql('app', "SELECT pg_terminate_backend($pid)");
$node->poll_query_until('app', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid");
my $gone = time - $t0;
cmp_ok($gone, '<', 1.5, sprintf('the worker in a lock wait is gone %.2f s after pg_terminate_backend', $gone));
note sprintf('pg_terminate_backend in a lock wait: gone after %.2f s', $gone);
is($node->safe_psql('app', "SELECT status || '/' || retry_count || '/' || attempt_count FROM export_queue WHERE export_id = '$blocked'"),
	'queued/0/0', 'the job is queued again, retry count unchanged, the attempt not counted');
unlock($h, $in);
is(wait_for_exports($node, 60, $blocked)->{$blocked}, 'completed', 'the restarted worker completes it');

# ---- lock_timeout bounds a worker's lock wait (a retry, not a hang) -----------------------
$node->safe_psql('app', "ALTER SYSTEM SET budget_exports.lock_timeout = '1s'");
$node->reload;
sleep 1;
($h, $in) = lock_budget_transactions();
my ($timed) = request_exports($node, 'csv');
$node->safe_psql('app', "UPDATE export_queue SET max_retries = 50 WHERE export_id = '$timed'");
ok($node->poll_query_until('app', "SELECT retry_count >= 1 FROM export_queue WHERE export_id = '$timed'"),
	'lock_timeout ends the wait and the attempt is retried');
is($node->safe_psql('app', "SELECT status FROM budget_exports WHERE id = '$timed'"), 'generating', 'not failed');
unlock($h, $in);
is(wait_for_exports($node, 60, $timed)->{$timed}, 'completed', 'it completes once the lock is gone');
$node->safe_psql('app', "ALTER SYSTEM RESET budget_exports.lock_timeout");
$node->reload;

# ---- pg_terminate_backend when idle and in a slow query; statement_timeout ---------------
ok($node->poll_query_until('app',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND state = 'idle'"),
	'the worker is idle');
$pid = worker_pid();
$t0 = time;
$node->safe_psql('app', "SELECT pg_terminate_backend($pid)");
$node->poll_query_until('app', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid");
$gone = time - $t0;
cmp_ok($gone, '<', 1.5, sprintf('an idle worker is gone %.2f s after pg_terminate_backend', $gone));
note sprintf('pg_terminate_backend when idle: gone after %.2f s', $gone);

# a data source that takes 30 s (same result as the default one)
$node->safe_psql('app', q{
	DO $$ BEGIN
	  EXECUTE format('CREATE FUNCTION public.slow_budget_rows(couple_id uuid, filters jsonb) RETURNS %s '
	                 'LANGUAGE plpgsql AS %L',
	                 pg_get_function_result('budget_exports_budget_rows(uuid,jsonb)'::regprocedure),
	                 'BEGIN PERFORM pg_sleep(30); RETURN QUERY SELECT * FROM budget_exports_budget_rows($1, $2); END');
	END $$});
$node->safe_psql('app', "ALTER SYSTEM SET budget_exports.data_source = 'public.slow_budget_rows'");
$node->reload;
ok($node->poll_query_until('app', "SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker'"),
	'the worker was started again');
my ($slow_read) = request_exports($node, 'csv');
ok($node->poll_query_until('app',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND wait_event = 'PgSleep'"),
	'the worker is in a slow data-source query');
$pid = worker_pid();
$t0 = time;
$node->safe_psql('app', "SELECT pg_terminate_backend($pid)");
$node->poll_query_until('app', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid");
$gone = time - $t0;
cmp_ok($gone, '<', 1.5, sprintf('a worker in a query is gone %.2f s after pg_terminate_backend', $gone));
note sprintf('pg_terminate_backend in a query: gone after %.2f s', $gone);
is($node->safe_psql('app', "SELECT status || '/' || retry_count || '/' || attempt_count FROM export_queue WHERE export_id = '$slow_read'"),
	'queued/0/0', 'the job is queued again, retry count unchanged');

# statement_timeout ends the slow query: a retry, not a hang (set before the worker, which
# the postmaster starts again after 5 s, takes the job again)
$node->safe_psql('app', "UPDATE export_queue SET max_retries = 50 WHERE export_id = '$slow_read'");
$node->safe_psql('app', "ALTER SYSTEM SET budget_exports.statement_timeout = '1s'");
$node->reload;
ok($node->poll_query_until('app', "SELECT retry_count >= 1 FROM export_queue WHERE export_id = '$slow_read'"),
	'statement_timeout cancels the slow read and the attempt is retried');
like($node->safe_psql('app', "SELECT error_message FROM export_queue WHERE export_id = '$slow_read'"),
	qr/^a temporary database problem interrupted the export$/, 'with a sentence for the couple');
like(slurp_file($node->logfile), qr/canceling statement due to statement timeout/, 'the log has the cause');
$node->safe_psql('app', "ALTER SYSTEM RESET budget_exports.statement_timeout");
$node->safe_psql('app', "ALTER SYSTEM RESET budget_exports.data_source");
$node->reload;
is(wait_for_exports($node, 60, $slow_read)->{$slow_read}, 'completed', 'with the fast data source it completes');

# ---- a lease rescue that ends failed sends the NOTIFY ------------------------------------
my ($lin, $lout) = ('', '');
my $listener = IPC::Run::start([ 'psql', '-X', '-q', '-A', '-t', '-d', $node->connstr('app') ],
	'<', \$lin, '>', \$lout, '2>', \$lout);
$lin .= "LISTEN budget_exports;\nSELECT 'listening';\n";
$listener->pump until $lout =~ /listening/;
my ($doomed) = request_exports($node, 'csv');
is(wait_for_exports($node, 60, $doomed)->{$doomed}, 'completed', 'an export to rescue');
$node->safe_psql('app', qq{
	UPDATE budget_exports SET status = 'generating' WHERE id = '$doomed';
	UPDATE export_queue SET status = 'started', lease_token = gen_random_uuid(), lease_owner = 'a dead worker',
	       lease_expires_at = now() - interval '1 minute', retry_count = max_retries
	 WHERE export_id = '$doomed'});
$lout = '';
ok($node->poll_query_until('app', "SELECT status = 'failed' FROM budget_exports WHERE id = '$doomed'"),
	'the rescue fails an export out of retries');
# psql prints a notification after the result of the query it arrived during: ask twice,
# so the first answer's notification is surely read before the second answer
$lin .= "SELECT 'polled';\nSELECT 'polled again';\n";
$listener->pump until $lout =~ /polled again/;
like($lout, qr/notification "budget_exports" with payload "$doomed"/, 'and sends NOTIFY budget_exports');
$lin .= "\\q\n";
$listener->finish;

# ---- a couple deleted while its export is in flight: the object is deleted --------------
my $user = '5a0e0000-0000-4000-8000-0000000000d1';
my $couple = '5a0e0000-0000-4000-8000-0000000000d0';
$node->safe_psql('app', qq{
	INSERT INTO auth.users (id, email) VALUES ('$user', 'leaving\@example.com');
	INSERT INTO public.couples (id, user_id) VALUES ('$couple', '$user');
});
storage_control($base_url, 'faults', '{"mode": "slow", "delay_ms": 3000, "count": 1, "kinds": ["upload"]}');
my $leaving = $node->safe_psql('app', "INSERT INTO budget_exports (couple_id, export_type) VALUES ('$couple', 'pdf') RETURNING id");
ok($node->poll_query_until('app',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND query ~ 'uploading'"),
	'the export is being uploaded');
my $key = $node->safe_psql('app', "SELECT storage_key FROM budget_exports WHERE id = '$leaving'");
like($key, qr{^$couple/$leaving/}, 'its object key was recorded when the job was claimed');
$node->safe_psql('app', "DELETE FROM public.couples WHERE id = '$couple'");
my $started = time;
usleep(200_000) while -e "$data_dir/budget-exports/$key" && time - $started < 20;
ok($node->poll_query_until('app', "SELECT count(*) = 0 FROM budget_export_storage_deletions"), 'deletion queue empty');
ok(!-e "$data_dir/budget-exports/$key", 'the object uploaded after the couple was deleted is gone');
like(slurp_file($node->logfile), qr/export $leaving finished after its lease was lost/, 'the worker noticed');

# ---- a permanent failure after the upload (signing refused): the object is deleted ------
storage_control($base_url, 'faults', '{"mode": "413", "count": 1, "kinds": ["sign"]}');
my ($unsigned) = request_exports($node, 'csv');
is(wait_for_exports($node, 60, $unsigned)->{$unsigned}, 'failed', 'signing refused for good: the export fails');
my $unsigned_key = $node->safe_psql('app', "SELECT storage_key FROM export_queue q JOIN budget_exports e ON e.id = q.export_id WHERE e.id = '$unsigned'");
is($unsigned_key, '', 'the failed export keeps no object key');
$started = time;
my @left;
do {
	usleep(200_000);
	@left = glob("$data_dir/budget-exports/" . sample_couple . "/$unsigned/*");
} while (@left && time - $started < 20);
is(scalar(@left), 0, sprintf('its uploaded object was deleted (%.1f s)', time - $started));

# ---- a burst of 5,000 exports does not hold up maintenance -------------------------------
$node->safe_psql('app', "INSERT INTO budget_exports (couple_id, export_type) SELECT '@{[sample_couple]}', 'csv' FROM generate_series(1, 5000)");
# an expired lease (a worker that died) and a storage deletion, waiting behind the burst
my ($stale) = request_exports($node, 'csv');
$node->safe_psql('app', qq{
	UPDATE export_queue SET status = 'started', lease_token = gen_random_uuid(), lease_owner = 'a dead worker',
	       lease_expires_at = now() - interval '1 minute', attempt_count = 1, priority = 1
	 WHERE export_id = '$stale'});
my $orphan = "@{[sample_couple]}/00000000-0000-4000-8000-00000000b0b0/orphan.csv";
mkdir "$data_dir/budget-exports/@{[sample_couple]}/00000000-0000-4000-8000-00000000b0b0";
append_to_file("$data_dir/budget-exports/$orphan", "x");
$node->safe_psql('app', "INSERT INTO budget_export_storage_deletions (storage_key) VALUES ('$orphan')");
my $burst_started = time;
ok($node->poll_query_until('app', "SELECT status <> 'started' FROM export_queue WHERE export_id = '$stale'"),
	'the expired lease is rescued during the burst');
my $rescued_after = time - $burst_started;
ok($node->poll_query_until('app', "SELECT count(*) = 0 FROM budget_export_storage_deletions"),
	'the storage deletion is handled during the burst');
my $deleted_after = time - $burst_started;
my $still_queued = $node->safe_psql('app', "SELECT queued FROM budget_exports_queue_stats");
cmp_ok($still_queued, '>', 1000, "the burst is still running ($still_queued queued)");
cmp_ok($rescued_after, '<', 25, sprintf('rescue within its 10 s interval (+ margin): %.1f s', $rescued_after));
cmp_ok($deleted_after, '<', 25, sprintf('deletion within its 10 s interval (+ margin): %.1f s', $deleted_after));
note sprintf('5,000-job burst: lease rescued after %.1f s, deletion done after %.1f s, %d still queued',
	$rescued_after, $deleted_after, $still_queued);
# the rest of the burst goes; the worker keeps working meanwhile, so this bulk delete may lose
# a deadlock against its finish-and-claim transaction once (either side is then retried)
my $burst_deleted;
for (1 .. 5) {
	last if ($burst_deleted = $node->psql('app', "DELETE FROM budget_exports WHERE status = 'generating'") == 0);
}
ok($burst_deleted, 'the rest of the burst is deleted');

# ---- fast shutdown while the worker waits for a lock -------------------------------------
($h, $in) = lock_budget_transactions();
my ($at_shutdown) = request_exports($node, 'csv');
ok($node->poll_query_until('app',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND wait_event_type = 'Lock'"),
	'the worker waits for the lock');
$t0 = time;
$node->stop('fast');
my $stop_s = time - $t0;
cmp_ok($stop_s, '<', 5, sprintf('pg_ctl stop -m fast took %.2f s', $stop_s));
note sprintf('fast shutdown with the worker in a lock wait: %.2f s', $stop_s);
eval { $h->finish };
like(slurp_file($node->logfile), qr/export $at_shutdown went back to the queue/, 'the job was released at shutdown');
$node->start;
is(wait_for_exports($node, 60, $at_shutdown)->{$at_shutdown}, 'completed', 'after the restart it completes');
is($node->safe_psql('app', "SELECT retry_count || '/' || attempt_count FROM export_queue WHERE export_id = '$at_shutdown'"),
	'0/1', 'without a retry, the interrupted attempt not counted');

$node->stop;
$server->signal('TERM');
$server->finish;
done_testing();
