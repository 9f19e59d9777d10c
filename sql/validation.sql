-- Every rejection of a bad export request: SQLSTATE 22023 (invalid_parameter_value),
-- a message naming the field, and a HINT. Bad requests are sent by couple A (the rate
-- limit is checked after validation, so they never count); the valid ones as superuser.
-- Dates are built relative to current_date so the expected output never goes stale.

-- try_request(): one INSERT, as the current role; 'ok' or the error's fields.
CREATE OR REPLACE FUNCTION try_request(export_type text, filters jsonb, file_name text DEFAULT NULL)
RETURNS TABLE (code text, message text, detail text, hint text) LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO budget_exports (couple_id, export_type, export_filters, file_name)
  VALUES ('c0000000-0000-0000-0000-00000000000a', try_request.export_type, filters, try_request.file_name);
  code := 'ok';
  RETURN NEXT;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                          detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
  RETURN NEXT;
END
$$;
GRANT EXECUTE ON FUNCTION try_request(text, jsonb, text) TO PUBLIC;

CREATE TEMP TABLE bad_requests (n int PRIMARY KEY, what text, export_type text, filters jsonb, file_name text);
INSERT INTO bad_requests VALUES
  -- export_type
  (1,  'export_type in capitals', 'PDF', '{}', NULL),
  (2,  'export_type unknown', 'docx', '{}', NULL),
  (3,  'export_type missing', NULL, '{}', NULL),
  -- the document itself
  (4,  'filters is an array', 'csv', '[]', NULL),
  (5,  'filters is a string', 'csv', '"all"', NULL),
  (6,  'filters is JSON null', 'csv', 'null', NULL),
  (7,  'unknown top-level key', 'csv', '{"category": ["Venue"]}', NULL),
  (8,  'whole document over 16 kB', 'csv', jsonb_build_object('categories', jsonb_build_array(repeat('x', 17000))), NULL),
  -- categories
  (9,  'categories not an array', 'csv', '{"categories": "Venue"}', NULL),
  (10, 'categories: 21 names', 'csv',
       jsonb_build_object('categories', (SELECT jsonb_agg('Category ' || i) FROM generate_series(1, 21) i)), NULL),
  (11, 'categories: a number', 'csv', '{"categories": ["Venue", 42]}', NULL),
  (12, 'categories: empty string', 'csv', '{"categories": [""]}', NULL),
  (13, 'categories: blank string', 'csv', '{"categories": ["   "]}', NULL),
  (14, 'categories: name of 101 characters', 'csv', jsonb_build_object('categories', jsonb_build_array(repeat('v', 101))), NULL),
  -- payment_status
  (15, 'payment_status unknown', 'csv', '{"payment_status": "overdue"}', NULL),
  (16, 'payment_status not a string', 'csv', '{"payment_status": true}', NULL),
  -- date_range
  (17, 'date_range not an object', 'csv', '{"date_range": "2025-01-01"}', NULL),
  (18, 'date_range unknown key', 'csv', '{"date_range": {"start": "2025-01-01", "end": "2025-02-01", "from": "2025-01-01"}}', NULL),
  (19, 'date_range without start', 'csv', '{"date_range": {"end": "2025-02-01"}}', NULL),
  (20, 'date_range start in US format', 'csv', '{"date_range": {"start": "01/02/2025", "end": "2025-02-01"}}', NULL),
  (21, 'date_range end a number', 'csv', '{"date_range": {"start": "2025-01-01", "end": 20250201}}', NULL),
  (22, 'date_range impossible date', 'csv', '{"date_range": {"start": "2025-02-30", "end": "2025-03-01"}}', NULL),
  (23, 'date_range month 13', 'csv', '{"date_range": {"start": "2025-13-01", "end": "2025-03-01"}}', NULL),
  (24, 'date_range end tomorrow', 'csv',
       jsonb_build_object('date_range', jsonb_build_object('start', current_date - 30, 'end', current_date + 1)), NULL),
  (25, 'date_range start after end', 'csv',
       jsonb_build_object('date_range', jsonb_build_object('start', current_date - 1, 'end', current_date - 10)), NULL),
  -- include_notes
  (26, 'include_notes a string', 'csv', '{"include_notes": "yes"}', NULL),
  (27, 'include_notes a number', 'csv', '{"include_notes": 1}', NULL),
  -- amount_range
  (28, 'amount_range not an object', 'csv', '{"amount_range": [0, 100]}', NULL),
  (29, 'amount_range empty object', 'csv', '{"amount_range": {}}', NULL),
  (30, 'amount_range unknown key', 'csv', '{"amount_range": {"min": 1, "avg": 5}}', NULL),
  (31, 'amount_range negative min', 'csv', '{"amount_range": {"min": -1}}', NULL),
  (32, 'amount_range max over 10,000,000', 'csv', '{"amount_range": {"max": 10000000.01}}', NULL),
  (33, 'amount_range number as a string', 'csv', '{"amount_range": {"min": "100"}}', NULL),
  (34, 'amount_range min greater than max', 'csv', '{"amount_range": {"min": 500, "max": 100}}', NULL),
  -- vendor_names
  (35, 'vendor_names: 101 names', 'csv',
       jsonb_build_object('vendor_names', (SELECT jsonb_agg('Vendor ' || i) FROM generate_series(1, 101) i)), NULL),
  (36, 'vendor_names an object', 'csv', '{"vendor_names": {"name": "Florist"}}', NULL),
  -- options
  (37, 'options not an object', 'pdf', '{"options": "landscape"}', NULL),
  (38, 'options unknown key', 'pdf', '{"options": {"color": "red"}}', NULL),
  (39, 'options.include_charts a string', 'pdf', '{"options": {"include_charts": "true"}}', NULL),
  (40, 'options.include_timeline null', 'pdf', '{"options": {"include_timeline": null}}', NULL),
  (41, 'options.custom_title of 101 characters', 'pdf', jsonb_build_object('options', jsonb_build_object('custom_title', repeat('T', 101))), NULL),
  (42, 'options.custom_title with a newline', 'pdf', jsonb_build_object('options', jsonb_build_object('custom_title', 'Our' || chr(10) || 'budget')), NULL),
  (43, 'options.custom_title with a tab', 'pdf', jsonb_build_object('options', jsonb_build_object('custom_title', 'Our' || chr(9) || 'budget')), NULL),
  (44, 'options.custom_title a number', 'pdf', '{"options": {"custom_title": 2026}}', NULL),
  (45, 'options.page_orientation unknown', 'pdf', '{"options": {"page_orientation": "sideways"}}', NULL),
  (46, 'options.font_size unknown', 'pdf', '{"options": {"font_size": "huge"}}', NULL),
  -- file_name
  (47, 'file_name with a slash', 'csv', '{}', 'reports/budget.csv'),
  (48, 'file_name with accents', 'csv', '{}', 'presupuesto-José.csv'),
  (49, 'file_name with a backslash', 'csv', '{}', 'budget\x.csv'),
  (50, 'file_name wrong extension', 'csv', '{}', 'budget.pdf'),
  (51, 'file_name .xls for excel', 'excel', '{}', 'budget.xls'),
  (52, 'file_name leading dot', 'csv', '{}', '.budget.csv'),
  (53, 'file_name with ..', 'csv', '{}', 'budget..csv'),
  (54, 'file_name ../ traversal', 'csv', '{}', '../budget.csv'),
  (55, 'file_name empty', 'csv', '{}', ''),
  (56, 'file_name of 201 characters', 'csv', '{}', repeat('b', 197) || '.csv'),
  (57, 'file_name with a question mark', 'csv', '{}', 'budget?.csv');
GRANT SELECT ON bad_requests TO authenticated;

-- dates relative to today are shown as <today+N> so the output does not go stale
CREATE FUNCTION pg_temp.relative_dates(msg text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(string_agg(CASE WHEN part ~ '^\d{4}-\d{2}-\d{2}$'
                                  THEN format('<today%s%s>', CASE WHEN part::date >= current_date THEN '+' END, part::date - current_date)
                                  ELSE part END, '' ORDER BY ord), msg)
    FROM regexp_split_to_table(msg, '(?=\d{4}-\d{2}-\d{2})|(?<=\d{4}-\d{2}-\d{2})') WITH ORDINALITY AS t(part, ord)
$$;
SELECT act_as('00000000-0000-0000-0000-00000000000a');
\x on
SELECT b.n, b.what, r.code,
       CASE WHEN b.n IN (24, 25) THEN pg_temp.relative_dates(r.message) ELSE r.message END AS message,
       CASE WHEN b.n IN (24, 25) THEN pg_temp.relative_dates(r.detail) ELSE r.detail END AS detail, r.hint
  FROM bad_requests b CROSS JOIN LATERAL try_request(b.export_type, b.filters, b.file_name) r
 ORDER BY b.n;
\x off
-- every one was rejected with 22023 and a hint; none left a row or a job behind
SELECT count(*) AS bad_requests,
       count(*) FILTER (WHERE r.code = '22023' AND r.hint <> '') AS rejected_with_hint
  FROM bad_requests b CROSS JOIN LATERAL try_request(b.export_type, b.filters, b.file_name) r;
RESET ROLE;
SELECT (SELECT count(*) FROM budget_exports) AS exports, (SELECT count(*) FROM export_queue) AS jobs;

-- The same rejection through psql's own error reporting
SELECT act_as('00000000-0000-0000-0000-00000000000a');
\set VERBOSITY sqlstate
INSERT INTO budget_exports (couple_id, export_type, export_filters)
VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv', '{"payment_status": "overdue"}');
\set VERBOSITY default
\set SHOW_CONTEXT never
INSERT INTO budget_exports (couple_id, export_type, export_filters)
VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv', '{"payment_status": "overdue"}');
INSERT INTO budget_exports (couple_id, export_type, export_filters)
VALUES ('c0000000-0000-0000-0000-00000000000a', 'csv', '{"options": {"font_size": "huge"}, "payment_status": "paid"}');
\set SHOW_CONTEXT errors
RESET ROLE;

-- Valid requests pass (as superuser, so the rate limit does not interfere), including
-- every boundary value.
CREATE TEMP TABLE good_requests (n int PRIMARY KEY, what text, export_type text, filters jsonb, file_name text);
INSERT INTO good_requests VALUES
  (1,  'no filters', 'csv', '{}', NULL),
  (2,  'filters SQL NULL (means {})', 'csv', NULL, NULL),
  (3,  'every key', 'pdf', jsonb_build_object(
         'categories', jsonb_build_array('Venue', 'Catering'),
         'payment_status', 'paid',
         'date_range', jsonb_build_object('start', current_date - 365, 'end', current_date),
         'include_notes', true,
         'amount_range', jsonb_build_object('min', 0, 'max', 10000000),
         'vendor_names', jsonb_build_array('Florist & Co', 'DJ Zoë'),
         'options', jsonb_build_object('include_charts', false, 'include_timeline', true,
                                       'custom_title', 'Zoë & José — budget 2026', 'page_orientation', 'landscape',
                                       'font_size', 'small')), NULL),
  (4,  'date_range of one day, today', 'csv',
       jsonb_build_object('date_range', jsonb_build_object('start', current_date, 'end', current_date)), NULL),
  (5,  'date_range on 29 February', 'csv', '{"date_range": {"start": "2024-02-29", "end": "2024-03-01"}}', NULL),
  (6,  'amount_range only max, decimals', 'excel', '{"amount_range": {"max": 2500.50}}', NULL),
  (7,  '20 categories of 100 characters', 'excel',
       jsonb_build_object('categories', (SELECT jsonb_agg(rpad('Category ' || i, 100, '.')) FROM generate_series(1, 20) i)), NULL),
  (8,  '100 vendor names', 'csv',
       jsonb_build_object('vendor_names', (SELECT jsonb_agg('Vendor ' || i) FROM generate_series(1, 100) i)), NULL),
  (9,  'custom_title of 100 characters', 'pdf', jsonb_build_object('options', jsonb_build_object('custom_title', repeat('T', 100))), NULL),
  (10, 'payment_status all, portrait, large', 'pdf', '{"payment_status": "all", "options": {"page_orientation": "portrait", "font_size": "large"}}', NULL),
  (11, 'file_name with allowed punctuation', 'csv', '{}', 'Budget (final) v2_2026 & more!.csv'),
  (12, 'file_name extension in capitals', 'excel', '{}', 'BUDGET.XLSX'),
  (13, 'file_name of 200 characters', 'pdf', '{}', repeat('b', 196) || '.pdf'),
  (14, 'document just under 16 kB', 'csv',
       jsonb_build_object('vendor_names', (SELECT jsonb_agg(rpad('Vendor ' || i, 150, '.')) FROM generate_series(1, 100) i)), NULL),
  (15, 'file_name: all allowed punctuation', 'csv', '{}', 'a+b&c=d$e@f;g:h,i!j*k''l(m)_n-o p.csv');
SELECT g.n, g.what, octet_length(g.filters::text) < 16384 AS under_16k, r.code, r.message
  FROM good_requests g CROSS JOIN LATERAL try_request(g.export_type, g.filters, g.file_name) r
 ORDER BY g.n;
SELECT export_type, count(*) FROM budget_exports GROUP BY 1 ORDER BY 1;
SELECT count(*) AS jobs FROM export_queue;

-- Leave a known state: no exports, no jobs.
DELETE FROM budget_exports;
SELECT (SELECT count(*) FROM budget_exports) AS exports, (SELECT count(*) FROM export_queue) AS jobs,
       (SELECT count(*) FROM budget_export_storage_deletions) AS storage_deletions;
