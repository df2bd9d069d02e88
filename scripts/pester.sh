#!/usr/bin/env bash
# The Pester suite: every *.Tests.ps1 under test/ps1/, under the pinned pwsh and Pester that
# scripts/setup.sh installs. Prints Pester's summary (`Tests Passed: N, Failed: 0, ...`); non-zero on
# any failure. Without pwsh it fails under CI=true (the PowerShell tests are never silently skipped) and
# says so loudly elsewhere. Extra arguments are paths or names to run: scripts/pester.sh test/ps1/probes
set -euo pipefail
cd "$(dirname "$0")/.."

pwsh_bin="${CORTEX_PWSH:-.tools/bin/pwsh}"
pester=.tools/nuget/pester/5.9.1/tools/Pester.psd1
if [ ! -x "$pwsh_bin" ] || [ ! -f "$pester" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "pester: pwsh or Pester missing ($pwsh_bin, $pester): scripts/setup.sh installs them with the .NET SDK" >&2
    exit 1
  fi
  echo "pester: SKIPPED: no pwsh at $pwsh_bin (install the .NET SDK and run scripts/setup.sh)" >&2
  exit 0
fi

paths=("$@")
# The JSON every script printed in the tests, for test/ps1/samples-schema.test.ts: a full run starts afresh.
[ ${#paths[@]} -eq 0 ] && { paths=(test/ps1); rm -rf test-results/ps1-samples; }
export CORTEX_PESTER_PATHS
CORTEX_PESTER_PATHS="$(printf '%s\n' "${paths[@]}")"
export CORTEX_PESTER_RENDER=Plaintext
[ -t 1 ] && [ -z "${NO_COLOR:-}" ] && CORTEX_PESTER_RENDER=Auto
mkdir -p test-results
exec "$pwsh_bin" -NoProfile -NonInteractive -Command '
  $ErrorActionPreference = "Stop"
  Import-Module ./.tools/nuget/pester/5.9.1/tools/Pester.psd1 -MinimumVersion 5.9.1
  $config = New-PesterConfiguration
  $config.Run.Path = @($env:CORTEX_PESTER_PATHS -split "`n" | Where-Object { $_ })
  $config.Run.PassThru = $true
  $config.Output.Verbosity = "Normal"
  $config.Output.RenderMode = $env:CORTEX_PESTER_RENDER
  $config.TestResult.Enabled = $true
  $config.TestResult.OutputFormat = "JUnitXml"
  $config.TestResult.OutputPath = "test-results/pester.xml"
  $result = Invoke-Pester -Configuration $config
  if ($result.TotalCount -eq 0) { Write-Host "pester: no tests found"; exit 1 }
  if ($result.FailedCount -gt 0 -or $result.Result -ne "Passed") { exit 1 }
  exit 0
'
