#!/usr/bin/env bash
# The base image kiln's docker tests and examples build on: a minimal Debian bookworm made
# with mmdebstrap (no registry on the internet is reachable here, only Debian's mirror) and
# `docker import`ed as debian:bookworm.
#
#   scripts/base-image.sh            import debian:bookworm unless the engine already has it
#   scripts/base-image.sh --rebuild  make the tarball again and re-import it
#
# The root filesystem is cached as ${KILN_CACHE_DIR:-$HOME/.cache/kiln}/base/debian-bookworm.tar
# (about 120 MB), so a machine makes it once (two or three minutes) and re-imports it in seconds.
# The minbase variant holds what the tests need: bash, coreutils, tar, findutils, grep,
# sed, gzip. kiln's docker communicator needs only /bin/sh and chown in a container (files
# travel as tar streams through the engine's archive API, like Packer's `docker cp`).
# Documentation, man pages and translations are left out to keep it small.
# KILN_DEBIAN_MIRROR picks the mirror (default http://deb.debian.org/debian);
# KILN_BASE_IMAGE the tag (default debian:bookworm). Needs a running engine
# (scripts/docker-env.sh) and root (or sudo) for mmdebstrap.
set -euo pipefail

tag="${KILN_BASE_IMAGE:-debian:bookworm}"
mirror="${KILN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache_dir="${KILN_CACHE_DIR:-$HOME/.cache/kiln}/base"
tarball="$cache_dir/debian-bookworm.tar"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

say() { echo "base-image: $*" >&2; }

rebuild=false
case "${1:-}" in
  "") ;;
  --rebuild) rebuild=true ;;
  *)
    echo "usage: $0 [--rebuild]" >&2
    exit 2
    ;;
esac

if ! docker info >/dev/null 2>&1; then
  say "no Docker engine answers; start one with scripts/docker-env.sh"
  exit 1
fi

if ! $rebuild && docker image inspect "$tag" >/dev/null 2>&1; then
  say "$tag is there"
  exit 0
fi

if $rebuild || [ ! -s "$tarball" ]; then
  if ! command -v mmdebstrap >/dev/null 2>&1; then
    say "installing Debian's mmdebstrap"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
  fi
  mkdir -p "$cache_dir"
  partial="$tarball.partial"
  rm -f "$partial"
  say "making a minimal Debian bookworm root filesystem with mmdebstrap from $mirror"
  # The mirror is given on the command line: without one, mmdebstrap would read sources
  # from stdin when stdin is not a terminal (as in CI).
  $SUDO mmdebstrap --quiet --variant=minbase --format=tar \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    bookworm "$partial" "$mirror" </dev/null
  $SUDO chown "$(id -u):$(id -g)" "$partial"
  mv "$partial" "$tarball"
fi

say "importing $tarball as $tag"
docker import --change 'CMD ["bash"]' --message "kiln base image (mmdebstrap minbase)" \
  "$tarball" "$tag" >/dev/null
say "$tag is there"
