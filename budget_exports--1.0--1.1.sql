-- budget_exports 1.0 -> 1.1 (ALTER EXTENSION budget_exports UPDATE TO '1.1').
-- Every change here is also in budget_exports--1.1.sql; test/t/008_upgrade.pl checks that
-- an upgraded database and a fresh 1.1 install have the same catalog.
\echo Use "ALTER EXTENSION budget_exports UPDATE TO '1.1'" to load this file. \quit

-- issue #13: a file_name with "?" is refused at INSERT. A "?" ends the path of a URL:
-- Storage's single-object sign route (the one supabase-js createSignedUrl uses) cannot
-- sign such a key, and links built from the name break. See docs/storage.md.
CREATE OR REPLACE FUNCTION budget_exports_before_insert()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  privileged    boolean;
  per_hour      integer := budget_exports_setting('rate_limit_per_hour')::integer;
  max_in_flight integer := budget_exports_setting('max_in_flight')::integer;
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
  PERFORM budget_exports_validate_filters(NEW.export_filters);

  IF NEW.file_name IS NULL THEN
    NEW.file_name := format('budget-export-%s.%s',
      to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD-HH24MISS'), budget_exports_file_extension(NEW.export_type));
  ELSIF NEW.file_name ~ '^\.|\.\.' THEN
    RAISE EXCEPTION 'file_name must not start with "." or contain ".."'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use a plain name such as "budget-2026.csv", or leave file_name out.';
  ELSIF NEW.file_name !~ '^[A-Za-z0-9_!.*''() &$=@;:+,-]{1,200}$' THEN
    RAISE EXCEPTION 'file_name may use only letters A-Z, digits, spaces and _ ! . * '' ( ) & $ = @ ; : + , - (at most 200)'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Leave file_name out to get budget-export-<timestamp>.<ext>; accents, "/" and "?" cannot be used in file_name.';
  ELSIF lower(NEW.file_name) NOT LIKE '%.' || budget_exports_file_extension(NEW.export_type) THEN
    RAISE EXCEPTION 'file_name must end in .% for export_type %', budget_exports_file_extension(NEW.export_type), NEW.export_type
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

  SELECT rolsuper OR rolbypassrls INTO privileged FROM pg_roles WHERE rolname = current_user;
  IF NOT coalesce(privileged, false) THEN
    -- one request at a time per couple, so two concurrent requests cannot both slip under
    PERFORM pg_advisory_xact_lock(hashtextextended('budget_exports:' || NEW.couple_id::text, 0));
    SELECT count(*) FILTER (WHERE created_at > now() - interval '1 hour'),
           count(*) FILTER (WHERE status = 'generating')
      INTO recent, in_flight
      FROM budget_exports WHERE couple_id = NEW.couple_id;
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
