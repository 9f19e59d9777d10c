#!/usr/bin/env bash
# The one test command (README "Running the tests"; .ci/run calls it):
# installs the Debian packages, builds, installs, and runs every suite:
#   1. GoogleTest unit tests of the pure C++ core (no server)
#   2. pg_regress suites on a temporary instance
#   3. TAP suites (PostgreSQL::Test::Cluster) for the background worker
# PostgreSQL refuses to run as root, so as root the tree is copied to a build directory
# owned by an unprivileged user (postgres) and everything but `apt-get`/`make install`
# runs as that user. Ends with one line "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUDGET_EXPORTS_BUILD_DIR:-/tmp/budget_exports-build}
test_user=${BUDGET_EXPORTS_TEST_USER:-postgres}
jobs=$(nproc 2>/dev/null || echo 2)

log() { printf '\n=== %s ===\n' "$*"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

bash "$here/test/install-packages.sh"
# PG_BINDIR picks the PostgreSQL installation (its pg_config decides where `make install` goes)
export PATH="${PG_BINDIR:-/usr/lib/postgresql/15/bin}:$PATH"

if [ "$(id -u)" -eq 0 ]; then
  as_test_user() { runuser -u "$test_user" -- env PATH="$PATH" "$@"; }
  log "copying the tree to $build_dir (owned by $test_user)"
  mkdir -p "$build_dir"
  rsync -a --delete --exclude .git --exclude '*.o' --exclude '*.so' --exclude '*.d' \
    --exclude /test/unit/build --exclude /test/bench/build --exclude /demo-output "$here/" "$build_dir/"
  chown -R "$test_user:" "$build_dir"
else
  as_test_user() { "$@"; }
  build_dir=$here
fi
cd "$build_dir"
logs=$(mktemp -d /tmp/budget_exports-logs.XXXXXX)
chmod 755 "$logs"

log "building"
as_test_user make -s -j"$jobs"
as_root make -s install
as_test_user make -s -C test/unit -j"$jobs" all

passed=0
failed=0
status=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

log "unit tests (GoogleTest)"
if as_test_user make -s -C test/unit check | tee "$logs/unit.log"; then :; else status=1; fi
unit_passed=$(grep -oP '\[  PASSED  \] \K[0-9]+' "$logs/unit.log" || echo 0)
unit_failed=$(grep -oP '\[  FAILED  \] \K[0-9]+(?= test)' "$logs/unit.log" || echo 0)
[ "$unit_passed" = 0 ] && [ "$unit_failed" = 0 ] && unit_failed=1  # a suite that ran nothing failed
count "$unit_passed" "$unit_failed"

log "regression tests (pg_regress, temporary instance)"
if as_test_user make -s installcheck TAP_TESTS= 2>&1 | tee "$logs/regress.log"; then :; else status=1; fi
regress_passed=$(grep -cE '^test .* \.\.\. ok' "$logs/regress.log" || true)
regress_failed=$(grep -cE '^test .* \.\.\. FAILED' "$logs/regress.log" || true)
[ -f regression.diffs ] && { head -200 regression.diffs; }
count "$regress_passed" "$regress_failed"

if ls test/t/*.pl >/dev/null 2>&1; then
  log "TAP tests (prove)"
  if as_test_user make -s installcheck REGRESS= 2>&1 | tee "$logs/tap.log"; then :; else status=1; fi
  tap_tests=$(grep -oP '^Files=[0-9]+, Tests=\K[0-9]+' "$logs/tap.log" || echo 0)
  tap_failed=$( (grep -oP 'Failed \K[0-9]+(?=/[0-9]+ subtests)' "$logs/tap.log" || true) | awk '{s+=$1} END {print s+0}')
  [ "$status" = 0 ] || [ "$tap_failed" != 0 ] || tap_failed=1
  count "$((tap_tests - ${tap_failed:-0}))" "${tap_failed:-0}"
  if [ "$status" != 0 ]; then
    for f in tmp_check/log/regress_log_*; do [ -f "$f" ] && { echo "--- $f"; tail -60 "$f"; }; done
  fi
fi

[ "$status" = 0 ] || [ "$failed" -gt 0 ] || failed=1
echo
echo "${passed} passed, ${failed} failed"
exit "$status"
