# cortex-script: bootstrap.resident
# The resident PowerShell of the cortex-deploy script runner (protocol: src/protocol/script-frames.ts).
#
# How it starts: the command line carries only a tiny loader (src/runner/bootstrap.ts, also headed
# `# cortex-script: bootstrap.resident`) as -EncodedCommand; the loader reads this file's text as the
# first line on stdin (base64 of the gzip of its UTF-8 text) and dot-sources it. So this file has no size
# limit, the command line stays a few hundred characters (cmd.exe stops at 8191), and scripts and
# parameters never travel on the command line, where process listings and script-block logs would show them.
#
# Loop: write a ready frame; read one line per request from stdin; for `run`, expand what it carries
# compressed (scriptGz, libGz: Expand-CortexRequest), execute the request's lib text and then its script
# (each carried, or kept from an earlier request: Resolve-CortexLibrary, Resolve-CortexScript) in a fresh runspace (its variables, errors, strict mode and `exit` stay its own), collect its output, error, warning, information and verbose streams and its exit code, write one
# result frame (with answerWithNext and a script that succeeded: written later, with the next one's,
# Send-CortexResult). A request with hostLock runs under the host's lock (Enter-CortexHostLock). An
# `exit` request or stdin EOF end the process. With $CortexOneShot = $true (set by the loader in one-shot
# mode) it handles one request and exits with that script's exit code.
#
# Every request line gets exactly one result frame, whatever goes wrong in this file's own code (a frame
# that is not base64 or not JSON, a runspace that cannot start, a pipeline that will not stop at its
# timeout): the failure is reported in the frame's bootstrapError, and the loop carries on. A frame whose
# id cannot be read is answered with id null (the runner matches it to its oldest open request: requests
# are answered in order).
#
# Native programs a script starts directly inherit this process's stdin, which carries the request
# frames: Invoke-CortexNative (ps1/lib/envelope.ps1) closes theirs. The runner sends one request at a time
# outside pipelined batches, so stdin is usually empty while a script runs.
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
# PowerShell 7 colours error text with ANSI escapes; stderr reaches the runner as diagnostics.
if (Test-Path -Path variable:PSStyle) { try { $PSStyle.OutputRendering = 'PlainText' } catch { $null = $_ } }
if (-not (Test-Path -Path variable:CortexOneShot)) { $CortexOneShot = $false }

# Objects that are not strings are formatted as text with this width. Out-String's default is the host's
# console width (80 or 120 columns, or whatever the WinRS console has), and 5.1 cuts longer lines. Strings,
# the envelope's JSON result among them, are never formatted, so this only concerns objects a script lets
# fall through: wide enough for any path or table row, and trailing blanks (5.1 pads table rows to the
# width) are trimmed from every line.
$CortexTextWidth = 4096

function Write-CortexFrame([string[]]$Json) {
    # All the frames in one write: a WinRM Receive then reads them together.
    $text = New-Object System.Text.StringBuilder
    foreach ($j in $Json) { $null = $text.Append('CORTEX1 ').Append([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($j))).Append("`n") }
    [Console]::Out.Write($text.ToString())
    [Console]::Out.Flush()
}

# Results kept to be written with the next one: a request with answerWithNext whose script succeeded (a
# change's Set, written with the Test that verifies it, so one Receive reads both). Send-CortexResult
# writes a result with every one kept before it, or keeps it ($Hold). What is kept when the loop ends (an
# exit request, stdin EOF) is written then.
$CortexHeld = New-Object 'System.Collections.Generic.List[string]'
function Send-CortexResult([string]$Json, [bool]$Hold) {
    $CortexHeld.Add($Json)
    if ($Hold) { return }
    $all = $CortexHeld.ToArray()
    $CortexHeld.Clear()
    Write-CortexFrame $all
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

function Format-CortexResult {
    # One result frame's JSON. $Id may be $null (the request's id could not be read).
    param($Id, [int]$ExitCode, $Output, $ErrorJson, $Warnings, $InformationLines, $VerboseLines, [bool]$TimedOut, [long]$DurationMs, $BootstrapStage, $BootstrapMessage)
    $failure = ''
    if ($BootstrapStage) {
        $failure = ',"bootstrapError":{"stage":' + (ConvertTo-CortexJsonText $BootstrapStage) + ',"message":' + (ConvertTo-CortexJsonText $BootstrapMessage) + '}'
    }
    '{"type":"result","id":' + (ConvertTo-CortexJsonText $Id) + ',"exitCode":' + $ExitCode + ',"output":' + (ConvertTo-CortexJsonArray $Output) + ',"errors":[' + (@($ErrorJson) -join ',') + '],"warnings":' + (ConvertTo-CortexJsonArray $Warnings) + ',"information":' + (ConvertTo-CortexJsonArray $InformationLines) + ',"verbose":' + (ConvertTo-CortexJsonArray $VerboseLines) + ',"timedOut":' + $TimedOut.ToString().ToLowerInvariant() + ',"durationMs":' + $DurationMs + $failure + '}'
}

function Get-CortexFailureText($Record) {
    # "What failed: why", from an ErrorRecord or an exception, unwrapping PowerShell's method-call wrapper.
    $e = $Record
    if ($e -is [Management.Automation.ErrorRecord]) { $e = $e.Exception }
    while ($e -is [Management.Automation.MethodInvocationException] -and $null -ne $e.InnerException) { $e = $e.InnerException }
    $e.GetType().Name + ': ' + $e.Message
}

function Read-CortexCollection($Collection) {
    # Everything in a PSDataCollection, taken under its lock: the pipeline may still be writing to it
    # (a script that did not stop at its timeout), and enumerating it then could throw.
    if ($null -eq $Collection) { return }
    try { foreach ($item in $Collection.ReadAll()) { $item } } catch { $null = $_ }
}

function ConvertTo-CortexOutputText($Item) {
    # One output object as text: strings as they are, other objects formatted as a console shows them.
    if ($null -eq $Item) { return $null }
    if ($Item -is [string]) { return $Item }
    try {
        $lines = (Out-String -InputObject $Item -Width $CortexTextWidth) -split '\r?\n' | ForEach-Object { $_.TrimEnd() }
        ($lines -join "`n").Trim()
    } catch {
        '(output object of type ' + $Item.GetType().FullName + ' could not be formatted: ' + $_.Exception.Message + ')'
    }
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

# The text of a `scriptGz` or `libGz` value: base64 of the gzip of UTF-8 text (the runner compresses shipped
# scripts and the library, 3-4.5x fewer bytes on the wire). GZipStream is in System.dll, loaded in every
# PowerShell. The gzip trailer's size is checked because .NET Framework's GZipStream can end a cut stream
# without an error. `(,$bytes)`: the unary comma passes the array as one constructor argument.
function Expand-CortexGzipText([string]$Base64) {
    $bytes = [Convert]::FromBase64String($Base64)
    if ($bytes.Length -lt 18) { throw (New-Object System.IO.InvalidDataException ('a gzip stream has at least 18 bytes, this one ' + $bytes.Length)) }
    $gzip = New-Object System.IO.Compression.GZipStream((New-Object System.IO.MemoryStream(,$bytes)), ([IO.Compression.CompressionMode]::Decompress))
    $plain = New-Object System.IO.MemoryStream
    try { $gzip.CopyTo($plain) } finally { $gzip.Dispose() }
    $size = [BitConverter]::ToUInt32($bytes, $bytes.Length - 4)
    if ($plain.Length % 4294967296 -ne $size) { throw (New-Object System.IO.InvalidDataException ('the gzip trailer names ' + $size + ' bytes, ' + $plain.Length + ' were decoded')) }
    (New-Object System.Text.UTF8Encoding $false).GetString($plain.ToArray())
}

# A request's `scriptGz` and `libGz` (script-frames.ts), expanded into `script` and `lib` before anything
# else reads the request, so the rest of this file sees one form. A value that is not base64 of gzip makes
# the request unreadable (bootstrapError stage `request`), as a frame that is not base64 is.
function Expand-CortexRequest($Request) {
    foreach ($name in @('lib', 'script')) {
        $packed = $Request.PSObject.Properties[$name + 'Gz']
        if (-not $packed -or $null -eq $packed.Value) { continue }
        try {
            $text = Expand-CortexGzipText ([string]$packed.Value)
        } catch {
            throw (New-Object System.FormatException ('the request''s ' + $name + 'Gz is not base64 of gzip (' + (Get-CortexFailureText $_) + ')'))
        }
        Add-Member -InputObject $Request -NotePropertyName $name -NotePropertyValue $text -Force
    }
}

# The library (ps1/lib) a request runs before its script. A request carrying `lib` with a `libHash` leaves
# the text kept under that name, and later requests name it by `libHash` alone instead of carrying ~16 KB
# (compressed) each time. The name is the runner's (SHA-256 of the text), used here only as a key. One
# library is kept at a time. A name this process does not keep (it never read the request that carried it) is refused
# before the script runs, with bootstrapError stage `lib`; the runner then sends the request again with `lib`.
$CortexLibrary = @{ hash = $null; text = $null }
function Resolve-CortexLibrary($Request) {
    $text = $null
    $hash = $null
    $libProperty = $Request.PSObject.Properties['lib']
    if ($libProperty -and $libProperty.Value) { $text = [string]$libProperty.Value }
    $hashProperty = $Request.PSObject.Properties['libHash']
    if ($hashProperty -and $hashProperty.Value) { $hash = [string]$hashProperty.Value }
    if ($null -ne $text) {
        if ($null -ne $hash) {
            $CortexLibrary.hash = $hash
            $CortexLibrary.text = $text
        }
        return $text
    }
    if ($null -eq $hash) { return $null }
    if ($CortexLibrary.hash -ne $hash) {
        throw (New-Object System.InvalidOperationException ('this process keeps no library named ' + $hash + '; the request must carry lib'))
    }
    $CortexLibrary.text
}

# The script a request runs, its exit statements already rewritten (Edit-CortexExit). A shipped script
# carried with its `scriptHash` is kept under that name (rewritten once), and later requests name it by
# `scriptHash` alone; a name this process does not keep is refused before anything runs, with
# bootstrapError stage `script`, and the runner sends the request again whole. Ad-hoc text has no name.
# $null when the request has neither (Invoke-CortexRequest reports that).
$CortexScripts = @{}
function Resolve-CortexScript($Request) {
    $hash = $null
    $hashProperty = $Request.PSObject.Properties['scriptHash']
    if ($hashProperty -and $hashProperty.Value) { $hash = [string]$hashProperty.Value }
    $scriptProperty = $Request.PSObject.Properties['script']
    if ($scriptProperty -and $scriptProperty.Value -is [string]) {
        $edited = Edit-CortexExit $scriptProperty.Value
        if ($null -ne $hash) { $CortexScripts[$hash] = $edited }
        return $edited
    }
    if ($null -eq $hash) { return $null }
    if (-not $CortexScripts.ContainsKey($hash)) {
        throw (New-Object System.InvalidOperationException ('this process keeps no script named ' + $hash + '; the request must carry script'))
    }
    $CortexScripts[$hash]
}

# The host's lock (a request's `hostLock`): a machine-wide named mutex, held only while one request's
# script runs, so a Test or Set of another cortex-deploy process on this host (the last Set of a run that
# was killed, still running in its orphaned shell) finishes before this one starts. A holder that died
# leaves it abandoned, and the wait then owns it. Taken and released on this loop's thread (a mutex
# belongs to the thread that took it).
$CortexHostLockName = 'Global\cortex-deploy-host'
function Enter-CortexHostLock([int]$TimeoutMs) {
    $lock = New-Object System.Threading.Mutex($false, $CortexHostLockName)
    $owned = $false
    try {
        $owned = $lock.WaitOne($TimeoutMs)
    } catch {
        $e = $_.Exception
        while ($e -is [Management.Automation.MethodInvocationException] -and $null -ne $e.InnerException) { $e = $e.InnerException }
        if ($e -isnot [System.Threading.AbandonedMutexException]) { $lock.Dispose(); throw }
        $owned = $true
    }
    if (-not $owned) {
        $lock.Dispose()
        throw (New-Object System.TimeoutException ('another cortex-deploy process on this host held its lock for ' + $TimeoutMs + ' ms (a run stopped during a change, still finishing it?); nothing was run'))
    }
    $lock
}

function Exit-CortexHostLock($Lock) {
    if ($null -eq $Lock) { return }
    try { $Lock.ReleaseMutex() } catch { $null = $_ }
    $Lock.Dispose()
}

function Get-CortexTimeoutMs($Request) {
    $timeoutMs = 300000
    $timeoutProperty = $Request.PSObject.Properties['timeoutMs']
    if ($timeoutProperty -and $null -ne $timeoutProperty.Value) { $timeoutMs = [int]$timeoutProperty.Value }
    if ($timeoutMs -le 0) { throw (New-Object System.ArgumentException "timeoutMs must be positive (got $timeoutMs)") }
    $timeoutMs
}

function Invoke-CortexRequest($Request, $Id, $LibText, $ScriptText) {
    # Runs one `run` request: $LibText (or none), then $ScriptText (from Resolve-CortexScript), in a fresh
    # runspace; returns @{ json = <result frame JSON>; exitCode = N }. Throws only for a request it cannot
    # start (the caller answers that with a bootstrapError frame).
    $watch = [Diagnostics.Stopwatch]::StartNew()
    if ($ScriptText -isnot [string]) { throw (New-Object System.ArgumentException 'the request has no script text') }
    $timeoutMs = Get-CortexTimeoutMs $Request
    $params = $null
    $paramsProperty = $Request.PSObject.Properties['params']
    if ($paramsProperty) { $params = $paramsProperty.Value }
    if ($null -eq $params) { $params = New-Object PSObject }

    $runspace = [runspacefactory]::CreateRunspace()
    $runspace.Open()
    $runspace.SessionStateProxy.SetVariable('CortexParams', $params)
    $ps = [powershell]::Create()
    $ps.Runspace = $runspace
    if ($LibText) { $null = $ps.AddScript($LibText).AddStatement() }
    $null = $ps.AddScript($ScriptText)
    $format = $Request.PSObject.Properties['outputFormat']
    $asText = $format -and $format.Value -eq 'text'
    if ($asText) {
        # Same statement, so it is a pipeline: objects are formatted together, as a console shows them.
        $null = $ps.AddCommand('Out-String').AddParameter('Stream', $true).AddParameter('Width', $CortexTextWidth)
    }
    $inputData = New-Object 'System.Management.Automation.PSDataCollection[psobject]'
    $inputData.Complete()
    $outputData = New-Object 'System.Management.Automation.PSDataCollection[psobject]'
    $timedOut = $false
    $stuck = $false
    $failure = $null
    try {
        $async = $ps.BeginInvoke($inputData, $outputData)
        if (-not $async.AsyncWaitHandle.WaitOne($timeoutMs)) {
            # Stop the pipeline, but do not wait forever for it: a .NET call or a native program may
            # ignore the stop. Then the result is written anyway and the runner replaces this process.
            $timedOut = $true
            $stopping = $ps.BeginStop($null, $null)
            $null = $stopping.AsyncWaitHandle.WaitOne(5000)
        }
        if ($async.IsCompleted) { $null = $ps.EndInvoke($async) } else { $stuck = $true }
    } catch {
        # A synchronous BeginInvoke failure, or EndInvoke rethrowing the script's terminating error.
        $failure = $_
    }
    $state = $ps.InvocationStateInfo
    $reason = $state.Reason
    $exited = $null -ne $reason -and $reason.GetType().Name -eq 'ExitException'
    $errorJson = New-Object 'System.Collections.Generic.List[string]'
    foreach ($e in (Read-CortexCollection $ps.Streams.Error)) { $errorJson.Add((ConvertTo-CortexErrorJson $e)) }
    $terminating = $null
    if (-not $timedOut -and -not $exited) {
        if ($reason -and $reason.PSObject.Properties['ErrorRecord']) { $terminating = $reason.ErrorRecord }
        elseif ($failure) { $terminating = $failure }
    }
    if ($terminating) { $errorJson.Add((ConvertTo-CortexErrorJson $terminating)) }
    $exitCode = 0
    $exitVar = $null
    if (-not $stuck) { try { $exitVar = $runspace.SessionStateProxy.GetVariable('CortexExitCode') } catch { $null = $_ } }
    if ($null -ne $exitVar) { $exitCode = [int]$exitVar }
    elseif ($timedOut -or $terminating -or $state.State -eq 'Failed') { $exitCode = 1 }
    $output = foreach ($o in (Read-CortexCollection $outputData)) {
        if ($asText) { if ($null -ne $o) { ([string]$o).TrimEnd() } } else { ConvertTo-CortexOutputText $o }
    }
    $warnings = foreach ($w in (Read-CortexCollection $ps.Streams.Warning)) { $w.Message }
    # Host output (the host-writing cmdlet) lands here too since PowerShell 5, tagged PSHOST.
    $information = foreach ($i in (Read-CortexCollection $ps.Streams.Information)) { [string]$i.MessageData }
    $verbose = foreach ($v in (Read-CortexCollection $ps.Streams.Verbose)) { $v.Message }
    $json = Format-CortexResult -Id $Id -ExitCode $exitCode -Output $output -ErrorJson $errorJson -Warnings $warnings -InformationLines $information -VerboseLines $verbose -TimedOut $timedOut -DurationMs $watch.ElapsedMilliseconds
    if (-not $stuck) {
        try { $ps.Dispose(); $runspace.Dispose() } catch { $null = $_ }
    }
    @{ json = $json; exitCode = $exitCode; timedOut = $timedOut }
}

# A host whose policy (AppLocker, WDAC) runs PowerShell in ConstrainedLanguage cannot run the runner: the
# loader checks first and answers with a `fatal` frame; this is the same check for any other way in.
if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
    Write-CortexFrame ('{"type":"fatal","reason":"languageMode","languageMode":' + (ConvertTo-CortexJsonText ([string]$ExecutionContext.SessionState.LanguageMode)) + '}')
    exit 4
}

Write-CortexFrame ('{"type":"ready","pid":' + $PID + ',"psVersion":' + (ConvertTo-CortexJsonText $PSVersionTable.PSVersion.ToString()) + '}')
$lastCode = 0
while ($true) {
    $line = [Console]::In.ReadLine()
    if ($null -eq $line) { break }
    if (-not $line.StartsWith('CORTEX1 ')) { continue }
    $id = $null
    $stage = 'request'
    $started = [Diagnostics.Stopwatch]::StartNew()
    try {
        try {
            $text = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($line.Substring(8).Trim()))
        } catch {
            throw (New-Object System.FormatException ('the request frame is not base64 (' + (Get-CortexFailureText $_) + ')'))
        }
        # The id first, by pattern: a frame ConvertFrom-Json rejects is still answered under its id.
        $idMatch = [regex]::Match($text, '"id"\s*:\s*"([^"\\]*)"')
        if ($idMatch.Success) { $id = $idMatch.Groups[1].Value }
        try {
            $request = $text | ConvertFrom-Json
        } catch {
            throw (New-Object System.FormatException ('the request frame is not valid JSON (' + (Get-CortexFailureText $_) + ')'))
        }
        $typeProperty = $request.PSObject.Properties['type']
        $type = $null
        if ($typeProperty) { $type = [string]$typeProperty.Value }
        if ($type -eq 'exit') { break }
        if ($type -ne 'run') { throw (New-Object System.FormatException ('unknown request type ' + (ConvertTo-CortexJsonText $type))) }
        Expand-CortexRequest $request
        $stage = 'lib'
        $libText = Resolve-CortexLibrary $request
        $stage = 'script'
        $scriptText = Resolve-CortexScript $request
        $stage = 'run'
        $hostLock = $null
        $lockProperty = $request.PSObject.Properties['hostLock']
        if ($lockProperty -and $lockProperty.Value -eq $true) { $hostLock = Enter-CortexHostLock (Get-CortexTimeoutMs $request) }
        try {
            $answer = Invoke-CortexRequest $request $id $libText $scriptText
        } finally {
            Exit-CortexHostLock $hostLock
        }
        # Kept for the next result only when it succeeded: a failed or stopped script is answered at once.
        $withNext = $request.PSObject.Properties['answerWithNext']
        $hold = (-not $CortexOneShot) -and $withNext -and $withNext.Value -eq $true -and $answer.exitCode -eq 0 -and -not $answer.timedOut
        Send-CortexResult $answer.json $hold
        $lastCode = $answer.exitCode
    } catch {
        $lastCode = 1
        $message = Get-CortexFailureText $_
        try {
            Send-CortexResult (Format-CortexResult -Id $id -ExitCode 1 -TimedOut $false -DurationMs $started.ElapsedMilliseconds -BootstrapStage $stage -BootstrapMessage $message) $false
        } catch {
            # stdout itself failed: nothing can be reported; the runner sees the process end.
            break
        }
    }
    if ($CortexOneShot) { break }
}
if ($CortexHeld.Count -gt 0) {
    try { Write-CortexFrame $CortexHeld.ToArray() } catch { $null = $_ }
}
if ($CortexOneShot) { exit $lastCode }
exit 0
