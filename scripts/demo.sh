#!/usr/bin/env bash
# The main job end to end against the built-in lab: start the example lab in the background, check
# the inventory, run the preflight probes and an ad-hoc command on the simulated hosts, show the lab's
# counters, and stop the lab (also when a step fails), leaving nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npm run --silent build

INV=examples/lab/inventory.yaml
# The documented lab password, when the user has not chosen one (docs/lab.md).
export CORTEX_LAB_PASSWORD="${CORTEX_LAB_PASSWORD:-CortexLab!2026}"
STATE="$(mktemp -d "${TMPDIR:-/tmp}/cortex-demo-lab.XXXXXX")"
cli() { node dist/cli/main.js "$@"; }
cleanup() { cli lab down --state "$STATE" >/dev/null || true; rm -rf "$STATE"; }
trap cleanup EXIT

echo "== inventory check"
cli inventory check -i "$INV"
echo "== lab up"
cli lab up -i "$INV" --detach --state "$STATE"
echo "== preflight"
cli preflight -i "$INV"
echo "== exec"
cli exec -i "$INV" --limit app1 -- 'hostname; Get-Service WinRM'
echo "== lab status"
cli lab status --state "$STATE"
echo "== lab down"
cli lab down --state "$STATE"
