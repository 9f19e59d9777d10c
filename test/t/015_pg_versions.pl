# What differs between the supported PostgreSQL versions (src/pg/pg_compat.hpp), checked on
# the version under test: an idle worker's wait event in pg_stat_activity is the custom
# event BudgetExportsIdle on 17 (also listed in pg_wait_events), plain 'Extension' on 15.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node request_exports wait_for_exports);
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_export_node('versions', 'budget_exports.poll_interval' => "'10min'");
my $version_num = $node->safe_psql('app', 'SHOW server_version_num');
SKIP: {
	skip 'PG_CONFIG is not set', 1 unless $ENV{PG_CONFIG};
	my ($major) = `$ENV{PG_CONFIG} --version` =~ /PostgreSQL (\d+)/;
	is(int($version_num / 10000), $major, "the server under test is PG_CONFIG's ($version_num)");
}

# an export works, then the worker goes back to waiting for work
my ($id) = request_exports($node, 'csv');
is(wait_for_exports($node, 30, $id)->{$id}, 'completed', 'an export completes');

my $expected = $version_num >= 170000 ? 'BudgetExportsIdle' : 'Extension';
ok($node->poll_query_until('app', qq{
	SELECT wait_event_type = 'Extension' AND wait_event = '$expected'
	  FROM pg_stat_activity WHERE backend_type = 'budget_exports worker'}),
	"an idle worker waits on the wait event '$expected'")
  or diag($node->safe_psql('app',
	"SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE backend_type = 'budget_exports worker'"));

if ($version_num >= 170000) {
	is($node->safe_psql('app',
		"SELECT type || ':' || name FROM pg_wait_events WHERE name LIKE 'BudgetExports%' ORDER BY name"),
		'Extension:BudgetExportsIdle', 'pg_wait_events lists the custom wait event');
} else {
	is($node->safe_psql('app', "SELECT to_regclass('pg_catalog.pg_wait_events') IS NULL"), 't',
		'PostgreSQL 15 has no pg_wait_events (the plain Extension wait event is used)');
}

$node->stop;
done_testing();
