# cortex-script: probes.reach
# Cross-host reachability from this host, in one round trip: for each target, does its name resolve,
# and can a TCP connection reach each port. All connection attempts run at once and share one deadline.
# Parameters: targets [{name, address, ports[]}], timeoutMs. Read-only: it opens and closes sockets.
# States: open (connected), closed (refused: the path is open, nothing listens), filtered (no answer
# before the deadline), error (another socket error). src/preflight/rules/reach.ts judges them.
# The deadline defaults to 5 s: Windows retries a SYN that is answered by a RST, so even a refused
# connect takes about 2 s there, and a shorter deadline would report closed ports as filtered.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-CortexReachField {
    # A required field of a target, or a clear error naming it (a missing property fails in strict mode).
    param([Parameter(Mandatory = $true)]$Target, [Parameter(Mandatory = $true)][string]$Name, [Parameter(Mandatory = $true)][string]$Where)
    $property = $null
    if ($null -ne $Target -and $Target -isnot [string] -and $Target -isnot [ValueType]) { $property = $Target.PSObject.Properties[$Name] }
    if ($null -eq $property -or $null -eq $property.Value) { throw ('{0}.{1} is missing: each target needs name, address and ports' -f $Where, $Name) }
    $property.Value
}

function ConvertTo-CortexPortState {
    # The seam's connection outcome as a reach state; see the header.
    param([Parameter(Mandatory = $true)][string]$Outcome)
    switch ($Outcome) {
        'Connected' { return 'open' }
        'ConnectionRefused' { return 'closed' }
        'NoAnswer' { return 'filtered' }
        'TimedOut' { return 'filtered' }
        default { return 'error' }
    }
}

Invoke-CortexScript {
    $targets = @(Get-CortexParam -Name 'targets' -Default @())
    $timeoutValue = Get-CortexParam -Name 'timeoutMs' -Default 5000
    $timeoutMs = 0
    if (-not [int]::TryParse([string]$timeoutValue, [ref]$timeoutMs) -or $timeoutMs -lt 100 -or $timeoutMs -gt 30000) {
        throw ('timeoutMs must be a whole number of milliseconds from 100 to 30000, not {0}' -f $timeoutValue)
    }

    # Validate every target before opening any socket.
    $entries = New-Object System.Collections.Generic.List[object]
    for ($i = 0; $i -lt $targets.Count; $i++) {
        $where = 'targets[{0}]' -f $i
        $name = [string](Get-CortexReachField -Target $targets[$i] -Name 'name' -Where $where)
        $address = [string](Get-CortexReachField -Target $targets[$i] -Name 'address' -Where $where)
        if ($name.Trim() -eq '') { throw ('{0}.name is empty' -f $where) }
        if ($address.Trim() -eq '') { throw ('{0}.address is empty' -f $where) }
        $ports = New-Object System.Collections.Generic.List[int]
        $portValues = @(Get-CortexReachField -Target $targets[$i] -Name 'ports' -Where $where)
        for ($j = 0; $j -lt $portValues.Count; $j++) {
            $port = 0
            if (-not [int]::TryParse([string]$portValues[$j], [ref]$port) -or $port -lt 1 -or $port -gt 65535) {
                throw ('{0}.ports[{1}] must be a TCP port from 1 to 65535, not {2}' -f $where, $j, $portValues[$j])
            }
            $ports.Add($port)
        }
        $entries.Add([pscustomobject]@{ name = $name; address = $address; ports = $ports.ToArray() })
    }

    $endpoints = New-Object System.Collections.Generic.List[object]
    foreach ($e in $entries) {
        foreach ($port in $e.ports) { $endpoints.Add([pscustomobject]@{ address = $e.address; port = $port }) }
    }
    # Assigned first, then wrapped: @() around a call that returns an array whole would nest it.
    $outcomes = @()
    if ($endpoints.Count -gt 0) {
        $outcomes = Test-CortexTcpConnection -Endpoint $endpoints.ToArray() -TimeoutMs $timeoutMs
        $outcomes = @($outcomes)
    }
    if ($outcomes.Count -ne $endpoints.Count) { throw ('the connection test answered {0} outcomes for {1} endpoints' -f $outcomes.Count, $endpoints.Count) }

    $out = New-Object System.Collections.Generic.List[object]
    $next = 0
    foreach ($e in $entries) {
        $resolved = @()
        $resolveError = $null
        try {
            $resolved = Resolve-CortexHostAddress -Name $e.name
            $resolved = @($resolved)
        } catch {
            $resolveError = $_.Exception.Message
        }
        $ports = New-Object System.Collections.Generic.List[object]
        foreach ($port in $e.ports) {
            $ports.Add([ordered]@{ port = $port; state = ConvertTo-CortexPortState -Outcome ([string]$outcomes[$next].outcome) })
            $next++
        }
        $out.Add([ordered]@{ name = $e.name; address = $e.address; resolved = [string[]]$resolved; resolveError = $resolveError; ports = $ports.ToArray() })
    }
    [ordered]@{ targets = $out.ToArray() }
}
