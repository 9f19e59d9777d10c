# Two workers share one queue: 500 jobs, each claimed exactly once (FOR UPDATE SKIP LOCKED).
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node wait_for_exports sample_couple);
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_export_node('two_workers', 'budget_exports.workers' => 2);
ok($node->poll_query_until('app',
	"SELECT count(*) = 2 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND datname = 'app'"),
	'two workers connected');

my @ids = split /\n/, $node->safe_psql('app', qq{
	INSERT INTO budget_exports (couple_id, export_type, export_filters)
	SELECT '@{[sample_couple]}', 'csv', '{"vendor_names": ["Café Olé"]}' FROM generate_series(1, 500) RETURNING id});
my $status = wait_for_exports($node, 300, @ids);
ok($status, 'all 500 finished');
is(scalar(grep { $status->{$_} eq 'completed' } @ids), 500, 'all 500 completed');
is($node->safe_psql('app', 'SELECT count(*) FROM export_queue WHERE attempt_count <> 1'), '0',
	'no job was claimed twice');
is($node->safe_psql('app', 'SELECT count(DISTINCT storage_key) FROM budget_exports'), '500', 'one file per job');

my $per_worker = $node->safe_psql('app',
	"SELECT string_agg(n::text, ',' ORDER BY n) FROM (SELECT count(*) AS n FROM export_queue GROUP BY timings->>'worker') w");
my @counts = split /,/, $per_worker;
is(scalar(@counts), 2, "both workers processed jobs ($per_worker)");

$node->stop;
done_testing();
