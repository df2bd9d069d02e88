#!/usr/bin/env bash
# The main job end to end against the built-in lab (simulated Windows Server hosts on loopback):
#   1. inventory check of the recommended 7-server topology;
#   2. lab up; preflight (every check passes); plan; apply: a fresh install with playbooks/cortex.yaml
#      (the lab's synthetic artifacts in a store, nothing downloaded); apply again: 0 changed, no Set
#      on any host (the lab's own counters); an ad-hoc command; lab down;
#   3. a rehearsal with one deliberate problem (app2 has .NET 4.7): preflight fails on exactly that
#      check, exits 1, and writes an HTML report for the infrastructure team;
#   4. the recap: each step, its outcome and how long it took.
# Each lab is stopped when its part ends, also when a step fails: nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npm run --silent build

# The documented lab password (docs/lab.md), when the user has not chosen one.
export CORTEX_LAB_PASSWORD="${CORTEX_LAB_PASSWORD:-CortexLab!2026}"
# The install's secrets (playbooks/cortex.yaml reads them from the environment), the lab's documented
# defaults when unset (docs/lab.md): the cluster cookie, the broker's users, the Service Fabric install
# account, and the password of the lab's synthetic Gateway PFX.
export CORTEX_ERLANG_COOKIE="${CORTEX_ERLANG_COOKIE:-CORTEXLABCLUSTERCOOKIE2026}"
export CORTEX_RABBITMQ_OPS_PASSWORD="${CORTEX_RABBITMQ_OPS_PASSWORD:-CortexLabOps!2026}"
export CORTEX_RABBITMQ_APP_PASSWORD="${CORTEX_RABBITMQ_APP_PASSWORD:-CortexLabApp!2026}"
export CORTEX_SF_INSTALL_PASSWORD="${CORTEX_SF_INSTALL_PASSWORD:-CortexLab!2026}"
export CORTEX_GATEWAY_PFX_PASSWORD="${CORTEX_GATEWAY_PFX_PASSWORD:-Lab-Pfx!2026}"
cli() { node dist/cli/main.js "$@"; }
OUT=.cortex/demo
mkdir -p "$OUT"
STATE="$(mktemp -d "${TMPDIR:-/tmp}/cortex-demo-lab.XXXXXX")"
cleanup() { cli lab down --state "$STATE/healthy" >/dev/null 2>&1 || true; cli lab down --state "$STATE/problem" >/dev/null 2>&1 || true; rm -rf "$STATE"; }
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; STEP_T0=$(date +%s%N); }
RECAP=()
# recap "<what>" "<outcome>": one line of the recap, with the time since the last step() began.
recap() { RECAP+=("$(printf '%-44s %-52s %6.1f s' "$1" "$2" "$(( ($(date +%s%N) - STEP_T0) / 1000000 ))e-3")"); }
json() { node -e "const d=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8'));console.log($2)" "$1"; }

INV=examples/lab/inventory.yaml
step "inventory check -i $INV"
cli inventory check -i "$INV"
recap "inventory check (7 servers, Bronze)" "valid"

step "lab up (7 simulated Windows Server 2019 hosts on 127.0.1.1-7)"
cli lab up -i "$INV" --detach --state "$STATE/healthy"
recap "lab up" "7 hosts up"

# The lab's synthetic artifacts, for the versions the inventory pins, into a store: nothing is downloaded.
step "artifacts: the lab's synthetic installers into a store"
STORE="$STATE/store"
node --input-type=module -e "
import { writeFileSync, mkdirSync } from 'node:fs';
import { labCatalog, artifactFile } from './dist/lab/artifacts/catalog.js';
mkdirSync(process.argv[1], { recursive: true });
for (const [id, a] of labCatalog().byId) if (a.artifact) { writeFileSync(process.argv[1] + '/' + a.fileName, artifactFile(id).bytes); console.log([a.fileName, a.artifact.name, a.artifact.version].join(' ')); }
" "$STATE/files" | while read -r file name version; do
  cli artifacts add "$STATE/files/$file" --store "$STORE" --name "$name" --version "$version"
done
cli artifacts verify --store "$STORE"
recap "artifacts add + verify" "$(grep -c '^  - name:' "$STORE/manifest.yaml") artifacts in the store, every hash ok"

step "preflight: read-only probes of every host"
cli preflight -i "$INV" --report-html "$OUT/preflight-healthy.html"
recap "preflight" "every check passes on 7 hosts"

PB=playbooks/cortex.yaml
step "plan: what a fresh install of $PB would change"
set +e
cli plan -i "$INV" -p "$PB" --store "$STORE" --detailed-exitcode --report-json "$OUT/plan.json" | tail -n 12
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 2 ] || { echo "demo: expected plan to report changes (exit 2), got $rc" >&2; exit 1; }
recap "plan" "$(json "$OUT/plan.json" 'd.changes.filter(c=>c.action!=="none").length+" changes on "+d.summary.hosts+" hosts"')"

step "apply: the fresh install (preflight gate, then $PB)"
cli apply -i "$INV" -p "$PB" --store "$STORE" --report-json "$OUT/apply-1.json" | tail -n 12
recap "apply (fresh install)" "$(json "$OUT/apply-1.json" 'd.summary.changed+" changed, "+d.summary.ok+" ok, "+d.summary.failed+" failed"')"

step "apply again: nothing left to change"
cli lab reset-counters --state "$STATE/healthy" >/dev/null
cli apply -i "$INV" -p "$PB" --store "$STORE" --skip-preflight --report-json "$OUT/apply-2.json" | tail -n 4
changed=$(json "$OUT/apply-2.json" 'd.summary.changed')
sets=$(cli lab status --state "$STATE/healthy" --json | node -e "let t='';process.stdin.on('data',c=>t+=c).on('end',()=>console.log(JSON.parse(t).hosts.reduce((n,h)=>n+h.counters.setCalls,0)))")
if [ "$changed" -ne 0 ] || [ "$sets" -ne 0 ]; then echo "demo: the second apply changed $changed steps ($sets Set calls); expected none" >&2; exit 1; fi
recap "apply again" "0 changed, 0 Set calls on any host (lab counters)"

step "exec: ad-hoc PowerShell on app1"
cli exec -i "$INV" --limit app1 -- 'hostname; Get-Service WinRM'
recap "exec on app1" "ok"
step "lab status"
cli lab status --state "$STATE/healthy"
step "lab down"
cli lab down --state "$STATE/healthy"
recap "lab down" "stopped"

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
recap "rehearsal with a problem (app2: .NET 4.7)" "preflight exit 1: app2 fails dotnet.version"
step "recap"
printf '%s\n' "${RECAP[@]}"
echo
echo "preflight exited 1 as expected: app2 fails dotnet.version, every other check passes."
echo "HTML report: $(pwd)/$OUT/preflight.html   (JUnit: $(pwd)/$OUT/preflight.xml)"
echo "Apply reports: $(pwd)/$OUT/apply-1.json (fresh install), $(pwd)/$OUT/apply-2.json (again: 0 changed)"
