#!/usr/bin/env bash
# `make demo`: on a fresh machine, install what is needed, build, start a throwaway cluster
# with budget_exports preloaded, load the Supabase-like world and a sample couple (Zoë &
# José, euros, 40 categories, 320 transactions), request one export of each type AS THE
# COUPLE through row level security, wait, print what happened, and leave the files in
# demo-output/. The cluster is stopped and removed at the end.
# PG_CONFIG chooses the PostgreSQL version (`make demo PG_CONFIG=/usr/lib/postgresql/17/bin/pg_config`);
# without it, the pg_config on PATH (Debian's picks the newest installed version; 15 on a fresh
# Debian 12). The packages installed are test/packages.txt for that version.
# BUDGET_EXPORTS_DEMO_INSTALLED=1: the extension is already built and installed for PG_CONFIG
# (the test command runs the demo this way, after its other suites): no packages, no build.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out_dir="$here/demo-output"
run_user=${BUDGET_EXPORTS_TEST_USER:-postgres}
pg_config=${PG_CONFIG:-pg_config}

# the version to install packages for: from Debian's path of PG_CONFIG, else what it reports
if [[ "$pg_config" =~ /usr/lib/postgresql/([0-9]+)/bin/pg_config$ ]]; then
  major=${BASH_REMATCH[1]}
elif command -v "$pg_config" >/dev/null; then
  major=$("$pg_config" --version | grep -oP '^PostgreSQL \K[0-9]+')
else
  major=15
fi
installed=${BUDGET_EXPORTS_DEMO_INSTALLED:-}
[ -n "$installed" ] || bash "$here/test/install-packages.sh" "$major"
command -v "$pg_config" >/dev/null || { echo "PG_CONFIG=$pg_config not found" >&2; exit 1; }
pg_config=$(command -v "$pg_config")
export PG_CONFIG=$pg_config
export PATH="$("$pg_config" --bindir):$PATH"
echo "=== $("$pg_config" --version) ==="

work=$(mktemp -d /tmp/budget_exports-demo.XXXXXX)
chmod 755 "$work"
if [ "$(id -u)" -eq 0 ]; then
  as_user() { runuser -u "$run_user" -- env PATH="$PATH" PG_CONFIG="$PG_CONFIG" "$@"; }
  src="$here"
  if [ -z "$installed" ]; then
    rsync -a --exclude .git --exclude '*.o' --exclude '*.so' --exclude '*.d' --exclude demo-output \
      "$here/" "$work/src/"
    src="$work/src"
  fi
  chown -R "$run_user:" "$work"
else
  as_user() { "$@"; }
  src="$here"
fi

if [ -z "$installed" ]; then
  echo "=== building and installing ==="
  as_user make -s -C "$src" -j"$(nproc)"
  if [ "$(id -u)" -eq 0 ]; then make -s -C "$src" install; else sudo make -s -C "$src" install PG_CONFIG="$PG_CONFIG"; fi
fi

data="$work/data"
socket="$work"
port=55432
cleanup() { as_user pg_ctl -D "$data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

echo "=== starting a throwaway cluster ==="
as_user initdb -D "$data" -A trust >/dev/null
cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$socket'
port = $port
shared_preload_libraries = 'budget_exports'
budget_exports.database = 'demo'
CONF
as_user pg_ctl -D "$data" -l "$work/server.log" -w start >/dev/null
psql_demo() { as_user psql -X -q -h "$socket" -p "$port" -v ON_ERROR_STOP=1 "$@"; }
psql_demo -d postgres -c 'CREATE DATABASE demo'
psql_demo -d demo -f "$src/test/fixtures/supabase_world.sql" >/dev/null 2>&1
psql_demo -d demo -f "$src/test/fixtures/sample_couple.sql"
psql_demo -d demo -c 'CREATE EXTENSION budget_exports'

wait_until() {  # wait_until <sql returning t> (at most 30 s)
  for _ in $(seq 1 300); do
    [ "$(psql_demo -d demo -At -c "$1")" = t ] && return 0
    sleep 0.1
  done
  echo "timed out waiting for: $1"; return 1
}
# the worker started before the demo database existed; it retries every 5 s
wait_until "SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND datname = 'demo'"

echo "=== Zoë requests a PDF, a CSV and an Excel export (role authenticated, RLS applies) ==="
psql_demo -d demo <<'SQL'
SET ROLE authenticated;
SELECT set_config('request.jwt.claims',
                  '{"sub": "5a0e0000-0000-4000-8000-000000000011", "role": "authenticated"}', false) \g /dev/null
INSERT INTO budget_exports (couple_id, export_type, export_filters) VALUES
  ('5a0e0000-0000-4000-8000-000000000001', 'pdf',
   '{"include_notes": true, "options": {"custom_title": "Zoë & José — our wedding budget"}}'),
  ('5a0e0000-0000-4000-8000-000000000001', 'csv', '{}');
SQL
# a couple may have two exports in flight at once: José asks for the third when one is done
wait_until "SELECT count(*) < 2 FROM budget_exports WHERE status = 'generating'"
psql_demo -d demo <<'SQL'
SET ROLE authenticated;
SELECT set_config('request.jwt.claims',
                  '{"sub": "5a0e0000-0000-4000-8000-000000000012", "role": "authenticated"}', false) \g /dev/null
INSERT INTO budget_exports (couple_id, export_type) VALUES ('5a0e0000-0000-4000-8000-000000000001', 'excel');
SQL

wait_until "SELECT count(*) = 0 FROM budget_exports WHERE status = 'generating'"

echo "=== results ==="
psql_demo -d demo -P pager=off <<'SQL'
SELECT s.export_type, s.status, e.file_size_bytes AS bytes, s.total_ms AS ms_from_request,
       round((s.timings ->> 'render_ms')::numeric, 1) AS render_ms, s.last_error
  FROM budget_export_status s JOIN budget_exports e ON e.id = s.export_id
 ORDER BY s.export_type;
SQL

rm -rf "$out_dir"
mkdir -p "$out_dir"
while IFS='|' read -r type url; do
  path=${url#file://}
  [ -f "$path" ] || continue
  cp "$path" "$out_dir/"
  echo "$type: $out_dir/$(basename "$path")"
done < <(psql_demo -d demo -At -c "SELECT export_type, file_url FROM budget_exports WHERE status = 'completed' ORDER BY export_type")
failed=$(psql_demo -d demo -At -c "SELECT count(*) FROM budget_exports WHERE status <> 'completed'")
[ "$failed" = 0 ] || { echo "some exports did not complete"; tail -20 "$work/server.log"; exit 1; }
