-- Build the Supabase-like world, then install the extension into it.
\set ECHO none
\set QUIET on
SET client_min_messages = warning;
\getenv abs_srcdir PG_ABS_SRCDIR
\set fixture :abs_srcdir '/test/fixtures/supabase_world.sql'
\i :fixture
\set fixture :abs_srcdir '/test/fixtures/app_updated_at.sql'
\i :fixture
RESET client_min_messages;
\set QUIET off
\set ECHO all

CREATE EXTENSION budget_exports;

-- _PG_init ran: the library's settings exist, with their defaults.
SELECT name, setting, unit, context FROM pg_settings
 WHERE name LIKE 'budget_exports.%' AND name NOT LIKE '%service_key%' ORDER BY name;
SELECT budget_exports_setting('rate_limit_per_hour') AS per_hour,
       budget_exports_setting('failed_retention') AS failed_retention_s;

-- Two couples (A: Zoë and José; B: Ana alone) and a stranger with no couple.
INSERT INTO auth.users (id, email) VALUES
  ('00000000-0000-0000-0000-00000000000a', 'zoe@example.com'),
  ('00000000-0000-0000-0000-0000000000aa', 'jose@example.com'),
  ('00000000-0000-0000-0000-00000000000b', 'ana@example.com'),
  ('00000000-0000-0000-0000-0000000000ff', 'stranger@example.com');
INSERT INTO couples (id, user_id, partner_user_id, partner1_name, partner2_name) VALUES
  ('c0000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-00000000000a',
   '00000000-0000-0000-0000-0000000000aa', 'Zoë', 'José'),
  ('c0000000-0000-0000-0000-00000000000b', '00000000-0000-0000-0000-00000000000b', NULL, 'Ana', NULL);

-- Helpers for the suites: act as a Supabase request of a given user (or anon).
CREATE FUNCTION act_as(user_id uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('request.jwt.claims',
                     json_build_object('sub', user_id, 'role', 'authenticated')::text, false);
  EXECUTE 'SET ROLE authenticated';
END $$;
CREATE FUNCTION act_as_anon() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('request.jwt.claims', '{"role":"anon"}', false);
  EXECUTE 'SET ROLE anon';
END $$;
GRANT EXECUTE ON FUNCTION act_as(uuid), act_as_anon() TO PUBLIC;

-- try_sql(stmt): runs a statement as the current role; 'ok' or its SQLSTATE, message, HINT.
CREATE FUNCTION try_sql(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; hint text;
BEGIN
  EXECUTE stmt;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
  RETURN st || ': ' || msg || CASE WHEN hint <> '' THEN ' | HINT: ' || hint ELSE '' END;
END
$$;
GRANT EXECUTE ON FUNCTION try_sql(text) TO PUBLIC;
