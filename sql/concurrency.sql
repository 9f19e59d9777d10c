-- Two sessions at once, the second one through dblink:
--   1. cleanup_expired_exports() twice at once: the second run skips the rows the first has
--      locked (SKIP LOCKED) instead of waiting, and between them every row is handled once;
--   2. the rate limit under concurrency: two requests of the same couple for the last slot,
--      exactly one gets it (the second waits on the couple's row lock, then sees the first);
--   3. the same race under READ COMMITTED, REPEATABLE READ and SERIALIZABLE: never two past
--      the in-flight limit (the later one sees the first, or fails with 40001 and retries).
CREATE EXTENSION IF NOT EXISTS dblink;

-- waits (up to 10 s) until some session waits for a lock
CREATE PROCEDURE wait_for_lock_waiter() LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1 .. 200 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted);
    PERFORM pg_sleep(0.05);
  END LOOP;
END
$$;

SELECT dblink_connect('other', format('dbname=%s port=%s host=%s user=%s', current_database(),
         current_setting('port'), split_part(current_setting('unix_socket_directories'), ',', 1), current_user));
-- the other session must never wait on a lock in part 1: make waiting an error
SELECT dblink_exec('other', $$SET lock_timeout = '3s'$$);

------------------------------------------------------------------------------------------
-- 1. cleanup twice at once
------------------------------------------------------------------------------------------
-- 3 completed exports past expires_at (with files), 2 failed 8 days ago (one with a file),
-- 2 completed exports with a job finished 2 days ago.
INSERT INTO budget_exports (id, couple_id, export_type)
SELECT format('e0000000-0000-0000-0000-00000000000%s', i)::uuid, 'c0000000-0000-0000-0000-00000000000b', 'csv'
  FROM generate_series(1, 7) i;
ALTER TABLE budget_exports DISABLE TRIGGER update_budget_exports_updated_at;
UPDATE budget_exports
   SET status = CASE WHEN right(id::text, 1) IN ('4', '5') THEN 'failed' ELSE 'completed' END,
       storage_key = CASE WHEN right(id::text, 1) IN ('1', '2', '3', '4') THEN 'couples/b/' || id || '.csv' END,
       expires_at = CASE WHEN right(id::text, 1) IN ('1', '2', '3') THEN now() - interval '1 hour'
                         ELSE now() + interval '1 hour' END,
       updated_at = CASE WHEN right(id::text, 1) IN ('4', '5') THEN now() - interval '8 days' ELSE now() END;
ALTER TABLE budget_exports ENABLE TRIGGER update_budget_exports_updated_at;
UPDATE export_queue SET status = 'completed', completed_at = now() - interval '2 days'
 WHERE right(export_id::text, 1) IN ('6', '7');

-- This session runs it and keeps its transaction (and row locks) open ...
BEGIN;
SELECT * FROM cleanup_expired_exports();
-- ... while the other session runs it too: it returns at once, with nothing done
SELECT * FROM dblink('other', 'SELECT * FROM cleanup_expired_exports()')
  AS t(expired_exports int, deleted_failed_exports int, deleted_queue_rows int, storage_deletions_queued int);
COMMIT;
-- after the commit there is nothing left for anyone
SELECT * FROM dblink('other', 'SELECT * FROM cleanup_expired_exports()')
  AS t(expired_exports int, deleted_failed_exports int, deleted_queue_rows int, storage_deletions_queued int);
SELECT status, count(*) FROM budget_exports GROUP BY 1 ORDER BY 1;
SELECT count(*) AS jobs, (SELECT count(*) FROM budget_export_storage_deletions) AS storage_deletions FROM export_queue;

-- Partly overlapping: this session holds one expired export (as a worker or an app might);
-- the other session's cleanup does the rest without waiting; a later run picks up the held one.
DELETE FROM budget_exports;
DELETE FROM budget_export_storage_deletions;
INSERT INTO budget_exports (id, couple_id, export_type)
SELECT format('e0000000-0000-0000-0000-00000000000%s', i)::uuid, 'c0000000-0000-0000-0000-00000000000b', 'pdf'
  FROM generate_series(1, 4) i;
UPDATE budget_exports SET status = 'completed', storage_key = 'couples/b/' || id || '.pdf', expires_at = now() - interval '1 minute';
BEGIN;
SELECT right(id::text, 1) AS held FROM budget_exports WHERE id = 'e0000000-0000-0000-0000-000000000001' FOR UPDATE;
SELECT * FROM dblink('other', 'SELECT * FROM cleanup_expired_exports()')
  AS t(expired_exports int, deleted_failed_exports int, deleted_queue_rows int, storage_deletions_queued int);
SELECT right(id::text, 1) AS e, status FROM budget_exports ORDER BY id;
COMMIT;
SELECT * FROM dblink('other', 'SELECT * FROM cleanup_expired_exports()')
  AS t(expired_exports int, deleted_failed_exports int, deleted_queue_rows int, storage_deletions_queued int);
SELECT status, count(*) FROM budget_exports GROUP BY 1 ORDER BY 1;
SELECT count(*) AS storage_deletions FROM budget_export_storage_deletions;

DELETE FROM budget_exports;
DELETE FROM budget_export_storage_deletions;

------------------------------------------------------------------------------------------
-- 2. the rate limit under concurrency: couple A has made 4 requests this hour (all done),
--    so one slot is left; Zoë (here) and José (the other session) both ask for it.
------------------------------------------------------------------------------------------
INSERT INTO budget_exports (couple_id, export_type)
SELECT 'c0000000-0000-0000-0000-00000000000a', 'csv' FROM generate_series(1, 4);
UPDATE budget_exports SET status = 'completed';
SELECT dblink_exec('other', 'RESET lock_timeout');
SELECT * FROM dblink('other', $$SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-0000-0000-0000000000aa", "role": "authenticated"}', false) IS NOT NULL$$) AS t(claims_set boolean);
SELECT dblink_exec('other', 'SET ROLE authenticated');
SELECT * FROM dblink('other', 'SELECT current_user::text, auth.uid()') AS t(other_user text, other_uid uuid);

BEGIN;
SELECT act_as('00000000-0000-0000-0000-00000000000a');
INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'pdf')
RETURNING export_type, status;
RESET ROLE;   -- still in the same transaction: the couple's row lock is held until COMMIT
SELECT dblink_send_query('other',
  $$INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'excel') RETURNING export_type, status$$);
-- the other session is waiting for the couple's lock, not past the limit check
CALL wait_for_lock_waiter();
SELECT dblink_is_busy('other') AS other_busy;
SELECT l.locktype, l.granted, a.wait_event_type, a.wait_event
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE NOT l.granted AND l.pid <> pg_backend_pid();
COMMIT;
-- now the other session gets its answer: over the limit
SELECT try_sql($$SELECT * FROM dblink_get_result('other') AS t(export_type text, status text)$$) AS other_request;
SELECT * FROM dblink_get_result('other') AS t(export_type text, status text);
SELECT export_type, status, count(*) FROM budget_exports GROUP BY 1, 2 ORDER BY 1, 2;

-- The same race when the first request rolls back: the second one gets the slot.
DELETE FROM budget_exports WHERE export_type = 'pdf';
BEGIN;
SELECT act_as('00000000-0000-0000-0000-00000000000a');
INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'pdf')
RETURNING export_type, status;
RESET ROLE;
SELECT dblink_send_query('other',
  $$INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'excel') RETURNING export_type, status$$);
CALL wait_for_lock_waiter();
SELECT dblink_is_busy('other') AS other_busy;
ROLLBACK;
SELECT * FROM dblink_get_result('other') AS t(export_type text, status text);
SELECT * FROM dblink_get_result('other') AS t(export_type text, status text);
SELECT export_type, status, count(*) FROM budget_exports GROUP BY 1, 2 ORDER BY 1, 2;


------------------------------------------------------------------------------------------
-- 3. isolation levels: couple A has one export generating (max_in_flight is 2), Zoë here
--    and José in the other session each ask for one more, both in explicit transactions.
--    a) José's transaction starts (takes its snapshot) before Zoë's request commits and
--       reaches the limit check while Zoë's transaction still holds the couple's row: he
--       waits, then READ COMMITTED sees Zoë's export (PT429), REPEATABLE READ and
--       SERIALIZABLE fail with 40001 (retry), never a stale count.
--    b) José's snapshot is older than Zoë's commit but he asks only after it: the same.
------------------------------------------------------------------------------------------
DELETE FROM budget_exports;
INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv');
CREATE PROCEDURE race(level text, wait_for_zoe boolean) LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM budget_exports WHERE export_type <> 'csv';
  COMMIT;
  PERFORM dblink_exec('other', 'BEGIN ISOLATION LEVEL ' || level);
  PERFORM * FROM dblink('other', 'SELECT count(*) FROM budget_exports') AS t(n bigint);  -- José's snapshot
  COMMIT;
  PERFORM act_as('00000000-0000-0000-0000-00000000000a');
  INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'pdf');
  RESET ROLE;
  IF wait_for_zoe THEN
    PERFORM dblink_send_query('other',
      $q$INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'excel') RETURNING export_type$q$);
    CALL wait_for_lock_waiter();
    RAISE NOTICE '% (José waits: %): José is waiting for the couple''s row: %', level, wait_for_zoe,
      EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted);
    COMMIT;
  ELSE
    COMMIT;
    PERFORM dblink_send_query('other',
      $q$INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'excel') RETURNING export_type$q$);
  END IF;
  RAISE NOTICE '% (José waits: %): José gets %', level, wait_for_zoe,
    try_sql($q$SELECT * FROM dblink_get_result('other') AS t(export_type text)$q$);
  PERFORM * FROM dblink_get_result('other') AS t(export_type text);
  PERFORM dblink_exec('other', 'ROLLBACK');
  RAISE NOTICE '% (José waits: %): generating now: %', level, wait_for_zoe,
    (SELECT string_agg(export_type, ', ' ORDER BY export_type) FROM budget_exports WHERE status = 'generating');
END
$$;
SELECT dblink_exec('other', 'RESET ROLE');
SELECT dblink_exec('other', 'SET ROLE authenticated');
CALL race('READ COMMITTED', true);
CALL race('REPEATABLE READ', true);
CALL race('SERIALIZABLE', true);
CALL race('READ COMMITTED', false);
CALL race('REPEATABLE READ', false);
CALL race('SERIALIZABLE', false);
DROP PROCEDURE race(text, boolean);

-- Nobody else can stall a couple's requests: the advisory key of 1.0 is not used any more,
-- and the lock rows are not readable, let alone lockable, by the API roles.
SELECT r.role, has_table_privilege(r.role, 'budget_export_request_limits', 'SELECT') AS can_select,
       has_table_privilege(r.role, 'budget_export_request_limits', 'UPDATE') AS can_update
  FROM (VALUES ('anon'), ('authenticated'), ('service_role')) AS r(role) ORDER BY 1;
DELETE FROM budget_exports WHERE export_type <> 'csv';
BEGIN;
SELECT act_as_anon();
SELECT pg_advisory_xact_lock(hashtextextended('budget_exports:c0000000-0000-0000-0000-00000000000a', 0));
SELECT try_sql($$SELECT 1 FROM budget_export_request_limits FOR UPDATE$$) AS anon_locks_a_row;
RESET ROLE;
SELECT dblink_exec('other', 'SET lock_timeout = ''2s''');
SELECT * FROM dblink('other',
  $q$INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'pdf') RETURNING export_type, status$q$)
  AS t(export_type text, status text);
COMMIT;
SELECT dblink_exec('other', 'RESET lock_timeout');

SELECT dblink_disconnect('other');
DROP PROCEDURE wait_for_lock_waiter();
DROP EXTENSION dblink;
-- Leave a known state: no exports, no jobs, no storage deletions.
DELETE FROM budget_exports;
DELETE FROM budget_export_storage_deletions;
SELECT (SELECT count(*) FROM budget_exports) AS exports, (SELECT count(*) FROM export_queue) AS jobs,
       (SELECT count(*) FROM budget_export_storage_deletions) AS storage_deletions;
