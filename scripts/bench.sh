#!/usr/bin/env bash
# Benchmarks (not tests): each prints one JSON object; all are collected into bench/results/<date>.json
# and bench/latest.json. Speed is measured here, never asserted in the test suite.
#   scripts/bench.sh                 # every benchmark
#   scripts/bench.sh winrm preflight # some of them (names of scripts/bench/*.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npm run --silent build
export CORTEX_LAB_PASSWORD="${CORTEX_LAB_PASSWORD:-CortexLab!2026}"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=()
  for f in scripts/bench/*.mjs; do names+=("$(basename "$f" .mjs)"); done
fi
mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/$stamp.json
{
  printf '{"when":"%s","host":{"cores":%s,"node":"%s","loadAverage":"%s"},"results":{' \
    "$stamp" "$(nproc)" "$(node --version)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  first=1
  for n in "${names[@]}"; do
    echo "bench: $n" >&2
    json=$(node "scripts/bench/$n.mjs")
    [ $first -eq 1 ] || printf ','
    first=0
    printf '"%s":%s' "$n" "$json"
  done
  printf '}}\n'
} > "$out"
cp "$out" bench/latest.json
echo "bench: results in $out" >&2
cat "$out"
