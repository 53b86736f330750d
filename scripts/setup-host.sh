#!/usr/bin/env bash
# Installs the host packages kiln's tests and examples need, from Debian's archive.
# Idempotent: skips what is already there. Needs root (or sudo) for apt-get.
set -euo pipefail

need=()
# Debian's packer 1.6.6 is the reference implementation the tests compare against.
command -v packer >/dev/null 2>&1 || need+=(packer)
# The compress post-processor runs xz and lz4; tests read archives back with unzip and tar.
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
command -v lz4 >/dev/null 2>&1 || need+=(lz4)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v tar >/dev/null 2>&1 || need+=(tar)
command -v script >/dev/null 2>&1 || need+=(bsdutils)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
