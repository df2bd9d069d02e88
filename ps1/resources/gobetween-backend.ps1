# cortex-script: resources.gobetween-backend
# Set of the gobetween_backend resource (src/resources/gobetween-backend.ts), run on the load balancer:
# drained writes the marker <installDir>\drain\<host>_<port> that gobetween-healthcheck.ps1 reads (it
# then answers 0 for the backend) and waits until the REST API shows the backend not live: gobetween
# sends it no new connections. live removes the marker and waits until the API shows it live again
# (the health check passes: the site answers). gobetween 0.8's API has no per-backend switch.
#   params: {server, backend, state, timeoutSec?, installDir?, api?}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $b = Get-CortexGobetweenBackendParams -Params $CortexParams
    $state = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'gobetween_backend' -Name 'state' -Required)
    $timeoutSec = [int](Get-CortexResourceParam -Params $CortexParams -Resource 'gobetween_backend' -Name 'timeoutSec' -Default 300)
    if (@('drained', 'live') -cnotcontains $state) { throw ('gobetween_backend: parameter state must be drained or live, not {0}' -f $state) }
    $drain = $state -eq 'drained'
    if ($drain) {
        if (-not (Test-Path -LiteralPath $b.MarkerDir -PathType Container)) { $null = New-Item -ItemType Directory -Path $b.MarkerDir -Force }
        if (-not (Test-Path -LiteralPath $b.Marker -PathType Leaf)) { Write-CortexAsciiFile -Path $b.Marker -Text 'drained by cortex-deploy' }
    } elseif (Test-Path -LiteralPath $b.Marker -PathType Leaf) {
        Remove-Item -LiteralPath $b.Marker -Force
    }
    # gobetween marks a backend after `fails` (or `passes`) checks, one per interval: poll its API.
    $pollSec = 2
    $polls = [int][Math]::Ceiling($timeoutSec / $pollSec)
    $now = $null
    for ($i = 0; $i -le $polls; $i++) {
        if ($i -gt 0) { Start-Sleep -Seconds $pollSec }
        $now = Get-CortexGobetweenBackendState -Backend $b
        if ($drain -and $now.live -ne $true) {
            New-CortexSetResult -Message ('drained {0} from gobetween server {1}: no new connections (active now: {2})' -f $b.Backend, $b.Server, $now.activeConnections)
            return
        }
        if (-not $drain -and $now.live -eq $true) {
            New-CortexSetResult -Message ('{0} is live again in gobetween server {1}' -f $b.Backend, $b.Server)
            return
        }
    }
    if ($drain) {
        throw ('gobetween_backend: {0} is still live in server {1} after {2} s with the drain marker {3} in place; is the health check the one cortex-deploy writes (gobetween-healthcheck.ps1 reads the marker)?' -f $b.Backend, $b.Server, $timeoutSec, $b.Marker)
    }
    $shown = 'not listed'
    if ($null -ne $now.live) { $shown = 'not live' }
    throw ('gobetween_backend: {0} did not turn live in server {1} within {2} s ({3} in {4}); the drain marker is removed: check that the site answers the health check (cmd /c healthcheck-<server>.cmd host port prints 1)' -f $b.Backend, $b.Server, $timeoutSec, $shown, $b.StatsUri)
}
