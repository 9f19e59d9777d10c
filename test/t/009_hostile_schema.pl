# Hostile schema (issue #9): a role that may create objects in public plants shadows of every
# built-in the extension's SQL uses (functions with exact-type overloads, operators), and a
# couple shadows pg_roles, budget_exports, export_queue and couples with temp tables. Then
# exports of each type are requested, rendered, completed, failed, rescued, cleaned up and
# downloaded. Every export completes, no planted object ever runs (public.pwned stays empty),
# the service key is never read, and the request limits still hold.
#
# "app_admin" (test/fixtures/supabase_world.sql) stands in for Supabase's dashboard role
# postgres: not a superuser, but it may create in public. Here the bootstrap superuser of
# the test cluster is the one called postgres.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node wait_for_exports start_storage_server sample_couple);
use HTTP::Tiny;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($server, $base_url, $data_dir) = start_storage_server($tmp);

my $node = new_export_node('hostile',
	'budget_exports.storage_url' => "'$base_url'",
	'budget_exports.storage_service_key' => "'test-service-key'",
	'budget_exports.rate_limit_per_hour' => 100,
	'budget_exports.max_in_flight' => 2,
	'budget_exports.backoff_base' => "'100ms'",
	'budget_exports.max_retries' => 0);
# This test's own sessions resolve names through pg_catalog first (the database default
# set below puts public first, for the worker's sake).
$ENV{PGOPTIONS} = '-c search_path=pg_catalog,public';

my $couple = sample_couple;
my $zoe = '5a0e0000-0000-4000-8000-000000000011';

# ---- the attacker's objects ---------------------------------------------------------------
# Each shadow logs (what, who, the service key if readable) into public.pwned, then does
# what the built-in does, so nothing visibly breaks when it runs.
my @shadows = (
	# name, argument types, return type, the built-in's call
	[ 'to_char', 'date, text', 'text', 'pg_catalog.to_char($1, $2)' ],
	[ 'to_char', 'timestamp, text', 'text', 'pg_catalog.to_char($1, $2)' ],
	[ 'to_char', 'timestamptz, text', 'text', 'pg_catalog.to_char($1, $2)' ],
	[ 'to_json', 'text[]', 'json', 'pg_catalog.to_json($1)' ],
	[ 'make_interval', 'secs numeric', 'interval', 'pg_catalog.make_interval(secs => $1::float8)' ],
	[ 'make_interval', 'secs integer', 'interval', 'pg_catalog.make_interval(secs => $1)' ],
	[ 'make_interval', 'secs float8', 'interval', 'pg_catalog.make_interval(secs => $1)' ],
	[ 'lower', 'text', 'text', 'pg_catalog.lower($1)' ],
	[ 'abs', 'numeric', 'numeric', 'pg_catalog.abs($1)' ],
	[ 'char_length', 'text', 'integer', 'pg_catalog.char_length($1)' ],
	[ 'octet_length', 'text', 'integer', 'pg_catalog.octet_length($1)' ],
	[ 'now', '', 'timestamptz', 'pg_catalog.now()' ],
	[ 'btrim', 'text', 'text', 'pg_catalog.btrim($1)' ],
	[ 'btrim', 'text, text', 'text', 'pg_catalog.btrim($1, $2)' ],
	[ 'left', 'text, integer', 'text', 'pg_catalog.left($1, $2)' ],
	[ 'array_to_string', 'text[], text', 'text', 'pg_catalog.array_to_string($1, $2)' ],
	[ 'cardinality', 'text[]', 'integer', 'pg_catalog.cardinality($1)' ],
	[ 'string_to_array', 'text, text', 'text[]', 'pg_catalog.string_to_array($1, $2)' ],
	[ 'regexp_replace', 'text, text, text', 'text', 'pg_catalog.regexp_replace($1, $2, $3)' ],
	[ 'quote_ident', 'text', 'text', 'pg_catalog.quote_ident($1)' ],
	[ 'quote_literal', 'text', 'text', 'pg_catalog.quote_literal($1)' ],
	[ 'strpos', 'text, text', 'integer', 'pg_catalog.strpos($1, $2)' ],
	# (not current_setting(): the fixture's auth.uid(), like Supabase's, has no pinned
	# search_path, and the couple's own session below resolves through public)
	[ 'to_regprocedure', 'text', 'regprocedure', 'pg_catalog.to_regprocedure($1)' ],
	[ 'to_regclass', 'text', 'regclass', 'pg_catalog.to_regclass($1)' ],
	[ 'pg_notify', 'text, text', 'void', 'pg_catalog.pg_notify($1, $2)' ],
	[ 'gen_random_uuid', '', 'uuid', 'pg_catalog.gen_random_uuid()' ],
	[ 'power', 'integer, integer', 'float8', 'pg_catalog.power($1::float8, $2::float8)' ],
	[ 'ceil', 'float8', 'float8', 'pg_catalog.ceil($1)' ],
	[ 'format', 'text, text', 'text', 'pg_catalog.format($1, $2)' ],
	[ 'format', 'text, text, text', 'text', 'pg_catalog.format($1, $2, $3)' ],
	[ 'jsonb_typeof', 'jsonb', 'text', 'pg_catalog.jsonb_typeof($1)' ],
	[ 'jsonb_array_length', 'jsonb', 'integer', 'pg_catalog.jsonb_array_length($1)' ],
	[ 'array_remove', 'uuid[], uuid', 'uuid[]', 'pg_catalog.array_remove($1, $2)' ],
	[ 'set_config', 'text, text, boolean', 'text', 'pg_catalog.set_config($1, $2, $3)' ],
	[ 'texteq', 'text, text', 'boolean', 'pg_catalog.texteq($1, $2)' ],
);
my @set_returning = (
	[ 'unnest', 'text[]', 'text', 'pg_catalog.unnest($1)' ],
	[ 'jsonb_object_keys', 'jsonb', 'text', 'pg_catalog.jsonb_object_keys($1)' ],
	[ 'jsonb_array_elements', 'jsonb', 'jsonb', 'pg_catalog.jsonb_array_elements($1)' ],
	[ 'jsonb_array_elements_text', 'jsonb', 'text', 'pg_catalog.jsonb_array_elements_text($1)' ],
);
# operators: symbol, left, right, the built-in's function
my @operators = (
	[ '=', 'text', 'text', 'pg_catalog.texteq' ],
	[ '=', 'uuid', 'uuid', 'pg_catalog.uuid_eq' ],
	[ '=', 'name', 'text', 'pg_catalog.nameeqtext' ],
	[ '=', 'integer', 'integer', 'pg_catalog.int4eq' ],
	[ '<>', 'text', 'text', 'pg_catalog.textne' ],
	[ '~', 'text', 'text', 'pg_catalog.textregexeq' ],
	[ '!~', 'text', 'text', 'pg_catalog.textregexne' ],
	[ '~~', 'text', 'text', 'pg_catalog.textlike' ],
	[ '!~~', 'text', 'text', 'pg_catalog.textnlike' ],
	[ '>', 'integer', 'integer', 'pg_catalog.int4gt' ],
	[ '>=', 'integer', 'integer', 'pg_catalog.int4ge' ],
	[ '<=', 'timestamptz', 'timestamptz', 'pg_catalog.timestamptz_le' ],
	[ '||', 'text', 'text', 'pg_catalog.textcat' ],
	[ '?', 'jsonb', 'text', 'pg_catalog.jsonb_exists' ],
);

my $log = q{SELECT public.pwn(%L)};
my $plant = q{
SET ROLE app_admin;
CREATE TABLE public.pwned (what text, who text, key text, at timestamptz DEFAULT pg_catalog.now());
GRANT INSERT, SELECT ON public.pwned TO PUBLIC;
CREATE FUNCTION public.pwn(what text) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
  k text;
BEGIN
  BEGIN  -- only a superuser may read it
    k := pg_catalog.current_setting('budget_exports.storage_service_key', true);
  EXCEPTION WHEN OTHERS THEN
    k := NULL;
  END;
  INSERT INTO public.pwned (what, who, key) VALUES (what, current_user::text, k);
END
$f$;
};
my $n = 0;
for my $s (@shadows) {
	my ($name, $args, $ret, $call) = @$s;
	my $what = "$name($args)";
	my $body = $ret eq 'void' ? "PERFORM $call; RETURN;" : "RETURN (SELECT $call);";
	$plant .= qq{CREATE FUNCTION public."$name"($args) RETURNS $ret LANGUAGE plpgsql AS \$f\$
BEGIN EXECUTE pg_catalog.format(\$q\$$log\$q\$, '$what'); $body END \$f\$;\n};
	$n++;
}
for my $s (@set_returning) {
	my ($name, $args, $ret, $call) = @$s;
	my $what = "$name($args)";
	$plant .= qq{CREATE FUNCTION public."$name"($args) RETURNS SETOF $ret LANGUAGE plpgsql AS \$f\$
BEGIN EXECUTE pg_catalog.format(\$q\$$log\$q\$, '$what'); RETURN QUERY SELECT $call; END \$f\$;\n};
	$n++;
}
my $op = 0;
for my $o (@operators) {
	my ($symbol, $left, $right, $builtin) = @$o;
	$op++;
	my $what = "operator $symbol($left, $right)";
	$plant .= qq{CREATE FUNCTION public.evil_op_$op($left, $right) RETURNS boolean LANGUAGE plpgsql AS \$f\$
BEGIN EXECUTE pg_catalog.format(\$q\$$log\$q\$, '$what'); RETURN $builtin(\$1, \$2); END \$f\$;\n}
	  if $symbol ne '||';
	$plant .= qq{CREATE FUNCTION public.evil_op_$op($left, $right) RETURNS text LANGUAGE plpgsql AS \$f\$
BEGIN EXECUTE pg_catalog.format(\$q\$$log\$q\$, '$what'); RETURN $builtin(\$1, \$2); END \$f\$;\n}
	  if $symbol eq '||';
	$plant .= "CREATE OPERATOR public.$symbol (LEFTARG = $left, RIGHTARG = $right, FUNCTION = public.evil_op_$op);\n";
}
$node->safe_psql('app', $plant);
pass("app_admin planted $n shadow functions and $op operators in public");

# The shadows are live: a session whose search_path puts public first runs them.
$node->safe_psql('app', q{
	SET search_path = public, pg_catalog;
	SELECT to_char(current_date, 'YYYY'), to_json(ARRAY['a']), make_interval(secs => 1.5),
	       (SELECT count(*) FROM unnest(ARRAY['x'])), 'a'::text = 'a'::text, lower('A'::text);
});
my $live = $node->safe_psql('app', 'SELECT count(DISTINCT what) FROM public.pwned');
cmp_ok($live, '>=', 6, "the planted objects run when a session resolves names through public ($live seen)");
$node->safe_psql('app', 'TRUNCATE public.pwned');

# The database's own default search_path puts public first (the owner of a database, e.g.
# the dashboard role on Supabase, may set it): the worker's connection must not care.
$node->safe_psql('postgres', 'ALTER DATABASE app SET search_path = public, pg_catalog');
$node->restart;
ok($node->poll_query_until('app',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND datname = 'app'"),
	'the worker is back, connected with the hostile database default');

# ---- a couple's session with temp tables shadowing the catalog and the extension ------------
# Returns (stdout, SQLSTATE or undef, stderr).
my $temp_tables = q{
CREATE TEMP TABLE pg_roles (rolname name, rolsuper boolean, rolbypassrls boolean);
INSERT INTO pg_roles VALUES ('authenticated', true, true), ('postgres', true, true);
CREATE TEMP TABLE budget_exports (id uuid, couple_id uuid, status text, created_at timestamptz,
                                  storage_key text, expires_at timestamptz, export_type text);
CREATE TEMP TABLE export_queue (id uuid, export_id uuid, status text, priority int, created_at timestamptz);
CREATE TEMP TABLE couples (id uuid, user_id uuid, partner_user_id uuid);
INSERT INTO couples VALUES ('} . $couple . q{', '} . $zoe . q{', NULL);
};
# The couple's search_path: temp tables first. public comes after pg_catalog by default
# because the fixture's auth.uid() (like Supabase's) has no pinned search_path and runs in
# the couple's own session (RLS), where a planted "=" would catch it: that is no privilege
# gained, and PostgREST sessions cannot change their search_path. Requests that validation
# refuses never reach RLS, so they are made with public first.
sub as_couple {
	my ($sql, $search_path) = @_;
	$search_path //= 'pg_temp, pg_catalog, public';
	my ($ret, $out, $err) = $node->psql('app', qq{\\set VERBOSITY verbose
SET ROLE authenticated;
SET request.jwt.claims = '{"sub": "$zoe", "role": "authenticated"}';
$temp_tables
SET search_path = $search_path;
$sql});
	my ($state) = ($err // '') =~ /ERROR:\s+([0-9A-Z]{5}):/;
	return ($out, $state, $err);
}

sub request_as_couple {
	my ($type, $extra_columns, $extra_values, $search_path) = @_;
	$extra_columns //= '';
	$extra_values //= '';
	my ($out, $state, $err) = as_couple(
		"INSERT INTO public.budget_exports (couple_id, export_type$extra_columns) VALUES ('$couple', '$type'$extra_values) RETURNING id;",
		$search_path);
	return ($out, $state, $err);
}

# Validation still refuses what the shadows would have let through.
my (undef, $state, $err) = request_as_couple('csv', ', file_name', ", '../../../../../tmp/pwn.csv'",
	'pg_temp, public, pg_catalog');
is($state, '22023', 'a path in file_name is refused despite the planted ~ and !~ operators') or diag $err;
(undef, $state, $err) = request_as_couple('pdf', ', export_filters',
	qq{, pg_catalog.jsonb_build_object('options', pg_catalog.jsonb_build_object('custom_title', pg_catalog.repeat(E'x\\n', 2500)))},
	'pg_temp, public, pg_catalog');
is($state, '22023', 'a 5,000-character title with control characters is refused') or diag $err;

# The in-flight limit (2) holds although pg_roles says the couple is a superuser and the
# temp budget_exports is empty: three requests in one transaction, the third is refused.
(undef, $state, $err) = as_couple(qq{DO \$\$
BEGIN
  INSERT INTO public.budget_exports (couple_id, export_type) VALUES ('$couple', 'pdf');
  INSERT INTO public.budget_exports (couple_id, export_type) VALUES ('$couple', 'csv');
  BEGIN
    INSERT INTO public.budget_exports (couple_id, export_type) VALUES ('$couple', 'excel');
    RAISE NOTICE 'third accepted';
  EXCEPTION WHEN sqlstate 'PT429' THEN
    RAISE NOTICE 'third refused: %', SQLERRM;
  END;
END \$\$;});
is($state, undef, 'the couple requests a pdf and a csv') or diag $err;
like($err, qr/third refused: this couple already has 2 exports being generated/,
	'a third export in flight is refused: the temp tables do not hide the real ones');
my ($pdf, $csv) = split /\n/, $node->safe_psql('app',
	"SELECT id FROM budget_exports WHERE export_type IN ('pdf', 'csv') ORDER BY export_type DESC");
my $status = wait_for_exports($node, 120, $pdf, $csv);
is_deeply([ $status->{$pdf}, $status->{$csv} ], [qw(completed completed)], 'pdf and csv completed')
  or diag($node->safe_psql('app', 'SELECT export_type, status, last_error FROM budget_export_status'));
my $excel;
($excel, $state, $err) = request_as_couple('excel');
is($state, undef, 'with those done, the excel request is accepted') or diag $err;
$status = wait_for_exports($node, 120, $excel);
is($status->{$excel}, 'completed', 'excel completed')
  or diag($node->safe_psql('app', 'SELECT export_type, status, last_error FROM budget_export_status'));

# ---- downloads, as the couple with the temp tables in place --------------------------------
my $http = HTTP::Tiny->new(timeout => 10);
for my $id ($pdf, $csv, $excel) {
	my ($url, $dl_state, $dl_err) = as_couple("SELECT budget_export_download('$id');");
	is($dl_state, undef, "download of $id signs a URL") or diag $dl_err;
	($url) = grep { /^http/ } split /\n/, ($url // '');
	ok($url && $http->get($url)->{success}, "and the URL downloads the file");
}

# ---- a failure: an export over max_file_size fails for good (the worker records the failure)
$node->safe_psql('postgres', "ALTER SYSTEM SET budget_exports.max_file_size = '2kB'");
$node->reload;
my ($failing) = split /\n/, $node->safe_psql('app',
	"INSERT INTO budget_exports (couple_id, export_type) VALUES ('$couple', 'csv') RETURNING id");
$status = wait_for_exports($node, 60, $failing);
is($status->{$failing}, 'failed', 'an export over the file size limit fails');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET budget_exports.max_file_size');
$node->reload;

# ---- a rescue: a lease of a worker that died (set up by hand) -------------------------------
my ($stale) = split /\n/, $node->safe_psql('app',
	"INSERT INTO budget_exports (couple_id, export_type) VALUES ('$couple', 'pdf') RETURNING id");
$status = wait_for_exports($node, 120, $stale);
$node->safe_psql('app', qq{
	UPDATE budget_exports SET status = 'generating' WHERE id = '$stale';
	UPDATE export_queue SET status = 'started', lease_owner = 'a worker that died', lease_token = gen_random_uuid(),
	       lease_expires_at = now() - interval '1 minute', completed_at = NULL WHERE export_id = '$stale'});
ok($node->poll_query_until('app', "SELECT status <> 'started' FROM export_queue WHERE export_id = '$stale'"),
	'the worker rescues the expired lease');
is($node->safe_psql('app', "SELECT status FROM budget_exports WHERE id = '$stale'"), 'failed',
	'out of retries, the rescued export is failed');

# ---- cleanup, from a session whose search_path puts public first ----------------------------
$node->safe_psql('app', qq{UPDATE budget_exports SET expires_at = now() - interval '1 minute' WHERE id = '$csv'});
my $cleanup = $node->safe_psql('app', q{
	SET search_path = public, pg_catalog;
	SET ROLE service_role;
	SELECT expired_exports FROM cleanup_expired_exports();
});
is($cleanup, '1', 'cleanup_expired_exports() as service_role expires the overdue export');
ok($node->poll_query_until('app', 'SELECT count(*) = 0 FROM budget_export_storage_deletions'),
	'the worker removes its object from Storage');
my (undef, $expired_state) = as_couple("SELECT budget_export_download('$csv');");
is($expired_state, 'PT410', 'the expired export is no longer downloadable');
# a download that finds an overdue export asks the worker to expire it
$node->safe_psql('app', qq{UPDATE budget_exports SET expires_at = now() - interval '1 minute' WHERE id = '$excel'});
(undef, $expired_state) = as_couple("SELECT budget_export_download('$excel');");
is($expired_state, 'PT410', 'an overdue export is refused');
ok($node->poll_query_until('app', "SELECT status = 'expired' FROM budget_exports WHERE id = '$excel'"),
	'and the worker marks it expired');

# ---- nothing planted ever ran ---------------------------------------------------------------
is($node->safe_psql('app', q{SELECT count(*) FROM public.pwned}), '0', 'no planted function or operator ever ran')
  or diag($node->safe_psql('app', q{SELECT what, who, key IS NOT NULL FROM public.pwned GROUP BY 1, 2, 3}));
is($node->safe_psql('app', q{SELECT count(*) FROM public.pwned WHERE key <> ''}), '0', 'the service key was never read');

# ---- the read runs as budget_exports.reader_role, never as the worker's superuser ----------
# A reader role that cannot read (missing, a superuser, no EXECUTE on the data source) is the
# operator's problem: the export waits (no retry spent), the couple reads a plain sentence,
# the server log and budget_exports_problems say what is wrong; fixed and reloaded, it runs.
$node->safe_psql('app', 'CREATE ROLE reader_without_grants NOLOGIN');
for my $case (
	[ 'reader_without_grants', qr/permission denied for (?:function budget_exports_budget_rows|schema auth|table)/,
		'a reader role without EXECUTE on the data source cannot read: the read is not the superuser\'s' ],
	[ 'no_such_role', qr/budget_exports\.reader_role "no_such_role" does not exist/, 'a missing reader role' ],
	[ 'postgres', qr/budget_exports\.reader_role "postgres" is a superuser/, 'a superuser reader role is refused' ])
{
	my ($role, $detail, $name) = @$case;
	my $log_offset = -s $node->logfile;
	$node->safe_psql('postgres', "ALTER SYSTEM SET budget_exports.reader_role = '$role'");
	$node->reload;
	my ($id) = split /\n/, $node->safe_psql('app',
		"INSERT INTO budget_exports (couple_id, export_type) VALUES ('$couple', 'csv') RETURNING id");
	ok($node->poll_query_until('app', qq{
		SELECT q.status = 'queued' AND q.error_message = 'waiting for the export service to be fixed'
		  FROM export_queue q WHERE q.export_id = '$id'}), "$name: the export waits for the operator");
	is($node->safe_psql('app', "SELECT e.status || ' ' || q.retry_count FROM budget_exports e JOIN export_queue q ON q.export_id = e.id WHERE e.id = '$id'"),
		'generating 0', "$name: not failed, no retry spent");
	like($node->safe_psql('app', 'SELECT detail FROM budget_exports_problems'), $detail,
		"$name: the operator view says why");
	ok($node->wait_for_log(qr/WARNING:  budget_exports: exports are waiting for the operator: .*$detail/, $log_offset),
		"$name: the server log says why");
	$node->safe_psql('postgres', 'ALTER SYSTEM RESET budget_exports.reader_role');
	$node->reload;
	is(wait_for_exports($node, 60, $id)->{$id}, 'completed', "$name: fixed and reloaded, the export completes");
}

$node->stop;
$server->kill_kill;
done_testing();
