#!/usr/bin/env bash
# A Docker engine for kiln's docker tests, examples and benchmarks, from Debian's packages.
#
#   scripts/docker-env.sh [start]   make sure an engine answers: install docker.io if needed,
#                                   start dockerd in the background if none answers, wait for it
#   scripts/docker-env.sh stop      stop the dockerd this script started (and nothing else)
#   scripts/docker-env.sh status    say whether an engine answers and who started it
#
# `start` prints "started" when it started dockerd and "running" when an engine already
# answered, so a caller (scripts/test.sh) knows whether it has something to stop.
#
# What we found on kiln's machines (Debian 12 VMs with an ext4 root, cgroup v1, running as
# root, no engine at first): Debian's docker.io (dockerd 20.10) starts as it is. Its own
# containerd comes up under /var/run/docker/containerd, iptables (nft backend) sets up the
# docker0 bridge, and the default overlay2 storage driver works because / is ext4. On a
# machine whose root is itself an overlay (Docker inside Docker) dockerd refuses overlay2
# and picks another driver by itself; if it cannot start at all, this script tries again
# with --storage-driver=vfs (slow and disk-hungry, but works everywhere).
# KILN_DOCKER_STORAGE_DRIVER forces a driver; KILN_DOCKER_STATE_DIR moves the log and
# pid files (default /run/kiln-docker); KILN_DOCKER_TIMEOUT is how long to wait (seconds).
set -euo pipefail

state_dir="${KILN_DOCKER_STATE_DIR:-/run/kiln-docker}"
pid_file="$state_dir/dockerd.pid"
log_file="$state_dir/dockerd.log"
timeout="${KILN_DOCKER_TIMEOUT:-60}"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

say() { echo "docker-env: $*" >&2; }

answers() { docker info >/dev/null 2>&1; }

# The pid of the dockerd we started, if it is still running.
our_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid="$(cat "$pid_file" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && grep -q dockerd "/proc/$pid/comm" 2>/dev/null || return 1
  echo "$pid"
}

install_engine() {
  command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 && return 0
  say "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # policy-rc.d may stop the package's own service from starting: this script starts dockerd.
  $SUDO apt-get install -y -qq --no-install-recommends docker.io iptables ca-certificates >/dev/null
}

# Starts dockerd with the given extra options and waits for it to answer. Returns 1 when
# it died while starting, 2 when it did not answer in time (it is then stopped again).
launch() {
  $SUDO mkdir -p "$state_dir"
  say "starting dockerd $* (log: $log_file)"
  # setsid: dockerd leaves the caller's process group, so a Ctrl-C in the terminal running
  # the tests does not kill the engine under a build that is still cleaning up.
  $SUDO setsid dockerd --pidfile "$pid_file" "$@" >>"$log_file" 2>&1 </dev/null &
  local launcher=$!
  local waited=0
  until answers; do
    kill -0 "$launcher" 2>/dev/null || return 1
    if [ "$waited" -ge "$((timeout * 2))" ]; then
      say "dockerd did not answer within ${timeout}s; last lines of $log_file:"
      tail -n 20 "$log_file" >&2 || true
      stop
      return 2
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

start() {
  if answers; then
    echo running
    return 0
  fi
  install_engine
  if answers; then
    # Installing the package may have started the distribution's own service.
    echo running
    return 0
  fi
  local opts=()
  [ -z "${KILN_DOCKER_STORAGE_DRIVER:-}" ] || opts+=("--storage-driver=$KILN_DOCKER_STORAGE_DRIVER")
  local status=0
  launch "${opts[@]}" || status=$?
  if [ "$status" -eq 0 ]; then
    echo started
    return 0
  fi
  if [ "$status" -eq 1 ] && [ -z "${KILN_DOCKER_STORAGE_DRIVER:-}" ]; then
    say "dockerd exited while starting; last lines of $log_file:"
    tail -n 5 "$log_file" >&2 || true
    say "trying again with --storage-driver=vfs"
    if launch --storage-driver=vfs; then
      echo started
      return 0
    fi
  fi
  say "no Docker engine: dockerd did not start (see $log_file)"
  tail -n 20 "$log_file" >&2 || true
  exit 1
}

stop() {
  local pid
  if ! pid="$(our_pid)"; then
    say "no dockerd started by this script is running"
    return 0
  fi
  say "stopping dockerd (pid $pid)"
  $SUDO kill -TERM "$pid"
  local waited=0
  while [ -d "/proc/$pid" ]; do
    if [ "$waited" -ge 300 ]; then
      say "dockerd did not stop within 30s; killing it"
      $SUDO kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  $SUDO rm -f "$pid_file"
}

status() {
  if answers; then
    if pid="$(our_pid)"; then echo "running (dockerd pid $pid, started by docker-env.sh)"
    else echo "running (not started by docker-env.sh)"; fi
  else
    echo "not running"
    return 1
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 [start|stop|status]" >&2
    exit 2
    ;;
esac
