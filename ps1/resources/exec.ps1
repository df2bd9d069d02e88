# cortex-script: resources.exec
# Set of the exec resource (src/resources/exec.ts): runs the step's PowerShell (`run`) in a runspace of
# its own in this process (Invoke-CortexIsolatedPowerShell, ps1/lib/resource.ps1), as the resident
# bootstrap runs a script, so its variables stay its own and an `exit N` in it ends it alone with code N.
# The exit code: `exit N` if it ran one; otherwise the last native program's $LASTEXITCODE; otherwise 0,
# or 1 after an error that stopped it. The step fails when
# the code is not in successExitCodes, naming the last error or output line. The guard (`unless`,
# `creates`) is the Test's business (resources.test-batch).
#   params: {run, successExitCodes: [0]}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $run = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'exec' -Name 'run' -Required)
    $successCodes = Get-CortexResourceParam -Params $CortexParams -Resource 'exec' -Name 'successExitCodes' -Default @(0)
    $successCodes = [int[]]@($successCodes | ForEach-Object { [int]$_ })
    $pendingBefore = Test-CortexRebootPending
    $ran = Invoke-CortexIsolatedPowerShell -Text $run -Resource 'exec'
    $exit = $ran.exitCode
    if ($successCodes -notcontains $exit) {
        $why = ''
        if ($null -ne $ran.failure) { $why = Get-CortexExceptionMessage $ran.failure }
        elseif ($ran.errors.Count -gt 0) { $why = $ran.errors[-1] }
        elseif ($ran.output.Count -gt 0) { $why = [string]$ran.output[-1] }
        throw ('exec: exit code {0}{1}' -f $exit, $(if ($why) { ': ' + $why } else { '' }))
    }
    $reboot = (@(3010, 1641) -contains $exit) -or ((Test-CortexRebootPending) -and -not $pendingBefore)
    $message = 'exit code {0}' -f $exit
    if ($reboot) { $message += ', reboot required' }
    New-CortexSetResult -RebootRequired $reboot -ExitCode $exit -Message $message
}
