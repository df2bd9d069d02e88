# cortex-script: lib.envelope
# The envelope every script under ps1/ runs in (design.md, "Script protocol").
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

function Invoke-CortexNative {
    # Runs a native program, captures stdout and stderr as text, checks $LASTEXITCODE and throws
    # (with the code and the output) unless the code is one of -SuccessCodes.
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string[]]$ArgumentList = @(),
        [int[]]$SuccessCodes = @(0)
    )
    # With 'Stop', 5.1 turns the first stderr line of a native program into a terminating error.
    $ErrorActionPreference = 'Continue'
    $lines = @(& $FilePath @ArgumentList 2>&1 | ForEach-Object { $_.ToString() })
    $code = $LASTEXITCODE
    $ErrorActionPreference = 'Stop'
    if ($SuccessCodes -notcontains $code) {
        $text = $lines -join "`n"
        throw (New-Object System.InvalidOperationException ('{0} exited with code {1}: {2}' -f $FilePath, $code, $text))
    }
    [pscustomobject]@{ exitCode = $code; output = $lines }
}

function ConvertTo-CortexDate {
    # ISO 8601 in UTC: 5.1's ConvertTo-Json would write a DateTime as "\/Date(...)\/".
    param([Parameter(Position = 0, ValueFromPipeline = $true)]$Date)
    process {
        if ($null -eq $Date) { return $null }
        ([datetime]$Date).ToUniversalTime().ToString('o')
    }
}
