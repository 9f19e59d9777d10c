-- budget_exports 1.0 -> 1.1 (ALTER EXTENSION budget_exports UPDATE TO '1.1').
-- Every change here is also in budget_exports--1.1.sql; test/t/008_upgrade.pl checks that
-- an upgraded database and a fresh 1.1 install have the same catalog.
\echo Use "ALTER EXTENSION budget_exports UPDATE TO '1.1'" to load this file. \quit

------------------------------------------------------------------------------------------
-- issue #9: security. Every function pins search_path = pg_catalog, pg_temp and names the
-- extension's objects @extschema@.<name>; the BEFORE INSERT trigger is SECURITY DEFINER and
-- serializes a couple's requests on a row of budget_export_request_limits (no advisory
-- lock); the extension's triggers keep updated_at with their own function; every internal
-- function is revoked from PUBLIC and the API roles.
------------------------------------------------------------------------------------------
CREATE TABLE budget_export_request_limits (
  couple_id       uuid PRIMARY KEY REFERENCES public.couples(id) ON DELETE CASCADE,
  requests        bigint NOT NULL DEFAULT 1,
  last_request_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE budget_export_request_limits ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON budget_export_request_limits FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION budget_exports_set_updated_at()
RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.updated_at := pg_catalog.now();
  RETURN NEW;
END
$$;

DROP TRIGGER update_budget_exports_updated_at ON budget_exports;
DROP TRIGGER update_export_queue_updated_at ON export_queue;
CREATE TRIGGER update_budget_exports_updated_at BEFORE UPDATE ON budget_exports
  FOR EACH ROW EXECUTE FUNCTION budget_exports_set_updated_at();
CREATE TRIGGER update_export_queue_updated_at BEFORE UPDATE ON export_queue
  FOR EACH ROW EXECUTE FUNCTION budget_exports_set_updated_at();

-- update_updated_at_column(): pinned only when 1.0 installed it as a member (the app's own
-- function, if any, is the app's).
DO $updated_at$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
              WHERE d.classid = 'pg_catalog.pg_proc'::regclass
                AND d.objid = pg_catalog.to_regprocedure('@extschema@.update_updated_at_column()')
                AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e') THEN
    EXECUTE $fn$
      CREATE OR REPLACE FUNCTION @extschema@.update_updated_at_column()
      RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $body$
      BEGIN
        NEW.updated_at = now();
        RETURN NEW;
      END;
      $body$
    $fn$;
  END IF;
END
$updated_at$;

CREATE OR REPLACE FUNCTION budget_exports_setting(name text)
RETURNS text
AS 'MODULE_PATHNAME', 'budget_exports_setting'
LANGUAGE C STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION budget_exports_wake_workers_at_commit()
RETURNS void
AS 'MODULE_PATHNAME', 'budget_exports_wake_workers_at_commit'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION budget_exports_reject(message text, hint text, detail text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF detail IS NULL THEN  -- no empty "DETAIL:" line for the client
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = message, HINT = hint;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = message,
                        HINT = hint, DETAIL = detail;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_check_keys(obj jsonb, path text, allowed text[])
RETURNS void LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  unknown text;
BEGIN
  SELECT k INTO unknown FROM jsonb_object_keys(obj) AS k WHERE k <> ALL (allowed) ORDER BY k LIMIT 1;
  IF unknown IS NOT NULL THEN
    PERFORM @extschema@.budget_exports_reject(format('%s has an unknown key "%s"', path, unknown),
      format('Allowed keys: %s.', array_to_string(allowed, ', ')));
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_check_string_list(list jsonb, path text, max_items int, max_length int)
RETURNS void LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  item jsonb;
BEGIN
  IF jsonb_typeof(list) <> 'array' THEN
    PERFORM @extschema@.budget_exports_reject(format('%s must be an array of names', path),
      format('Example: "%s": ["Venue", "Catering"].', regexp_replace(path, '^.*\.', '')));
  END IF;
  IF jsonb_array_length(list) > max_items THEN
    PERFORM @extschema@.budget_exports_reject(format('%s has %s names; at most %s are allowed', path, jsonb_array_length(list), max_items),
      'Export fewer names at a time, or leave the filter out to export everything.');
  END IF;
  FOR item IN SELECT value FROM jsonb_array_elements(list) LOOP
    IF jsonb_typeof(item) <> 'string' OR btrim(item #>> '{}') = '' THEN
      PERFORM @extschema@.budget_exports_reject(format('%s must contain only non-empty strings', path),
        'Write each name as a quoted string, e.g. ["Venue", "Catering"].', format('Found %s.', left(item::text, 40)));
    END IF;
    IF char_length(item #>> '{}') > max_length THEN
      PERFORM @extschema@.budget_exports_reject(format('%s has a name longer than %s characters', path, max_length),
        'Shorten the name.');
    END IF;
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_check_date(value jsonb, path text)
RETURNS date LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  parsed date;
BEGIN
  IF value IS NULL OR jsonb_typeof(value) <> 'string'
     OR (value #>> '{}') !~ '^\d{4}-\d{2}-\d{2}$' THEN
    PERFORM @extschema@.budget_exports_reject(format('%s must be an ISO date (YYYY-MM-DD)', path),
      'Example: "2026-06-30".', format('Found %s.', coalesce(left(value::text, 40), 'nothing')));
  END IF;
  BEGIN
    parsed := (value #>> '{}')::date;
  EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
    PERFORM @extschema@.budget_exports_reject(format('%s is not a calendar date: %s', path, value #>> '{}'),
      'Use a real day, such as "2026-02-28".');
  END;
  IF parsed > current_date THEN
    PERFORM @extschema@.budget_exports_reject(format('%s is in the future: %s', path, value #>> '{}'),
      'Exports cover what has happened so far; use a date up to today.');
  END IF;
  RETURN parsed;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_check_amount(value jsonb, path text)
RETURNS numeric LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF jsonb_typeof(value) <> 'number' THEN
    PERFORM @extschema@.budget_exports_reject(format('%s must be a number', path),
      'Example: 2500 or 2500.50 (no currency symbol, no quotes).');
  END IF;
  IF value::numeric < 0 OR value::numeric > 10000000 THEN
    PERFORM @extschema@.budget_exports_reject(format('%s must be between 0 and 10000000', path),
      'Amounts are in the budget''s currency.', format('Found %s.', value));
  END IF;
  RETURN value::numeric;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_check_enum(value jsonb, path text, allowed text[])
RETURNS void LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF jsonb_typeof(value) <> 'string' OR NOT (value #>> '{}') = ANY (allowed) THEN
    PERFORM @extschema@.budget_exports_reject(format('%s must be one of %s', path, array_to_string(allowed, ', ')),
      format('Use one of the quoted strings "%s".', array_to_string(allowed, '", "')), format('Found %s.', left(value::text, 40)));
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_check_boolean(value jsonb, path text)
RETURNS void LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF jsonb_typeof(value) <> 'boolean' THEN
    PERFORM @extschema@.budget_exports_reject(format('%s must be true or false', path),
      'Use the JSON literals true or false, without quotes.', format('Found %s.', left(value::text, 40)));
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_check_options(options jsonb)
RETURNS void LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  title text;
BEGIN
  IF jsonb_typeof(options) <> 'object' THEN
    PERFORM @extschema@.budget_exports_reject('export_filters.options must be an object',
      'Example: {"page_orientation": "landscape", "font_size": "small"}.');
  END IF;
  PERFORM @extschema@.budget_exports_check_keys(options, 'export_filters.options',
    ARRAY['include_charts', 'include_timeline', 'custom_title', 'page_orientation', 'font_size']);
  IF options ? 'include_charts' THEN
    PERFORM @extschema@.budget_exports_check_boolean(options -> 'include_charts', 'export_filters.options.include_charts');
  END IF;
  IF options ? 'include_timeline' THEN
    PERFORM @extschema@.budget_exports_check_boolean(options -> 'include_timeline', 'export_filters.options.include_timeline');
  END IF;
  IF options ? 'custom_title' THEN
    IF jsonb_typeof(options -> 'custom_title') <> 'string' THEN
      PERFORM @extschema@.budget_exports_reject('export_filters.options.custom_title must be a string',
        'Example: "Our wedding budget".');
    END IF;
    title := options ->> 'custom_title';
    IF char_length(title) > 100 THEN
      PERFORM @extschema@.budget_exports_reject('export_filters.options.custom_title is longer than 100 characters',
        'Shorten the title.', format('It has %s characters.', char_length(title)));
    END IF;
    IF title ~ '[\x01-\x1f\x7f]' THEN
      PERFORM @extschema@.budget_exports_reject('export_filters.options.custom_title contains control characters',
        'Use a single line of plain text.');
    END IF;
  END IF;
  IF options ? 'page_orientation' THEN
    PERFORM @extschema@.budget_exports_check_enum(options -> 'page_orientation', 'export_filters.options.page_orientation',
      ARRAY['portrait', 'landscape']);
  END IF;
  IF options ? 'font_size' THEN
    PERFORM @extschema@.budget_exports_check_enum(options -> 'font_size', 'export_filters.options.font_size',
      ARRAY['small', 'medium', 'large']);
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_validate_filters(filters jsonb)
RETURNS void LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  range_start date;
  range_end   date;
  amount_min  numeric;
  amount_max  numeric;
BEGIN
  IF filters IS NULL OR jsonb_typeof(filters) <> 'object' THEN
    PERFORM @extschema@.budget_exports_reject('export_filters must be a JSON object',
      'Use {} for no filters, or e.g. {"categories": ["Venue"], "payment_status": "paid"}.');
  END IF;
  IF octet_length(filters::text) > 16384 THEN
    PERFORM @extschema@.budget_exports_reject('export_filters is larger than 16 kB',
      'Send only the filters the export needs.', format('It has %s bytes.', octet_length(filters::text)));
  END IF;
  PERFORM @extschema@.budget_exports_check_keys(filters, 'export_filters',
    ARRAY['categories', 'payment_status', 'date_range', 'include_notes', 'amount_range', 'vendor_names', 'options']);

  IF filters ? 'categories' THEN
    PERFORM @extschema@.budget_exports_check_string_list(filters -> 'categories', 'export_filters.categories', 20, 100);
  END IF;
  IF filters ? 'vendor_names' THEN
    PERFORM @extschema@.budget_exports_check_string_list(filters -> 'vendor_names', 'export_filters.vendor_names', 100, 200);
  END IF;
  IF filters ? 'payment_status' THEN
    PERFORM @extschema@.budget_exports_check_enum(filters -> 'payment_status', 'export_filters.payment_status',
      ARRAY['paid', 'pending', 'planned', 'all']);
  END IF;
  IF filters ? 'include_notes' THEN
    PERFORM @extschema@.budget_exports_check_boolean(filters -> 'include_notes', 'export_filters.include_notes');
  END IF;

  IF filters ? 'date_range' THEN
    IF jsonb_typeof(filters -> 'date_range') <> 'object' THEN
      PERFORM @extschema@.budget_exports_reject('export_filters.date_range must be an object with "start" and "end"',
        'Example: {"start": "2026-01-01", "end": "2026-06-30"}.');
    END IF;
    PERFORM @extschema@.budget_exports_check_keys(filters -> 'date_range', 'export_filters.date_range', ARRAY['start', 'end']);
    range_start := @extschema@.budget_exports_check_date(filters #> '{date_range,start}', 'export_filters.date_range.start');
    range_end := @extschema@.budget_exports_check_date(filters #> '{date_range,end}', 'export_filters.date_range.end');
    IF range_start > range_end THEN
      PERFORM @extschema@.budget_exports_reject('export_filters.date_range.start is after its end',
        'Swap the two dates.', format('start %s, end %s.', filters #>> '{date_range,start}', filters #>> '{date_range,end}'));
    END IF;
  END IF;

  IF filters ? 'amount_range' THEN
    IF jsonb_typeof(filters -> 'amount_range') <> 'object'
       OR NOT (filters -> 'amount_range' ?| ARRAY['min', 'max']) THEN
      PERFORM @extschema@.budget_exports_reject('export_filters.amount_range must be an object with "min" and/or "max"',
        'Example: {"min": 100, "max": 5000}.');
    END IF;
    PERFORM @extschema@.budget_exports_check_keys(filters -> 'amount_range', 'export_filters.amount_range', ARRAY['min', 'max']);
    IF filters -> 'amount_range' ? 'min' THEN
      amount_min := @extschema@.budget_exports_check_amount(filters #> '{amount_range,min}', 'export_filters.amount_range.min');
    END IF;
    IF filters -> 'amount_range' ? 'max' THEN
      amount_max := @extschema@.budget_exports_check_amount(filters #> '{amount_range,max}', 'export_filters.amount_range.max');
    END IF;
    IF amount_min > amount_max THEN
      PERFORM @extschema@.budget_exports_reject('export_filters.amount_range.min is greater than its max',
        'Swap the two amounts.', format('min %s, max %s.', amount_min, amount_max));
    END IF;
  END IF;

  IF filters ? 'options' THEN
    PERFORM @extschema@.budget_exports_check_options(filters -> 'options');
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_file_extension(export_type text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE export_type WHEN 'pdf' THEN 'pdf' WHEN 'csv' THEN 'csv' WHEN 'excel' THEN 'xlsx' END
$$;

CREATE OR REPLACE FUNCTION budget_exports_default_priority(export_type text)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE export_type WHEN 'csv' THEN 4 WHEN 'excel' THEN 3 ELSE 2 END
$$;


CREATE OR REPLACE FUNCTION budget_exports_enqueue()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  INSERT INTO @extschema@.export_queue (export_id, priority, max_retries)
  VALUES (NEW.id, @extschema@.budget_exports_default_priority(NEW.export_type),
          @extschema@.budget_exports_setting('max_retries')::integer);
  PERFORM @extschema@.budget_exports_wake_workers_at_commit();
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_forget_object()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF OLD.storage_key IS NOT NULL THEN
    INSERT INTO @extschema@.budget_export_storage_deletions (storage_key) VALUES (OLD.storage_key)
    ON CONFLICT (storage_key) DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cleanup_expired_exports()
RETURNS TABLE (expired_exports integer, deleted_failed_exports integer,
               deleted_queue_rows integer, storage_deletions_queued integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  failed_retention interval := make_interval(secs => @extschema@.budget_exports_setting('failed_retention')::double precision);
  queue_retention  interval := make_interval(secs => @extschema@.budget_exports_setting('queue_retention')::double precision);
  expired_keys     text[];
  deleted_keys     text[];
BEGIN
  WITH expired AS (
    UPDATE @extschema@.budget_exports e
       SET status = 'expired', file_url = NULL
     WHERE e.id IN (SELECT id FROM @extschema@.budget_exports
                     WHERE status = 'completed' AND expires_at <= now()
                     FOR UPDATE SKIP LOCKED)
    RETURNING e.storage_key
  )
  SELECT count(*), array_agg(storage_key) FILTER (WHERE storage_key IS NOT NULL)
    INTO expired_exports, expired_keys FROM expired;

  -- the AFTER DELETE trigger queues the storage objects of deleted rows
  WITH gone AS (
    DELETE FROM @extschema@.budget_exports e
     WHERE e.id IN (SELECT id FROM @extschema@.budget_exports
                     WHERE status = 'failed' AND updated_at <= now() - failed_retention
                     FOR UPDATE SKIP LOCKED)
    RETURNING e.storage_key
  )
  SELECT count(*), array_agg(storage_key) FILTER (WHERE storage_key IS NOT NULL)
    INTO deleted_failed_exports, deleted_keys FROM gone;

  WITH gone AS (
    DELETE FROM @extschema@.export_queue q
     WHERE q.id IN (SELECT id FROM @extschema@.export_queue
                     WHERE status IN ('completed', 'failed') AND completed_at <= now() - queue_retention
                     FOR UPDATE SKIP LOCKED)
    RETURNING 1
  )
  SELECT count(*) INTO deleted_queue_rows FROM gone;

  WITH queued AS (
    INSERT INTO @extschema@.budget_export_storage_deletions (storage_key)
    SELECT DISTINCT unnest(expired_keys)
    ON CONFLICT (storage_key) DO NOTHING
    RETURNING 1
  )
  SELECT count(*) + coalesce(cardinality(deleted_keys), 0) INTO storage_deletions_queued FROM queued;

  IF storage_deletions_queued > 0 THEN
    PERFORM @extschema@.budget_exports_wake_workers_at_commit();
  END IF;
  RETURN NEXT;
END
$$;


CREATE OR REPLACE FUNCTION budget_exports_claim_job(worker_name text, lease_seconds integer)
RETURNS TABLE (queue_id uuid, lease_token uuid, export_id uuid, couple_id uuid, export_type text,
               export_filters jsonb, file_name text, attempt integer, retry_count integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET enable_sort = off AS $$
-- plpgsql rather than sql: its query plan is cached across a worker's claims.
-- enable_sort = off: the best job is the first entry of idx_export_queue_claim, whatever the
-- statistics say. Without statistics (a new install) or with a quiet hour's (no queued job),
-- the planner expects a job or two and may plan a scan of every queued job plus a sort,
-- which the worker then keeps: each claim read the whole queue (2,000 rows at 2,000
-- queued; sql/schema.sql).
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH next_job AS (
    SELECT q.id FROM @extschema@.export_queue q
     WHERE q.status = 'queued' AND q.run_at <= now()
     ORDER BY q.priority DESC, q.created_at
     LIMIT 1
     FOR UPDATE SKIP LOCKED
  ), claimed AS (
    UPDATE @extschema@.export_queue q
       SET status = 'started', started_at = now(), completed_at = NULL,
           attempt_count = q.attempt_count + 1,
           lease_owner = worker_name, lease_token = gen_random_uuid(),
           lease_expires_at = now() + make_interval(secs => lease_seconds)
      FROM next_job
     WHERE q.id = next_job.id
    RETURNING q.id, q.lease_token, q.export_id, q.attempt_count, q.retry_count
  )
  SELECT claimed.id, claimed.lease_token, e.id, e.couple_id, e.export_type, e.export_filters, e.file_name,
         claimed.attempt_count, claimed.retry_count
    FROM claimed JOIN @extschema@.budget_exports e ON e.id = claimed.export_id;
END
$$;



CREATE OR REPLACE FUNCTION budget_exports_queue_position(queue_id uuid)
RETURNS integer LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT count(*)::integer
    FROM @extschema@.export_queue me, @extschema@.export_queue other
   WHERE me.id = queue_id AND me.status = 'queued' AND other.status = 'queued'
     AND (other.priority > me.priority
          OR (other.priority = me.priority AND other.created_at < me.created_at))
$$;

CREATE OR REPLACE FUNCTION budget_exports_sign_url(storage_key text, expires_in integer)
RETURNS text
AS 'MODULE_PATHNAME', 'budget_exports_sign_url'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION budget_exports_written_by_current_transaction(row_xmin xid)
RETURNS boolean
AS 'MODULE_PATHNAME', 'budget_exports_written_by_current_transaction'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION budget_exports_request_expiry()
RETURNS boolean
AS 'MODULE_PATHNAME', 'budget_exports_request_expiry'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION budget_exports_expire_overdue(OUT expired integer, OUT still_locked integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  WITH expired_rows AS (
    UPDATE @extschema@.budget_exports e
       SET status = 'expired', file_url = NULL
     WHERE e.id IN (SELECT id FROM @extschema@.budget_exports
                     WHERE status = 'completed' AND expires_at <= now()
                     FOR UPDATE SKIP LOCKED)
    RETURNING e.storage_key
  ), queued AS (
    INSERT INTO @extschema@.budget_export_storage_deletions (storage_key)
    SELECT DISTINCT storage_key FROM expired_rows WHERE storage_key IS NOT NULL
    ON CONFLICT (storage_key) DO NOTHING
  )
  SELECT count(*) INTO expired FROM expired_rows;
  SELECT count(*) INTO still_locked FROM @extschema@.budget_exports WHERE status = 'completed' AND expires_at <= now();
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_download_url(export_id uuid)
RETURNS text LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  e record;
  seconds_left double precision;
BEGIN
  SELECT x.storage_key, x.expires_at, x.xmin AS row_xmin INTO e
    FROM @extschema@.budget_exports x WHERE x.id = export_id AND x.status = 'completed';
  -- the caller proves access by having updated the row in this transaction
  IF NOT FOUND OR NOT @extschema@.budget_exports_written_by_current_transaction(e.row_xmin) THEN
    RAISE EXCEPTION 'budget_exports: export % not found', export_id USING ERRCODE = 'PT404';
  END IF;
  seconds_left := extract(epoch FROM e.expires_at - clock_timestamp());
  IF e.storage_key IS NULL OR seconds_left IS NULL OR seconds_left < 1 THEN
    -- this transaction rolls back with the error, so the worker marks the row expired
    PERFORM @extschema@.budget_exports_request_expiry();
    RAISE EXCEPTION 'budget_exports: export % has expired', export_id
      USING ERRCODE = 'PT410', HINT = 'Request a new export.';
  END IF;
  RETURN @extschema@.budget_exports_sign_url(e.storage_key, least(ceil(seconds_left), 2147483647)::integer);
END
$$;

CREATE OR REPLACE FUNCTION budget_export_download(export_id uuid)
RETURNS text LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  e record;
BEGIN
  -- as the caller: another couple's export looks exactly like a missing one
  SELECT x.status, x.error_message INTO e FROM @extschema@.budget_exports x WHERE x.id = export_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'budget_exports: export % not found', export_id USING ERRCODE = 'PT404';
  ELSIF e.status = 'generating' THEN
    RAISE EXCEPTION 'budget_exports: export % is still being generated', export_id
      USING ERRCODE = 'PT409', HINT = 'Try again when its status is completed (budget_export_status).';
  ELSIF e.status = 'failed' THEN
    RAISE EXCEPTION 'budget_exports: export % failed', export_id
      USING ERRCODE = 'PT422', DETAIL = coalesce(e.error_message, ''), HINT = 'Request a new export.';
  ELSIF e.status = 'expired' THEN
    RAISE EXCEPTION 'budget_exports: export % has expired', export_id
      USING ERRCODE = 'PT410', HINT = 'Request a new export.';
  END IF;
  -- count the download as the caller; signing happens after, so an error undoes the count
  UPDATE @extschema@.budget_exports x
     SET download_count = x.download_count + 1, last_downloaded_at = now()
   WHERE x.id = export_id AND x.status = 'completed';
  IF NOT FOUND THEN  -- expired by cleanup since the SELECT
    RAISE EXCEPTION 'budget_exports: export % has expired', export_id
      USING ERRCODE = 'PT410', HINT = 'Request a new export.';
  END IF;
  RETURN @extschema@.budget_exports_download_url(export_id);
END
$$;

-- issue #13: a file_name with "?" is refused at INSERT. A "?" ends the path of a URL:
-- Storage's single-object sign route (the one supabase-js createSignedUrl uses) cannot
-- sign such a key, and links built from the name break. See docs/storage.md.
CREATE OR REPLACE FUNCTION budget_exports_before_insert()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  caller        text := CASE WHEN current_setting('role') = 'none' THEN session_user::text
                             ELSE current_setting('role') END;
  privileged    boolean;
  per_hour      integer := @extschema@.budget_exports_setting('rate_limit_per_hour')::integer;
  max_in_flight integer := @extschema@.budget_exports_setting('max_in_flight')::integer;
  recent        integer;
  in_flight     integer;
BEGIN
  IF NEW.export_type IS NULL OR NEW.export_type NOT IN ('pdf', 'csv', 'excel') THEN
    RAISE EXCEPTION 'export_type must be one of pdf, csv, excel'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('Found %s.', coalesce(quote_literal(NEW.export_type), 'NULL')),
            HINT = 'Excel files are requested as ''excel''.';
  END IF;
  NEW.export_filters := coalesce(NEW.export_filters, '{}'::jsonb);
  PERFORM @extschema@.budget_exports_validate_filters(NEW.export_filters);

  IF NEW.file_name IS NULL THEN
    NEW.file_name := format('budget-export-%s.%s',
      to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD-HH24MISS'), @extschema@.budget_exports_file_extension(NEW.export_type));
  ELSIF NEW.file_name ~ '^\.|\.\.' THEN
    RAISE EXCEPTION 'file_name must not start with "." or contain ".."'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use a plain name such as "budget-2026.csv", or leave file_name out.';
  ELSIF NEW.file_name !~ '^[A-Za-z0-9_!.*''() &$=@;:+,-]{1,200}$' THEN
    RAISE EXCEPTION 'file_name may use only letters A-Z, digits, spaces and _ ! . * '' ( ) & $ = @ ; : + , - (at most 200)'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Leave file_name out to get budget-export-<timestamp>.<ext>; accents, "/" and "?" cannot be used in file_name.';
  ELSIF lower(NEW.file_name) NOT LIKE '%.' || @extschema@.budget_exports_file_extension(NEW.export_type) THEN
    RAISE EXCEPTION 'file_name must end in .% for export_type %', @extschema@.budget_exports_file_extension(NEW.export_type), NEW.export_type
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Change the extension or leave file_name out.';
  END IF;

  -- Every new row is a request: the worker owns the result columns.
  NEW.status := 'generating';
  NEW.file_url := NULL;
  NEW.file_size_bytes := NULL;
  NEW.content_type := NULL;
  NEW.checksum_sha256 := NULL;
  NEW.storage_key := NULL;
  NEW.generated_at := NULL;
  NEW.expires_at := NULL;
  NEW.download_count := 0;
  NEW.last_downloaded_at := NULL;
  NEW.error_message := NULL;
  NEW.created_at := now();
  NEW.updated_at := now();

  SELECT r.rolsuper OR r.rolbypassrls INTO privileged FROM pg_catalog.pg_roles r WHERE r.rolname = caller;
  IF NOT coalesce(privileged, false) THEN
    -- One request at a time per couple: lock the couple's row by updating it. A concurrent
    -- request waits here; under REPEATABLE READ or SERIALIZABLE it then fails with 40001
    -- (serialization_failure, retry the transaction) instead of counting a stale snapshot.
    INSERT INTO @extschema@.budget_export_request_limits AS l (couple_id) VALUES (NEW.couple_id)
    ON CONFLICT (couple_id) DO UPDATE SET requests = l.requests + 1, last_request_at = now();
    -- a later statement: under READ COMMITTED it sees what the request we waited for committed
    SELECT count(*) FILTER (WHERE e.created_at > now() - interval '1 hour'),
           count(*) FILTER (WHERE e.status = 'generating')
      INTO recent, in_flight
      FROM @extschema@.budget_exports e WHERE e.couple_id = NEW.couple_id;
    IF in_flight >= max_in_flight THEN
      RAISE EXCEPTION 'this couple already has % exports being generated', in_flight
        USING ERRCODE = 'PT429',
              HINT = format('Wait for one to finish (at most %s at a time).', max_in_flight);
    END IF;
    IF recent >= per_hour THEN
      RAISE EXCEPTION 'export rate limit reached: % exports in the last hour', recent
        USING ERRCODE = 'PT429',
              HINT = format('At most %s exports per hour; try again later.', per_hour);
    END IF;
  END IF;
  RETURN NEW;
END
$$;

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
RETURNS timestamptz LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  started timestamptz;
BEGIN
  INSERT INTO @extschema@.budget_exports_health AS h (problem, detail, reported_by)
  VALUES (kind, left(detail_text, 2000), worker_name)
  ON CONFLICT (problem) DO UPDATE
     SET detail = excluded.detail, reported_by = excluded.reported_by, updated_at = now()
  RETURNING h.since INTO started;
  RETURN started;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_clear_problem(kind text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM @extschema@.budget_exports_health h WHERE h.problem = kind;
  RETURN FOUND;
END
$$;

-- Queues a stored object for deletion. A key already waiting gets a new requested_at, so a
-- deletion batch that was listed before this call does not drop the request (the worker
-- deletes the row only if requested_at is still the one it listed).
CREATE OR REPLACE FUNCTION budget_exports_queue_deletion(key text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF key IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO @extschema@.budget_export_storage_deletions AS d (storage_key) VALUES (key)
  ON CONFLICT (storage_key) DO UPDATE SET requested_at = clock_timestamp(), attempts = 0;
  PERFORM @extschema@.budget_exports_wake_workers_at_commit();
END
$$;

-- An export's terminal failure: the couple reads `message`, the object an attempt may have
-- stored is queued for deletion, and listeners get the NOTIFY.
CREATE OR REPLACE FUNCTION budget_exports_mark_export_failed(failed_export uuid, message text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  old_key text;
BEGIN
  SELECT e.storage_key INTO old_key FROM @extschema@.budget_exports e WHERE e.id = failed_export FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  PERFORM @extschema@.budget_exports_queue_deletion(old_key);
  UPDATE @extschema@.budget_exports e
     SET status = 'failed', error_message = left(message, 2000), storage_key = NULL, file_url = NULL
   WHERE e.id = failed_export;
  PERFORM pg_notify('budget_exports', failed_export::text);
END
$$;

-- The object key is recorded when a job is claimed, so an export row that goes away
-- mid-job (the couple was deleted) still gets its object deleted.
CREATE OR REPLACE FUNCTION budget_exports_record_object_key(queue_id uuid, lease_token uuid, storage_key text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE @extschema@.budget_exports e
     SET storage_key = budget_exports_record_object_key.storage_key
    FROM @extschema@.export_queue q
   WHERE q.id = budget_exports_record_object_key.queue_id AND q.status = 'started'
     AND q.lease_token = budget_exports_record_object_key.lease_token AND e.id = q.export_id;
  RETURN FOUND;
END
$$;

-- Puts a started job back in the queue without counting the attempt or spending a retry:
-- the worker is shutting down, Storage is unavailable, or a setting needs the operator.
-- reason (NULL keeps the last one) is what the couple reads meanwhile.
CREATE OR REPLACE FUNCTION budget_exports_release_job(queue_id uuid, lease_token uuid, reason text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE @extschema@.export_queue q
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
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  job record;
  failed integer := 0;
BEGIN
  FOR job IN
    SELECT q.id, q.export_id FROM @extschema@.export_queue q
     WHERE q.status = 'queued'
       AND greatest(q.created_at, outage_since) <= now() - make_interval(secs => limit_seconds)
     FOR UPDATE SKIP LOCKED
  LOOP
    UPDATE @extschema@.export_queue q
       SET status = 'failed', completed_at = now(), error_message = left(message, 2000)
     WHERE q.id = job.id;
    PERFORM @extschema@.budget_exports_mark_export_failed(job.export_id, message);
    failed := failed + 1;
  END LOOP;
  RETURN failed;
END
$$;

-- When the next queued job is due (an idle worker sleeps until then, or until woken).
CREATE OR REPLACE FUNCTION budget_exports_next_run_at()
RETURNS timestamptz LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
-- plpgsql rather than sql: its plan is cached across an idle worker's calls
BEGIN
  RETURN (SELECT min(q.run_at) FROM @extschema@.export_queue q WHERE q.status = 'queued');
END
$$;

-- What a queued export waits for, in words a couple may read (no detail: that is in the
-- operator's budget_exports_problems).
CREATE OR REPLACE FUNCTION budget_exports_waiting_reason()
RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE
           WHEN EXISTS (SELECT 1 FROM @extschema@.budget_exports_health h WHERE h.problem = 'storage_unavailable')
             THEN 'waiting for storage'
           WHEN EXISTS (SELECT 1 FROM @extschema@.budget_exports_health h WHERE h.problem = 'operator_error')
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
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  job record;
  rescued integer := 0;
  message text;
BEGIN
  FOR job IN
    SELECT q.id, q.export_id, q.retry_count, q.max_retries FROM @extschema@.export_queue q
     WHERE q.status = 'started' AND q.lease_expires_at < now()
     FOR UPDATE SKIP LOCKED
  LOOP
    IF job.retry_count < job.max_retries THEN
      UPDATE @extschema@.export_queue q
         SET status = 'queued', retry_count = q.retry_count + 1, run_at = now(), completed_at = NULL,
             error_message = 'the export was interrupted; it will be tried again',
             lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
       WHERE q.id = job.id;
    ELSE
      message := 'the export was interrupted too often; please request it again';
      UPDATE @extschema@.export_queue q
         SET status = 'failed', completed_at = now(), error_message = message,
             lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
       WHERE q.id = job.id;
      PERFORM @extschema@.budget_exports_mark_export_failed(job.export_id, message);
    END IF;
    rescued := rescued + 1;
  END LOOP;
  RETURN rescued;
END
$$;

CREATE OR REPLACE FUNCTION budget_exports_complete_job(queue_id uuid, lease_token uuid, storage_key text,
                                            file_url text, file_size_bytes bigint, checksum_sha256 text,
                                            content_type text, timings jsonb)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  done_export uuid;
BEGIN
  UPDATE @extschema@.export_queue q
     SET status = 'completed', completed_at = now(), error_message = NULL,
         lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
         timings = budget_exports_complete_job.timings
   WHERE q.id = queue_id AND q.status = 'started' AND q.lease_token = budget_exports_complete_job.lease_token
  RETURNING q.export_id INTO done_export;
  IF done_export IS NULL THEN
    -- The lease was lost: another attempt owns the result, or the export row is gone (the
    -- couple was deleted mid-job). An object no export row keeps is deleted.
    IF NOT EXISTS (SELECT 1 FROM @extschema@.budget_exports e
                    WHERE e.storage_key = budget_exports_complete_job.storage_key
                      AND e.status IN ('generating', 'completed')) THEN
      PERFORM @extschema@.budget_exports_queue_deletion(budget_exports_complete_job.storage_key);
    END IF;
    RETURN false;
  END IF;
  UPDATE @extschema@.budget_exports e
     SET status = 'completed', storage_key = budget_exports_complete_job.storage_key,
         file_url = budget_exports_complete_job.file_url,
         file_size_bytes = budget_exports_complete_job.file_size_bytes,
         checksum_sha256 = budget_exports_complete_job.checksum_sha256,
         content_type = budget_exports_complete_job.content_type,
         generated_at = now(),
         expires_at = now() + make_interval(secs => @extschema@.budget_exports_setting('file_ttl')::double precision),
         error_message = NULL
   WHERE e.id = done_export;
  PERFORM pg_notify('budget_exports', done_export::text);
  RETURN true;
END
$$;

-- Returns the job's new status: 'queued' (will retry), 'failed', or 'lost' (lease gone).
CREATE OR REPLACE FUNCTION budget_exports_fail_job(queue_id uuid, lease_token uuid, error_message text,
                                        retryable boolean, retry_delay_ms bigint)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  job @extschema@.export_queue%ROWTYPE;
  message text := left(budget_exports_fail_job.error_message, 2000);
BEGIN
  SELECT * INTO job FROM @extschema@.export_queue q
   WHERE q.id = queue_id AND q.status = 'started' AND q.lease_token = budget_exports_fail_job.lease_token
   FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'lost';
  END IF;
  IF retryable AND job.retry_count < job.max_retries THEN
    UPDATE @extschema@.export_queue q
       SET status = 'queued', retry_count = q.retry_count + 1, error_message = message,
           run_at = now() + make_interval(secs => retry_delay_ms / 1000.0),
           lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
     WHERE q.id = job.id;
    RETURN 'queued';
  END IF;
  UPDATE @extschema@.export_queue q
     SET status = 'failed', completed_at = now(), error_message = message,
         lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
   WHERE q.id = job.id;
  PERFORM @extschema@.budget_exports_mark_export_failed(job.export_id, message);
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

------------------------------------------------------------------------------------------
-- Privileges, last: every function of the extension (including the ones above) is revoked
-- from PUBLIC and the API roles, then what couples and the service role call is granted.
------------------------------------------------------------------------------------------
DO $privileges$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN
    SELECT d.objid::regprocedure
      FROM pg_catalog.pg_depend d
      JOIN pg_catalog.pg_extension x ON x.oid = d.refobjid
     WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.refclassid = 'pg_catalog.pg_extension'::regclass
       AND d.deptype = 'e' AND x.extname = 'budget_exports'
     ORDER BY d.objid::regprocedure::text
  LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, anon, authenticated, service_role', fn);
  END LOOP;
END
$privileges$;
GRANT EXECUTE ON FUNCTION budget_export_download(uuid), budget_exports_download_url(uuid),
  budget_exports_queue_position(uuid), budget_exports_waiting_reason()
  TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION cleanup_expired_exports(), budget_exports_budget_rows(uuid, jsonb) TO service_role;

