-- The WS-166 schema as installed: tables, columns, defaults, constraints, indexes,
-- row level security, policies, privileges, pg_dump registration, extension members.
-- Output is kept stable: no OIDs, no timestamps, everything ORDER BY.

-- Columns, their types, nullability and defaults
SELECT table_name, column_name, data_type, is_nullable, column_default
  FROM information_schema.columns
 WHERE table_schema = 'public'
   AND table_name IN ('budget_exports', 'export_queue', 'budget_export_storage_deletions',
                      'budget_export_request_limits')
 ORDER BY table_name, ordinal_position;

-- Constraints (primary keys, foreign keys with their ON DELETE, unique, checks)
SELECT conrelid::regclass AS table_name, contype, pg_get_constraintdef(oid) AS definition
  FROM pg_constraint
 WHERE conrelid IN ('budget_exports'::regclass, 'export_queue'::regclass,
                    'budget_export_storage_deletions'::regclass)
 ORDER BY conrelid::regclass::text, contype, pg_get_constraintdef(oid);

-- Indexes, including the partial one that serves the worker's claim query
SELECT tablename, indexname, indexdef
  FROM pg_indexes
 WHERE schemaname = 'public'
   AND tablename IN ('budget_exports', 'export_queue', 'budget_export_storage_deletions')
 ORDER BY tablename, indexname;

-- The claim query (runnable jobs, best first) can use the claim index
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT id FROM export_queue
 WHERE status = 'queued' AND run_at <= now()
 ORDER BY priority DESC, created_at
 LIMIT 1 FOR UPDATE SKIP LOCKED;
RESET enable_seqscan;

-- The claim function's own cached plan reads the queue in claim-index order, whatever the
-- statistics say. Without statistics (a new install; TRUNCATE gives the same state) and a
-- burst of 2,000 requests, the planner expects a queued job or two: a plan that scans every
-- queued job and sorts them is as cheap on paper, and each claim would then read the whole
-- queue (a burst of n jobs costs n^2 reads). One claim reads the job it takes, and its row
-- for the update.
BEGIN;
TRUNCATE budget_exports CASCADE;
INSERT INTO budget_exports (couple_id, export_type)
SELECT 'c0000000-0000-0000-0000-00000000000b', 'csv' FROM generate_series(1, 2000);
SELECT idx_tup_fetch + seq_tup_read AS rows_read_before
  FROM pg_stat_xact_user_tables WHERE relid = 'export_queue'::regclass \gset
SELECT count(*) AS claimed FROM budget_exports_claim_job('regress worker', 60);
SELECT idx_tup_fetch + seq_tup_read - :rows_read_before AS queue_rows_read_by_one_claim
  FROM pg_stat_xact_user_tables WHERE relid = 'export_queue'::regclass;
ROLLBACK;

-- Triggers
SELECT tgrelid::regclass AS table_name, tgname, tgfoid::regproc AS function,
       CASE WHEN tgtype & 2 = 2 THEN 'BEFORE' ELSE 'AFTER' END AS timing,
       concat_ws(' OR ', CASE WHEN tgtype & 4 = 4 THEN 'INSERT' END,
                         CASE WHEN tgtype & 8 = 8 THEN 'DELETE' END,
                         CASE WHEN tgtype & 16 = 16 THEN 'UPDATE' END) AS events,
       tgenabled
  FROM pg_trigger
 WHERE tgrelid IN ('budget_exports'::regclass, 'export_queue'::regclass,
                   'budget_export_storage_deletions'::regclass)
   AND NOT tgisinternal
 ORDER BY 1, 2;

-- Views: the couples' status view runs with the caller's rights (RLS applies)
SELECT c.relname, c.reloptions
  FROM pg_class c
 WHERE c.relkind = 'v' AND c.relname IN ('budget_export_status', 'budget_exports_queue_stats')
 ORDER BY c.relname;

-- Row level security is on for all three tables (not forced: the owner and the worker bypass it)
SELECT relname, relrowsecurity, relforcerowsecurity
  FROM pg_class
 WHERE oid IN ('budget_exports'::regclass, 'export_queue'::regclass,
               'budget_export_storage_deletions'::regclass)
 ORDER BY relname;

-- Policies
SELECT tablename, policyname, permissive, roles, cmd
  FROM pg_policies
 WHERE schemaname = 'public'
   AND tablename IN ('budget_exports', 'export_queue', 'budget_export_storage_deletions')
 ORDER BY tablename, policyname;
\x on
SELECT tablename, policyname, qual, with_check
  FROM pg_policies
 WHERE schemaname = 'public'
   AND tablename IN ('budget_exports', 'export_queue', 'budget_export_storage_deletions')
 ORDER BY tablename, policyname;
\x off

-- Table and view privileges per API role (Supabase's default privileges granted ALL; the
-- extension revoked them and granted only what each role needs)
SELECT t.tbl, r.role,
       string_agg(p.priv, ',' ORDER BY p.ord) FILTER (WHERE has_table_privilege(r.role, t.tbl, p.priv)) AS table_privileges,
       string_agg(p.priv, ',' ORDER BY p.ord) FILTER (WHERE p.priv IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')
                                                      AND has_any_column_privilege(r.role, t.tbl, p.priv)
                                                      AND NOT has_table_privilege(r.role, t.tbl, p.priv)) AS column_level_only
  FROM (VALUES ('budget_exports'), ('export_queue'), ('budget_export_storage_deletions'),
              ('budget_export_request_limits'), ('budget_export_status'), ('budget_exports_queue_stats')) AS t(tbl)
 CROSS JOIN (VALUES ('anon'), ('authenticated'), ('service_role'), ('public')) AS r(role)
 CROSS JOIN (VALUES (1, 'SELECT'), (2, 'INSERT'), (3, 'UPDATE'), (4, 'DELETE'),
                    (5, 'TRUNCATE'), (6, 'REFERENCES'), (7, 'TRIGGER')) AS p(ord, priv)
 GROUP BY t.tbl, r.role
 ORDER BY t.tbl, r.role;

-- Column privileges of authenticated (the couples): what they may read, request and track
SELECT c.table_name, c.column_name,
       has_column_privilege('authenticated', c.table_name, c.column_name, 'SELECT') AS sel,
       has_column_privilege('authenticated', c.table_name, c.column_name, 'INSERT') AS ins,
       has_column_privilege('authenticated', c.table_name, c.column_name, 'UPDATE') AS upd,
       has_column_privilege('anon', c.table_name, c.column_name, 'SELECT') AS anon_sel
  FROM information_schema.columns c
 WHERE c.table_schema = 'public' AND c.table_name IN ('budget_exports', 'export_queue')
 ORDER BY c.table_name, c.ordinal_position;

-- Who may execute each of the extension's functions, and whether it pins search_path
-- (Supabase's default privileges grant EXECUTE on new functions to anon, authenticated and
-- service_role, and PostgREST publishes each as /rest/v1/rpc/<name>: the extension revokes
-- everything and grants only what couples and the service role call)
SELECT p.oid::regprocedure AS function,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public,
       has_function_privilege('anon', p.oid, 'EXECUTE') AS anon,
       has_function_privilege('authenticated', p.oid, 'EXECUTE') AS authenticated,
       has_function_privilege('service_role', p.oid, 'EXECUTE') AS service_role,
       p.prosecdef AS definer,
       p.prorettype = 'trigger'::regtype AS trigger_function,
       array_to_string(p.proconfig, ' ') AS config
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'budget_exports'
 ORDER BY p.oid::regprocedure::text;

-- The rule, checked for every function of the extension (a function added later without
-- a pinned search_path, or executable by a role it is not meant for, appears here):
--   * search_path pinned, pg_catalog first and pg_temp last;
--   * executable by anon: nothing; by authenticated: budget_export_download() and what it
--     and the status view call; by service_role: those, cleanup_expired_exports() and the
--     data source; by PUBLIC: nothing.
WITH fns AS (
  SELECT p.oid, p.oid::regprocedure::text AS fn, p.proconfig
    FROM pg_proc p
    JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'budget_exports'
), allowed(fn, role) AS (
  VALUES ('budget_export_download(uuid)', 'authenticated'), ('budget_export_download(uuid)', 'service_role'),
         ('budget_exports_download_url(uuid)', 'authenticated'), ('budget_exports_download_url(uuid)', 'service_role'),
         ('budget_exports_queue_position(uuid)', 'authenticated'), ('budget_exports_queue_position(uuid)', 'service_role'),
         ('budget_exports_waiting_reason()', 'authenticated'), ('budget_exports_waiting_reason()', 'service_role'),
         ('cleanup_expired_exports()', 'service_role'),
         ('budget_exports_budget_rows(uuid,jsonb)', 'service_role')
), roles(role) AS (VALUES ('public'), ('anon'), ('authenticated'), ('service_role'))
SELECT fns.fn, 'search_path not pinned to pg_catalog, ..., pg_temp' AS problem
  FROM fns
 WHERE NOT EXISTS (SELECT 1 FROM unnest(fns.proconfig) c
                    WHERE c ~ '^search_path=pg_catalog(, *[^,]+)*, *pg_temp$')
UNION ALL
SELECT fns.fn, 'executable by ' || roles.role
  FROM fns CROSS JOIN roles
 WHERE has_function_privilege(roles.role, fns.oid, 'EXECUTE')
   AND NOT EXISTS (SELECT 1 FROM allowed a WHERE a.fn = fns.fn AND a.role = roles.role)
UNION ALL
SELECT a.fn, 'not executable by ' || a.role
  FROM allowed a JOIN fns ON fns.fn = a.fn
 WHERE NOT has_function_privilege(a.role, fns.oid, 'EXECUTE')
 ORDER BY 1, 2;

-- The rule catches a violation: a member function added without pinning or revoking
BEGIN;
CREATE FUNCTION budget_exports_unpinned_probe() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER EXTENSION budget_exports ADD FUNCTION budget_exports_unpinned_probe();
SELECT p.oid::regprocedure AS function,
       NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c ~ '^search_path=pg_catalog(, *[^,]+)*, *pg_temp$') AS unpinned,
       has_function_privilege('anon', p.oid, 'EXECUTE') AS anon_may_execute
  FROM pg_proc p WHERE p.proname = 'budget_exports_unpinned_probe';
ROLLBACK;

-- pg_dump keeps the rows of all three tables (pg_extension_config_dump)
SELECT c.relname, x.extcondition[array_position(x.extconfig, c.oid)] AS condition
  FROM pg_extension x
  JOIN pg_class c ON c.oid = ANY (x.extconfig)
 WHERE x.extname = 'budget_exports'
 ORDER BY c.relname;

-- Every object of the extension (update_updated_at_column() is NOT among them here:
-- the app's own function already existed and is reused). PostgreSQL 17 also records the
-- row types of the tables and views (and their array types) as members; they come with
-- their relations, so they are left out and the list is the same on 15 and 17.
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS member
  FROM pg_depend d
  JOIN pg_extension x ON x.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
 WHERE x.extname = 'budget_exports' AND d.deptype = 'e'
   AND NOT EXISTS (SELECT 1 FROM pg_type t
                     LEFT JOIN pg_type elem ON elem.oid = t.typelem AND t.typcategory = 'A'
                    WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid
                      AND (t.typrelid <> 0 OR elem.typrelid <> 0))
 ORDER BY 1;
