-- The row level security and privilege matrix: anon, couple A (Zoë), A's partner (José),
-- couple B (Ana), a stranger with no couple, and the service role, against
-- SELECT / INSERT / UPDATE / DELETE on budget_exports, export_queue and
-- budget_export_storage_deletions. Every probe runs in a subtransaction that is rolled
-- back, so probes cannot influence each other.
--   a number  rows seen (SELECT) / "ok N" rows changed (DML)
--   denied    42501 permission denied (privileges)
--   RLS       42501 new row violates row-level security policy
--   PT429     the couple's rate limit


-- Fixed rows, made as superuser:
--   A1 couple A, pdf, completed (with a file)     A2 couple A, csv, generating (queued)
--   A3 couple A, csv, failed, no queue row        B1 couple B, excel, completed
INSERT INTO budget_exports (id, couple_id, export_type) VALUES
  ('e0000000-0000-0000-0000-0000000000a1', 'c0000000-0000-0000-0000-00000000000a', 'pdf'),
  ('e0000000-0000-0000-0000-0000000000a2', 'c0000000-0000-0000-0000-00000000000a', 'csv'),
  ('e0000000-0000-0000-0000-0000000000a3', 'c0000000-0000-0000-0000-00000000000a', 'csv'),
  ('e0000000-0000-0000-0000-0000000000b1', 'c0000000-0000-0000-0000-00000000000b', 'excel');
UPDATE budget_exports
   SET status = 'completed', storage_key = 'couples/' || couple_id || '/' || id || '.' || budget_exports_file_extension(export_type),
       file_url = 'https://storage.example/' || id, file_size_bytes = 1234, generated_at = now(),
       expires_at = now() + interval '1 day'
 WHERE id IN ('e0000000-0000-0000-0000-0000000000a1', 'e0000000-0000-0000-0000-0000000000b1');
UPDATE budget_exports SET status = 'failed', error_message = 'renderer crashed'
 WHERE id = 'e0000000-0000-0000-0000-0000000000a3';
DELETE FROM export_queue WHERE export_id = 'e0000000-0000-0000-0000-0000000000a3';
UPDATE export_queue SET lease_owner = 'nobody' WHERE export_id = 'e0000000-0000-0000-0000-0000000000a2';
INSERT INTO budget_export_storage_deletions (storage_key) VALUES ('couples/old/object.pdf');
SELECT e.id, e.couple_id, e.export_type, e.status, q.status AS queue_status
  FROM budget_exports e LEFT JOIN export_queue q ON q.export_id = e.id ORDER BY e.id;

CREATE TABLE rls_probes (n int PRIMARY KEY, probe text NOT NULL, stmt text NOT NULL);
INSERT INTO rls_probes VALUES
  -- SELECT
  (1,  'select budget_exports (all)', 'SELECT count(*) FROM budget_exports'),
  (2,  'select budget_exports of A', $$SELECT count(*) FROM budget_exports WHERE couple_id = 'c0000000-0000-0000-0000-00000000000a'$$),
  (3,  'select budget_exports of B', $$SELECT count(*) FROM budget_exports WHERE couple_id = 'c0000000-0000-0000-0000-00000000000b'$$),
  (4,  'select export_queue (count)', 'SELECT count(*) FROM export_queue'),
  (5,  'select export_queue row of B1', $$SELECT count(status) FROM export_queue WHERE export_id = 'e0000000-0000-0000-0000-0000000000b1'$$),
  (6,  'select export_queue status columns', 'SELECT count(*) FROM (SELECT id, export_id, priority, status, retry_count, error_message FROM export_queue) s'),
  (7,  'select export_queue lease_owner', 'SELECT count(lease_owner) FROM export_queue'),
  (8,  'select export_queue lease_token', 'SELECT count(lease_token) FROM export_queue'),
  (9,  'select * from export_queue', 'SELECT count(*) FROM (SELECT * FROM export_queue) s'),
  (10, 'select storage_deletions', 'SELECT count(*) FROM budget_export_storage_deletions'),
  -- INSERT
  (11, 'insert budget_exports for A', $$INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$),
  (12, 'insert budget_exports for B', $$INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000b', 'csv')$$),
  (13, 'insert budget_exports with status', $$INSERT INTO budget_exports (couple_id, export_type, status) VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv', 'completed')$$),
  (14, 'insert export_queue (job for A3)', $$INSERT INTO export_queue (export_id) VALUES ('e0000000-0000-0000-0000-0000000000a3')$$),
  (15, 'insert storage_deletions', $$INSERT INTO budget_export_storage_deletions (storage_key) VALUES ('couples/x.pdf')$$),
  -- UPDATE
  (16, 'update download_count of A1 (completed)', $$UPDATE budget_exports SET download_count = download_count + 1, last_downloaded_at = now() WHERE id = 'e0000000-0000-0000-0000-0000000000a1'$$),
  (17, 'update download_count of A2 (generating)', $$UPDATE budget_exports SET download_count = download_count + 1 WHERE id = 'e0000000-0000-0000-0000-0000000000a2'$$),
  (18, 'update download_count of B1 (completed)', $$UPDATE budget_exports SET download_count = download_count + 1 WHERE id = 'e0000000-0000-0000-0000-0000000000b1'$$),
  (19, 'update status of A1', $$UPDATE budget_exports SET status = 'expired' WHERE id = 'e0000000-0000-0000-0000-0000000000a1'$$),
  (20, 'update file_url of A1', $$UPDATE budget_exports SET file_url = 'https://evil.example/' WHERE id = 'e0000000-0000-0000-0000-0000000000a1'$$),
  (21, 'update couple_id of A1 to B', $$UPDATE budget_exports SET couple_id = 'c0000000-0000-0000-0000-00000000000b' WHERE id = 'e0000000-0000-0000-0000-0000000000a1'$$),
  (22, 'update couple_id of B1 to A', $$UPDATE budget_exports SET couple_id = 'c0000000-0000-0000-0000-00000000000a' WHERE id = 'e0000000-0000-0000-0000-0000000000b1'$$),
  (23, 'update export_type of A1', $$UPDATE budget_exports SET export_type = 'csv' WHERE id = 'e0000000-0000-0000-0000-0000000000a1'$$),
  (24, 'update export_queue priority of A2', $$UPDATE export_queue SET priority = 5 WHERE export_id = 'e0000000-0000-0000-0000-0000000000a2'$$),
  (25, 'update storage_deletions', 'UPDATE budget_export_storage_deletions SET attempts = attempts + 1'),
  -- DELETE
  (26, 'delete budget_exports A1', $$DELETE FROM budget_exports WHERE id = 'e0000000-0000-0000-0000-0000000000a1'$$),
  (27, 'delete export_queue row of A2', $$DELETE FROM export_queue WHERE export_id = 'e0000000-0000-0000-0000-0000000000a2'$$),
  (28, 'delete storage_deletions', 'DELETE FROM budget_export_storage_deletions'),
  -- functions and views
  (29, 'execute cleanup_expired_exports()', 'SELECT cleanup_expired_exports()::text'),
  (30, 'select budget_export_status (view)', 'SELECT count(*) FROM budget_export_status'),
  (31, 'select status view rows of B', $$SELECT count(*) FROM budget_export_status WHERE couple_id = 'c0000000-0000-0000-0000-00000000000b'$$),
  (32, 'select budget_exports_queue_stats', 'SELECT queued FROM budget_exports_queue_stats');

-- probe(stmt): the outcome of one statement for the current role, always rolled back.
CREATE FUNCTION probe(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  result text;
  rows bigint;
  st text;
  msg text;
BEGIN
  BEGIN
    IF stmt LIKE 'SELECT%' THEN
      EXECUTE stmt INTO result;
    ELSE
      EXECUTE stmt;
      GET DIAGNOSTICS rows = ROW_COUNT;
      result := 'ok ' || rows;
    END IF;
    RAISE EXCEPTION 'probe:%', result;   -- undo whatever it did
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    RETURN CASE
      WHEN msg LIKE 'probe:%' THEN substr(msg, 7)
      WHEN st = '42501' AND msg LIKE 'permission denied%' THEN 'denied'
      WHEN st = '42501' AND msg LIKE 'new row violates row-level security policy%' THEN 'RLS'
      ELSE st END;
  END;
END
$$;

-- matrix(): every probe for every actor; the role switch happens here (RESET ROLE after each).
CREATE FUNCTION matrix() RETURNS TABLE (n int, probe text, actor text, result text) LANGUAGE plpgsql AS $$
DECLARE
  a record;
  p record;
BEGIN
  FOR a IN SELECT * FROM (VALUES
      (1, 'anon', 'anon', NULL::uuid),
      (2, 'A', 'authenticated', '00000000-0000-0000-0000-00000000000a'::uuid),
      (3, 'partner', 'authenticated', '00000000-0000-0000-0000-0000000000aa'::uuid),
      (4, 'B', 'authenticated', '00000000-0000-0000-0000-00000000000b'::uuid),
      (5, 'stranger', 'authenticated', '00000000-0000-0000-0000-0000000000ff'::uuid),
      (6, 'service', 'service_role', NULL::uuid)) AS v(ord, name, role, sub) ORDER BY ord LOOP
    PERFORM set_config('request.jwt.claims',
                       json_strip_nulls(json_build_object('sub', a.sub, 'role', a.role))::text, true);
    FOR p IN SELECT * FROM rls_probes ORDER BY rls_probes.n LOOP
      EXECUTE format('SET ROLE %I', a.role);
      n := p.n; probe := p.probe; actor := a.name;
      result := probe(p.stmt);
      RESET ROLE;
      RETURN NEXT;
    END LOOP;
  END LOOP;
  PERFORM set_config('request.jwt.claims', '', true);
END
$$;
GRANT EXECUTE ON FUNCTION probe(text) TO PUBLIC;

SELECT n, probe,
       max(result) FILTER (WHERE actor = 'anon') AS anon,
       max(result) FILTER (WHERE actor = 'A') AS "A",
       max(result) FILTER (WHERE actor = 'partner') AS partner,
       max(result) FILTER (WHERE actor = 'B') AS "B",
       max(result) FILTER (WHERE actor = 'stranger') AS stranger,
       max(result) FILTER (WHERE actor = 'service') AS service
  FROM matrix()
 GROUP BY n, probe
 ORDER BY n;
SELECT current_user;

-- The full messages behind the matrix's short forms, as couple A sees them.
SELECT act_as('00000000-0000-0000-0000-00000000000a');
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000b', 'csv')$$) AS insert_for_b;
SELECT try_sql($$UPDATE budget_exports SET couple_id = 'c0000000-0000-0000-0000-00000000000b' WHERE id = 'e0000000-0000-0000-0000-0000000000a1'$$) AS reassign;
SELECT try_sql($$UPDATE budget_exports SET status = 'completed' WHERE id = 'e0000000-0000-0000-0000-0000000000a2'$$) AS set_status;
SELECT try_sql('SELECT lease_token FROM export_queue') AS lease_columns;
SELECT try_sql($$DELETE FROM budget_exports WHERE id = 'e0000000-0000-0000-0000-0000000000a1'$$) AS delete_own;
SELECT try_sql('SELECT cleanup_expired_exports()') AS cleanup;
-- what A sees: its own three exports, and the queue rows (status columns only) of its own
SELECT id, export_type, status, download_count FROM budget_exports ORDER BY id;
SELECT export_id, priority, status FROM export_queue ORDER BY export_id;
RESET ROLE;
SELECT act_as_anon();
SELECT try_sql('SELECT count(*) FROM budget_exports') AS anon_select;
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$) AS anon_insert;
SELECT try_sql('SELECT cleanup_expired_exports()') AS anon_cleanup;
RESET ROLE;
SELECT act_as('00000000-0000-0000-0000-0000000000ff');
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$) AS stranger_insert_for_a;
RESET ROLE;
-- a request without any JWT (authenticated role, no sub) sees nothing and may request nothing
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '', false);
SELECT count(*) AS no_jwt_sees FROM budget_exports;
SELECT try_sql($$INSERT INTO budget_exports (couple_id, export_type) VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv')$$) AS no_jwt_insert;
RESET ROLE;

-- Download tracking for real: both partners download A1 once; B cannot touch it.
SELECT act_as('00000000-0000-0000-0000-00000000000a');
UPDATE budget_exports SET download_count = download_count + 1, last_downloaded_at = now()
 WHERE id = 'e0000000-0000-0000-0000-0000000000a1';
SELECT act_as('00000000-0000-0000-0000-0000000000aa');
UPDATE budget_exports SET download_count = download_count + 1, last_downloaded_at = now()
 WHERE id = 'e0000000-0000-0000-0000-0000000000a1';
SELECT act_as('00000000-0000-0000-0000-00000000000b');
UPDATE budget_exports SET download_count = download_count + 1
 WHERE id = 'e0000000-0000-0000-0000-0000000000a1';
RESET ROLE;
SELECT id, download_count, last_downloaded_at IS NOT NULL AS downloaded, status, file_url IS NOT NULL AS has_url
  FROM budget_exports ORDER BY id;

-- Leave a known state: no exports, no jobs, no storage deletions.
DROP FUNCTION matrix();
DROP FUNCTION probe(text);
DROP TABLE rls_probes;
DELETE FROM budget_exports;
DELETE FROM budget_export_storage_deletions;
SELECT (SELECT count(*) FROM budget_exports) AS exports, (SELECT count(*) FROM export_queue) AS jobs,
       (SELECT count(*) FROM budget_export_storage_deletions) AS storage_deletions;
