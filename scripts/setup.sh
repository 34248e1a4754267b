#!/usr/bin/env bash
# Setup shared by the two README commands: system binaries (scripts/infra.sh) and npm packages.
# `npm ci` is broken against this registry (STACK.md §2), so we install from the committed lock.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/infra.sh "$@"
# docker-compose.yml is validated by the test command; Debian's docker-compose works without an engine.
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: apt-get install docker-compose (to validate docker-compose.yml)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1; } ||
      echo "setup: could not install docker-compose; install it (or the docker compose plugin) to validate docker-compose.yml"
  else
    echo "setup: install the docker compose plugin or docker-compose to validate docker-compose.yml"
  fi
fi
stamp=node_modules/.lpts-install-stamp
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "setup: npm install (from package-lock.json)"
  ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
