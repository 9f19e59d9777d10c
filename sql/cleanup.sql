-- cleanup_expired_exports(): expires completed exports past expires_at (URL cleared, storage
-- object queued for deletion), deletes failed exports older than failed_retention (7 days)
-- with their storage objects, deletes finished queue rows older than queue_retention (24 h),
-- and returns what it did. Running it again does nothing.
SELECT budget_exports_setting('failed_retention') AS failed_retention_s,
       budget_exports_setting('queue_retention') AS queue_retention_s;

-- Crafted rows (as superuser; the updated_at trigger is off while we back-date), ids e...0N:
--   1 completed, expired an hour ago, with a file    -> expired, URL cleared, object queued
--   2 completed, expired a minute ago, no file       -> expired, nothing to queue
--   3 completed, expires tomorrow                    -> untouched
--   4 failed 8 days ago, with a file                 -> deleted, object queued (AFTER DELETE trigger)
--   5 failed 6 days ago                              -> kept
--   6 generating (job queued)                        -> untouched
--   7 expired long ago                               -> untouched
--   8 failed 10 days ago, no file                    -> deleted
-- queue rows: 1 completed 2 h ago (kept), 2 failed 30 h ago (deleted), 3 completed 25 h ago
-- (deleted), 4 failed 8 days ago (goes with its export), 5 failed 6 days ago (deleted),
-- 6 queued (kept), 7 completed 3 days ago (deleted), 8 (goes with its export)
INSERT INTO budget_exports (id, couple_id, export_type)
SELECT format('e0000000-0000-0000-0000-00000000000%s', i)::uuid,
       CASE WHEN i % 2 = 1 THEN 'c0000000-0000-0000-0000-00000000000a' ELSE 'c0000000-0000-0000-0000-00000000000b' END::uuid,
       (ARRAY['pdf', 'csv', 'excel'])[1 + i % 3]
  FROM generate_series(1, 8) i;

ALTER TABLE budget_exports DISABLE TRIGGER update_budget_exports_updated_at;
ALTER TABLE export_queue DISABLE TRIGGER update_export_queue_updated_at;
UPDATE budget_exports e
   SET status = v.status, storage_key = v.storage_key, expires_at = now() + v.expires_in,
       file_url = CASE WHEN v.status IN ('completed') THEN 'https://storage.example/' || e.id END,
       generated_at = CASE WHEN v.status IN ('completed', 'expired') THEN now() - interval '1 day' END,
       updated_at = now() + v.updated_ago
  FROM (VALUES
    (1, 'completed', 'couples/a/e1.excel', interval '-1 hour',   interval '-1 day'),
    (2, 'completed', NULL,                 interval '-1 minute', interval '-1 day'),
    (3, 'completed', 'couples/a/e3.pdf',   interval '1 day',     interval '-1 day'),
    (4, 'failed',    'couples/b/e4.csv',   NULL,                 interval '-8 days'),
    (5, 'failed',    NULL,                 NULL,                 interval '-6 days'),
    (6, 'generating', NULL,                NULL,                 interval '0'),
    (7, 'expired',   'couples/a/e7.csv',   interval '-5 days',   interval '-4 days'),
    (8, 'failed',    NULL,                 NULL,                 interval '-10 days')
  ) AS v(i, status, storage_key, expires_in, updated_ago)
 WHERE e.id = format('e0000000-0000-0000-0000-00000000000%s', v.i)::uuid;
UPDATE export_queue q
   SET status = v.status, completed_at = now() + v.completed_ago, updated_at = now() + v.completed_ago
  FROM (VALUES
    (1, 'completed', interval '-2 hours'),
    (2, 'failed',    interval '-30 hours'),
    (3, 'completed', interval '-25 hours'),
    (4, 'failed',    interval '-8 days'),
    (5, 'failed',    interval '-6 days'),
    (7, 'completed', interval '-3 days'),
    (8, 'failed',    interval '-10 days')
  ) AS v(i, status, completed_ago)
 WHERE q.export_id = format('e0000000-0000-0000-0000-00000000000%s', v.i)::uuid;
ALTER TABLE budget_exports ENABLE TRIGGER update_budget_exports_updated_at;
ALTER TABLE export_queue ENABLE TRIGGER update_export_queue_updated_at;

SELECT right(e.id::text, 1) AS e, e.status, e.storage_key, e.file_url IS NOT NULL AS has_url,
       q.status AS job, q.completed_at < now() - interval '24 hours' AS job_old
  FROM budget_exports e LEFT JOIN export_queue q ON q.export_id = e.id
 ORDER BY e.id;
SELECT count(*) AS storage_deletions FROM budget_export_storage_deletions;

-- Run it (as superuser here; the service role and pg_cron call it the same way), and
-- look at the result in the same transaction (touched: updated_at = now())
BEGIN;
SELECT * FROM cleanup_expired_exports();

SELECT right(e.id::text, 1) AS e, e.status, e.storage_key, e.file_url IS NOT NULL AS has_url,
       e.updated_at = now() AS touched, q.status AS job
  FROM budget_exports e LEFT JOIN export_queue q ON q.export_id = e.id
 ORDER BY e.id;
SELECT storage_key, attempts FROM budget_export_storage_deletions ORDER BY storage_key;
SELECT count(*) AS jobs_left FROM export_queue;
COMMIT;

-- A second run finds nothing to do (as the service role, which may run it)
SET ROLE service_role;
SELECT * FROM cleanup_expired_exports();
RESET ROLE;

-- A completed export whose file's object is already queued for deletion is still expired,
-- and not queued twice.
INSERT INTO budget_exports (id, couple_id, export_type)
VALUES ('e0000000-0000-0000-0000-000000000009', 'c0000000-0000-0000-0000-00000000000b', 'csv');
UPDATE budget_exports SET status = 'completed', storage_key = 'couples/a/e1.excel', expires_at = now() - interval '1 second'
 WHERE id = 'e0000000-0000-0000-0000-000000000009';
SELECT * FROM cleanup_expired_exports();
SELECT storage_key, count(*) FROM budget_export_storage_deletions GROUP BY 1 ORDER BY 1;

-- Leave a known state: no exports, no jobs, no storage deletions.
DELETE FROM budget_exports;
DELETE FROM budget_export_storage_deletions;
SELECT (SELECT count(*) FROM budget_exports) AS exports, (SELECT count(*) FROM export_queue) AS jobs,
       (SELECT count(*) FROM budget_export_storage_deletions) AS storage_deletions;
