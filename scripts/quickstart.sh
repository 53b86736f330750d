#!/usr/bin/env bash
# Quickstart on a fresh machine: installs what kiln needs, builds it, and runs it
# on the example template. (The image build itself arrives with `kiln build`; until
# then the quickstart checks formatting and evaluates expressions.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-host.sh
npm install --no-audit --no-fund  # npm ci rejects this npm's lock (optional platform packages)
npm run build

kiln() { node bin/kiln.js "$@"; }

echo "== kiln version"
kiln version
echo "== kiln fmt -check examples/"
kiln fmt -check -diff examples/
echo "== kiln console"
kiln console <<'EXPR'
upper("kiln")
[for n in ["web", "db", "cache"] : "${n}.example.com"]
cidrsubnets("10.0.0.0/16", 4, 4, 8)
formatdate("YYYY-MM-DD", "2026-11-22T10:00:00Z")
EXPR
echo "quickstart: OK"
