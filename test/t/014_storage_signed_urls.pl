# Signed URLs for every file name the INSERT accepts (issue #13), through the contract
# server, which signs like the real Supabase Storage server (decodeURI tokens on the
# single-object route, batch route, Content-Disposition for &download=):
#  - a space and each of + & $ = @ ; : , ! * ' ( ): upload, the stored file_url and
#    budget_export_download() download byte-identical with curl(1) under the export's
#    file_name, and the objects are deleted after cleanup;
#  - a "?" is refused at INSERT;
#  - a missing bucket or a key without rights (PT502) is told apart from a file that
#    is gone (PT410).
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node wait_for_exports start_storage_server sample_couple);
use Digest::SHA qw(sha256_hex);
use HTTP::Tiny;
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($server, $base_url, $data_dir) = start_storage_server($tmp);

my $node = new_export_node('signed_urls',
	'budget_exports.storage_url' => "'$base_url'",
	'budget_exports.storage_service_key' => "'test-service-key'",
	'budget_exports.storage_timeout' => "'5s'");
my $zoe = '5a0e0000-0000-4000-8000-000000000011';

# Calls $sql as a signed-in couple member; returns (stdout, SQLSTATE or undef, stderr).
sub as_user {
	my ($sql) = @_;
	my ($ret, $out, $err) = $node->psql('app', qq{\\set VERBOSITY verbose
SET ROLE authenticated;
SET request.jwt.claims = '{"sub": "$zoe", "role": "authenticated"}';
$sql});
	my ($state) = ($err // '') =~ /ERROR:\s+([0-9A-Z]{5}):/;
	return ($out, $state, $err);
}

# curl(1) refuses a URL that is not valid ("URL using bad/illegal format"), as browsers do.
# Returns (ok, body, response headers, curl's stderr).
sub curl_get {
	my ($url) = @_;
	my ($headers, $err) = ('', '');
	my $file = "$tmp/download";
	unlink $file;
	my $ok = IPC::Run::run([ 'curl', '-sS', '--fail', '--max-time', '10', '-D', '-', '-o', $file, $url ],
		'>', \$headers, '2>', \$err);
	my $body = '';
	if (-f $file) {
		open my $fh, '<:raw', $file or die "$file: $!";
		local $/;
		$body = <$fh>;
	}
	return ($ok, $body, $headers, $err);
}

# JavaScript's encodeURIComponent, as the real server writes the name into the header
sub encode_uri_component {
	my ($text) = @_;
	$text =~ s/([^A-Za-z0-9\-_.!~*'()])/sprintf('%%%02X', ord($1))/ge;
	return $text;
}

sub stored_path { return "$data_dir/budget-exports/$_[0]"; }

# ---- round trips ------------------------------------------------------------------
my @names = ('Our budget (final) v2.csv', map { "a${_}b.csv" } split //, q{+&$=@;:,!*'()});
my %name_of;
for my $name (@names) {
	(my $quoted = $name) =~ s/'/''/g;
	my $id = $node->safe_psql('app', "INSERT INTO budget_exports (couple_id, export_type, file_name) "
		  . "VALUES ('" . sample_couple . "', 'csv', '$quoted') RETURNING id");
	$name_of{$id} = $name;
}
my @ids = sort keys %name_of;
my $status = wait_for_exports($node, 120, @ids);
is(scalar(grep { ($status->{$_} // '') eq 'completed' } @ids), scalar(@names),
	scalar(@names) . ' exports with special file names completed');

my %key_of;
for my $id (@ids) {
	my $name = $name_of{$id};
	my ($key, $sha, $url) = split /\|/,
	  $node->safe_psql('app', "SELECT storage_key, checksum_sha256, file_url FROM budget_exports WHERE id = '$id'");
	$key_of{$id} = $key;
	like($url, qr{^\Q$base_url\E/object/sign/budget-exports/[A-Za-z0-9\-._~/%]+\?token=[A-Za-z0-9\-_.]+&download=[A-Za-z0-9\-._~%]+$},
		"[$name] file_url is an absolute, fully percent-encoded URL");
	my ($ok, $body, $headers, $err) = curl_get($url);
	ok($ok, "[$name] curl downloads the stored file_url") or diag "$url: $err";
	is(sha256_hex($body), $sha, "[$name] byte-identical");
	my $disposition = encode_uri_component($name);
	like($headers, qr/^Content-Disposition: attachment; filename=\Q$disposition\E;/mi,
		"[$name] saved under the export's file_name");

	my ($fresh, $state, $stderr) = as_user("SELECT budget_export_download('$id');");
	is($state, undef, "[$name] budget_export_download() signs it") or diag $stderr;
	($ok, $body, $headers, $err) = curl_get($fresh);
	ok($ok, "[$name] its URL downloads") or diag "$fresh: $err";
	is(sha256_hex($body), $sha, "[$name] byte-identical through budget_export_download()");
	like($headers, qr/^Content-Disposition: attachment; filename=\Q$disposition\E;/mi,
		"[$name] and names the file");
}

# ---- "?" is refused at INSERT ----------------------------------------------------------
my (undef, $state, $err) = as_user(
	"INSERT INTO budget_exports (couple_id, export_type, file_name) VALUES ('" . sample_couple . "', 'csv', 'budget?.csv');");
is($state, '22023', 'a file_name with "?" is refused at INSERT');
like($err, qr/file_name may use only .* \+ , - \(at most 200\)/, 'the message lists what is allowed');
like($err, qr/HINT:.*"\?"/, 'and the hint names "?"');

# ---- a file that is gone vs. Storage misconfigured ----------------------------------
my ($gone_id, $kept_id) = @ids[0, 1];
my $http = HTTP::Tiny->new(timeout => 10);
(my $encoded_key = $key_of{$gone_id}) =~ s{([^A-Za-z0-9\-._~/])}{sprintf('%%%02X', ord($1))}ge;
my $deleted = $http->request('DELETE', "$base_url/object/budget-exports/$encoded_key",
	{ headers => { apikey => 'test-service-key', Authorization => 'Bearer test-service-key' } });
ok($deleted->{success}, 'an object removed from Storage behind the export\'s back') or diag $deleted->{content};
(undef, $state, $err) = as_user("SELECT budget_export_download('$gone_id');");
is($state, 'PT410', 'its download: PT410');
like($err, qr/no longer in storage/, 'the file is no longer in storage');

my $log_offset = -s $node->logfile;
sub refusal_with {
	my (%settings) = @_;
	$node->append_conf('postgresql.conf', join('', map { "$_ = $settings{$_}\n" } sort keys %settings));
	$node->reload;
	usleep(300_000);
	return as_user("SELECT budget_export_download('$kept_id');");
}
(undef, $state, $err) = refusal_with('budget_exports.storage_bucket' => "'no-such-bucket'");
is($state, 'PT502', 'a missing bucket: PT502, not PT410');
like($err, qr/downloads are not available right now because file storage is not set up correctly/,
	'a plain sentence for the couple');
like($err, qr/HINT:\s+For the operator: .*bucket is missing/, 'a hint for the operator');
unlike($err, qr/no-such-bucket|127\.0\.0\.1|\Q$base_url\E|test-service-key/, 'no bucket, host or key in it');

(undef, $state, $err) = refusal_with('budget_exports.storage_bucket' => "'budget-exports'",
	'budget_exports.storage_service_key' => "'test-anon-key'");
is($state, 'PT502', 'a key without rights (anon): PT502, not PT410');
(undef, $state, $err) = refusal_with('budget_exports.storage_service_key' => "'eyJhbGciOiJIUzI1NiJ9.e30.wrong'");
is($state, 'PT502', 'a rejected key: PT502');
unlike($err, qr/eyJhbGci/, 'the key is not quoted');

my $log = substr(slurp_file($node->logfile), $log_offset);
like($log, qr/Storage refused to sign a download URL \(operator action needed\): .*Bucket not found/,
	'the server log has Storage\'s answer for the operator');
like($log, qr/operator action needed\): .*statusCode 403 Unauthorized\): signature verification failed/,
	'including a rejected key');

(undef, $state) = refusal_with('budget_exports.storage_service_key' => "'test-service-key'");
is($state, undef, 'with the right settings again the download works');

# ---- every object is deleted after cleanup ------------------------------------------
my $list = join(', ', map { "'$_'" } @ids);
$node->safe_psql('app', "UPDATE budget_exports SET expires_at = now() - interval '1 second' WHERE id IN ($list)");
$node->safe_psql('app', 'SELECT cleanup_expired_exports()');
my $started = time;
while (time - $started < 20 && grep { -e stored_path($key_of{$_}) } @ids) {
	usleep(100_000);
}
my @left = grep { -e stored_path($key_of{$_}) } @ids;
is(scalar(@left), 0, 'cleanup deleted every object from Storage') or diag join(', ', map { $name_of{$_} } @left);
is($node->safe_psql('app', 'SELECT count(*) FROM budget_export_storage_deletions'), '0', 'deletion queue empty');

$node->stop;
$server->kill_kill;
done_testing();
