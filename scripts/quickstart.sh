#!/usr/bin/env bash
# Quickstart on a fresh machine: installs what kiln needs, builds kiln, then
# validates, inspects and builds the example templates for real: a file image
# (examples/hello.pkr.hcl) and a Docker image (examples/docker/) on a local
# Docker engine, from a Debian base image made with mmdebstrap.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-host.sh
npm install --no-audit --no-fund  # npm ci rejects this npm's lock (optional platform packages)
npm run build

kiln() { node bin/kiln.js "$@"; }
out="$(mktemp -d)"
engine=""
cleanup() {
  rm -rf "$out"
  # Stop the Docker engine again if this script started it.
  if [ "$engine" = started ]; then scripts/docker-env.sh stop >/dev/null || true; fi
}
trap cleanup EXIT

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

echo "== Docker engine and base image"
engine="$(scripts/docker-env.sh start)"
scripts/base-image.sh
echo "== kiln validate examples/docker/"
kiln validate examples/docker/
echo "== kiln build examples/docker/"
kiln build -color=false examples/docker/
echo "== docker run --rm kiln-example/hello:latest"
greeting="$(docker run --rm kiln-example/hello:latest)"
echo "$greeting"
case "$greeting" in
  *"hello from an image baked by kiln"*"built for hello by docker"*) ;;
  *)
    echo "the image did not print what the template baked into it" >&2
    exit 1
    ;;
esac
echo "quickstart: OK"
