# cortex-script: bootstrap.resident
# The resident PowerShell of the cortex-deploy script runner (protocol: src/protocol/script-frames.ts).
#
# How it starts: the command line carries only a tiny loader (src/runner/bootstrap.ts, also headed
# `# cortex-script: bootstrap.resident`) as -EncodedCommand; the loader reads this file's text as the
# first line on stdin (base64 of UTF-8) and dot-sources it. So this file has no size limit, the command
# line stays a few hundred characters (cmd.exe stops at 8191), and scripts and parameters never travel on
# the command line, where process listings and script-block logs would show them.
#
# Loop: write a ready frame; read one line per request from stdin; for `run`, execute the request's lib
# text and then the script in a fresh runspace (its variables, errors, strict mode and `exit` stay its
# own), collect output/error/warning streams and the exit code, write one result frame. An `exit` request
# or stdin EOF end the process. With $CortexOneShot = $true (set by the loader in one-shot mode) it
# handles one request and exits with that script's exit code.
#
# The runner writes one request at a time and waits for its result, so stdin is empty while a script
# runs: a native program that reads stdin waits (until the timeout) instead of swallowing a request.
# Anything a program writes straight to stdout is not a frame; the runner keeps it as a diagnostic.
#
# Frames are ASCII (base64 of UTF-8 JSON), so console code pages cannot corrupt them. Requests are read
# with ConvertFrom-Json (params must arrive as a PSCustomObject, as the envelope expects).
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
# [Console]::InputEncoding is set by the loader before it reads: changing it later would replace the
# stdin reader and could drop a request it had already buffered.
try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } catch { $null = $_ }
if (-not (Test-Path -Path variable:CortexOneShot)) { $CortexOneShot = $false }

function Write-CortexFrame([string]$Json) {
    [Console]::Out.Write('CORTEX1 ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($Json)) + "`n")
    [Console]::Out.Flush()
}

# Result frames are written by hand, not with the cmdlet serializer: 5.1's JavaScriptSerializer has a length limit
# (maxJsonLength) that large outputs would hit, and we only need strings, numbers and booleans.
$CortexEscape = [Text.RegularExpressions.MatchEvaluator] {
    param($m)
    $c = [int][char]$m.Value
    if ($c -eq 34) { '\"' } elseif ($c -eq 92) { '\\' } else { '\u{0:x4}' -f $c }
}
function ConvertTo-CortexJsonText($Value) {
    if ($null -eq $Value) { return 'null' }
    '"' + [regex]::Replace([string]$Value, '[\x00-\x1f"\\]', $CortexEscape) + '"'
}
function ConvertTo-CortexJsonArray($Items) {
    if ($null -eq $Items) { return '[]' }
    '[' + ((@($Items) | ForEach-Object { ConvertTo-CortexJsonText $_ }) -join ',') + ']'
}
function ConvertTo-CortexErrorJson($Record) {
    $position = $null
    if ($Record.InvocationInfo) { $position = $Record.InvocationInfo.PositionMessage }
    '{"message":' + (ConvertTo-CortexJsonText $Record.Exception.Message) + ',"category":' + (ConvertTo-CortexJsonText $Record.CategoryInfo.Category.ToString()) + ',"fullyQualifiedErrorId":' + (ConvertTo-CortexJsonText $Record.FullyQualifiedErrorId) + ',"position":' + (ConvertTo-CortexJsonText $position) + '}'
}

# Why the exit code needs help: `exit N` in a script run through the PowerShell API ends the pipeline,
# but N does not reliably reach the caller ($LASTEXITCODE is set only for script *files*, and
# SetShouldExit goes to a host we do not have). So before running a script we rewrite each of its exit
# statements (found on the parser's AST, replaced from the last to the first so offsets stay valid, on
# the same line so error positions stay true) to first store the code in $global:CortexExitCode. The
# bootstrap reads that variable afterwards: set -> that code; otherwise 1 after a terminating error or a
# timeout, else 0. A script with parse errors is left as it is: running it reports the parse error.
function Edit-CortexExit([string]$Text) {
    $tokens = $null
    $parseErrors = $null
    $ast = [Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$parseErrors)
    if (@($parseErrors).Count -gt 0) { return $Text }
    $exits = @($ast.FindAll({ param($a) $a -is [Management.Automation.Language.ExitStatementAst] }, $true)) | Sort-Object -Property { $_.Extent.StartOffset } -Descending
    foreach ($x in $exits) {
        $value = '0'
        if ($x.Pipeline) { $value = $x.Pipeline.Extent.Text }
        $Text = $Text.Substring(0, $x.Extent.StartOffset) + '$global:CortexExitCode = [int](' + $value + '); exit $global:CortexExitCode' + $Text.Substring($x.Extent.EndOffset)
    }
    $Text
}

function Invoke-CortexRequest($Request) {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $runspace = [runspacefactory]::CreateRunspace()
    $runspace.Open()
    $runspace.SessionStateProxy.SetVariable('CortexParams', $Request.params)
    $ps = [powershell]::Create()
    $ps.Runspace = $runspace
    $lib = $Request.PSObject.Properties['lib']
    if ($lib -and $lib.Value) { $null = $ps.AddScript([string]$lib.Value).AddStatement() }
    $null = $ps.AddScript((Edit-CortexExit ([string]$Request.script)))
    $format = $Request.PSObject.Properties['outputFormat']
    if ($format -and $format.Value -eq 'text') {
        # Same statement, so it is a pipeline: objects are formatted together, as a console shows them.
        $null = $ps.AddCommand('Out-String').AddParameter('Stream', $true).AddParameter('Width', 160)
    }
    $inputData = New-Object 'System.Management.Automation.PSDataCollection[psobject]'
    $inputData.Complete()
    $outputData = New-Object 'System.Management.Automation.PSDataCollection[psobject]'
    $timedOut = $false
    $failure = $null
    try {
        $async = $ps.BeginInvoke($inputData, $outputData)
        if (-not $async.AsyncWaitHandle.WaitOne([int]$Request.timeoutMs)) {
            # Stop the pipeline, but do not wait forever for it: a native program may ignore the stop.
            # The runner's own timer (timeout + grace) replaces this whole process if we hang here.
            $timedOut = $true
            $stopping = $ps.BeginStop($null, $null)
            $null = $stopping.AsyncWaitHandle.WaitOne(5000)
        }
        if ($async.IsCompleted) { $null = $ps.EndInvoke($async) }
    } catch {
        $failure = $_
    }
    $reason = $ps.InvocationStateInfo.Reason
    $exitVar = $runspace.SessionStateProxy.GetVariable('CortexExitCode')
    $errorJson = New-Object 'System.Collections.Generic.List[string]'
    foreach ($e in $ps.Streams.Error) { $errorJson.Add((ConvertTo-CortexErrorJson $e)) }
    if ($reason -and -not $timedOut -and $reason.GetType().Name -ne 'ExitException') {
        $record = $null
        if ($reason.PSObject.Properties['ErrorRecord']) { $record = $reason.ErrorRecord }
        if (-not $record -and $failure) { $record = $failure }
        if ($record) { $errorJson.Add((ConvertTo-CortexErrorJson $record)) }
    }
    $exitCode = 0
    if ($null -ne $exitVar) { $exitCode = [int]$exitVar }
    elseif ($timedOut -or ($reason -and $reason.GetType().Name -ne 'ExitException')) { $exitCode = 1 }
    $output = foreach ($o in $outputData) {
        if ($null -eq $o) { continue }
        if ($o.BaseObject -is [string]) { $o.BaseObject } else { ($o | Out-String).Trim() }
    }
    $warnings = foreach ($w in $ps.Streams.Warning) { $w.Message }
    Write-CortexFrame ('{"type":"result","id":' + (ConvertTo-CortexJsonText $Request.id) + ',"exitCode":' + $exitCode + ',"output":' + (ConvertTo-CortexJsonArray $output) + ',"errors":[' + ($errorJson -join ',') + '],"warnings":' + (ConvertTo-CortexJsonArray $warnings) + ',"timedOut":' + $timedOut.ToString().ToLowerInvariant() + ',"durationMs":' + $watch.ElapsedMilliseconds + '}')
    if (-not $timedOut) { $ps.Dispose(); $runspace.Dispose() }
    $exitCode
}

Write-CortexFrame ('{"type":"ready","pid":' + $PID + ',"psVersion":' + (ConvertTo-CortexJsonText $PSVersionTable.PSVersion.ToString()) + '}')
$lastCode = 0
while ($true) {
    $line = [Console]::In.ReadLine()
    if ($null -eq $line) { break }
    if (-not $line.StartsWith('CORTEX1 ')) { continue }
    $request = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($line.Substring(8).Trim())) | ConvertFrom-Json
    if ($request.type -eq 'exit') { break }
    if ($request.type -ne 'run') { continue }
    $lastCode = Invoke-CortexRequest $request
    if ($CortexOneShot) { break }
}
if ($CortexOneShot) { exit $lastCode }
exit 0
