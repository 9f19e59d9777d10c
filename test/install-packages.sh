#!/usr/bin/env bash
# Installs the Debian packages of test/packages.txt (as root, or through sudo).
# SKIP_APT=1 skips it (e.g. on a machine that already has them).
set -euo pipefail
[ "${SKIP_APT:-0}" = 1 ] && exit 0
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
echo "=== installing Debian packages ==="
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  $(grep -v '^#' "$here/packages.txt") >/dev/null
