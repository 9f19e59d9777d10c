#!/usr/bin/env bash
# Restores a custom-format dump (pg_dump -Fc) of a database that has budget_exports.
#
#   tools/restore-dump.sh app.dump "dbname=restored host=... user=postgres"
#
# A plain restore cannot work: CREATE EXTENSION budget_exports needs the app's couples
# table *with its primary key* (its foreign key points there), which a dump only creates
# after the extension. So:
#   1. everything except the extension, its rows and all privileges (ACL entries)
#   2. CREATE EXTENSION budget_exports
#   3. the extension's rows with triggers disabled (old rows, not new requests)
#   4. the privileges
set -euo pipefail

dump=${1:?usage: restore-dump.sh DUMP_FILE TARGET_CONNINFO}
target=${2:?usage: restore-dump.sh DUMP_FILE TARGET_CONNINFO}
tables='budget_exports|export_queue|budget_export_storage_deletions'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pg_restore -l "$dump" >"$work/toc"
grep -v -E " EXTENSION (- )?budget_exports\b|TABLE DATA [^ ]+ ($tables) | ACL " "$work/toc" >"$work/main.list"
grep -E " ACL " "$work/toc" >"$work/acl.list" || true

pg_restore --exit-on-error -L "$work/main.list" -d "$target" "$dump"
schema=$(pg_restore -l "$dump" | grep -oP " TABLE DATA \K[^ ]+(?= budget_exports )" | head -1)
psql -X -q -v ON_ERROR_STOP=1 -d "$target" -c "CREATE EXTENSION budget_exports SCHEMA ${schema:-public}"
args=()
for table in ${tables//|/ }; do args+=(-t "$table"); done
pg_restore --exit-on-error --data-only --disable-triggers "${args[@]}" -d "$target" "$dump"
pg_restore --exit-on-error -L "$work/acl.list" -d "$target" "$dump"
