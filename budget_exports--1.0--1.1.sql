-- budget_exports 1.0 -> 1.1 (ALTER EXTENSION budget_exports UPDATE TO '1.1').
-- Every change here is also in budget_exports--1.1.sql; test/t/008_upgrade.pl checks that
-- an upgraded database and a fresh 1.1 install have the same catalog.
\echo Use "ALTER EXTENSION budget_exports UPDATE TO '1.1'" to load this file. \quit

-- issue #11: outages, operator mistakes and shutdowns never cost a couple their export.
-- What the workers see right now: Storage unavailable (transient: jobs wait, no retries are
-- spent) or a setting the operator must fix (jobs stay queued). One row per problem while it
-- lasts; `since` is when it began (the outage limit counts from it). Operators read
-- budget_exports_problems; couples see only "waiting for storage" in budget_export_status.
CREATE TABLE budget_exports_health (
  problem     text PRIMARY KEY CHECK (problem IN ('storage_unavailable', 'operator_error')),
  since       timestamptz NOT NULL DEFAULT now(),
  detail      text NOT NULL,
  reported_by text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE budget_exports_health IS
  'Problems the export workers see right now (Storage unavailable, a setting to fix); kept by the worker';
ALTER TABLE budget_exports_health ENABLE ROW LEVEL SECURITY;
CREATE POLICY "System can read worker health" ON budget_exports_health
  FOR SELECT TO service_role
  USING (true);
REVOKE ALL ON budget_exports_health FROM PUBLIC, anon, authenticated;
GRANT SELECT ON budget_exports_health TO service_role;

-- The worker reports a problem (returns since when it lasts) and clears it when it is over.
CREATE OR REPLACE FUNCTION budget_exports_report_problem(kind text, detail_text text, worker_name text)
RETURNS timestamptz LANGUAGE plpgsql SECURITY DEFINER SET search_path = @extschema@, pg_temp AS $$
DECLARE
  started timestamptz;
BEGIN
  INSERT INTO budget_exports_health AS h (problem, detail, reported_by)
  VALUES (kind, left(detail_text, 2000), worker_name)
  ON CONFLICT (problem) DO UPDATE
     SET detail = excluded.detail, reported_by = excluded.reported_by, updated_at = now()
  RETURNING h.since INTO started;
  RETURN started;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_clear_problem(kind text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = @extschema@, pg_temp AS $$
BEGIN
  DELETE FROM budget_exports_health h WHERE h.problem = kind;
  RETURN FOUND;
END
$$;

-- Queues a stored object for deletion. A key already waiting gets a new requested_at, so a
-- deletion batch that was listed before this call does not drop the request (the worker
-- deletes the row only if requested_at is still the one it listed).
CREATE OR REPLACE FUNCTION budget_exports_queue_deletion(key text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = @extschema@, pg_temp AS $$
BEGIN
  IF key IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO budget_export_storage_deletions AS d (storage_key) VALUES (key)
  ON CONFLICT (storage_key) DO UPDATE SET requested_at = clock_timestamp(), attempts = 0;
  PERFORM budget_exports_wake_workers_at_commit();
END
$$;

-- An export's terminal failure: the couple reads `message`, the object an attempt may have
-- stored is queued for deletion, and listeners get the NOTIFY.
CREATE OR REPLACE FUNCTION budget_exports_mark_export_failed(failed_export uuid, message text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = @extschema@, pg_temp AS $$
DECLARE
  old_key text;
BEGIN
  SELECT e.storage_key INTO old_key FROM budget_exports e WHERE e.id = failed_export FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  PERFORM budget_exports_queue_deletion(old_key);
  UPDATE budget_exports e
     SET status = 'failed', error_message = left(message, 2000), storage_key = NULL, file_url = NULL
   WHERE e.id = failed_export;
  PERFORM pg_notify('budget_exports', failed_export::text);
END
$$;

-- The object key is recorded when a job is claimed, so an export row that goes away
-- mid-job (the couple was deleted) still gets its object deleted.
CREATE OR REPLACE FUNCTION budget_exports_record_object_key(queue_id uuid, lease_token uuid, storage_key text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = @extschema@, pg_temp AS $$
BEGIN
  UPDATE budget_exports e
     SET storage_key = budget_exports_record_object_key.storage_key
    FROM export_queue q
   WHERE q.id = budget_exports_record_object_key.queue_id AND q.status = 'started'
     AND q.lease_token = budget_exports_record_object_key.lease_token AND e.id = q.export_id;
  RETURN FOUND;
END
$$;

-- Puts a started job back in the queue without counting the attempt or spending a retry:
-- the worker is shutting down, Storage is unavailable, or a setting needs the operator.
-- reason (NULL keeps the last one) is what the couple reads meanwhile.
CREATE OR REPLACE FUNCTION budget_exports_release_job(queue_id uuid, lease_token uuid, reason text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = @extschema@, pg_temp AS $$
BEGIN
  UPDATE export_queue q
     SET status = 'queued', attempt_count = greatest(q.attempt_count - 1, 0), run_at = now(),
         error_message = coalesce(left(reason, 2000), q.error_message),
         lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
   WHERE q.id = budget_exports_release_job.queue_id AND q.status = 'started'
     AND q.lease_token = budget_exports_release_job.lease_token;
  RETURN FOUND;
END
$$;

-- Storage has been unavailable for longer than budget_exports.storage_outage_limit: queued
-- exports that have waited that long (counted from the later of their request and the
-- outage's start) fail with a message the couple can act on.
CREATE OR REPLACE FUNCTION budget_exports_fail_waiting_jobs(outage_since timestamptz, limit_seconds integer,
                                                 message text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = @extschema@, pg_temp AS $$
DECLARE
  job record;
  failed integer := 0;
BEGIN
  FOR job IN
    SELECT q.id, q.export_id FROM export_queue q
     WHERE q.status = 'queued'
       AND greatest(q.created_at, outage_since) <= now() - make_interval(secs => limit_seconds)
     FOR UPDATE SKIP LOCKED
  LOOP
    UPDATE export_queue q
       SET status = 'failed', completed_at = now(), error_message = left(message, 2000)
     WHERE q.id = job.id;
    PERFORM budget_exports_mark_export_failed(job.export_id, message);
    failed := failed + 1;
  END LOOP;
  RETURN failed;
END
$$;

-- When the next queued job is due (an idle worker sleeps until then, or until woken).
CREATE OR REPLACE FUNCTION budget_exports_next_run_at()
RETURNS timestamptz LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @extschema@, pg_temp AS $$
  SELECT min(q.run_at) FROM export_queue q WHERE q.status = 'queued'
$$;

-- What a queued export waits for, in words a couple may read (no detail: that is in the
-- operator's budget_exports_problems).
CREATE OR REPLACE FUNCTION budget_exports_waiting_reason()
RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @extschema@, pg_temp AS $$
  SELECT CASE
           WHEN EXISTS (SELECT 1 FROM budget_exports_health h WHERE h.problem = 'storage_unavailable')
             THEN 'waiting for storage'
           WHEN EXISTS (SELECT 1 FROM budget_exports_health h WHERE h.problem = 'operator_error')
             THEN 'waiting for the export service to be fixed'
         END
$$;

REVOKE ALL ON FUNCTION budget_exports_report_problem(text, text, text), budget_exports_clear_problem(text),
  budget_exports_queue_deletion(text), budget_exports_mark_export_failed(uuid, text),
  budget_exports_record_object_key(uuid, uuid, text), budget_exports_release_job(uuid, uuid, text),
  budget_exports_fail_waiting_jobs(timestamptz, integer, text), budget_exports_next_run_at(),
  budget_exports_waiting_reason()
  FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION budget_exports_waiting_reason() TO authenticated, service_role;

-- For operators: what keeps the workers from running exports, with the detail (paths,
-- hosts, setting names) couples never see.
CREATE OR REPLACE VIEW budget_exports_problems AS
SELECT h.problem, h.since, now() - h.since AS duration, h.detail, h.reported_by, h.updated_at AS last_seen
  FROM budget_exports_health h;
REVOKE ALL ON budget_exports_problems FROM PUBLIC, anon, authenticated;
GRANT SELECT ON budget_exports_problems TO service_role;

CREATE OR REPLACE FUNCTION budget_exports_rescue_expired_leases()
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = @extschema@, pg_temp AS $$
DECLARE
  job record;
  rescued integer := 0;
  message text;
BEGIN
  FOR job IN
    SELECT q.id, q.export_id, q.retry_count, q.max_retries FROM export_queue q
     WHERE q.status = 'started' AND q.lease_expires_at < now()
     FOR UPDATE SKIP LOCKED
  LOOP
    IF job.retry_count < job.max_retries THEN
      UPDATE export_queue q
         SET status = 'queued', retry_count = q.retry_count + 1, run_at = now(), completed_at = NULL,
             error_message = 'the export was interrupted; it will be tried again',
             lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
       WHERE q.id = job.id;
    ELSE
      message := 'the export was interrupted too often; please request it again';
      UPDATE export_queue q
         SET status = 'failed', completed_at = now(), error_message = message,
             lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
       WHERE q.id = job.id;
      PERFORM budget_exports_mark_export_failed(job.export_id, message);
    END IF;
    rescued := rescued + 1;
  END LOOP;
  RETURN rescued;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_complete_job(queue_id uuid, lease_token uuid, storage_key text,
                                            file_url text, file_size_bytes bigint, checksum_sha256 text,
                                            content_type text, timings jsonb)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = @extschema@, pg_temp AS $$
DECLARE
  done_export uuid;
BEGIN
  UPDATE export_queue q
     SET status = 'completed', completed_at = now(), error_message = NULL,
         lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
         timings = budget_exports_complete_job.timings
   WHERE q.id = queue_id AND q.status = 'started' AND q.lease_token = budget_exports_complete_job.lease_token
  RETURNING q.export_id INTO done_export;
  IF done_export IS NULL THEN
    -- The lease was lost: another attempt owns the result, or the export row is gone (the
    -- couple was deleted mid-job). An object no export row keeps is deleted.
    IF NOT EXISTS (SELECT 1 FROM budget_exports e
                    WHERE e.storage_key = budget_exports_complete_job.storage_key
                      AND e.status IN ('generating', 'completed')) THEN
      PERFORM budget_exports_queue_deletion(budget_exports_complete_job.storage_key);
    END IF;
    RETURN false;
  END IF;
  UPDATE budget_exports e
     SET status = 'completed', storage_key = budget_exports_complete_job.storage_key,
         file_url = budget_exports_complete_job.file_url,
         file_size_bytes = budget_exports_complete_job.file_size_bytes,
         checksum_sha256 = budget_exports_complete_job.checksum_sha256,
         content_type = budget_exports_complete_job.content_type,
         generated_at = now(),
         expires_at = now() + make_interval(secs => budget_exports_setting('file_ttl')::double precision),
         error_message = NULL
   WHERE e.id = done_export;
  PERFORM pg_notify('budget_exports', done_export::text);
  RETURN true;
END
$$;

-- Returns the job's new status: 'queued' (will retry), 'failed', or 'lost' (lease gone).
CREATE OR REPLACE FUNCTION budget_exports_fail_job(queue_id uuid, lease_token uuid, error_message text,
                                        retryable boolean, retry_delay_ms bigint)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = @extschema@, pg_temp AS $$
DECLARE
  job export_queue%ROWTYPE;
  message text := left(budget_exports_fail_job.error_message, 2000);
BEGIN
  SELECT * INTO job FROM export_queue q
   WHERE q.id = queue_id AND q.status = 'started' AND q.lease_token = budget_exports_fail_job.lease_token
   FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'lost';
  END IF;
  IF retryable AND job.retry_count < job.max_retries THEN
    UPDATE export_queue q
       SET status = 'queued', retry_count = q.retry_count + 1, error_message = message,
           run_at = now() + make_interval(secs => retry_delay_ms / 1000.0),
           lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
     WHERE q.id = job.id;
    RETURN 'queued';
  END IF;
  UPDATE export_queue q
     SET status = 'failed', completed_at = now(), error_message = message,
         lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
   WHERE q.id = job.id;
  PERFORM budget_exports_mark_export_failed(job.export_id, message);
  RETURN 'failed';
END
$$;

-- One row per export the caller may see (a couple: their own, under RLS).
CREATE OR REPLACE VIEW budget_export_status WITH (security_invoker = true) AS
SELECT e.id AS export_id, e.couple_id, e.export_type, e.file_name, e.status,
       q.status AS queue_status,
       CASE WHEN q.status = 'queued' THEN budget_exports_queue_position(q.id) END AS queue_position,
       q.priority, q.attempt_count AS attempts, q.retry_count, q.max_retries,
       coalesce(e.error_message, q.error_message) AS last_error,
       e.created_at AS requested_at, q.started_at, e.generated_at, e.expires_at,
       CASE WHEN e.generated_at IS NOT NULL
            THEN round(extract(epoch FROM e.generated_at - e.created_at) * 1000) END AS total_ms,
       q.timings,
       CASE WHEN q.status = 'queued' THEN budget_exports_waiting_reason() END AS waiting_for
  FROM budget_exports e
  LEFT JOIN export_queue q ON q.export_id = e.id;

-- For operators: the queue at a glance (worker_state: ok, storage_unavailable or
-- operator_error; the detail is in budget_exports_problems).
CREATE OR REPLACE VIEW budget_exports_queue_stats AS
SELECT count(*) FILTER (WHERE status = 'queued') AS queued,
       count(*) FILTER (WHERE status = 'queued' AND run_at > now()) AS waiting_to_retry,
       count(*) FILTER (WHERE status = 'started') AS in_flight,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'completed') AS completed,
       now() - min(created_at) FILTER (WHERE status = 'queued') AS oldest_waiting,
       (SELECT count(*) FROM budget_export_storage_deletions) AS storage_deletions_pending,
       coalesce((SELECT string_agg(h.problem, ', ' ORDER BY h.problem) FROM budget_exports_health h), 'ok')
         AS worker_state
  FROM export_queue;
