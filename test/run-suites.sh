#!/usr/bin/env bash
# Builds, installs and runs every suite against ONE PostgreSQL installation:
#   1. GoogleTest unit tests of the pure C++ core (no server)
#   2. pg_regress suites on a temporary instance
#   3. TAP suites (PostgreSQL::Test::Cluster) for the background worker
#   4. the demo (test/demo.sh on the installation built here)
# test/run-all.sh calls it once per PostgreSQL version: on the host (PostgreSQL 15, Debian 12)
# and inside a Debian 13 root (PostgreSQL 17, test/debian-root.sh). It installs no packages.
#
# PG_BINDIR picks the installation (its pg_config decides where `make install` goes).
# PostgreSQL refuses to run as root, so as root the tree is copied to a build directory
# (BUDGET_EXPORTS_BUILD_DIR) owned by an unprivileged user (postgres) and everything but
# `make install` runs as that user. Ends with "PostgreSQL N: N passed, N failed" and, when
# BUDGET_EXPORTS_RESULT_FILE is set, writes "PASSED FAILED" there for run-all.sh.
# BUDGET_EXPORTS_MAKE_TARGET (e.g. bench) runs that make target after the build instead of
# the suites (test/debian-root.sh: BUDGET_EXPORTS_ROOT_MAKE).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUDGET_EXPORTS_BUILD_DIR:-/tmp/budget_exports-build}
test_user=${BUDGET_EXPORTS_TEST_USER:-postgres}
result_file=${BUDGET_EXPORTS_RESULT_FILE:-}
jobs=$(nproc 2>/dev/null || echo 2)

export PATH="${PG_BINDIR:-/usr/lib/postgresql/15/bin}:$PATH"
# make and pg_regress take the installation from pg_config, so name it explicitly
export PG_CONFIG="${PG_BINDIR:-/usr/lib/postgresql/15/bin}/pg_config"
major=$("$PG_CONFIG" --version | grep -oP '^PostgreSQL \K[0-9]+')

log() { printf '\n=== PostgreSQL %s: %s ===\n' "$major" "$*"; }

[ -n "$result_file" ] && echo "0 1" >"$result_file"  # until the suites have run

if [ "$(id -u)" -eq 0 ]; then
  as_test_user() { runuser -u "$test_user" -- env PATH="$PATH" PG_CONFIG="$PG_CONFIG" "$@"; }
  if [ "$here" != "$build_dir" ]; then
    log "copying the tree to $build_dir (owned by $test_user)"
    # by content, not times: a changed file gets a new time (make rebuilds it and what
    # includes it), an unchanged one keeps its old one (its objects stay valid)
    mkdir -p "$build_dir"
    rsync -rlpD --checksum --delete --exclude .git --exclude '*.o' --exclude '*.so' --exclude '*.d' \
      --exclude /test/unit/build --exclude /test/bench/build --exclude /demo-output "$here/" "$build_dir/"
  fi
  chown -R "$test_user:" "$build_dir"
else
  as_test_user() { "$@"; }
  build_dir=$here
fi
cd "$build_dir"
logs=$(mktemp -d /tmp/budget_exports-logs.XXXXXX)
chmod 755 "$logs"

log "building ($("$PG_CONFIG" --version), $(${CXX:-g++} --version | head -1))"
as_test_user make -s -j"$jobs"
if [ "$(id -u)" -eq 0 ]; then make -s install; else sudo env PATH="$PATH" make -s install PG_CONFIG="$PG_CONFIG"; fi
as_test_user make -s -C test/unit -j"$jobs" all
# the benchmarks are built, not run (they print figures and never fail): a source file
# added to src/core but not to a benchmark's sources breaks the build here, not in `make bench`
as_test_user make -s -C test/bench -j"$jobs" all
as_test_user make -s test/bench/notify_latency test/bench/store_floor

if [ -n "${BUDGET_EXPORTS_MAKE_TARGET:-}" ]; then
  # a benchmark (bench, bench-worker, bench-queue) on this installation instead of the suites
  log "make $BUDGET_EXPORTS_MAKE_TARGET"
  as_test_user make -s "$BUDGET_EXPORTS_MAKE_TARGET"
  exit
fi

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
# PostgreSQL 15 prints "test NAME ... ok", 16 and later "ok N - NAME" (TAP)
regress_passed=$(grep -cE '^test .* \.\.\. ok|^ok [0-9]+ ' "$logs/regress.log" || true)
regress_failed=$(grep -cE '^test .* \.\.\. FAILED|^not ok [0-9]+ ' "$logs/regress.log" || true)
[ "$regress_passed" = 0 ] && [ "$regress_failed" = 0 ] && regress_failed=1
[ -f regression.diffs ] && { head -200 regression.diffs; }
count "$regress_passed" "$regress_failed"

if ls test/t/*.pl >/dev/null 2>&1; then
  log "TAP tests (prove)"
  tap_status=0
  if as_test_user make -s installcheck REGRESS= 2>&1 | tee "$logs/tap.log"; then :; else status=1; tap_status=1; fi
  tap_tests=$(grep -oP '^Files=[0-9]+, Tests=\K[0-9]+' "$logs/tap.log" || echo 0)
  tap_failed=$( (grep -oP 'Failed \K[0-9]+(?=/[0-9]+ subtests)' "$logs/tap.log" || true) | awk '{s+=$1} END {print s+0}')
  [ "$tap_status" = 0 ] || [ "$tap_failed" != 0 ] || tap_failed=1
  count "$((tap_tests - tap_failed))" "$tap_failed"
  if [ "$tap_status" != 0 ]; then
    for f in tmp_check/log/regress_log_*; do [ -f "$f" ] && { echo "--- $f"; tail -60 "$f"; }; done
  fi
fi

# README "Demo" as a newcomer runs it (its one export of each type, as the couple, must
# complete), on the installation built above
log "demo (make demo)"
if BUDGET_EXPORTS_DEMO_INSTALLED=1 bash test/demo.sh 2>&1 | tee "$logs/demo.log"; then
  count 1 0
else
  status=1
  count 0 1
fi

[ "$status" = 0 ] || [ "$failed" -gt 0 ] || failed=1
[ -n "$result_file" ] && echo "$passed $failed" >"$result_file"
echo
echo "PostgreSQL ${major}: ${passed} passed, ${failed} failed"
exit "$status"
