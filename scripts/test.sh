#!/usr/bin/env bash
# The README's test command (`npm test`): setup, then sync/cycle/compose checks, lint, typecheck
# and every Jest project; ends with one line "N passed, N failed" from Jest's JSON results.
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_TUI=false NX_SKIP_NX_CACHE=${NX_SKIP_NX_CACHE:-true}
bash scripts/setup.sh || { echo "0 passed, 1 failed"; echo "setup failed" >&2; exit 1; }
# Node 24 from the node@24 devDependency, before the machine's own node (STACK.md §2).
export PATH="$PWD/node_modules/.bin:$PATH"
node -e 'if (+process.versions.node.split(".")[0] < 24) { console.error("need Node >= 24, got " + process.version); process.exit(1) }'

checks_failed=0
step() { echo "::: $*"; "$@" || { echo "!!! failed: $*"; checks_failed=$((checks_failed + 1)); }; }

step nx sync:check
step node scripts/check-cycles.mjs
if docker compose version >/dev/null 2>&1; then
  step docker compose -f docker-compose.yml config -q
elif command -v docker-compose >/dev/null 2>&1; then
  step docker-compose -f docker-compose.yml config -q
else
  echo "!!! neither 'docker compose' nor 'docker-compose' is installed: cannot validate docker-compose.yml"
  checks_failed=$((checks_failed + 1))
fi
step nx run-many -t lint typecheck --parallel=2 --output-style=static

find apps libs -maxdepth 2 -name jest-results.json -delete
nx run-many -t test --parallel="${LPTS_TEST_PARALLEL:-2}" --output-style=static -- --json --outputFile=jest-results.json
LPTS_EXTRA_FAILURES=$checks_failed node scripts/jest-summary.mjs .
