# End to end: a couple's request becomes a file of each type, with the right content.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node request_exports wait_for_exports sample_couple);
use Digest::SHA;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_export_node('end_to_end');

# The database did not exist when the server started: the worker comes back within 5 s.
ok($node->poll_query_until('app',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND datname = 'app'"),
	'the worker shows in pg_stat_activity');

my @ids = request_exports($node, 'csv', 'excel', 'pdf');
my $status = wait_for_exports($node, 60, @ids);
is_deeply([ map { $status->{$_} } @ids ], [qw(completed completed completed)], 'all three exports completed')
  or diag($node->safe_psql('app', 'SELECT export_type, status, last_error FROM budget_export_status'));

# Every file is where file_url says, with the recorded size and checksum.
for my $row (split /\n/, $node->safe_psql('app',
	"SELECT export_type, file_url, file_size_bytes, checksum_sha256, content_type, expires_at > now() + interval '23 hours'
	   FROM budget_exports ORDER BY export_type"))
{
	my ($type, $url, $size, $sha, $content_type, $expires_later) = split /\|/, $row;
	like($url, qr{^file:///}, "$type: file:// URL");
	(my $path = $url) =~ s{^file://}{};
	ok(-f $path, "$type: file exists");
	is(-s $path, $size, "$type: file_size_bytes is the file's size");
	is(Digest::SHA->new(256)->addfile($path)->hexdigest, $sha, "$type: checksum_sha256 matches");
	is($expires_later, 't', "$type: expires in 24 hours");
	if ($type eq 'csv') {
		my $csv = slurp_file($path);
		is(substr($csv, 0, 3), "\xEF\xBB\xBF", 'csv: UTF-8 byte order mark');
		my @lines = split /\r\n/, $csv;
		is(scalar(@lines), 321, 'csv: a header and the 320 transactions');
		like($csv, qr/Fleurs de Zo\xC3\xAB/, 'csv: accents survive');
		like($csv, qr/'=Formula Vendor/, 'csv: a formula-like vendor is neutralised');
		is($content_type, 'text/csv; charset=utf-8', 'csv: content type');
	}
	elsif ($type eq 'pdf') {
		my ($text) = run_command([ 'pdftotext', '-enc', 'UTF-8', $path, '-' ]);
		like($text, qr/Zo\x{c3}\x{ab} M\x{c3}\x{bc}ller/, 'pdf: names with accents');
		like($text, qr/\x{e2}\x{82}\x{ac}/, 'pdf: the euro sign');
	}
	else {
		my ($listing) = run_command([ 'unzip', '-l', $path ]);
		like($listing, qr{xl/worksheets/sheet3\.xml}, 'excel: three sheets');
	}
}

# Filters are applied in SQL: one vendor, with notes.
my ($filtered) = request_exports_with_filters($node, 'csv',
	'{"vendor_names": ["Café Olé"], "include_notes": true, "date_range": {"start": "2026-01-01", "end": "2026-06-30"}}');
wait_for_exports($node, 30, $filtered);
my ($url) = $node->safe_psql('app', "SELECT file_url FROM budget_exports WHERE id = '$filtered'");
(my $path = $url) =~ s{^file://}{};
my @rows = split /\r\n/, slurp_file($path);
my $expected = $node->safe_psql('app',
	"SELECT count(*) FROM budget_transactions WHERE vendor_name = 'Café Olé'
	    AND transaction_date BETWEEN '2026-01-01' AND '2026-06-30'");
ok($expected > 0, 'the filter matches some transactions');
is(scalar(@rows) - 1, $expected, 'filtered csv has exactly the matching rows');
is(scalar(grep { !/Caf\xC3\xA9 Ol\xC3\xA9/ } @rows[1 .. $#rows]), 0, 'every row is from that vendor');
like($rows[0], qr/Notes/, 'notes column when include_notes');

# A couple asks through RLS, as the app does; NOTIFY tells the app when it is done.
my $couple_user = '5a0e0000-0000-4000-8000-000000000012';
my ($stdout, $stderr) = ('', '');
$node->psql('app', qq{
	LISTEN budget_exports;
	SET ROLE authenticated;
	SELECT set_config('request.jwt.claims', '{"sub":"$couple_user","role":"authenticated"}', false);
	INSERT INTO budget_exports (couple_id, export_type) VALUES ('@{[sample_couple]}', 'csv');
	SELECT pg_sleep(1.5);
	SELECT count(*) FROM budget_exports WHERE status = 'completed';
}, stdout => \$stdout, stderr => \$stderr);
like($stderr . $stdout, qr/Asynchronous notification "budget_exports" with payload "[0-9a-f-]{36}"/,
	'the couple gets a NOTIFY with the export id');
is($node->safe_psql('app', "SELECT count(*) FROM budget_exports WHERE status <> 'completed'"), '0',
	'the couple\'s own request completed too');

my $stats = $node->safe_psql('app', 'SELECT queued, in_flight, failed, completed FROM budget_exports_queue_stats');
is($stats, '0|0|0|5', 'operator view: everything done');

# A file over budget_exports.max_file_size fails at once, with a message, and no retry.
$node->safe_psql('app', "ALTER SYSTEM SET budget_exports.max_file_size = '2kB'");
$node->reload;
sleep 1;
my ($too_big) = request_exports($node, 'pdf');
is(wait_for_exports($node, 60, $too_big)->{$too_big}, 'failed', 'an oversized export fails');
my ($error, $retries) = split /\|/, $node->safe_psql('app',
	"SELECT e.error_message, q.retry_count FROM budget_exports e JOIN export_queue q ON q.export_id = e.id WHERE e.id = '$too_big'");
like($error, qr/larger than the 2 kB file size limit \(rendering stopped there\); narrow the filters/, "readable: $error");
unlike($error, qr/budget_exports\.|max_file_size/, 'without the setting');
is($retries, '0', 'a permanent failure is not retried');

$node->stop;
done_testing();

sub request_exports_with_filters {
	my ($node, $type, $filters) = @_;
	return $node->safe_psql('app',
		"INSERT INTO budget_exports (couple_id, export_type, export_filters)
		 VALUES ('@{[sample_couple]}', '$type', '$filters') RETURNING id");
}
