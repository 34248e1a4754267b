#!/usr/bin/env bash
# The README's main command (`npm run devnet`): sets up what is missing, starts the local
# infrastructure and every service that exists, and prints where each answers.
#   npm run devnet            keep running until Ctrl-C, then stop everything cleanly
#   npm run devnet -- --once  print the summary and exit
set -euo pipefail
cd "$(dirname "$0")/.."
once=false
for a in "$@"; do case "$a" in --once) once=true ;; *) echo "unknown option $a (known: --once)" >&2; exit 2 ;; esac; done
export NX_DAEMON=false NX_TUI=false
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"

echo "devnet: building services"
nx run-many -t build -p ticket-broker --output-style=static >/tmp/lpts-devnet-build.log 2>&1 || { tail -30 /tmp/lpts-devnet-build.log; exit 1; }
exec node scripts/devnet.mjs "$@"
