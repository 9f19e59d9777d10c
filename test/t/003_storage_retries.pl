# Supabase Storage through the local contract server: signed URLs, retries with backoff,
# permanent failures, exhausted retries, and the key kept secret.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node request_exports wait_for_exports start_storage_server storage_control);
use Digest::SHA qw(sha256_hex);
use HTTP::Tiny;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($server, $base_url, $data_dir) = start_storage_server($tmp);

my $node = new_export_node('storage',
	'budget_exports.storage_url' => "'$base_url'",
	'budget_exports.storage_service_key' => "'test-service-key'",
	'budget_exports.storage_timeout' => "'3s'",
	'budget_exports.storage_outage_limit' => "'4s'",
	'budget_exports.max_retries' => 2);

# Happy path: the file lands in Storage and file_url is a signed, downloadable URL.
my ($id) = request_exports($node, 'excel');
my $status = wait_for_exports($node, 60, $id);
is($status->{$id}, 'completed', 'upload to Storage completed');
my ($url, $sha, $key) = split /\|/,
  $node->safe_psql('app', "SELECT file_url, checksum_sha256, storage_key FROM budget_exports WHERE id = '$id'");
like($url, qr{^\Q$base_url\E/object/sign/budget-exports/.+\?token=}, 'file_url is a signed URL');
my $download = HTTP::Tiny->new(timeout => 10)->get($url);
ok($download->{success}, 'signed URL downloads');
is(sha256_hex($download->{content}), $sha, 'downloaded bytes match the checksum');

# Two 503s, then success: Storage was unavailable, which spends none of the couple's
# retries (the job waits for Storage and runs again once it answers).
storage_control($base_url, 'faults', '{"mode": "503", "count": 2, "kinds": ["upload"]}');
($id) = request_exports($node, 'csv');
$status = wait_for_exports($node, 60, $id);
is($status->{$id}, 'completed', 'completed after two 503 responses');
is($node->safe_psql('app', "SELECT attempt_count || '/' || retry_count FROM export_queue WHERE export_id = '$id'"),
	'1/0', 'the attempts Storage refused are not counted, no retry spent');

# Storage failing for good (uploads answer 503 while signing works): the outage lasts until
# an upload succeeds, so after budget_exports.storage_outage_limit (4 s here) the export
# fails with the documented message, still without spending retries.
storage_control($base_url, 'faults', '{"mode": "503", "count": 1000, "kinds": ["upload"]}');
($id) = request_exports($node, 'csv');
$status = wait_for_exports($node, 60, $id);
is($status->{$id}, 'failed', 'failed after the outage limit');
my ($message, $retries) = split /\|/, $node->safe_psql('app',
	"SELECT e.error_message, q.retry_count FROM budget_exports e JOIN export_queue q ON q.export_id = e.id WHERE e.id = '$id'");
is($message, 'the file store has been unavailable for too long; please request the export again later',
	"the documented message: $message");
is($retries, '0', 'no retry spent on the outage');
storage_control($base_url, 'faults', '{"mode": "none"}');

# Payload too large is permanent: no retry.
storage_control($base_url, 'faults', '{"mode": "413", "count": 1, "kinds": ["upload"]}');
($id) = request_exports($node, 'pdf');
$status = wait_for_exports($node, 60, $id);
is($status->{$id}, 'failed', '413 fails at once');
is($node->safe_psql('app', "SELECT retry_count FROM export_queue WHERE export_id = '$id'"), '0', 'no retry for 413');

# A wrong service key is the operator's: the export stays queued (see 012_operator_mistakes.pl)
# and nothing echoes the key. A key changed by reload goes through a key file: PostgreSQL
# would log a changed setting's value.
my $key_file = $node->data_dir . '/storage_service_key';
append_to_file($key_file, "wrong-key-123\n");
chmod 0600, $key_file;
$node->append_conf('postgresql.conf', "budget_exports.storage_service_key_file = '$key_file'\n");
$node->reload;
sleep 1;
($id) = request_exports($node, 'csv');
ok($node->poll_query_until('app', "SELECT detail ~ '403' FROM budget_exports_problems WHERE problem = 'operator_error'"),
	'wrong key: the operator view says Storage refused the key');
is($node->safe_psql('app', "SELECT status FROM budget_exports WHERE id = '$id'"), 'generating', 'the export waits');
$message = $node->safe_psql('app', "SELECT coalesce(last_error, '') || ' ' || coalesce(waiting_for, '') FROM budget_export_status WHERE export_id = '$id'");
unlike($message, qr/wrong-key-123|403|127\.0\.0\.1/, "the couple reads no details: $message");
unlike($node->safe_psql('app', "SELECT detail FROM budget_exports_problems"), qr/wrong-key-123/,
	'the key is not in the operator view');
unlike(slurp_file($node->logfile), qr/wrong-key-123|test-service-key/, 'nor in the server log');

# Nobody but a superuser can read the key.
$node->safe_psql('app', 'CREATE ROLE couple_app LOGIN; GRANT authenticated TO couple_app');
for my $probe ("SHOW budget_exports.storage_service_key",
	"SELECT current_setting('budget_exports.storage_service_key')",
	"SELECT budget_exports_setting('storage_service_key')",
	"SHOW budget_exports.storage_service_key_file",
	"SELECT pg_read_file('$key_file')")
{
	my ($ret, $out, $err) = $node->psql('app', $probe, extra_params => [ '-U', 'couple_app' ]);
	isnt($ret, 0, "refused: $probe");
	unlike($out . $err, qr/wrong-key-123/, "no key in the answer: $probe");
}
is($node->safe_psql('app',
	"SET ROLE couple_app; SELECT count(*) FROM pg_settings WHERE name = 'budget_exports.storage_service_key'"),
	'0', 'not in pg_settings for others');

$node->stop;
$server->signal('TERM');
$server->finish;
done_testing();
