#!/usr/bin/env bash
# The main job end to end against the built-in lab. (Extended as the lab and preflight land.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npm run --silent build
echo "The lab is not built yet: running 'inventory check' on the examples."
node dist/cli/main.js inventory check -i examples/lab/inventory.yaml
