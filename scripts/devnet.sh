#!/usr/bin/env bash
# The README's main command (`npm run devnet`): setup, build, then `lpts devnet up`:
# anvil with our contracts, NATS, Redis, two orchestrators and a gateway, a test video pushed
# through the gateway and a summary of renditions, tickets, redemptions and fees on chain.
#   npm run devnet                  keep running until Ctrl-C, then stop everything cleanly
#   npm run devnet -- --once        print the summary and exit
#   npm run devnet -- --seconds 20  length of the test video
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_TUI=false
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
echo "devnet: building the services and the CLI"
nx run-many -t build -p cli settlement ticket-broker worker orchestrator gateway --output-style=static >.lpts-devnet-build.log 2>&1 ||
  { tail -40 .lpts-devnet-build.log; exit 1; }
rm -f .lpts-devnet-build.log
exec node apps/cli/dist/main.js devnet up "$@"
