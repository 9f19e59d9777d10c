-- budget_exports 1.0 -> 1.1 (ALTER EXTENSION budget_exports UPDATE TO '1.1').
-- Every change here is also in budget_exports--1.1.sql; test/t/008_upgrade.pl checks that
-- an upgraded database and a fresh 1.1 install have the same catalog.
\echo Use "ALTER EXTENSION budget_exports UPDATE TO '1.1'" to load this file. \quit

-- issue #10: a job interrupted by a worker shutdown while rendering is queued again without
-- spending a retry
-- The worker stopped mid-job (SIGTERM while rendering): the job goes back to queued at
-- once and the attempt is not counted as a retry. Returns false when the lease was lost.
CREATE OR REPLACE FUNCTION budget_exports_release_job(queue_id uuid, lease_token uuid)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
  UPDATE export_queue q
     SET status = 'queued', run_at = now(),
         lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
   WHERE q.id = queue_id AND q.status = 'started' AND q.lease_token = budget_exports_release_job.lease_token;
  RETURN FOUND;
END
$$;

REVOKE ALL ON FUNCTION budget_exports_release_job(uuid, uuid) FROM PUBLIC, anon, authenticated;
