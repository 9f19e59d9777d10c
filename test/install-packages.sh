#!/usr/bin/env bash
# Installs the Debian packages of test/packages.txt (as root, or through sudo).
#   install-packages.sh [MAJOR]          install them, for PostgreSQL MAJOR (default 15)
#   install-packages.sh --list [MAJOR]   only print the list for a Debian root (test/debian-root.sh)
# The list names PostgreSQL 15 packages (postgresql-15, postgresql-server-dev-15,
# postgresql-15-cron); for another MAJOR those names carry that number instead. Lines
# marked "# host only" are left out of --list.
# SKIP_APT=1 skips the installation (e.g. on a machine that already has them).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

list_only=0
[ "${1:-}" = --list ] && { list_only=1; shift; }
major=${1:-15}

package_list() {  # package_list INCLUDE_HOST_ONLY
  local line
  while IFS= read -r line; do
    [ "$1" = 1 ] || [[ "$line" != *"# host only"* ]] || continue
    line=${line%%#*}
    line=${line//[[:space:]]/}
    [ -n "$line" ] || continue
    # postgresql-15, postgresql-server-dev-15, postgresql-15-cron, ... -> MAJOR
    sed -E "/^postgresql-/ s/-15(-|$)/-${major}\1/g" <<<"$line"
  done <"$here/packages.txt"
}

if [ "$list_only" = 1 ]; then package_list 0; exit 0; fi
[ "${SKIP_APT:-0}" = 1 ] && exit 0
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
echo "=== installing Debian packages ==="
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  $(package_list 1) >/dev/null
