# Upgrade scripts: a database created at 1.0 and updated to the default version has the same
# extension catalog (members, definitions, privileges, policies, triggers, settings) as a
# fresh install of the default version. Run on every PostgreSQL version the tests cover.
use strict;
use warnings;
use lib 'test/t';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use BudgetExportsNode qw(fixture_path);

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->start;

my $default_version = $node->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'budget_exports'});
isnt($default_version, '1.0', "the default version ($default_version) is newer than the released 1.0");

for my $db ('fresh', 'upgraded') {
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->command_ok(
		[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db), '-f', fixture_path('supabase_world.sql') ],
		"$db: fixture loads");
}
$node->safe_psql('fresh', 'CREATE EXTENSION budget_exports');
$node->safe_psql('upgraded', q{CREATE EXTENSION budget_exports VERSION '1.0'});
# rows made under 1.0 survive the update
$node->safe_psql('upgraded', q{
	INSERT INTO auth.users (id) VALUES ('0de00000-0000-4000-8000-000000000001');
	INSERT INTO couples (id, user_id) VALUES ('0de00000-0000-4000-8000-0000000000c1', '0de00000-0000-4000-8000-000000000001');
	INSERT INTO budget_exports (couple_id, export_type) VALUES ('0de00000-0000-4000-8000-0000000000c1', 'csv');
});
$node->safe_psql('upgraded', 'ALTER EXTENSION budget_exports UPDATE');
is($node->safe_psql('upgraded', q{SELECT extversion FROM pg_extension WHERE extname = 'budget_exports'}),
	$default_version, 'ALTER EXTENSION UPDATE reaches the default version');

my $signature = do { local $/; open my $fh, '<', fixture_path('catalog_signature.sql') or die $!; <$fh> };
my $fresh = $node->safe_psql('fresh', $signature);
my $upgraded = $node->safe_psql('upgraded', $signature);
cmp_ok(scalar(split /\n/, $fresh), '>', 100, 'the signature lists the catalog');
if ($fresh eq $upgraded) {
	pass('upgraded and fresh catalogs are identical');
} else {
	my %f = map { $_ => 1 } split /\n(?=(?:member|version|function|relation|column|constraint|index|trigger|policy|comment) )/, $fresh;
	my %u = map { $_ => 1 } split /\n(?=(?:member|version|function|relation|column|constraint|index|trigger|policy|comment) )/, $upgraded;
	diag("only in the fresh install:\n" . join("\n", grep { !$u{$_} } sort keys %f));
	diag("only in the upgraded database:\n" . join("\n", grep { !$f{$_} } sort keys %u));
	fail('upgraded and fresh catalogs are identical');
}
is($node->safe_psql('upgraded', 'SELECT count(*) FROM budget_exports'), '1', 'rows made under 1.0 are kept');

$node->stop;
done_testing();
