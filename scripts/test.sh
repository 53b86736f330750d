#!/usr/bin/env bash
# The whole test run, from a fresh clone: host packages, npm packages, typecheck,
# lint, build, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-host.sh

# A Docker engine, the debian:bookworm base image and a local registry for the docker
# tests, and the base disk for the qemu tests; whatever this run started is stopped
# again when it ends, however it ends.
engine="" registry=""
cleanup() {
  [ "$registry" != started ] || scripts/registry.sh stop || true
  [ "$engine" != started ] || scripts/docker-env.sh stop || true
}
trap cleanup EXIT
engine="$(scripts/docker-env.sh start)"
registry="$(scripts/registry.sh start)"
scripts/base-image.sh
# The Debian base disk the qemu tests boot (made once per machine, then cached).
scripts/base-disk.sh ensure >/dev/null
npm install --no-audit --no-fund  # npm ci rejects this npm's lock (optional platform packages)
npm run typecheck
npm run lint
npm run build
npm test
