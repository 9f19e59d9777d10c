-- CREATE EXTENSION next to what the app already has:
--   * the main database already had the app's update_updated_at_column(): left alone, not a member;
--   * a Supabase database without it: the extension installs one, as a member (its own
--     triggers use budget_exports_set_updated_at() in both cases);
--   * a database where the app's own WS-166 migration created the tables: a clear error
--     (42P07) with a HINT, and nothing half-installed;
--   * a database that is not a Supabase database: a clear error (42704) with a HINT.
\getenv abs_srcdir PG_ABS_SRCDIR
\set main_db :DBNAME

-- Main database: the app's function is not the extension's, and no trigger of the extension
-- uses it (its owner could change its body, and the worker's updates run as superuser).
SELECT p.oid::regprocedure AS function,
       EXISTS (SELECT 1 FROM pg_depend d
                WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                  AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e') AS extension_member,
       (SELECT count(*) FROM pg_trigger t WHERE t.tgfoid = p.oid) AS triggers
  FROM pg_proc p WHERE p.proname = 'update_updated_at_column';

SET client_min_messages = warning;
DROP DATABASE IF EXISTS budget_exports_world;
DROP DATABASE IF EXISTS budget_exports_app_tables;
DROP DATABASE IF EXISTS budget_exports_bare;
RESET client_min_messages;
CREATE DATABASE budget_exports_world;
CREATE DATABASE budget_exports_app_tables;
CREATE DATABASE budget_exports_bare;

------------------------------------------------------------------------------------------
-- A Supabase database without update_updated_at_column()
------------------------------------------------------------------------------------------
\c budget_exports_world
\set ECHO none
SET client_min_messages = warning;
\set fixture :abs_srcdir '/test/fixtures/supabase_world.sql'
\i :fixture
RESET client_min_messages;
\set ECHO all
SELECT to_regprocedure('update_updated_at_column()') AS before_create;
CREATE EXTENSION budget_exports;
SELECT p.oid::regprocedure AS function,
       EXISTS (SELECT 1 FROM pg_depend d
                WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                  AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e') AS extension_member,
       (SELECT count(*) FROM pg_trigger t WHERE t.tgfoid = p.oid) AS triggers
  FROM pg_proc p WHERE p.proname = 'update_updated_at_column';
-- updated_at works on both tables
INSERT INTO auth.users (id, email) VALUES ('00000000-0000-0000-0000-000000000001', 'one@example.com');
INSERT INTO couples (id, user_id) VALUES ('c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000001');
INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-000000000001', 'csv');
ALTER TABLE budget_exports DISABLE TRIGGER update_budget_exports_updated_at;
ALTER TABLE export_queue DISABLE TRIGGER update_export_queue_updated_at;
UPDATE budget_exports SET updated_at = '2000-01-01 00:00+00';
UPDATE export_queue SET updated_at = '2000-01-01 00:00+00';
ALTER TABLE budget_exports ENABLE TRIGGER update_budget_exports_updated_at;
ALTER TABLE export_queue ENABLE TRIGGER update_export_queue_updated_at;
BEGIN;
UPDATE budget_exports SET error_message = 'x' RETURNING updated_at = now() AS export_bumped;
UPDATE export_queue SET priority = 5 RETURNING updated_at = now() AS job_bumped;
COMMIT;
-- and the function goes with the extension
DROP EXTENSION budget_exports;
SELECT to_regprocedure('update_updated_at_column()') AS after_drop;
-- CREATE EXTENSION works again here, too
CREATE EXTENSION budget_exports;
SELECT count(*) AS members FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
 WHERE x.extname = 'budget_exports' AND d.deptype = 'e'
   AND d.classid = 'pg_proc'::regclass AND d.objid = 'update_updated_at_column()'::regprocedure;

------------------------------------------------------------------------------------------
-- The app's own WS-166 tables already exist
------------------------------------------------------------------------------------------
\c budget_exports_app_tables
\set ECHO none
SET client_min_messages = warning;
\set fixture :abs_srcdir '/test/fixtures/supabase_world.sql'
\i :fixture
\set fixture :abs_srcdir '/test/fixtures/app_updated_at.sql'
\i :fixture
\set fixture :abs_srcdir '/test/fixtures/app_ws166_tables.sql'
\i :fixture
RESET client_min_messages;
\set ECHO all
INSERT INTO auth.users (id, email) VALUES ('00000000-0000-0000-0000-000000000001', 'one@example.com');
INSERT INTO couples (id, user_id) VALUES ('c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000001');
INSERT INTO budget_exports (couple_id, export_type, file_name) VALUES ('c0000000-0000-0000-0000-000000000001', 'pdf', 'app.pdf');
\set VERBOSITY sqlstate
CREATE EXTENSION budget_exports;
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION budget_exports;
\set SHOW_CONTEXT errors
-- nothing was installed, and the app's tables are as they were
SELECT count(*) AS extension_rows FROM pg_extension WHERE extname = 'budget_exports';
SELECT count(*) AS functions FROM pg_proc
 WHERE proname LIKE 'budget_exports%' OR proname = 'cleanup_expired_exports';
SELECT to_regclass('budget_export_storage_deletions') AS storage_deletions;
SELECT relname, relrowsecurity,
       (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS triggers,
       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
  FROM pg_class c WHERE relname IN ('budget_exports', 'export_queue') AND relkind = 'r' ORDER BY relname;
SELECT export_type, file_name, status FROM budget_exports;

-- The README's migration path ("Migrating from the app's WS-166 tables"), verbatim: the
-- app's rows move into the extension's tables as they are, not as new requests.
UPDATE budget_exports SET status = 'completed', file_url = 'https://example.com/app.pdf', file_size_bytes = 1234;
INSERT INTO budget_exports (couple_id, export_type, file_name, status)
VALUES ('c0000000-0000-0000-0000-000000000001', 'csv', 'pending.csv', 'generating');
INSERT INTO export_queue (export_id, priority, status, started_at, retry_count)
SELECT id, 5, CASE status WHEN 'completed' THEN 'completed' ELSE 'started' END, now(), 1 FROM budget_exports;
BEGIN;
ALTER TABLE budget_exports RENAME TO budget_exports_app;
ALTER TABLE export_queue RENAME TO export_queue_app;
CREATE EXTENSION budget_exports;
SET LOCAL session_replication_role = replica;
INSERT INTO budget_exports (id, couple_id, export_type, export_filters, file_name, file_url,
                            file_size_bytes, generated_at, expires_at, download_count, status,
                            created_at, updated_at)
SELECT id, couple_id, export_type, export_filters, file_name, file_url, file_size_bytes,
       generated_at, expires_at, coalesce(download_count, 0), coalesce(status, 'failed'),
       coalesce(created_at, now()), coalesce(updated_at, now())
  FROM budget_exports_app;
INSERT INTO export_queue (id, export_id, priority, status, started_at, completed_at, error_message,
                          retry_count, created_at, updated_at)
SELECT id, export_id, least(greatest(coalesce(priority, 3), 1), 5),
       CASE WHEN status = 'started' THEN 'queued' ELSE coalesce(status, 'queued') END,
       started_at, completed_at, error_message, coalesce(retry_count, 0),
       coalesce(created_at, now()), coalesce(updated_at, now())
  FROM export_queue_app;
COMMIT;
-- same rows, same statuses and URLs; the unfinished one waits in the queue for a worker
SELECT e.export_type, e.file_name, e.status, e.file_url, q.status AS queue_status, q.priority, q.retry_count
  FROM budget_exports e JOIN export_queue q ON q.export_id = e.id ORDER BY e.file_name;
SELECT (SELECT count(*) FROM budget_exports) = (SELECT count(*) FROM budget_exports_app) AS all_exports_moved,
       (SELECT count(*) FROM export_queue) = (SELECT count(*) FROM export_queue_app) AS all_jobs_moved;
-- and the extension works for new requests
INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-000000000001', 'excel');
SELECT count(*) AS queued FROM export_queue WHERE status = 'queued';

------------------------------------------------------------------------------------------
-- Not a Supabase database (no auth schema, no couples)
------------------------------------------------------------------------------------------
\c budget_exports_bare
\set VERBOSITY sqlstate
CREATE EXTENSION budget_exports;
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION budget_exports;
\set SHOW_CONTEXT errors
SELECT count(*) AS extension_rows FROM pg_extension WHERE extname = 'budget_exports';
SELECT count(*) AS relations FROM pg_class WHERE relname LIKE 'budget_export%' OR relname = 'export_queue';

------------------------------------------------------------------------------------------
-- Back to the main database; drop the extra ones.
------------------------------------------------------------------------------------------
\c :main_db
DROP DATABASE budget_exports_world;
DROP DATABASE budget_exports_app_tables;
DROP DATABASE budget_exports_bare;
SELECT count(*) AS extension_rows FROM pg_extension WHERE extname = 'budget_exports';
