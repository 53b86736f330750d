#!/usr/bin/env bash
# A local image registry for push tests: Debian's docker-registry package (the CNCF
# "distribution" registry, v2 API) run in the background on the loopback interface.
#
#   scripts/registry.sh start [PORT]   start a registry on 127.0.0.1:PORT (default 5000)
#   scripts/registry.sh stop [PORT]    stop the registry this script started on PORT
#   scripts/registry.sh status [PORT]
#
# `start` prints "started" or, when the port already answers, "running".
# With KILN_REGISTRY_AUTH=user:password the registry asks for that login (htpasswd with
# bcrypt, made with apache2-utils' htpasswd), for docker login / login_* tests.
# The package's own service (port 5000 on every interface, auth from /etc/docker/registry)
# is not used: each registry started here gets its own config, storage and log under
# ${KILN_REGISTRY_STATE_DIR:-/run/kiln-registry}/PORT/, removed by `stop`.
# The Docker engine pushes to 127.0.0.0/8 over plain HTTP without any configuration
# (loopback registries count as insecure registries by default), so tests push to
# 127.0.0.1:PORT/name:tag as they are.
set -euo pipefail

action="${1:-start}"
port="${2:-5000}"
root="${KILN_REGISTRY_STATE_DIR:-/run/kiln-registry}"
dir="$root/$port"
pid_file="$dir/registry.pid"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

say() { echo "registry: $*" >&2; }

answers() {
  # Any HTTP answer from /v2/ (200, or 401 with auth) means the registry is up.
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" 2>/dev/null)" || return 1
  [ "$code" = 200 ] || [ "$code" = 401 ]
}

our_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && grep -q registry "/proc/$pid/comm" 2>/dev/null || return 1
  echo "$pid"
}

install_pkgs() {
  local need=()
  command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  if [ -n "${KILN_REGISTRY_AUTH:-}" ]; then command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils); fi
  [ ${#need[@]} -gt 0 ] || return 0
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The package starts its own service where it can; that one is not ours and must not
  # hold port 5000.
  $SUDO systemctl disable --now docker-registry >/dev/null 2>&1 || true
}

start() {
  install_pkgs
  if answers; then
    echo running
    return 0
  fi
  $SUDO mkdir -p "$dir/storage"
  local auth=""
  if [ -n "${KILN_REGISTRY_AUTH:-}" ]; then
    $SUDO htpasswd -Bbc "$dir/htpasswd" "${KILN_REGISTRY_AUTH%%:*}" "${KILN_REGISTRY_AUTH#*:}" 2>/dev/null
    auth="auth:
  htpasswd:
    realm: kiln-test-registry
    path: $dir/htpasswd"
  fi
  $SUDO tee "$dir/config.yml" >/dev/null <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$auth
EOF
  say "starting docker-registry on 127.0.0.1:$port (log: $dir/registry.log)"
  $SUDO setsid docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" | $SUDO tee "$pid_file" >/dev/null
  local waited=0
  until answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "docker-registry exited while starting:"
      tail -n 20 "$dir/registry.log" >&2 || true
      exit 1
    fi
    if [ "$waited" -ge 60 ]; then
      say "docker-registry did not answer within 30s"
      stop
      exit 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  echo started
}

stop() {
  local pid
  if pid="$(our_pid)"; then
    say "stopping docker-registry on port $port (pid $pid)"
    $SUDO kill -TERM "$pid"
    local waited=0
    while [ -d "/proc/$pid" ] && [ "$waited" -lt 100 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    $SUDO kill -KILL "$pid" 2>/dev/null || true
  else
    say "no registry started by this script is running on port $port"
  fi
  $SUDO rm -rf "$dir"
}

status() {
  if answers; then
    if pid="$(our_pid)"; then echo "running on 127.0.0.1:$port (pid $pid, started by registry.sh)"
    else echo "running on 127.0.0.1:$port (not started by registry.sh)"; fi
  else
    echo "not running on 127.0.0.1:$port"
    return 1
  fi
}

case "$action" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 [start|stop|status] [PORT]" >&2
    exit 2
    ;;
esac
