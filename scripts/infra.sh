#!/usr/bin/env bash
# Local infrastructure for lpts: nats-server (JetStream), redis-server, PostgreSQL and ffmpeg.
#
#   bash scripts/infra.sh              check, install what is missing (apt, when root), start what is down
#   bash scripts/infra.sh --no-start   check and install only
#
# Idempotent and quick when everything is up. Prints one line per service and exits non-zero,
# naming them, when something is missing or could not be started.
# Tests never use these default-port services: libs/testing starts its own on random ports.
set -uo pipefail

START=1
for arg in "$@"; do
  case "$arg" in
    --no-start) START=0 ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "infra: unknown argument: $arg (use --no-start or --help)" >&2; exit 2 ;;
  esac
done

PATH="$PATH:/usr/sbin:/usr/local/sbin:/sbin"
IS_ROOT=0; [ "$(id -u)" = 0 ] && IS_ROOT=1
IS_DEBIAN=0; command -v apt-get >/dev/null 2>&1 && [ -r /etc/debian_version ] && IS_DEBIAN=1
FAILED=()

line() { printf '%-13s %-8s %s\n' "$1" "$2" "$3"; }

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$d" ] && [ -x "$d/postgres" ]; then echo "$d"; return 0; fi
  d=$(command -v postgres 2>/dev/null) && { dirname "$d"; return 0; }
  return 1
}

have() {
  case "$1" in
    postgresql) pg_bindir >/dev/null ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

# ---- 1. check and install --------------------------------------------------------------------
MISSING=()
for tool in nats-server redis-server ffmpeg postgresql; do have "$tool" || MISSING+=("$tool"); done

if [ ${#MISSING[@]} -gt 0 ]; then
  if [ $IS_ROOT = 1 ] && [ $IS_DEBIAN = 1 ]; then
    echo "infra: installing ${MISSING[*]} with apt-get"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${MISSING[@]}" >/dev/null; }; then
      echo "infra: apt-get install failed for: ${MISSING[*]}" >&2
    fi
  elif [ $IS_DEBIAN = 1 ]; then
    echo "infra: missing ${MISSING[*]}; install them with:"
    echo "  sudo apt-get update && sudo apt-get install -y ${MISSING[*]}"
  else
    echo "infra: missing ${MISSING[*]}; install them with your package manager, e.g."
    echo "  Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y nats-server redis-server ffmpeg postgresql"
    echo "  macOS:         brew install nats-server redis ffmpeg postgresql"
  fi
fi

# ---- 2. probes --------------------------------------------------------------------------------
# NATS greets with an INFO line; Redis answers PING with +PONG; PostgreSQL via pg_isready.
nats_up() {
  timeout 1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/4222 && head -c 4 <&3 | grep -q INFO' 2>/dev/null
}
redis_up() {
  timeout 1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379 && printf "PING\r\n" >&3 && head -c 5 <&3 | grep -q PONG' 2>/dev/null
}
pg_up() {
  local bin
  if bin=$(pg_bindir) && [ -x "$bin/pg_isready" ]; then
    timeout 2 "$bin/pg_isready" -q -h 127.0.0.1 -p 5432
  elif command -v pg_isready >/dev/null 2>&1; then
    timeout 2 pg_isready -q -h 127.0.0.1 -p 5432
  else
    timeout 1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432' 2>/dev/null
  fi
}
wait_up() { # probe, tries of 0.1 s
  local i
  for ((i = 0; i < $2; i++)); do "$1" && return 0; sleep 0.1; done
  return 1
}

# ---- 3. start what is down, exactly as Debian's packages do --------------------------------------
start_nats() {
  mkdir -p /var/lib/nats-server 2>/dev/null
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server
}
start_redis() {
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
}
start_pg() {
  [ -d /etc/postgresql ] || return 1
  # Exactly Debian's line when one version is installed (the usual case); the newest one otherwise.
  local ver
  ver=$(ls /etc/postgresql | sort -V | tail -n 1)
  [ -n "$ver" ] || return 1
  pg_ctlcluster --skip-systemctl-redirect $ver main start
}

service() { # name, tool, probe, starter, address
  local name=$1 tool=$2 probe=$3 starter=$4 addr=$5
  if ! have "$tool"; then
    line "$name" missing "not installed"; FAILED+=("$name"); return
  fi
  if "$probe"; then line "$name" ok "$addr (running)"; return; fi
  if [ $START = 0 ]; then line "$name" down "$addr (installed, not running; --no-start)"; return; fi
  local out
  out=$("$starter" 2>&1)
  if wait_up "$probe" 50; then
    line "$name" started "$addr"
  else
    line "$name" FAILED "$addr did not answer after starting${out:+: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')}"
    FAILED+=("$name")
  fi
}

service nats-server nats-server nats_up start_nats 127.0.0.1:4222
service redis-server redis-server redis_up start_redis 127.0.0.1:6379
service postgresql postgresql pg_up start_pg 127.0.0.1:5432
if have ffmpeg; then
  line ffmpeg ok "$(command -v ffmpeg)"
else
  line ffmpeg missing "not installed"; FAILED+=(ffmpeg)
fi

if [ ${#FAILED[@]} -gt 0 ]; then
  echo "infra: not available: ${FAILED[*]}" >&2
  exit 1
fi
