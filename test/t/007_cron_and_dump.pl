# Operations: cleanup scheduled with pg_cron as the README says, and a pg_dump of the
# database restores with the exports and queue intact.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node request_exports wait_for_exports fixture_path);
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_export_node('cron_dump',
	shared_preload_libraries => "'pg_cron,budget_exports'",
	'cron.database_name' => "'app'",
	'cron.use_background_workers' => 'on',  # a socket-only cluster: no libpq connections for jobs
	'max_worker_processes' => 16);
$node->safe_psql('app', 'CREATE EXTENSION pg_cron');

my ($id) = request_exports($node, 'csv');
is(wait_for_exports($node, 60, $id)->{$id}, 'completed', 'an export to expire');
my $url = $node->safe_psql('app', "SELECT file_url FROM budget_exports WHERE id = '$id'");
(my $path = $url) =~ s{^file://}{};
ok(-f $path, 'its file exists');
$node->safe_psql('app', "UPDATE budget_exports SET expires_at = now() - interval '1 minute' WHERE id = '$id'");

# The README's line, verbatim.
$node->safe_psql('app',
	q{SELECT cron.schedule('budget-exports-cleanup', '*/1 * * * *', 'SELECT cleanup_expired_exports()')});
ok($node->poll_query_until('app', "SELECT status = 'expired' AND file_url IS NULL FROM budget_exports WHERE id = '$id'"),
	'pg_cron ran cleanup_expired_exports(): the export expired');
is($node->safe_psql('app', "SELECT count(*) > 0 FROM cron.job_run_details WHERE status = 'succeeded'"), 't',
	'the cron run succeeded');
my $gone = 0;
for (1 .. 150) {
	if (!-e $path) { $gone = 1; last; }
	select(undef, undef, undef, 0.2);
}
ok($gone, 'the worker removed the expired file from storage');

# pg_dump keeps the rows, and tools/restore-dump.sh brings them back (see the script for why
# a plain restore cannot).
my @more = request_exports($node, 'excel', 'pdf');
wait_for_exports($node, 60, @more);
$node->safe_psql('app', "SELECT cron.unschedule('budget-exports-cleanup'); DROP EXTENSION pg_cron");
my $dump = $node->basedir . '/app.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('app'), '-f', $dump ], 'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ fixture_path('../../tools/restore-dump.sh'), $dump, $node->connstr('restored') ],
	'tools/restore-dump.sh restores it');
my $rows = q{SELECT string_agg(concat_ws(':', e.id, e.status, e.file_url, e.checksum_sha256, q.status, q.attempt_count),
	                        ',' ORDER BY e.id)
	           FROM budget_exports e LEFT JOIN export_queue q ON q.export_id = e.id};
is($node->safe_psql('restored', $rows), $node->safe_psql('app', $rows), 'exports and queue restored as they were');
is($node->safe_psql('restored', 'SELECT count(*) FROM export_queue'), '3', 'no job queued twice');
is($node->safe_psql('restored', q{SELECT extversion FROM pg_extension WHERE extname = 'budget_exports'}), '1.1',
	'the extension is installed in the restored database');

$node->stop;
done_testing();
