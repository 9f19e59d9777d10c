#!/usr/bin/env bash
# The one test command (README "Running the tests"; .ci/run calls it). Runs every suite
# (GoogleTest unit tests, pg_regress, TAP) on each supported PostgreSQL version:
#   15  on this machine (Debian 12), test/run-suites.sh
#   17  inside a Debian 13 root made with debootstrap and cached, test/debian-root.sh
# prints each version's result and ends with one line "N passed, N failed" counting both.
#
#   BUDGET_EXPORTS_PG_VERSIONS  the versions to run, default "15 17" (e.g. "15" locally)
#   PG_BINDIR                   the PostgreSQL 15 installation (default /usr/lib/postgresql/15/bin)
#   BUDGET_EXPORTS_BUILD_DIR    the build directory of the PostgreSQL 15 run
#   SKIP_APT=1                  no apt-get on this machine (the Debian 13 root still installs
#                               what its stamp says is missing)
# test/debian-root.sh lists the knobs of the Debian 13 root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
versions=${BUDGET_EXPORTS_PG_VERSIONS:-15 17}

bash "$here/test/install-packages.sh"
host_pg_config=${PG_BINDIR:-/usr/lib/postgresql/15/bin}/pg_config
host_major=$("$host_pg_config" --version | grep -oP '^PostgreSQL \K[0-9]+')

total_passed=0
total_failed=0
status=0
summary=()
for version in $versions; do
  result=$(mktemp /tmp/budget_exports-result.XXXXXX)
  chmod 644 "$result"
  started=$SECONDS
  if [ "$version" = "$host_major" ]; then
    where="this machine, $(. /etc/os-release && echo "$PRETTY_NAME")"
    BUDGET_EXPORTS_RESULT_FILE=$result bash "$here/test/run-suites.sh" || status=1
  else
    where="Debian ${BUDGET_EXPORTS_DEBIAN_SUITE:-trixie} root"
    BUDGET_EXPORTS_RESULT_FILE=$result bash "$here/test/debian-root.sh" "$version" || status=1
  fi
  read -r passed failed <"$result" || { passed=0; failed=1; }
  rm -f "$result"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  summary+=("PostgreSQL $version ($where): $passed passed, $failed failed in $((SECONDS - started)) s")
done

echo
printf '=== %s\n' "${summary[@]}"
[ "$status" = 0 ] || [ "$total_failed" -gt 0 ] || total_failed=1
[ $((total_passed + total_failed)) -gt 0 ] || { total_failed=1; status=1; }  # nothing ran
echo "${total_passed} passed, ${total_failed} failed"
exit "$status"
