#!/usr/bin/env bash
# The whole test run, from a fresh clone: host packages, npm packages, typecheck,
# lint, build, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-host.sh
npm install --no-audit --no-fund  # npm ci rejects this npm's lock (optional platform packages)
npm run typecheck
npm run lint
npm run build
npm test
