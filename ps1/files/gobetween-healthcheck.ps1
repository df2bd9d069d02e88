# cortex-script: files.gobetween-healthcheck
# gobetween's exec health check of one backend (docs/gobetween.md). Copied to the load
# balancer next to gobetween.exe and run by healthcheck-<server>.cmd, which gobetween starts with the
# backend host and port appended. It prints exactly 1 (healthy) or 0 (unhealthy), no newline, and
# always exits 0: gobetween compares stdout with == and treats a non-zero exit as an error.
# lint-ignore: envelope gobetween runs this file and reads one byte from stdout; the JSON envelope is for scripts the orchestrator runs
param(
    [string]$BackendHost = '',
    [string]$BackendPort = '',
    [string]$Scheme = 'https',
    [string]$Path = '/health',
    [int]$TimeoutSec = 3
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-CortexHealthUri {
    # The URL to request, or $null when the arguments cannot make a safe one.
    param([string]$HostName, [string]$Port, [string]$UriScheme, [string]$UriPath)
    if (@('http', 'https') -cnotcontains $UriScheme) { return $null }
    if ($HostName -notmatch '^[A-Za-z0-9._:-]+$') { return $null }
    if ($Port -notmatch '^\d{1,5}$' -or [int]$Port -lt 1 -or [int]$Port -gt 65535) { return $null }
    if ($UriPath -notmatch '^/[A-Za-z0-9._~/-]*$') { return $null }
    $h = $HostName
    if ($h.Contains(':')) { $h = '[{0}]' -f $h }
    '{0}://{1}:{2}{3}' -f $UriScheme, $h, $Port, $UriPath
}

function Test-CortexBackendHealthy {
    # True when the backend answers the health URL with a 2xx status within the timeout.
    param([string]$Uri, [int]$Seconds)
    try {
        # Windows PowerShell 5.1 may not offer TLS 1.2 unless told to (keep what it offers already).
        [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
        $response = Invoke-WebRequest -Uri $Uri -UseBasicParsing -TimeoutSec $Seconds -MaximumRedirection 0
        $code = [int]$response.StatusCode
        return ($code -ge 200 -and $code -le 299)
    } catch {
        return $false
    }
}

function Test-CortexBackendDrained {
    # A drain marker next to this script (drain\<host>_<port>, written by the gobetween_backend
    # resource) takes the backend out of the pool: the check answers 0 whatever the site says.
    param([string]$HostName, [string]$Port)
    $name = '{0}_{1}' -f ($HostName.Trim('[', ']') -replace '[^A-Za-z0-9.-]', '_'), $Port
    $root = $PSScriptRoot
    if (-not $root) { return $false }
    Test-Path -LiteralPath (Join-Path (Join-Path $root 'drain') $name) -PathType Leaf
}

$healthy = $false
try {
    $drained = Test-CortexBackendDrained -HostName $BackendHost -Port $BackendPort
    $uri = Get-CortexHealthUri -HostName $BackendHost -Port $BackendPort -UriScheme $Scheme -UriPath $Path
    if (-not $drained -and $null -ne $uri -and $TimeoutSec -ge 1) { $healthy = [bool](Test-CortexBackendHealthy -Uri $uri -Seconds $TimeoutSec) }
} catch {
    $healthy = $false
}
$answer = '0'
if ($healthy) { $answer = '1' }
[Console]::Out.Write($answer)
[Console]::Out.Flush()
exit 0
