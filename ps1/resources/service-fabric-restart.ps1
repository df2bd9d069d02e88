# cortex-script: resources.service-fabric-restart
# Set of the service_fabric_restart resource (src/resources/service-fabric-restart.ts), a handler: the
# application's code packages restarted on each node that runs them, one node at a time in upgrade
# domain order, each node's packages running again before the next node is touched; every node must be
# Up before a restart (the others keep serving meanwhile). No Service Fabric on this node, or no such
# application yet: nothing to restart (a fresh install starts the application with the new files).
#   params: {application, reason, connectionEndpoint, timeout (s)}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$CortexFabricPollSeconds = 5

function Wait-CortexDeployedCodePackage {
    # Until every code package of the application on the node is Started again; throws after the timeout.
    param([Parameter(Mandatory = $true)][string]$NodeName, [Parameter(Mandatory = $true)][string]$Application, [Parameter(Mandatory = $true)][int]$TimeoutSeconds)
    $polls = [math]::Ceiling($TimeoutSeconds / $CortexFabricPollSeconds) + 1
    $waiting = @()
    for ($i = 0; $i -lt $polls; $i++) {
        $waiting = @(Get-ServiceFabricDeployedCodePackage -NodeName $NodeName -ApplicationName $Application | Where-Object { $null -eq $_.EntryPoint -or [string]$_.EntryPoint.EntryPointStatus -ne 'Started' } | ForEach-Object { [string]$_.CodePackageName })
        if ($waiting.Count -eq 0) { return }
        Start-Sleep -Seconds $CortexFabricPollSeconds
    }
    throw ('service_fabric_restart: code package(s) {0} of {1} on node {2} are not running again after {3} s; the other nodes were not restarted. Look at the node (Get-ServiceFabricDeployedCodePackage), then apply again' -f ($waiting -join ', '), $Application, $NodeName, $TimeoutSeconds)
}

Invoke-CortexScript {
    $R = 'service_fabric_restart'
    $application = [string](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'application' -Required)
    $reason = [string](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'reason' -Default 'asked by a handler')
    $endpoint = [string](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'connectionEndpoint' -Default 'localhost:19000')
    $timeout = [int](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'timeout' -Default 600)

    $service = @(Get-Service -Name 'FabricHostSvc' -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq 'FabricHostSvc' }) | Select-Object -First 1
    if ($null -eq $service) { return (New-CortexSetResult -Message ('nothing to restart: no Service Fabric on this node yet ({0})' -f $reason)) }
    $connectError = Connect-CortexServiceFabricCluster -Endpoint $endpoint
    if ($null -ne $connectError) { throw ('{0}: the Service Fabric cluster does not answer at {1}: {2}' -f $R, $endpoint, $connectError) }
    $app = @(Get-ServiceFabricApplication -ApplicationName $application) | Select-Object -First 1
    if ($null -eq $app) { return (New-CortexSetResult -Message ('nothing to restart: {0} is not deployed yet ({1})' -f $application, $reason)) }

    # Upgrade-domain order (UD0, UD1, ..., numbers compared as numbers), then node name: the order Service Fabric walks.
    $nodes = @(Get-ServiceFabricNode | Sort-Object -Property @{ Expression = { [regex]::Replace([string]$_.UpgradeDomain, '\d+', { param($m) $m.Value.PadLeft(10, '0') }) } }, @{ Expression = { [string]$_.NodeName } })
    $restarted = New-Object System.Collections.Generic.List[string]
    foreach ($node in $nodes) {
        # Every node Up before each restart: restarting while another node is down would leave fewer instances serving.
        $down = @(Get-ServiceFabricNode | Where-Object { [string]$_.NodeStatus -ne 'Up' } | ForEach-Object { [string]$_.NodeName })
        if ($down.Count -gt 0) {
            $before = 'none'
            if ($restarted.Count -gt 0) { $before = $restarted.ToArray() -join ', ' }
            throw ('{0}: node(s) {1} not Up; {2} was not restarted on {3} (restarted before: {4}). Bring the node(s) back, then apply again' -f $R, ($down -join ', '), $application, [string]$node.NodeName, $before)
        }
        $packages = @(Get-ServiceFabricDeployedCodePackage -NodeName ([string]$node.NodeName) -ApplicationName $application)
        if ($packages.Count -eq 0) { continue }
        foreach ($cp in $packages) {
            $null = Restart-ServiceFabricDeployedCodePackage -NodeName ([string]$node.NodeName) -ApplicationName $application -ServiceManifestName ([string]$cp.ServiceManifestName) -CodePackageName ([string]$cp.CodePackageName) -CommandCompletionMode Verify -TimeoutSec $timeout
        }
        Wait-CortexDeployedCodePackage -NodeName ([string]$node.NodeName) -Application $application -TimeoutSeconds $timeout
        $restarted.Add(('{0} ({1})' -f [string]$node.NodeName, [string]$node.UpgradeDomain))
    }
    New-CortexSetResult -Message ('restarted {0} one node at a time ({1}): {2}' -f $application, $reason, ($restarted.ToArray() -join ', '))
}
