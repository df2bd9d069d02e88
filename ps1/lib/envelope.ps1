# cortex-script: lib.envelope
# The envelope every script under ps1/ runs in (docs/scripts.md, "What a script looks like").
#
# How this reaches a host: nothing of ours is installed there and scripts never dot-source from disk.
# The script runner (src/runner/scripts.ts) sends the text of every ps1/lib/*.ps1 in the request
# frame's `lib` field; the resident bootstrap runs that text in the script's fresh runspace right before
# the script itself. The script's own text travels separately with its own header line first, so its id
# stays recoverable and its error positions count its own lines.
#
# $CortexParams: the request's parameters, one PSCustomObject (ConvertFrom-Json in the bootstrap).
#
# A script looks like:
#   # cortex-script: probes.example
#   Set-StrictMode -Version Latest
#   $ErrorActionPreference = 'Stop'
#   $ProgressPreference = 'SilentlyContinue'
#   Invoke-CortexScript { [ordered]@{ answer = 42 } }
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Invoke-CortexScript {
    # Runs the body and writes exactly one JSON result: {ok, data, error:{message, category}}.
    # The body returns the data (one object; build it as one [ordered] hashtable). A terminating error
    # becomes ok=false with the error's message and category, and the script ends with exit code 1.
    param([Parameter(Mandatory = $true, Position = 0)][scriptblock]$Body)
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    $ProgressPreference = 'SilentlyContinue'
    try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } catch { $null = $_ }
    $result = [ordered]@{ ok = $true; data = $null; error = $null }
    $failed = $false
    try {
        $result.data = & $Body
    } catch {
        $failed = $true
        $result.ok = $false
        $result.error = [ordered]@{
            message  = $_.Exception.Message
            category = $_.CategoryInfo.Category.ToString()
        }
    }
    ConvertTo-Json -InputObject $result -Depth 10 -Compress
    if ($failed) {
        # The bootstrap reads the exit code from $global:CortexExitCode (see ps1/bootstrap/resident.ps1).
        $global:CortexExitCode = 1
        exit 1
    }
}

function Get-CortexParam {
    # A parameter by name, or the default when absent (reading a missing property fails in strict mode).
    param([Parameter(Mandatory = $true)][string]$Name, $Default = $null)
    $property = $CortexParams.PSObject.Properties[$Name]
    if ($null -eq $property) { return $Default }
    $property.Value
}

function ConvertTo-CortexNativeArgument {
    # One argument quoted for a Windows command line, so that CommandLineToArgvW (and the C runtime's
    # parser most programs use) gives it back unchanged: an empty argument becomes "", an argument with
    # white space or quotes is wrapped in quotes, an embedded quote becomes \", and backslashes are
    # doubled only where they precede a quote (inside, or at the end before the closing quote).
    param([AllowEmptyString()][Parameter(Mandatory = $true, Position = 0)][string]$Argument)
    if ($Argument.Length -gt 0 -and $Argument -notmatch '[\s"]') { return $Argument }
    $text = New-Object System.Text.StringBuilder
    $null = $text.Append('"')
    $backslashes = 0
    foreach ($c in $Argument.ToCharArray()) {
        if ($c -eq [char]'\') {
            $backslashes++
            continue
        }
        if ($c -eq [char]'"') {
            $null = $text.Append([char]'\', 2 * $backslashes + 1)
        } elseif ($backslashes -gt 0) {
            $null = $text.Append([char]'\', $backslashes)
        }
        $null = $text.Append($c)
        $backslashes = 0
    }
    if ($backslashes -gt 0) { $null = $text.Append([char]'\', 2 * $backslashes) }
    $null = $text.Append('"')
    $text.ToString()
}

function Join-CortexNativeArgument {
    # The arguments as one command line (ProcessStartInfo.Arguments): each quoted as above, space-separated.
    param([AllowEmptyCollection()][AllowEmptyString()][string[]]$ArgumentList = @())
    $quoted = foreach ($a in @($ArgumentList)) { ConvertTo-CortexNativeArgument ([string]$a) }
    @($quoted) -join ' '
}

function ConvertTo-CortexLine {
    # Text as lines (CRLF or LF); the final line break ends the last line, it does not add an empty one.
    param([AllowEmptyString()][Parameter(Position = 0)][string]$Text)
    if ([string]::IsNullOrEmpty($Text)) { return }
    ($Text -replace '\r?\n$', '') -split '\r?\n'
}

function Stop-CortexNativeTree {
    # Ends a process and its children: Kill(entireProcessTree) where .NET has it (PowerShell 7), else
    # taskkill /T (Windows PowerShell 5.1 runs on .NET Framework, whose Kill() ends only the process).
    param([Parameter(Mandatory = $true)][System.Diagnostics.Process]$Process)
    try {
        if ($Process.HasExited) { return }
        if ($null -ne $Process.GetType().GetMethod('Kill', [type[]]@([bool]))) {
            $Process.Kill($true)
        } else {
            $taskkill = Join-Path ([Environment]::SystemDirectory) 'taskkill.exe'
            $null = & $taskkill /PID $Process.Id /T /F 2>&1
            if ($LASTEXITCODE -ne 0 -and -not $Process.HasExited) { $Process.Kill() }
        }
    } catch {
        $null = $_ # it ended meanwhile
    }
}

function Invoke-CortexNative {
    # Runs a native program and returns {exitCode, output (stdout lines), errorOutput (stderr lines)};
    # throws (with the code and the output) unless the exit code is one of -SuccessCodes, or when it
    # runs longer than -TimeoutSeconds (its process tree is ended). -OutputEncoding Unicode decodes a
    # program that writes UTF-16LE when redirected (nssm.exe); the default is the console's code page.
    #
    # Why not `& $FilePath @args`: that program would inherit this powershell.exe's stdin, which carries
    # the runner's request frames, and could swallow them; PowerShell 5.1 drops empty arguments and
    # passes embedded quotes unescaped; and it waits for EOF on the program's output pipes, which a
    # daemon the program starts (epmd, started by rabbitmqctl) holds open for good. So: an explicit
    # command line (ConvertTo-CortexNativeArgument), stdin redirected and closed at once, stdout and
    # stderr read asynchronously, and once the program itself has exited, only what is already
    # buffered is drained (-DrainMilliseconds) instead of waiting for EOF.
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [AllowEmptyCollection()][AllowEmptyString()][string[]]$ArgumentList = @(),
        [int[]]$SuccessCodes = @(0),
        [int]$TimeoutSeconds = 600,
        [int]$DrainMilliseconds = 2000,
        [string]$WorkingDirectory = '',
        [ValidateSet('', 'Unicode')][string]$OutputEncoding = ''
    )
    $start = New-Object System.Diagnostics.ProcessStartInfo
    $start.FileName = $FilePath
    $start.Arguments = Join-CortexNativeArgument -ArgumentList $ArgumentList
    $start.UseShellExecute = $false
    $start.CreateNoWindow = $true
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    if ($WorkingDirectory) { $start.WorkingDirectory = $WorkingDirectory }
    if ($OutputEncoding -eq 'Unicode') {
        $start.StandardOutputEncoding = [System.Text.Encoding]::Unicode
        $start.StandardErrorEncoding = [System.Text.Encoding]::Unicode
    }
    $process = [System.Diagnostics.Process]::Start($start)
    try {
        $process.StandardInput.Close()
        $readers = @($process.StandardOutput, $process.StandardError)
        $texts = @((New-Object System.Text.StringBuilder), (New-Object System.Text.StringBuilder))
        $buffers = @((New-Object 'char[]' 8192), (New-Object 'char[]' 8192))
        $reads = @($readers[0].ReadAsync($buffers[0], 0, 8192), $readers[1].ReadAsync($buffers[1], 0, 8192))
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $exitedAt = -1
        $timedOut = $false
        while ($null -ne $reads[0] -or $null -ne $reads[1]) {
            $open = [System.Threading.Tasks.Task[]]@($reads | Where-Object { $null -ne $_ })
            $null = [System.Threading.Tasks.Task]::WaitAny($open, 50)
            for ($i = 0; $i -lt 2; $i++) {
                $read = $reads[$i]
                if ($null -eq $read -or -not $read.IsCompleted) { continue }
                $count = 0
                if ($read.Status -eq [System.Threading.Tasks.TaskStatus]::RanToCompletion) { $count = $read.Result }
                if ($count -le 0) {
                    $reads[$i] = $null
                } else {
                    $null = $texts[$i].Append($buffers[$i], 0, $count)
                    $reads[$i] = $readers[$i].ReadAsync($buffers[$i], 0, 8192)
                }
            }
            if ($exitedAt -lt 0 -and $process.HasExited) { $exitedAt = $watch.ElapsedMilliseconds }
            if ($exitedAt -ge 0 -and $watch.ElapsedMilliseconds - $exitedAt -ge $DrainMilliseconds) { break }
            if ($exitedAt -lt 0 -and $watch.ElapsedMilliseconds -ge [long]$TimeoutSeconds * 1000) {
                $timedOut = $true
                Stop-CortexNativeTree -Process $process
                $exitedAt = $watch.ElapsedMilliseconds
            }
        }
        $null = $process.WaitForExit(5000)
        $out = @(ConvertTo-CortexLine $texts[0].ToString())
        $err = @(ConvertTo-CortexLine $texts[1].ToString())
        if ($timedOut) {
            throw (New-Object System.TimeoutException ('{0} did not finish within {1} s and was ended: {2}' -f $FilePath, $TimeoutSeconds, (($out + $err) -join "`n")))
        }
        $code = $process.ExitCode
        if ($SuccessCodes -notcontains $code) {
            throw (New-Object System.InvalidOperationException ('{0} exited with code {1}: {2}' -f $FilePath, $code, (($out + $err) -join "`n")))
        }
        [pscustomobject]@{ exitCode = $code; output = $out; errorOutput = $err }
    } finally {
        $process.Dispose()
    }
}

function ConvertTo-CortexDate {
    # ISO 8601 in UTC: 5.1's ConvertTo-Json would write a DateTime as "\/Date(...)\/".
    param([Parameter(Position = 0, ValueFromPipeline = $true)]$Date)
    process {
        if ($null -eq $Date) { return $null }
        ([datetime]$Date).ToUniversalTime().ToString('o')
    }
}
