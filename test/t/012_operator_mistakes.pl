# Operator mistakes are the operator's (issue #11): one at a time, an unusable storage_url,
# an unreadable key file, a missing Vault secret, a missing bucket, a key Storage rejects, a
# missing data_source function and a missing font. Each time the exports stay queued with
# no retry spent, one WARNING with the detail reaches the server log (not one per export),
# budget_exports_problems says why, couples read no server detail, and after the fix and
# pg_reload_conf() the exports complete. Last, the app's tables without the indexes the
# default data source reads by: one WARNING at start naming them.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node request_exports wait_for_exports start_storage_server);
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($server, $base_url) = start_storage_server($tmp);

my $node = new_export_node('mistakes',
	'budget_exports.storage_url' => "'$base_url'",
	'budget_exports.storage_service_key' => "'test-service-key'");
my $key_file = "$tmp/service.key";
append_to_file($key_file, "test-service-key\n");
chmod 0600, $key_file;
# Vault stand-in (the worker reads vault.decrypted_secrets)
$node->safe_psql('app', q{
	CREATE SCHEMA vault;
	CREATE TABLE vault.decrypted_secrets (name text PRIMARY KEY, decrypted_secret text);
});

sub set_config {
	my (%settings) = @_;
	for my $name (sort keys %settings) {
		my $value = $settings{$name};
		$node->safe_psql('app', defined $value
			? "ALTER SYSTEM SET budget_exports.$name = '$value'"
			: "ALTER SYSTEM RESET budget_exports.$name");
	}
	$node->safe_psql('app', 'SELECT pg_reload_conf()');
}

my @mistakes = (
	{ name => 'unusable storage_url', break => { storage_url => 'ftp://storage.invalid/v1' },
	  fix => { storage_url => $base_url }, detail => qr/storage settings: .*URL must start with/,
	  hidden => qr/ftp:|storage\.invalid/ },
	{ name => 'unreadable key file', break => { storage_service_key_file => "$tmp/missing.key" },
	  fix => { storage_service_key_file => undef }, detail => qr/cannot read budget_exports\.storage_service_key_file/,
	  hidden => qr/missing\.key|\Q$tmp\E/ },
	{ name => 'missing Vault secret', break => { storage_service_key_secret => 'budget_exports_key' },
	  fix => sub {
		  $node->safe_psql('app', "INSERT INTO vault.decrypted_secrets VALUES ('budget_exports_key', 'test-service-key')");
		  set_config();
	  },
	  detail => qr/Vault has no secret named "budget_exports_key"/, hidden => qr/budget_exports_key|Vault/i },
	{ name => 'missing bucket', break => { storage_bucket => 'no-such-bucket' },
	  fix => { storage_bucket => undef }, detail => qr/Bucket not found|NoSuchBucket/i, hidden => qr/no-such-bucket|bucket/i },
	{ name => 'rejected key', break => sub {
		  open my $fh, '>', $key_file or die $!;
		  print $fh "not-the-key\n";
		  close $fh;
		  set_config(storage_service_key_secret => undef, storage_service_key_file => $key_file);
	  },
	  fix => sub {
		  open my $fh, '>', $key_file or die $!;
		  print $fh "test-service-key\n";
		  close $fh;
		  set_config();
	  },
	  detail => qr/HTTP 403|statusCode 403|invalid signature|Invalid Compact JWS|signature verification failed/, hidden => qr/403|signature|not-the-key/ },
	{ name => 'missing data_source function', break => { data_source => 'public.no_such_budget_rows' },
	  fix => { data_source => undef }, detail => qr/data source function public\.no_such_budget_rows/,
	  hidden => qr/no_such_budget_rows|data_source/ },
	{ name => 'missing font', types => ['pdf', 'pdf', 'pdf'], break => { font_path => '/nonexistent/Font.ttf' },
	  fix => { font_path => undef }, detail => qr{cannot read the PDF font /nonexistent/Font\.ttf},
	  hidden => qr/nonexistent|Font\.ttf|font_path/ },
);

for my $m (@mistakes) {
	my $name = $m->{name};
	ref $m->{break} eq 'CODE' ? $m->{break}->() : set_config(%{ $m->{break} });
	my $log_offset = -s $node->logfile;
	my @ids = request_exports($node, @{ $m->{types} // [ 'csv', 'excel', 'csv' ] });
	my $list = join(', ', map { "'$_'" } @ids);
	ok($node->poll_query_until('app', "SELECT count(*) = 1 FROM budget_exports_problems WHERE problem = 'operator_error'"),
		"$name: the operator view shows a problem");
	my $detail = $node->safe_psql('app', "SELECT detail FROM budget_exports_problems WHERE problem = 'operator_error'");
	like($detail, $m->{detail}, "$name: the operator view says why: $detail");
	sleep 2;    # let the worker try (and not fail) the others too
	is($node->safe_psql('app', "SELECT string_agg(DISTINCT e.status || '/' || q.status || '/' || q.retry_count, ',')
		FROM budget_exports e JOIN export_queue q ON q.export_id = e.id WHERE e.id IN ($list)"),
		'generating/queued/0', "$name: the exports stay queued, no retry spent");
	my $couple_sees = $node->safe_psql('app', "SELECT string_agg(DISTINCT coalesce(last_error, '') || ' | ' || coalesce(waiting_for, ''), ';')
		FROM budget_export_status WHERE export_id IN ($list)");
	unlike($couple_sees, $m->{hidden}, "$name: couples read no detail: $couple_sees");
	my $log = substr(slurp_file($node->logfile), $log_offset);
	my @warnings = $log =~ /WARNING:  budget_exports: exports are waiting for the operator: ([^\n]*)/g;
	is(scalar(@warnings), 1, "$name: one WARNING for " . scalar(@ids) . " exports");
	like($warnings[0] // '', $m->{detail}, "$name: the WARNING has the detail");

	ref $m->{fix} eq 'CODE' ? $m->{fix}->() : set_config(%{ $m->{fix} });
	my $status = wait_for_exports($node, 90, @ids);
	is(join(',', sort values %$status), join(',', ('completed') x @ids), "$name: fixed and reloaded, they complete");
	ok($node->poll_query_until('app', "SELECT count(*) = 0 FROM budget_exports_problems"),
		"$name: the operator view is clear again");
}

# The app's indexes the default data source reads by: the fixture has the line items'
# (user_id, transaction_date) but none on budget_categories (user_id) or
# budget_payment_milestones (category_id), so the first worker said so once at start, with
# the statements to run; once they exist it says nothing.
{
	my @warnings = slurp_file($node->logfile) =~ /WARNING:  budget_exports: the app's tables have no index on ([^\n]*)/g;
	is(scalar(@warnings), 1, 'missing app indexes: one WARNING since the start');
	like($warnings[0] // '', qr/^public\.budget_categories \(user_id\), public\.budget_payment_milestones \(category_id\): /,
		'it names the two tables without the index, not budget_transactions');
	like(slurp_file($node->logfile),
		qr/HINT:  Create them once .*CREATE INDEX CONCURRENTLY ON public\.budget_categories \(user_id\); CREATE INDEX CONCURRENTLY ON public\.budget_payment_milestones \(category_id\);/,
		'the HINT has the statements');

	# An operator's data source reads tables of its own: nothing to say about the app's, even
	# for a function of the default's name in another schema (the reader's own question).
	my $result_type = $node->safe_psql('app',
		"SELECT pg_get_function_result('budget_exports_budget_rows(uuid, jsonb)'::regprocedure)");
	$node->safe_psql('app', qq{
		CREATE SCHEMA ops;
		GRANT USAGE ON SCHEMA ops TO PUBLIC;
		CREATE FUNCTION ops.budget_exports_budget_rows(couple_id uuid, filters jsonb)
		RETURNS $result_type LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
		AS 'SELECT * FROM public.budget_exports_budget_rows(couple_id, filters)';
		ALTER SYSTEM SET budget_exports.data_source = 'ops.budget_exports_budget_rows';
	});
	# restarts the server, runs one export and returns the log since the restart
	my $restart_and_export = sub {
		my ($what) = @_;
		my $offset = -s $node->logfile;
		$node->restart;
		$node->poll_query_until('app',
			"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker'")
		  or die 'the worker did not start';
		my ($id) = request_exports($node, 'csv');
		is(wait_for_exports($node, 60, $id)->{$id}, 'completed', "$what: an export completes");
		return substr(slurp_file($node->logfile), $offset);
	};
	unlike($restart_and_export->("an operator's data source"), qr/have no index on/,
		"an operator's data source of the default's name: no WARNING about the app's indexes");
	$node->safe_psql('app', 'ALTER SYSTEM RESET budget_exports.data_source');

	$node->safe_psql('app', 'CREATE INDEX ON public.budget_categories (user_id, sort_order)');
	$node->safe_psql('app', 'CREATE INDEX ON public.budget_payment_milestones (category_id)');
	unlike($restart_and_export->('with the indexes'), qr/have no index on/, 'and no WARNING about indexes');
}

$node->stop;
$server->signal('TERM');
$server->finish;
done_testing();
