#!/usr/bin/env bash
# Regenerates src/gen from proto/ with buf + protoc-gen-es (both from node_modules; no network).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf src/gen
npx buf generate
