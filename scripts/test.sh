#!/usr/bin/env bash
# Every test: installs what is missing, builds, type-checks, lints (TypeScript and PowerShell),
# then runs the Pester suite (the scripts under ps1/, under pwsh) and the vitest suite. Non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
echo "== build";      npm run --silent build
echo "== typecheck";  npx tsc -p tsconfig.test.json
echo "== lint";       npx eslint --max-warnings=0 .
echo "== lint:ps1";   npm run --silent lint:ps1
echo "== pester";    scripts/pester.sh
echo "== vitest";     npx vitest run "$@"
