#!/usr/bin/env bash
# test/debian-root.sh MAJOR: runs every suite (test/run-suites.sh) on PostgreSQL MAJOR inside
# a Debian root, for a PostgreSQL that the host's Debian does not ship (17: Debian 13).
# test/run-all.sh calls it; it needs root (sudo is used otherwise).
#
# The root is made once with `debootstrap --variant=minbase` from Debian's archive and kept
# in BUDGET_EXPORTS_ROOT_CACHE (default /var/cache/budget_exports/<suite>-root). Inside it,
# apt-get installs test/packages.txt with MAJOR in the PostgreSQL names; a stamp file records
# that list, so a changed list installs again. For the run, /proc and /dev are mounted into
# the root (always unmounted again); the tree is copied in and built there, and the suites
# run as root with the clusters run by the root's unprivileged `postgres` user.
#
#   BUDGET_EXPORTS_DEBIAN_SUITE   Debian release of the root (default trixie, Debian 13)
#   BUDGET_EXPORTS_DEBIAN_MIRROR  archive (default http://deb.debian.org/debian)
#   BUDGET_EXPORTS_ROOT_CACHE     where roots are kept (default /var/cache/budget_exports)
#   BUDGET_EXPORTS_RESULT_FILE    gets "PASSED FAILED" (as from run-suites.sh)
#   BUDGET_EXPORTS_ROOT_MAKE      a make target (bench, bench-worker, bench-queue) to run
#                                 instead of the suites, after building and installing;
#                                 its figures are copied to test/bench/out/pgMAJOR/
#                                 (README "Performance": make bench on PostgreSQL 17)
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then exec sudo -E bash "$0" "$@"; fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
major=${1:?usage: debian-root.sh POSTGRESQL_MAJOR}
suite=${BUDGET_EXPORTS_DEBIAN_SUITE:-trixie}
mirror=${BUDGET_EXPORTS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${BUDGET_EXPORTS_ROOT_CACHE:-/var/cache/budget_exports}
result_file=${BUDGET_EXPORTS_RESULT_FILE:-}
build_dir=/var/tmp/budget_exports-build   # inside the root
inner_result=/var/tmp/budget_exports-result

log() { printf '\n=== PostgreSQL %s: %s ===\n' "$major" "$*"; }
[ -n "$result_file" ] && echo "0 1" >"$result_file"  # until the suites have run

command -v debootstrap >/dev/null || {
  echo "debootstrap is missing: it is in test/packages.txt (run without SKIP_APT=1, or apt-get install debootstrap)" >&2
  exit 1
}

mkdir -p "$cache"
root=$(readlink -f "$cache")/$suite-root
# one run at a time per root (the mounts and the package stamp are shared)
exec 9>"$root.lock"
flock 9

has_mounts() { awk -v r="$1/" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/mounts; }

# Processes left running inside a root (a cluster a failed test did not stop) would keep
# its mounts busy: they were started by this script, end them by pid.
stop_processes_in() {
  local p pids=()
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$1" ] && pids+=("${p#/proc/}")
  done
  [ "${#pids[@]}" -eq 0 ] && return 0
  echo "stopping processes left in $1: ${pids[*]}"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  sleep 2
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

unmount_in() {
  local target
  stop_processes_in "$1"
  for target in "$1/dev" "$1/proc"; do
    if mountpoint -q "$target"; then umount -R "$target" 2>/dev/null || umount -R -l "$target"; fi
  done
}
trap 'unmount_in "$root"' EXIT
trap 'exit 130' INT TERM HUP   # through the EXIT trap

mount_root() {
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"      # with /dev/pts and /dev/shm (PostgreSQL's shared memory)
  mount --make-rslave "$root/dev"     # unmounting here never reaches the host's /dev
}

in_root() {
  chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG="${LANG:-C.UTF-8}" CI="${CI:-}" DEBIAN_FRONTEND=noninteractive "$@" 9>&-
}

# 1. the base system (debootstrap into a new directory, renamed when complete)
if [ ! -f "$root/.budget_exports-base" ]; then
  log "making a Debian $suite root with debootstrap in $root"
  for dir in "$root" "$root.new"; do   # what an interrupted run left
    [ -d "$dir" ] || continue
    unmount_in "$dir"
    if has_mounts "$dir"; then echo "$dir still has mounts; not removing it" >&2; exit 1; fi
    rm -rf --one-file-system "$dir"
  done
  started=$SECONDS
  if ! debootstrap --variant=minbase "$suite" "$root.new" "$mirror" >"$root.debootstrap.log" 2>&1; then
    tail -30 "$root.debootstrap.log"; echo "debootstrap failed (log: $root.debootstrap.log)" >&2; exit 1
  fi
  mv "$root.new" "$root"
  echo "$suite $mirror" >"$root/.budget_exports-base"
  echo "debootstrap: $((SECONDS - started)) s"
fi
unmount_in "$root"   # mounts left by a run that was killed
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount_root

# 2. the packages, when the list differs from the one installed last
packages=$(bash "$here/test/install-packages.sh" --list "$major" | tr '\n' ' ')
wanted="$suite $mirror: $packages"
if [ "$(cat "$root/.budget_exports-packages" 2>/dev/null)" != "$wanted" ]; then
  log "installing packages in the $suite root"
  started=$SECONDS
  printf '#!/bin/sh\n# no services start inside this root\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  rm -f "$root/.budget_exports-packages"
  if ! { in_root apt-get update -qq &&
         in_root apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 $packages; } \
       >"$root.apt.log" 2>&1; then
    tail -40 "$root.apt.log"; echo "apt-get in the root failed (log: $root.apt.log)" >&2; exit 1
  fi
  in_root apt-get clean
  echo "$wanted" >"$root/.budget_exports-packages"
  echo "packages: $((SECONDS - started)) s"
fi

# 3. the tree, copied as run-suites.sh copies it (new files come along; by content, so the
#    objects kept from the last run are rebuilt exactly where a source changed), then the suites
log "copying the tree into the $suite root ($build_dir)"
mkdir -p "$root$build_dir"
rsync -rlpD --checksum --delete --exclude .git --exclude '*.o' --exclude '*.so' --exclude '*.d' \
  --exclude /test/unit/build --exclude /test/bench/build --exclude /demo-output "$here/" "$root$build_dir/"
rm -f "$root$inner_result"
status=0
in_root env PG_BINDIR="/usr/lib/postgresql/$major/bin" BUDGET_EXPORTS_BUILD_DIR="$build_dir" \
  BUDGET_EXPORTS_RESULT_FILE="$inner_result" BUDGET_EXPORTS_MAKE_TARGET="${BUDGET_EXPORTS_ROOT_MAKE:-}" \
  bash "$build_dir/test/run-suites.sh" || status=$?
if [ -n "${BUDGET_EXPORTS_ROOT_MAKE:-}" ]; then
  if [ -d "$root$build_dir/test/bench/out" ]; then
    mkdir -p "$here/test/bench/out/pg$major"
    cp -r "$root$build_dir/test/bench/out/." "$here/test/bench/out/pg$major/"
    echo "figures: $here/test/bench/out/pg$major/"
  fi
  exit "$status"
fi
if [ -n "$result_file" ] && [ -s "$root$inner_result" ]; then cat "$root$inner_result" >"$result_file"; fi
exit "$status"
