# The lab's shim host: a long-lived pwsh 7 that runs PowerShell text against the Windows shim
# (windows-shim.psm1), one request at a time, each in a fresh runspace (src/lab/shim/shim-runner.ts drives it).
#
# Request (one line on stdin, JSON): {id, script, lib?, params?, view, exportView?, timeoutMs, outputFormat?, maxOutputChars?}
# Result (one line on stdout): CORTEXSHIM1 + base64 of UTF-8 JSON {id, exitCode, output, errors, warnings, timedOut, view?}.
# Anything else a script writes straight to the console is not a result line; the runner keeps it as output.
#
# Per request: the process environment is reset to what it was at start, then the runspace runs the lib
# text (ps1/lib/*.ps1, at global scope, as the resident bootstrap does), imports the shim (replacing the
# lib's Windows seams and the cmdlets it models) with the request's view, and runs the script as a script
# file, so `exit N` ends that script only and sets $LASTEXITCODE. Native programs are not found: PATH is
# empty, because a Linux program answering for a Windows one would be a made-up answer.
param([Parameter(Mandatory = $true)][string]$ShimModule)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::InputEncoding = New-Object System.Text.UTF8Encoding $false
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false

$work = Join-Path ([IO.Path]::GetTempPath()) ('cortex-shim-' + $PID)
$null = New-Item -ItemType Directory -Path $work -Force
$scriptFile = Join-Path $work 'script.ps1'
[Environment]::SetEnvironmentVariable('PATH', '')
$baseline = @{}
foreach ($e in [Environment]::GetEnvironmentVariables().GetEnumerator()) { $baseline[[string]$e.Key] = [string]$e.Value }

function Reset-ShimEnvironment {
    foreach ($e in @([Environment]::GetEnvironmentVariables().Keys)) {
        if (-not $baseline.ContainsKey([string]$e)) { [Environment]::SetEnvironmentVariable([string]$e, $null) }
    }
    foreach ($k in $baseline.Keys) { [Environment]::SetEnvironmentVariable($k, $baseline[$k]) }
}

function Write-ShimResult($Object) {
    $json = ConvertTo-Json -InputObject $Object -Depth 30 -Compress
    [Console]::Out.Write('CORTEXSHIM1 ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json)) + "`n")
    [Console]::Out.Flush()
}

function ConvertTo-ShimError($Record) {
    $message = $Record.Exception.Message
    $id = [string]$Record.FullyQualifiedErrorId
    if ($id -eq 'CommandNotFoundException') {
        # Windows PowerShell 5.1's wording (pwsh 7 says "a name of a cmdlet ... executable program").
        $message = "The term '{0}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again." -f $Record.TargetObject
    }
    [ordered]@{ message = $message; category = $Record.CategoryInfo.Category.ToString(); fullyQualifiedErrorId = $id }
}

function Get-ShimItems($Collection) {
    # The items a PSDataCollection holds now, without waiting for more.
    $items = New-Object System.Collections.Generic.List[object]
    $n = $Collection.Count
    for ($i = 0; $i -lt $n; $i++) { $items.Add($Collection[$i]) }
    , $items.ToArray()
}

function Invoke-ShimRequest($Request) {
    Reset-ShimEnvironment
    $prop = { param($name, $default) $p = $Request.PSObject.Properties[$name]; if ($null -eq $p -or $null -eq $p.Value) { $default } else { $p.Value } }
    $timeoutMs = [int](& $prop 'timeoutMs' 60000)
    $maxChars = [int](& $prop 'maxOutputChars' 1048576)
    $format = [string](& $prop 'outputFormat' 'strings')
    $params = & $prop 'params' ([pscustomobject]@{})
    [IO.File]::WriteAllText($scriptFile, [string]$Request.script, (New-Object System.Text.UTF8Encoding $true))

    $runspace = [runspacefactory]::CreateRunspace()
    $runspace.Open()
    $runspace.SessionStateProxy.SetVariable('CortexParams', $params)
    $runspace.SessionStateProxy.SetVariable('CortexShimViewJson', (ConvertTo-Json -InputObject $Request.view -Depth 30 -Compress))
    $runspace.SessionStateProxy.SetVariable('CortexShimModule', $ShimModule)
    $runspace.SessionStateProxy.SetVariable('CortexShimScript', $scriptFile)
    $ps = [powershell]::Create()
    $ps.Runspace = $runspace
    $lib = [string](& $prop 'lib' '')
    if ($lib) { $null = $ps.AddScript($lib).AddStatement() }
    $null = $ps.AddScript('Import-Module -Name $CortexShimModule -Force -DisableNameChecking; Set-CortexShimView -Json $CortexShimViewJson; Remove-Variable -Name CortexShimViewJson, CortexShimModule -Scope Global').AddStatement()
    if ($format -eq 'text') {
        $null = $ps.AddScript('& $CortexShimScript | Out-String -Stream -Width 160; $global:CortexShimExit = Get-Variable -Name LASTEXITCODE -Scope Global -ValueOnly -ErrorAction Ignore')
    } else {
        $null = $ps.AddScript('& $CortexShimScript; $global:CortexShimExit = Get-Variable -Name LASTEXITCODE -Scope Global -ValueOnly -ErrorAction Ignore')
    }
    $inputData = New-Object 'System.Management.Automation.PSDataCollection[psobject]'
    $inputData.Complete()
    $outputData = New-Object 'System.Management.Automation.PSDataCollection[psobject]'
    $timedOut = $false
    $failure = $null
    try {
        $async = $ps.BeginInvoke($inputData, $outputData)
        if (-not $async.AsyncWaitHandle.WaitOne($timeoutMs)) {
            $timedOut = $true
            $stopping = $ps.BeginStop($null, $null)
            $null = $stopping.AsyncWaitHandle.WaitOne(5000)
        }
        if ($async.IsCompleted) { $null = $ps.EndInvoke($async) }
    } catch {
        $failure = $_
    }
    # Read the streams by index: enumerating a PSDataCollection waits until it is complete, which a
    # pipeline stuck in a .NET call (not stopped at its timeout) never is.
    $errors = New-Object System.Collections.Generic.List[object]
    foreach ($e in (Get-ShimItems $ps.Streams.Error)) { $errors.Add((ConvertTo-ShimError $e)) }
    $reason = $ps.InvocationStateInfo.Reason
    if ($reason -and -not $timedOut) {
        $record = $null
        if ($reason.PSObject.Properties['ErrorRecord']) { $record = $reason.ErrorRecord }
        if (-not $record -and $failure) { $record = $failure }
        if ($record) { $errors.Add((ConvertTo-ShimError $record)) }
    }
    $exitCode = 0
    $exitVar = $null
    $viewOut = $null
    if (-not $timedOut) {
        $exitVar = $runspace.SessionStateProxy.GetVariable('CortexShimExit')
        if ([bool](& $prop 'exportView' $false)) {
            $export = [powershell]::Create()
            $export.Runspace = $runspace
            $null = $export.AddScript('Export-CortexShimView')
            $viewOut = @($export.Invoke())[0]
            $export.Dispose()
        }
    }
    if ($null -ne $exitVar) { $exitCode = [int]$exitVar }
    elseif ($timedOut -or $reason) { $exitCode = 1 }
    if ($exitCode -eq 0 -and $null -eq $exitVar -and $errors.Count -gt 0 -and $null -ne $reason) { $exitCode = 1 }

    $output = New-Object System.Collections.Generic.List[string]
    $warnings = New-Object System.Collections.Generic.List[string]
    $chars = 0
    foreach ($o in (Get-ShimItems $outputData)) {
        if ($null -eq $o) { continue }
        $text = if ($o -is [string]) { [string]$o } else { ($o | Out-String -Width 160).Trim() }
        $chars += $text.Length
        if ($chars -gt $maxChars) {
            $warnings.Add(('lab: output cut at {0} characters (the lab''s cap for ad-hoc text)' -f $maxChars))
            break
        }
        $output.Add($text)
    }
    foreach ($w in (Get-ShimItems $ps.Streams.Warning)) { $warnings.Add($w.Message) }
    foreach ($e in $errors) {
        if ($e.fullyQualifiedErrorId -eq 'CommandNotFoundException') {
            $warnings.Add("lab: a command that is neither in the lab's Windows shim nor in PowerShell itself; if it exists on Windows, it is not emulated by the lab (docs/lab.md)")
            break
        }
    }
    $result = [ordered]@{ id = $Request.id; exitCode = $exitCode; output = $output.ToArray(); errors = $errors.ToArray(); warnings = $warnings.ToArray(); timedOut = $timedOut }
    if ($null -ne $viewOut) { $result.view = ConvertFrom-Json -InputObject $viewOut -DateKind String }
    if (-not $timedOut) { $ps.Dispose(); $runspace.Dispose() }
    Reset-ShimEnvironment
    $result
}

Write-ShimResult ([ordered]@{ type = 'ready'; pid = $PID })
while ($true) {
    $line = [Console]::In.ReadLine()
    if ($null -eq $line) { break }
    if (-not $line.Trim()) { continue }
    $request = $null
    try {
        # -DateKind String: as in Windows PowerShell 5.1, date-like text stays text.
        $request = ConvertFrom-Json -InputObject $line -DateKind String
        Write-ShimResult (Invoke-ShimRequest $request)
    } catch {
        $id = $null
        if ($null -ne $request -and $request.PSObject.Properties['id']) { $id = $request.id }
        Write-ShimResult ([ordered]@{ id = $id; exitCode = 1; output = @(); errors = @([ordered]@{ message = ('lab shim host: ' + $_.Exception.Message); category = 'NotSpecified'; fullyQualifiedErrorId = 'CortexShimHostError' }); warnings = @(); timedOut = $false })
    }
}
Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
