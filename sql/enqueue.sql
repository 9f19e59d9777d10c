-- Requesting an export: an INSERT into budget_exports alone validates, fills the defaults,
-- enqueues the job and enforces the per-couple rate limit (SQLSTATE PT429).
-- No worker runs here (no shared_preload_libraries): rows stay generating / queued.


-- A known start: nothing requested yet.
SELECT (SELECT count(*) FROM budget_exports) AS exports, (SELECT count(*) FROM export_queue) AS jobs;

------------------------------------------------------------------------------------------
-- Defaults: a couple's INSERT of just (couple_id, export_type)
------------------------------------------------------------------------------------------
SELECT act_as('00000000-0000-0000-0000-00000000000a');   -- Zoë (couple A)
INSERT INTO budget_exports (couple_id, export_type)
VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')
RETURNING export_type, export_filters, status, download_count, file_url IS NULL AS no_url,
          expires_at IS NULL AS no_expiry,
          file_name ~ '^budget-export-\d{8}-\d{6}\.csv$' AS default_name,
          file_name = format('budget-export-%s.csv', to_char(created_at AT TIME ZONE 'UTC', 'YYYYMMDD-HH24MISS')) AS name_is_creation_time,
          created_at = now() AS created_now, updated_at = now() AS updated_now;
-- José, the partner, requests for the same couple; his own filters and file name
SELECT act_as('00000000-0000-0000-0000-0000000000aa');
INSERT INTO budget_exports (couple_id, export_type, export_filters, file_name)
VALUES ('c0000000-0000-0000-0000-00000000000a', 'excel', '{"payment_status": "paid"}', 'Our budget (v2).xlsx')
RETURNING export_type, export_filters, file_name, status;
-- Ana (couple B): a PDF
SELECT act_as('00000000-0000-0000-0000-00000000000b');
INSERT INTO budget_exports (couple_id, export_type)
VALUES ('c0000000-0000-0000-0000-00000000000b', 'pdf')
RETURNING export_type, file_name ~ '^budget-export-\d{8}-\d{6}\.pdf$' AS default_name, status;
RESET ROLE;

-- Each request got exactly one queue row: priority by type (csv 4, excel 3, pdf 2),
-- max_retries from budget_exports.max_retries, status queued, no lease.
SELECT e.export_type, q.priority, q.max_retries, q.status, q.retry_count, q.attempt_count,
       q.run_at = e.created_at AS runnable_now, q.lease_token IS NULL AS no_lease,
       q.started_at IS NULL AND q.completed_at IS NULL AS untouched
  FROM budget_exports e JOIN export_queue q ON q.export_id = e.id
 ORDER BY q.priority DESC;
SELECT budget_exports_setting('max_retries') AS max_retries_setting;

-- The default file name of an excel export ends in .xlsx
BEGIN;
INSERT INTO budget_exports (couple_id, export_type)
VALUES ('c0000000-0000-0000-0000-00000000000b', 'excel')
RETURNING file_name ~ '^budget-export-\d{8}-\d{6}\.xlsx$' AS default_name;
ROLLBACK;

------------------------------------------------------------------------------------------
-- Worker-owned columns are forced on INSERT, even for the service role
------------------------------------------------------------------------------------------
SET ROLE service_role;
INSERT INTO budget_exports (couple_id, export_type, status, file_url, file_size_bytes, content_type,
                            checksum_sha256, storage_key, generated_at, expires_at, download_count,
                            last_downloaded_at, error_message, created_at, updated_at)
VALUES ('c0000000-0000-0000-0000-00000000000a', 'pdf', 'completed', 'https://evil.example/x.pdf', 10,
        'application/pdf', repeat('a', 64), 'couples/x.pdf', now() - interval '1 day', now() + interval '1 year', 7,
        now(), 'boom', now() - interval '2 hours', now() - interval '2 hours')
RETURNING status, file_url, file_size_bytes, content_type, checksum_sha256, storage_key, generated_at,
          expires_at, download_count, last_downloaded_at, error_message,
          created_at = now() AS created_now, updated_at = now() AS updated_now;
RESET ROLE;
-- A couple cannot even name those columns (column privileges): permission denied
SELECT act_as('00000000-0000-0000-0000-00000000000b');
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type, status)
                 VALUES ('c0000000-0000-0000-0000-00000000000b', 'csv', 'completed')$$);
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type, created_at)
                 VALUES ('c0000000-0000-0000-0000-00000000000b', 'csv', now() - interval '2 hours')$$);
-- nor write the queue directly
SELECT try_sql($$INSERT INTO export_queue (export_id) SELECT id FROM budget_exports LIMIT 1$$);
RESET ROLE;

------------------------------------------------------------------------------------------
-- Priority: the service role may change it, a couple may not
------------------------------------------------------------------------------------------
SET ROLE service_role;
UPDATE export_queue q SET priority = 5
  FROM budget_exports e
 WHERE e.id = q.export_id AND e.export_type = 'pdf' AND e.couple_id = 'c0000000-0000-0000-0000-00000000000b'
RETURNING q.priority;
RESET ROLE;
SELECT act_as('00000000-0000-0000-0000-00000000000b');
SELECT try_sql($$UPDATE export_queue SET priority = 1$$);
SELECT priority FROM export_queue;
RESET ROLE;

------------------------------------------------------------------------------------------
-- updated_at is maintained by update_updated_at_column() on both tables
------------------------------------------------------------------------------------------
ALTER TABLE budget_exports DISABLE TRIGGER update_budget_exports_updated_at;
ALTER TABLE export_queue DISABLE TRIGGER update_export_queue_updated_at;
UPDATE budget_exports SET updated_at = '2000-01-01 00:00+00';
UPDATE export_queue SET updated_at = '2000-01-01 00:00+00';
ALTER TABLE budget_exports ENABLE TRIGGER update_budget_exports_updated_at;
ALTER TABLE export_queue ENABLE TRIGGER update_export_queue_updated_at;
BEGIN;
UPDATE budget_exports SET error_message = 'touched' WHERE export_type = 'excel';
UPDATE export_queue SET retry_count = 1 WHERE priority = 5;
SELECT export_type, updated_at = now() AS bumped, error_message
  FROM budget_exports ORDER BY export_type, couple_id;
SELECT priority, updated_at = now() AS bumped FROM export_queue ORDER BY priority;
-- an UPDATE that names updated_at still gets now()
UPDATE export_queue SET updated_at = '1999-01-01 00:00+00' WHERE priority = 4 RETURNING updated_at = now() AS bumped;
COMMIT;
UPDATE budget_exports SET error_message = NULL;

------------------------------------------------------------------------------------------
-- Rate limit (defaults: 2 in flight, 5 per hour per couple), SQLSTATE PT429.
-- Couple A now has 3 exports generating (2 of its own, 1 made by the service role).
------------------------------------------------------------------------------------------
SELECT budget_exports_setting('max_in_flight') AS max_in_flight,
       budget_exports_setting('rate_limit_per_hour') AS per_hour;
SELECT act_as('00000000-0000-0000-0000-00000000000a');
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type)
                 VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$) AS third_in_flight;
-- the partner shares the couple's limit
SELECT act_as('00000000-0000-0000-0000-0000000000aa');
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type)
                 VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$) AS partner_third_in_flight;
RESET ROLE;
-- the same error as a client sees it (psql prints just the SQLSTATE here)
\set VERBOSITY sqlstate
SELECT act_as('00000000-0000-0000-0000-00000000000a');
INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv');
\set VERBOSITY default
RESET ROLE;
-- couple B, with one export in flight, is not affected
SELECT act_as('00000000-0000-0000-0000-00000000000b');
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type)
                 VALUES ('c0000000-0000-0000-0000-00000000000b', 'csv')$$) AS couple_b_second;
RESET ROLE;
-- the superuser is exempt (couple A: 4 this hour now)
INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv');

-- Finish A's exports (as the worker would); then the hourly limit is what stops them.
UPDATE budget_exports SET status = 'completed' WHERE couple_id = 'c0000000-0000-0000-0000-00000000000a';
SELECT act_as('00000000-0000-0000-0000-00000000000a');
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type)
                 VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$) AS fifth_this_hour;
RESET ROLE;
UPDATE budget_exports SET status = 'completed' WHERE couple_id = 'c0000000-0000-0000-0000-00000000000a';
SELECT act_as('00000000-0000-0000-0000-0000000000aa');
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type)
                 VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$) AS sixth_this_hour;
RESET ROLE;
-- the service role is exempt from the hourly limit too
SET ROLE service_role;
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type)
                 VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$) AS service_role_sixth;
RESET ROLE;
-- requests older than an hour no longer count (A: 6 this hour; age 2 of them)
UPDATE budget_exports SET status = 'completed' WHERE couple_id = 'c0000000-0000-0000-0000-00000000000a';
ALTER TABLE budget_exports DISABLE TRIGGER update_budget_exports_updated_at;
WITH aged AS (
  UPDATE budget_exports SET created_at = now() - interval '61 minutes'
   WHERE couple_id = 'c0000000-0000-0000-0000-00000000000a' AND export_type IN ('excel', 'pdf')
  RETURNING export_type)
SELECT export_type FROM aged ORDER BY 1;
ALTER TABLE budget_exports ENABLE TRIGGER update_budget_exports_updated_at;
SELECT act_as('00000000-0000-0000-0000-00000000000a');
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type)
                 VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$) AS after_one_aged_out;
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type)
                 VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$) AS then_full_again;
RESET ROLE;

-- The limits follow the settings (PGC_SIGHUP): allow 7 per hour, but only 1 in flight.
UPDATE budget_exports SET status = 'completed' WHERE couple_id = 'c0000000-0000-0000-0000-00000000000a';
ALTER SYSTEM SET budget_exports.rate_limit_per_hour = 7;
ALTER SYSTEM SET budget_exports.max_in_flight = 1;
ALTER SYSTEM SET budget_exports.max_retries = 5;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SELECT budget_exports_setting('max_in_flight') AS max_in_flight,
       budget_exports_setting('rate_limit_per_hour') AS per_hour,
       budget_exports_setting('max_retries') AS max_retries;
SELECT act_as('00000000-0000-0000-0000-00000000000a');
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type)
                 VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$) AS sixth_with_7_per_hour;
SELECT status, max_retries FROM export_queue WHERE max_retries <> 3;
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type)
                 VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$) AS second_with_1_in_flight;
RESET ROLE;
ALTER SYSTEM RESET budget_exports.rate_limit_per_hour;
ALTER SYSTEM RESET budget_exports.max_in_flight;
ALTER SYSTEM RESET budget_exports.max_retries;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SELECT budget_exports_setting('max_in_flight') AS max_in_flight,
       budget_exports_setting('rate_limit_per_hour') AS per_hour,
       budget_exports_setting('max_retries') AS max_retries;

-- What is there now, per couple and status
SELECT couple_id, status, count(*) FROM budget_exports GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS jobs, count(*) = (SELECT count(*) FROM budget_exports) AS one_per_export FROM export_queue;

-- Leave a known state for the next suites: no exports, no jobs, no storage deletions.
DELETE FROM budget_exports;
SELECT (SELECT count(*) FROM budget_exports) AS exports, (SELECT count(*) FROM export_queue) AS jobs,
       (SELECT count(*) FROM budget_export_storage_deletions) AS storage_deletions;
