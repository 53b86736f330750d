#!/usr/bin/env bash
# Installs the host packages kiln's tests and examples need, from Debian's archive.
# Idempotent: skips what is already there. Needs root (or sudo) for apt-get.
set -euo pipefail

need=()
# Debian's packer 1.6.6 is the reference implementation the tests compare against.
command -v packer >/dev/null 2>&1 || need+=(packer)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
