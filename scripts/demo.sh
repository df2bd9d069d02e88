#!/usr/bin/env bash
# The main job end to end against the built-in lab (simulated Windows Server hosts on loopback):
#   1. inventory check of the recommended 7-server topology;
#   2. lab up, preflight (every check passes), an ad-hoc command, the lab's counters, lab down;
#   3. a rehearsal with one deliberate problem (app2 has .NET 4.7): preflight fails on exactly that
#      check, exits 1, and writes an HTML report for the infrastructure team.
# Each lab is stopped when its part ends, also when a step fails: nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npm run --silent build

# The documented lab password (docs/lab.md), when the user has not chosen one.
export CORTEX_LAB_PASSWORD="${CORTEX_LAB_PASSWORD:-CortexLab!2026}"
cli() { node dist/cli/main.js "$@"; }
OUT=.cortex/demo
mkdir -p "$OUT"
STATE="$(mktemp -d "${TMPDIR:-/tmp}/cortex-demo-lab.XXXXXX")"
cleanup() { cli lab down --state "$STATE/healthy" >/dev/null 2>&1 || true; cli lab down --state "$STATE/problem" >/dev/null 2>&1 || true; rm -rf "$STATE"; }
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

INV=examples/lab/inventory.yaml
step "inventory check -i $INV"
cli inventory check -i "$INV"

step "lab up (7 simulated Windows Server 2019 hosts on 127.0.1.1-7)"
cli lab up -i "$INV" --detach --state "$STATE/healthy"
step "preflight: read-only probes of every host"
cli preflight -i "$INV" --report-html "$OUT/preflight-healthy.html"
step "exec: ad-hoc PowerShell on app1"
cli exec -i "$INV" --limit app1 -- 'hostname; Get-Service WinRM'
step "lab status"
cli lab status --state "$STATE/healthy"
step "lab down"
cli lab down --state "$STATE/healthy"

PROBLEM=examples/lab/inventory-with-a-problem.yaml
step "rehearsal with a problem: $PROBLEM (app2 runs .NET Framework 4.7)"
cli lab up -i "$PROBLEM" --detach --state "$STATE/problem"
set +e
cli preflight -i "$PROBLEM" --report-html "$OUT/preflight.html" --report-junit "$OUT/preflight.xml"
rc=$?
set -e
cli lab down --state "$STATE/problem"
if [ "$rc" -ne 1 ]; then
  echo "demo: expected preflight to exit 1 (app2 fails dotnet.version), got $rc" >&2
  exit 1
fi
step "done"
echo "preflight exited 1 as expected: app2 fails dotnet.version, every other check passes."
echo "HTML report: $(pwd)/$OUT/preflight.html   (JUnit: $(pwd)/$OUT/preflight.xml)"
