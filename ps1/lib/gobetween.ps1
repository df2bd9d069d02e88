# cortex-script: lib.gobetween
# One backend of a gobetween balanced server as the gobetween_backend resource compares it
# (src/resources/gobetween-backend.ts): the drain marker the health check reads
# (<installDir>\drain\<host>_<port>, gobetween-healthcheck.ps1) and what the REST API on the load
# balancer's loopback shows for the backend (GET /servers/<server>/stats: backends[].stats.live).
# Shared by the Test (test-batch.ps1) and the Set (gobetween-backend.ps1).

function Get-CortexGobetweenBackendParams {
    # The step's parameters, checked: server, backend host and port, the marker's path, the stats URL.
    param([Parameter(Mandatory = $true)]$Params)
    $r = 'gobetween_backend'
    $server = [string](Get-CortexResourceParam -Params $Params -Resource $r -Name 'server' -Required)
    $backend = [string](Get-CortexResourceParam -Params $Params -Resource $r -Name 'backend' -Required)
    $installDir = [string](Get-CortexResourceParam -Params $Params -Resource $r -Name 'installDir' -Default 'C:\Program Files\gobetween')
    $api = [string](Get-CortexResourceParam -Params $Params -Resource $r -Name 'api' -Default '127.0.0.1:8888')
    if ($server -notmatch '^[a-z][a-z0-9_]*$') { throw ('gobetween_backend: server {0} is not a gobetween server name (lower-case letters, digits and _)' -f $server) }
    $m = [regex]::Match($backend, '^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$')
    if (-not $m.Success) { throw ('gobetween_backend: backend {0} is not host:port' -f $backend) }
    if ($api -notmatch '^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost):\d{1,5}$') { throw ('gobetween_backend: api {0} is not a loopback address and port' -f $api) }
    $backendHost = $m.Groups[1].Value
    $port = $m.Groups[2].Value
    # A file name cannot hold IPv6's : (gobetween passes the host without brackets): the health check
    # makes the same name from its arguments.
    $markerName = '{0}_{1}' -f ($backendHost.Trim('[', ']') -replace '[^A-Za-z0-9.-]', '_'), $port
    [pscustomobject]@{
        Server     = $server
        Backend    = $backend
        Host       = $backendHost.Trim('[', ']')
        Port       = $port
        MarkerDir  = Join-Path $installDir 'drain'
        Marker     = Join-Path (Join-Path $installDir 'drain') $markerName
        StatsUri   = 'http://{0}/servers/{1}/stats' -f $api, $server
    }
}

function Get-CortexGobetweenBackendState {
    # {drained, live, activeConnections}: live and activeConnections are $null when the API does not
    # answer (gobetween stopped) or does not list the backend.
    param([Parameter(Mandatory = $true)]$Backend)
    $drained = Test-Path -LiteralPath $Backend.Marker -PathType Leaf
    $live = $null
    $active = $null
    $stats = $null
    # Any failure is no answer: gobetween stopped, or not yet listening after a restart.
    try {
        $stats = Get-CortexHttpJson -Uri $Backend.StatsUri -TimeoutSec 5
    } catch {
        $stats = $null
    }
    if ($null -ne $stats -and $null -ne $stats.PSObject.Properties['backends']) {
        foreach ($b in @($stats.backends)) {
            if ($null -eq $b) { continue }
            $bHost = [string]$b.host
            $bPort = [string]$b.port
            if ($bHost.Trim('[', ']') -ne $Backend.Host -or $bPort -ne $Backend.Port) { continue }
            if ($null -ne $b.PSObject.Properties['stats'] -and $null -ne $b.stats) {
                if ($null -ne $b.stats.PSObject.Properties['live']) { $live = [bool]$b.stats.live }
                if ($null -ne $b.stats.PSObject.Properties['active_connections']) { $active = [int]$b.stats.active_connections }
            }
        }
    }
    [ordered]@{ drained = [bool]$drained; live = $live; activeConnections = $active }
}
