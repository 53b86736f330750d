#!/usr/bin/env bash
# Quickstart on a fresh machine: installs what kiln needs, builds kiln, then
# validates, inspects and builds the example template for real.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-host.sh
npm install --no-audit --no-fund  # npm ci rejects this npm's lock (optional platform packages)
npm run build

kiln() { node bin/kiln.js "$@"; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== kiln version"
kiln version
echo "== kiln fmt -check examples/"
kiln fmt -check -diff examples/
echo "== kiln validate examples/hello.pkr.hcl"
kiln validate examples/hello.pkr.hcl
echo "== kiln inspect examples/hello.pkr.hcl"
kiln inspect examples/hello.pkr.hcl
echo "== kiln build examples/hello.pkr.hcl"
kiln build -color=false -var "output_dir=$out" examples/hello.pkr.hcl
echo "== what was built ($out)"
cat "$out/motd.txt"
cat "$out/motd.sha256"
(cd "$out" && sha256sum -c motd.sha256 >/dev/null) 2>/dev/null || {
  # The checksum file names the file by its base name, relative to its folder.
  echo "checksum does not match" >&2
  exit 1
}
cat "$out/manifest.json"; echo
echo "quickstart: OK"
