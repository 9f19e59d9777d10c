-- pg_dump keeps the extension's rows (pg_extension_config_dump), and DROP EXTENSION then
-- CREATE EXTENSION works: tables come back empty, with policies, grants and triggers.
-- (A full pg_dump | restore round trip runs in the TAP suite.)


-- Some data to dump
INSERT INTO budget_exports (id, couple_id, export_type)
VALUES ('e0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-00000000000a', 'csv');
INSERT INTO budget_export_storage_deletions (storage_key) VALUES ('couples/a/old.csv');

-- The three tables are configuration tables of the extension, with no filter
SELECT c.relname, x.extcondition[array_position(x.extconfig, c.oid)] = '' AS whole_table
  FROM pg_extension x JOIN pg_class c ON c.oid = ANY (x.extconfig)
 WHERE x.extname = 'budget_exports'
 ORDER BY c.relname;

-- pg_dump (data only) writes their rows: table name and number of rows dumped
\setenv DUMP_DB :DBNAME
\! pg_dump --data-only --no-sync -d "$DUMP_DB" | awk '/^COPY public\.(budget_exports|export_queue|budget_export_storage_deletions) /{t=$2; n[t]=0; next} /^\\\.$/{t=""} t!=""{n[t]++} END{for (k in n) print k, n[k]}' | sort

-- DROP EXTENSION removes its tables (and their rows), functions and policies ...
DROP EXTENSION budget_exports;
SELECT to_regclass('budget_exports') AS budget_exports, to_regclass('export_queue') AS export_queue,
       to_regclass('budget_export_storage_deletions') AS storage_deletions,
       to_regprocedure('cleanup_expired_exports()') AS cleanup;
SELECT count(*) AS policies FROM pg_policies WHERE tablename IN ('budget_exports', 'export_queue');
-- ... but not what belongs to the app: its couples and its own update_updated_at_column()
SELECT to_regprocedure('update_updated_at_column()') AS app_function, (SELECT count(*) FROM couples) AS couples;

-- CREATE EXTENSION again
CREATE EXTENSION budget_exports;
SELECT (SELECT count(*) FROM budget_exports) AS exports, (SELECT count(*) FROM export_queue) AS jobs,
       (SELECT count(*) FROM budget_export_storage_deletions) AS storage_deletions;
SELECT tablename, policyname, cmd FROM pg_policies
 WHERE tablename IN ('budget_exports', 'export_queue', 'budget_export_storage_deletions')
 ORDER BY tablename, policyname;
SELECT c.relname FROM pg_extension x JOIN pg_class c ON c.oid = ANY (x.extconfig)
 WHERE x.extname = 'budget_exports' ORDER BY 1;
SELECT tgrelid::regclass AS table_name, tgname FROM pg_trigger
 WHERE tgrelid IN ('budget_exports'::regclass, 'export_queue'::regclass) AND NOT tgisinternal
 ORDER BY 1, 2;
SELECT has_table_privilege('anon', 'budget_exports', 'SELECT') AS anon_select,
       has_table_privilege('authenticated', 'budget_exports', 'SELECT') AS couple_select,
       has_column_privilege('authenticated', 'budget_exports', 'status', 'UPDATE') AS couple_update_status,
       has_column_privilege('authenticated', 'budget_exports', 'download_count', 'UPDATE') AS couple_update_downloads,
       has_function_privilege('authenticated', 'cleanup_expired_exports()', 'EXECUTE') AS couple_cleanup;

-- and it works as before: a couple requests an export, it is queued
SELECT act_as('00000000-0000-0000-0000-0000000000aa');
INSERT INTO budget_exports (couple_id, export_type)
VALUES ('c0000000-0000-0000-0000-00000000000a', 'excel') RETURNING export_type, status;
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000b', 'csv')$$) AS for_other_couple;
RESET ROLE;
SELECT q.priority, q.status FROM export_queue q;
BEGIN;
UPDATE budget_exports SET error_message = 'x';
SELECT updated_at = now() AS updated_at_bumped FROM budget_exports;
ROLLBACK;

-- Leave a known state: no exports, no jobs, no storage deletions.
DELETE FROM budget_exports;
SELECT (SELECT count(*) FROM budget_exports) AS exports, (SELECT count(*) FROM export_queue) AS jobs,
       (SELECT count(*) FROM budget_export_storage_deletions) AS storage_deletions;
