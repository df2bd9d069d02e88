# cortex-script: resources.exec
# Set of the exec resource (src/resources/exec.ts): runs the step's PowerShell (`run`) in a runspace of
# its own in this process, as the resident bootstrap runs a script, so its variables stay its own and an
# `exit N` in it ends it alone with code N. The exit code: `exit N` if it ran one; otherwise the last
# native program's $LASTEXITCODE; otherwise 0, or 1 after an error that stopped it. The step fails when
# the code is not in successExitCodes, naming the last error or output line. The guard (`unless`,
# `creates`) is the Test's business (resources.test-batch).
#   params: {run, successExitCodes: [0]}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Edit-CortexExecExit([string]$Text) {
    # Each `exit N` first stores N in $global:CortexExitCode (the runspace's own), so the code survives the
    # pipeline's end; the same rewrite as the bootstrap's (ps1/bootstrap/resident.ps1), on the same line.
    $tokens = $null
    $parseErrors = $null
    $ast = [Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$parseErrors)
    if (@($parseErrors).Count -gt 0) { throw ('exec: run does not parse: {0}' -f @($parseErrors)[0].Message) }
    $exits = @($ast.FindAll({ param($a) $a -is [Management.Automation.Language.ExitStatementAst] }, $true)) | Sort-Object -Property { $_.Extent.StartOffset } -Descending
    foreach ($x in $exits) {
        $value = '0'
        if ($x.Pipeline) { $value = $x.Pipeline.Extent.Text }
        $Text = $Text.Substring(0, $x.Extent.StartOffset) + '$global:CortexExitCode = [int](' + $value + '); exit $global:CortexExitCode' + $Text.Substring($x.Extent.EndOffset)
    }
    $Text
}

Invoke-CortexScript {
    $run = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'exec' -Name 'run' -Required)
    $successCodes = Get-CortexResourceParam -Params $CortexParams -Resource 'exec' -Name 'successExitCodes' -Default @(0)
    $successCodes = [int[]]@($successCodes | ForEach-Object { [int]$_ })
    $text = Edit-CortexExecExit $run
    $pendingBefore = Test-CortexRebootPending
    $runspace = [runspacefactory]::CreateRunspace()
    $runspace.Open()
    $ps = [powershell]::Create()
    try {
        $ps.Runspace = $runspace
        $null = $ps.AddScript('$ErrorActionPreference = ''Stop''').AddStatement().AddScript($text)
        $failure = $null
        try {
            $output = @($ps.Invoke())
        } catch {
            $output = @()
            $failure = $_.Exception
            while ($null -ne $failure.InnerException -and $failure -is [Management.Automation.MethodInvocationException]) { $failure = $failure.InnerException }
        }
        $reason = $ps.InvocationStateInfo.Reason
        if ($null -ne $reason -and $reason.GetType().Name -ne 'ExitException' -and $null -eq $failure) { $failure = $reason }
        if ($null -ne $failure -and $failure.GetType().Name -eq 'ExitException') { $failure = $null }
        # "The running command stopped because the preference variable ... is set to Stop: X": X is the news.
        if ($failure -is [Management.Automation.ActionPreferenceStopException] -and $null -ne $failure.ErrorRecord) { $failure = $failure.ErrorRecord.Exception }
        $exitVar = $runspace.SessionStateProxy.GetVariable('CortexExitCode')
        $nativeVar = $runspace.SessionStateProxy.GetVariable('LASTEXITCODE')
        $errors = @($ps.Streams.Error | ForEach-Object { $_.Exception.Message })
    } finally {
        $ps.Dispose()
        $runspace.Dispose()
    }
    if ($null -ne $exitVar) { $exit = [int]$exitVar }
    elseif ($null -ne $failure) { $exit = 1 }
    elseif ($null -ne $nativeVar) { $exit = [int]$nativeVar }
    else { $exit = 0 }
    if ($successCodes -notcontains $exit) {
        $why = ''
        if ($null -ne $failure) { $why = Get-CortexExceptionMessage $failure }
        elseif ($errors.Count -gt 0) { $why = $errors[-1] }
        elseif ($output.Count -gt 0) { $why = [string]$output[-1] }
        throw ('exec: exit code {0}{1}' -f $exit, $(if ($why) { ': ' + $why } else { '' }))
    }
    $reboot = (@(3010, 1641) -contains $exit) -or ((Test-CortexRebootPending) -and -not $pendingBefore)
    $message = 'exit code {0}' -f $exit
    if ($reboot) { $message += ', reboot required' }
    New-CortexSetResult -RebootRequired $reboot -ExitCode $exit -Message $message
}
