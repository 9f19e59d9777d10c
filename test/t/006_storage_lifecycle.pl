# Storage lifecycle through the contract server: round trip of all formats,
# budget_export_download() (signed URL, counters, refusals with their SQLSTATEs),
# deletion after cleanup (also when a delete fails), a 30-second outage during a batch
# of 100 exports, and the service key from (emulated) Supabase Vault.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node request_exports wait_for_exports start_storage_server storage_control
  sample_couple);
use Digest::SHA qw(sha256_hex);
use HTTP::Tiny;
use JSON::PP;
use MIME::Base64 qw(decode_base64);
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($server, $base_url, $data_dir) = start_storage_server($tmp);
my $http = HTTP::Tiny->new(timeout => 10);

my $node = new_export_node('lifecycle',
	'budget_exports.storage_url' => "'$base_url'",
	'budget_exports.storage_service_key' => "'test-service-key'",
	'budget_exports.storage_timeout' => "'3s'",
	'budget_exports.backoff_base' => "'500ms'",
	'budget_exports.backoff_max' => "'5s'",
	'budget_exports.max_retries' => 60);

my $zoe = '5a0e0000-0000-4000-8000-000000000011';
my $stranger = '5a0e0000-0000-4000-8000-0000000000f1';  # the other couple's user
$node->safe_psql('app', qq{
	INSERT INTO auth.users (id, email) VALUES ('$stranger', 'stranger\@example.com');
	INSERT INTO public.couples (id, user_id) VALUES ('5a0e0000-0000-4000-8000-0000000000f0', '$stranger');
});

sub row {
	my ($id, $columns) = @_;
	return split /\|/, $node->safe_psql('app', "SELECT $columns FROM budget_exports WHERE id = '$id'");
}

sub stored_path {
	my ($key) = @_;
	return "$data_dir/budget-exports/$key";
}

sub stored_sha {
	my ($key) = @_;
	my $path = stored_path($key);
	return undef unless -f $path;
	open my $fh, '<:raw', $path or die "$path: $!";
	local $/;
	return sha256_hex(<$fh>);
}

# Calls $sql as a signed-in couple member; returns (stdout, SQLSTATE or undef, stderr).
sub as_user {
	my ($user, $sql) = @_;
	my ($ret, $out, $err) = $node->psql('app', qq{\\set VERBOSITY verbose
SET ROLE authenticated;
SET request.jwt.claims = '{"sub": "$user", "role": "authenticated"}';
$sql});
	my ($state) = ($err // '') =~ /ERROR:\s+([0-9A-Z]{5}):/;
	return ($out, $state, $err);
}

sub download_as {
	my ($user, $id) = @_;
	return as_user($user, "SELECT budget_export_download('$id');");
}

# ---- (a) round trip of all three formats: bytes identical end to end ----------------
my @ids = request_exports($node, 'pdf', 'csv', 'excel');
my $status = wait_for_exports($node, 120, @ids);
for my $id (@ids) {
	is($status->{$id}, 'completed', "export $id completed");
	my ($type, $key, $sha, $size, $url) = row($id, 'export_type, storage_key, checksum_sha256, file_size_bytes, file_url');
	is(stored_sha($key), $sha, "$type: the object in Storage has the recorded sha256");
	is(-s stored_path($key), $size, "$type: and the recorded size");
	my $download = $http->get($url);
	ok($download->{success}, "$type: file_url downloads");
	is(sha256_hex($download->{content}), $sha, "$type: downloaded bytes are the stored bytes");
}
my ($pdf, $csv, $excel) = @ids;

# ---- (b) budget_export_download as the couple -----------------------------------------
my ($url, $state, $err) = download_as($zoe, $csv);
is($state, undef, 'a couple member gets a download URL') or diag $err;
like($url, qr{^\Q$base_url\E/object/sign/budget-exports/.+\?token=}, 'it is a signed Storage URL');
my ($csv_sha) = row($csv, 'checksum_sha256');
my $download = $http->get($url);
is(sha256_hex($download->{content} // ''), $csv_sha, 'the signed URL downloads the file');
# expiresIn is the time left until expires_at: the token's exp says so
my ($token_payload) = $url =~ /token=[^.]+\.([^.]+)\./;
my $claims = decode_json(decode_base64($token_payload =~ tr/-_/+\//r . '=' x (-length($token_payload) % 4)));
my $expires_epoch = $node->safe_psql('app', "SELECT extract(epoch FROM expires_at)::bigint FROM budget_exports WHERE id = '$csv'");
cmp_ok(abs($claims->{exp} - $expires_epoch), '<=', 5, 'the URL expires with the export');
download_as('5a0e0000-0000-4000-8000-000000000012', $csv);  # the partner counts too
is(join(',', row($csv, 'download_count, last_downloaded_at IS NOT NULL')), '2,t',
	'download_count and last_downloaded_at follow the downloads');

# another couple: exactly like a missing export
my (undef, $stranger_state, $stranger_err) = download_as($stranger, $csv);
my (undef, $missing_state, $missing_err) = download_as($stranger, '00000000-0000-4000-8000-000000000000');
is($stranger_state, 'PT404', "another couple's export: PT404");
is($missing_state, 'PT404', 'a missing export: PT404');
s/[0-9a-f-]{36}/<id>/g for $stranger_err, $missing_err;
is($stranger_err, $missing_err, 'the same message for both');
# the signing helpers do not open a side door
(undef, $state) = as_user($stranger, "SELECT budget_exports_download_url('$csv');");
is($state, 'PT404', 'the definer helper refuses a row the caller did not update');
(undef, $state) = as_user($zoe, "SELECT budget_exports_download_url('$csv');");
is($state, 'PT404', 'even for the own export, without the counted UPDATE');
(undef, $state) = as_user($zoe, "SELECT budget_exports_sign_url('x', 60);");
is($state, '42501', 'couples cannot sign arbitrary keys');
(undef, $state) = as_user($zoe, "BEGIN; UPDATE budget_exports SET download_count = 0 WHERE id = '$csv' RETURNING 1; "
	  . "SELECT budget_exports_download_url('$csv'); COMMIT;");
is($state, undef, 'after its own UPDATE a member may use the helper (it only signs its own rows)');
is(($node->psql('app', "SET ROLE anon; SELECT budget_export_download('$csv')"))[0] != 0, 1, 'anon may not call it');
my ($service_ret, $service_url) = $node->psql('app', "SET ROLE service_role; SELECT budget_export_download('$csv')");
like($service_url, qr{/object/sign/}, 'the service role may download any export');
# inside a savepoint (psql ON_ERROR_ROLLBACK, an EXCEPTION block) it works as well
(undef, $state, $err) = as_user($zoe, qq{DO \$\$ BEGIN PERFORM budget_export_download('$csv');
  EXCEPTION WHEN division_by_zero THEN NULL; END \$\$;});
is($state, undef, 'works inside a subtransaction') or diag $err;

# still generating: uploads fail for now, so the export waits for a retry
storage_control($base_url, 'faults', '{"mode": "503", "count": 1000, "kinds": ["upload"]}');
my ($waiting) = request_exports($node, 'csv');
($url, $state) = download_as($zoe, $waiting);
is($state, 'PT409', 'still generating: PT409');
storage_control($base_url, 'faults', '{"mode": "none"}');
is(wait_for_exports($node, 60, $waiting)->{$waiting}, 'completed', 'completes once Storage is back');
(undef, $state) = download_as($zoe, $waiting);
is($state, undef, 'and downloads then');

# failed: 413 is permanent
storage_control($base_url, 'faults', '{"mode": "413", "count": 1, "kinds": ["upload"]}');
my ($failed) = request_exports($node, 'csv');
is(wait_for_exports($node, 60, $failed)->{$failed}, 'failed', 'a 413 fails the export');
($url, $state, $err) = download_as($zoe, $failed);
is($state, 'PT422', 'failed: PT422');
like($err, qr/DETAIL:.*413/, 'the failure is in the DETAIL');

# expired, while the row still says completed: refused, and the worker marks it expired
# (the refusal rolls back the caller's transaction, so a worker does the UPDATE)
my ($excel_key) = row($excel, 'storage_key');
$node->safe_psql('app', "UPDATE budget_exports SET expires_at = now() - interval '1 minute' WHERE id = '$excel'");
my $count_before = (row($excel, 'download_count'))[0];
($url, $state) = download_as($zoe, $excel);
is($state, 'PT410', 'overdue: PT410');
ok($node->poll_query_until('app', "SELECT status = 'expired' FROM budget_exports WHERE id = '$excel'"),
	'the worker marked the overdue export expired');
is((row($excel, 'download_count'))[0], $count_before, 'a refused download is not counted');
(undef, $state) = download_as($zoe, $excel);
is($state, 'PT410', 'expired: PT410');
ok($node->poll_query_until('app', "SELECT count(*) = 0 FROM budget_export_storage_deletions"),
	'its storage object was deleted');
ok(!-e stored_path($excel_key), 'the file is gone from Storage');

# a signed URL stops working when it expires
$node->safe_psql('app', "UPDATE budget_exports SET expires_at = now() + interval '3 seconds' WHERE id = '$pdf'");
($url, $state) = download_as($zoe, $pdf);
is($state, undef, 'a short-lived URL is issued');
ok($http->get($url)->{success}, 'it works at first');
sleep 4;
my $late = $http->get($url);
ok(!$late->{success}, 'and not after the export expired');
like($late->{content}, qr/jwt expired/, 'Storage says the token expired');
$node->safe_psql('app', "UPDATE budget_exports SET expires_at = now() + interval '1 day' WHERE id = '$pdf'");

# ---- (c) deletion after cleanup, also when a delete fails -----------------------------
sub expire_and_clean {
	my (@ids) = @_;
	my $list = join(', ', map { "'$_'" } @ids);
	$node->safe_psql('app', "UPDATE budget_exports SET expires_at = now() - interval '1 second' WHERE id IN ($list)");
	return $node->safe_psql('app', "SELECT expired_exports || '/' || storage_deletions_queued FROM cleanup_expired_exports()");
}

sub wait_until_gone {
	my ($timeout_s, @keys) = @_;
	my $started = time;
	while (time - $started < $timeout_s) {
		return time - $started unless grep { -e stored_path($_) } @keys;
		usleep(100_000);
	}
	return undef;
}

@ids = request_exports($node, ('csv') x 5);
$status = wait_for_exports($node, 60, @ids);
is(scalar(grep { $_ eq 'completed' } values %$status), 5, 'five exports to expire');
my @keys = map { (row($_, 'storage_key'))[0] } @ids;
ok(!(grep { !-e stored_path($_) } @keys), 'their files are in Storage');
is(expire_and_clean(@ids), '5/5', 'cleanup expires them and queues their objects');
my $gone_after = wait_until_gone(15, @keys);
ok(defined $gone_after, sprintf('objects removed from Storage %.1f s after cleanup', $gone_after // -1));
# the commit of cleanup wakes the worker, which drains deletions at once instead of at
# its next 10-second maintenance
cmp_ok($gone_after // 99, '<', 3, 'woken by the cleanup, not by the maintenance timer');
note sprintf('deletion after cleanup: %.2f s', $gone_after // -1);

# the batched delete fails once: retried later, exports are not held up meanwhile
@ids = request_exports($node, ('csv') x 2);
wait_for_exports($node, 60, @ids);
@keys = map { (row($_, 'storage_key'))[0] } @ids;
storage_control($base_url, 'faults', '{"mode": "503", "count": 1, "kinds": ["delete-prefixes"]}');
is(expire_and_clean(@ids), '2/2', 'two more expired');
ok($node->poll_query_until('app',
		"SELECT count(*) = 2 FROM budget_export_storage_deletions WHERE attempts = 1 AND last_error ~ '503'"),
	'the failed delete is recorded for a retry');
my $started = time;
my ($during) = request_exports($node, 'csv');
is(wait_for_exports($node, 30, $during)->{$during}, 'completed', 'an export completes meanwhile');
cmp_ok(time - $started, '<', 8, 'without waiting for the delete retry');
ok(-e stored_path($keys[0]), 'the objects are still there until the retry');
$gone_after = wait_until_gone(40, @keys);
ok(defined $gone_after, sprintf('the retry removed them (%.1f s later)', $gone_after // -1));
is($node->safe_psql('app', 'SELECT count(*) FROM budget_export_storage_deletions'), '0', 'deletion queue empty');

# ---- (d) a 30-second outage during a batch of 100 exports loses none ------------------
storage_control($base_url, 'reset', '{}');
storage_control($base_url, 'faults', '{"mode": "503", "duration_s": 30, "kinds": ["upload"]}');
my $outage_started = time;
@ids = request_exports($node, (('csv') x 70, ('excel') x 20, ('pdf') x 10));
is(scalar(@ids), 100, '100 exports requested during the outage');
my $list = join(', ', map { "'$_'" } @ids);
$node->poll_query_until('app', "SELECT count(*) = 100 FROM budget_exports WHERE id IN ($list) AND status <> 'generating'")
  or diag 'the batch did not finish in time';
my $finished = time;
my ($completed, $failed_n, $retries, $max_retry, $with_retry) = split /\|/, $node->safe_psql('app', qq{
	SELECT count(*) FILTER (WHERE e.status = 'completed'), count(*) FILTER (WHERE e.status = 'failed'),
	       sum(q.retry_count), max(q.retry_count), count(*) FILTER (WHERE q.retry_count > 0)
	  FROM budget_exports e JOIN export_queue q ON q.export_id = e.id WHERE e.id IN ($list)});
is($completed, 100, 'all 100 completed after the outage');
is($failed_n, 0, 'none failed');
cmp_ok($with_retry, '>=', 50, "retry_count shows the retries ($with_retry exports retried)");
my $stats = decode_json($http->get("$base_url/__control/stats")->{content});
my $served = $stats->{faults_served}{503} // 0;
cmp_ok($served, '>=', $with_retry, "Storage answered 503 $served times");
note sprintf('outage: %d retries in total (max %d per export, %d exports retried), %d 503s served, '
	  . 'batch done %.1f s after the outage began (%.1f s after it ended)',
	$retries, $max_retry, $with_retry, $served, $finished - $outage_started, $finished - $outage_started - 30);
my $mismatch = 0;
for my $row (split /\n/, $node->safe_psql('app', "SELECT storage_key, checksum_sha256 FROM budget_exports WHERE id IN ($list)")) {
	my ($key, $sha) = split /\|/, $row;
	$mismatch++ unless (stored_sha($key) // '') eq $sha;
}
is($mismatch, 0, 'every stored object matches its checksum');

# ---- (e) the service key from Supabase Vault -----------------------------------------
# Real Vault needs pgsodium; the worker only reads vault.decrypted_secrets, so a table
# with those columns stands in for it.
$node->safe_psql('app', q{
	CREATE SCHEMA vault;
	CREATE TABLE vault.decrypted_secrets (name text PRIMARY KEY, decrypted_secret text);
	INSERT INTO vault.decrypted_secrets VALUES ('budget_exports_storage', 'test-service-key');
});
# the plain setting is now wrong: only the Vault key can make uploads work
$node->append_conf('postgresql.conf', "budget_exports.storage_service_key = 'not-the-key'\n"
	  . "budget_exports.storage_service_key_secret = 'budget_exports_storage'\n");
$node->reload;
sleep 1;
my ($vaulted) = request_exports($node, 'excel');
is(wait_for_exports($node, 60, $vaulted)->{$vaulted}, 'completed', 'the worker uploads with the key from Vault');
($url, $state, $err) = download_as($zoe, $vaulted);
is($state, undef, 'budget_export_download signs with the key from Vault') or diag $err;
ok($http->get($url)->{success}, 'and the URL downloads');

$node->safe_psql('app', "UPDATE vault.decrypted_secrets SET decrypted_secret = 'rotated-wrong' WHERE name = 'budget_exports_storage'");
my ($rotated) = request_exports($node, 'csv');
is(wait_for_exports($node, 60, $rotated)->{$rotated}, 'failed', 'a rotated (wrong) Vault key is picked up');
like((row($rotated, 'error_message'))[0], qr/403/, 'and fails as access denied');
($url, $state) = download_as($zoe, $vaulted);
is($state, 'PT502', 'signing with a wrong key: PT502');

$node->safe_psql('app', "DELETE FROM vault.decrypted_secrets");
my ($no_secret) = request_exports($node, 'csv');
is(wait_for_exports($node, 60, $no_secret)->{$no_secret}, 'failed', 'a missing Vault secret fails');
like((row($no_secret, 'error_message'))[0], qr/Vault has no secret named "budget_exports_storage"/,
	'with a message that names the setting');
($url, $state, $err) = download_as($zoe, $csv);
is($state, 'F0000', 'a download with Storage misconfigured: F0000');
unlike($err, qr/budget_exports_storage|vault/i, 'without configuration details for the couple');
# the test's own statements are logged (log_statement = all); nothing else may show a key
my $log = join "\n", grep { !/statement: |STATEMENT: / } split /\n(?=\d{4}-\d\d-\d\d )/, slurp_file($node->logfile);
unlike($log, qr/test-service-key|rotated-wrong/, 'no key in the server log');

$node->stop;

# ---- (f) the file:// store: budget_export_download returns the file URL ---------------
my $files = new_export_node('files');
my ($local) = request_exports($files, 'csv');
is(wait_for_exports($files, 60, $local)->{$local}, 'completed', 'file store: export completed');
my ($local_key, $local_sha) = split /\|/,
  $files->safe_psql('app', "SELECT storage_key, checksum_sha256 FROM budget_exports WHERE id = '$local'");
my (undef, $local_url, $local_err) = $files->psql('app', qq{SET ROLE authenticated;
SET request.jwt.claims = '{"sub": "$zoe", "role": "authenticated"}';
SELECT budget_export_download('$local');});
my $local_path = $files->data_dir . "/budget_exports/budget-exports/$local_key";
is($local_url, "file://$local_path", 'file store: the file URL') or diag $local_err;
open my $local_fh, '<:raw', $local_path or die "$local_path: $!";
is(sha256_hex(do { local $/; <$local_fh> }), $local_sha, 'file store: the file has the recorded checksum');
is($files->safe_psql('app', "SELECT download_count FROM budget_exports WHERE id = '$local'"), '1', 'file store: counted');
$files->stop;

$server->signal('TERM');
$server->finish;
done_testing();
