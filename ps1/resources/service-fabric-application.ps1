# cortex-script: resources.service-fabric-application
# Set of the service_fabric_application resource (src/resources/service-fabric-application.ts): from an
# application package folder on this node, copies the package to the cluster's image store, registers
# its application type (when that version is not registered yet; the copy is removed from the image
# store after), and creates the application with its parameters. An application of that name running
# another type or version is an upgrade (issue 13) and refused. Through the cluster connection of this
# node's client endpoint (no double hop: the image store is reached by the cluster, not by this session).
#   params: {name, typeName, typeVersion, packagePath, parameters {}, connectionEndpoint, timeout (s)}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$CortexFabricPollSeconds = 5

function Invoke-CortexFabricApplicationUpgrade {
    # The monitored upgrade of a running application to a registered version (and/or other parameter
    # values); returns the line that says what was done, or throws naming the failed upgrade domain.
    param(
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][string]$TypeName,
        [Parameter(Mandatory = $true)][string]$From,
        [Parameter(Mandatory = $true)][string]$TypeVersion,
        [Parameter(Mandatory = $true)][hashtable]$Parameters,
        [Parameter(Mandatory = $true)][int]$TimeoutSeconds
    )
    $R = 'service_fabric_application'
    $byDomain = Get-CortexFabricNodesByDomain -Nodes @(Get-ServiceFabricNode)
    $nodesOf = { param($d) if ($byDomain.ContainsKey($d)) { $byDomain[$d] } else { '?' } }
    Start-ServiceFabricApplicationUpgrade -ApplicationName $Name -ApplicationTypeVersion $TypeVersion -ApplicationParameter $Parameters -Monitored -FailureAction Rollback -UpgradeTimeoutSec $TimeoutSeconds -TimeoutSec $TimeoutSeconds | Out-Null
    $done = New-Object System.Collections.Generic.List[string]
    $polls = [math]::Ceiling($TimeoutSeconds / $CortexFabricPollSeconds) + 1
    $u = $null
    $state = ''
    for ($i = 0; $i -lt $polls; $i++) {
        $u = Get-ServiceFabricApplicationUpgrade -ApplicationName $Name
        $state = [string]$u.UpgradeState
        if ([string]$u.TargetApplicationTypeVersion -eq $TypeVersion) {
            foreach ($d in (Get-CortexUpgradeDomainState $u.UpgradeDomainsStatus)) {
                if ($d.state -eq 'Completed' -and -not $done.Contains($d.name)) { $done.Add($d.name) }
            }
            if (@('RollingForwardCompleted', 'RollingBackCompleted', 'RollingBackInProgress', 'Failed') -contains $state) { break }
        }
        Start-Sleep -Seconds $CortexFabricPollSeconds
    }
    if ($state -eq 'RollingForwardCompleted' -and [string]$u.TargetApplicationTypeVersion -eq $TypeVersion) {
        $walked = @($done | ForEach-Object { '{0} ({1})' -f $_, (& $nodesOf $_) })
        return ('upgraded {0} {1} {2} -> {3}, one upgrade domain at a time: {4}' -f $Name, $TypeName, $From, $TypeVersion, ($walked -join ', '))
    }
    if (@('RollingBackCompleted', 'RollingBackInProgress', 'Failed') -contains $state) {
        $domain = '?'
        if ($null -ne $u.UpgradeDomainProgressAtFailure -and $u.UpgradeDomainProgressAtFailure.UpgradeDomainName) { $domain = [string]$u.UpgradeDomainProgressAtFailure.UpgradeDomainName }
        $before = 'none'
        if ($done.Count -gt 0) { $before = $done.ToArray() -join ', ' }
        throw ('{0}: the monitored upgrade of {1} to {2} failed in upgrade domain {3} ({4}): {5}; Service Fabric rolled back to {6} ({7}; completed before the failure: {8}). Fix the node, then apply again' -f $R, $Name, $TypeVersion, $domain, (& $nodesOf $domain), $u.FailureReason, $From, $state, $before)
    }
    throw ('{0}: the upgrade of {1} to {2} is still {3} after {4} s (upgrade domains completed: {5}); watch it with Get-ServiceFabricApplicationUpgrade and apply again when it has ended' -f $R, $Name, $TypeVersion, $state, $TimeoutSeconds, ($done.ToArray() -join ', '))
}

Invoke-CortexScript {
    $p = $CortexParams
    $R = 'service_fabric_application'
    $name = [string](Get-CortexResourceParam -Params $p -Resource $R -Name 'name' -Required)
    $typeName = [string](Get-CortexResourceParam -Params $p -Resource $R -Name 'typeName' -Required)
    $typeVersion = [string](Get-CortexResourceParam -Params $p -Resource $R -Name 'typeVersion' -Required)
    $packagePath = [string](Get-CortexResourceParam -Params $p -Resource $R -Name 'packagePath' -Required)
    $endpoint = [string](Get-CortexResourceParam -Params $p -Resource $R -Name 'connectionEndpoint' -Default 'localhost:19000')
    $timeout = [int](Get-CortexResourceParam -Params $p -Resource $R -Name 'timeout' -Default 600)
    $parameterObject = Get-CortexResourceParam -Params $p -Resource $R -Name 'parameters' -Default ([pscustomobject]@{})
    $parameters = @{}
    foreach ($prop in $parameterObject.PSObject.Properties) { $parameters[$prop.Name] = [string]$prop.Value }

    # String joins, not Join-Path: the folder's drive need not exist where the path is only built.
    $manifest = $packagePath.TrimEnd('\') + '\ApplicationManifest.xml'
    if (-not (Test-Path -LiteralPath $manifest -PathType Leaf)) { throw ('{0}: {1} is missing; extract the application package to {2} in an earlier step' -f $R, $manifest, $packagePath) }
    $connectError = Connect-CortexServiceFabricCluster -Endpoint $endpoint
    if ($null -ne $connectError) { throw ('{0}: the Service Fabric cluster does not answer at {1}: {2}' -f $R, $endpoint, $connectError) }

    $app = @(Get-ServiceFabricApplication -ApplicationName $name) | Select-Object -First 1
    $upgrade = $false
    $from = $null
    if ($null -ne $app) {
        if ([string]$app.ApplicationTypeName -ne $typeName) {
            throw ('{0}: {1} runs type {2}, not {3}; remove the application by hand (Remove-ServiceFabricApplication) if it is to be replaced' -f $R, $name, $app.ApplicationTypeName, $typeName)
        }
        $running = @{}
        foreach ($ap in @($app.ApplicationParameters)) { $running[[string]$ap.Name] = [string]$ap.Value }
        $otherValues = @($parameters.Keys | Where-Object { -not $running.ContainsKey($_) -or $running[$_] -ne $parameters[$_] })
        if ([string]$app.ApplicationTypeVersion -eq $typeVersion -and $otherValues.Count -eq 0) {
            return (New-CortexSetResult -Message ('{0} already runs {1} {2}' -f $name, $typeName, $typeVersion))
        }
        $upgrade = $true
        $from = [string]$app.ApplicationTypeVersion
    }

    $registered = @(Get-ServiceFabricApplicationType -ApplicationTypeName $typeName | Where-Object { [string]$_.ApplicationTypeVersion -eq $typeVersion })
    $did = New-Object System.Collections.Generic.List[string]
    if ($registered.Count -eq 0) {
        $store = '{0}\{1}' -f $typeName, $typeVersion
        Copy-ServiceFabricApplicationPackage -ApplicationPackagePath $packagePath -ApplicationPackagePathInImageStore $store -TimeoutSec $timeout
        Register-ServiceFabricApplicationType -ApplicationPathInImageStore $store -TimeoutSec $timeout
        Remove-ServiceFabricApplicationPackage -ApplicationPackagePathInImageStore $store
        $registered = @(Get-ServiceFabricApplicationType -ApplicationTypeName $typeName | Where-Object { [string]$_.ApplicationTypeVersion -eq $typeVersion })
        if ($registered.Count -eq 0) {
            throw ('{0}: the package at {1} was registered but no type {2} {3} is: its ApplicationManifest.xml declares another type or version' -f $R, $packagePath, $typeName, $typeVersion)
        }
        $did.Add(('registered {0} {1}' -f $typeName, $typeVersion))
    }
    if ($upgrade) {
        $did.Add((Invoke-CortexFabricApplicationUpgrade -Name $name -TypeName $typeName -From $from -TypeVersion $typeVersion -Parameters $parameters -TimeoutSeconds $timeout))
        return (New-CortexSetResult -Message ($did.ToArray() -join ', '))
    }
    New-ServiceFabricApplication -ApplicationName $name -ApplicationTypeName $typeName -ApplicationTypeVersion $typeVersion -ApplicationParameter $parameters -TimeoutSec $timeout | Out-Null
    $did.Add(('created {0}' -f $name))
    New-CortexSetResult -Message ($did.ToArray() -join ', ')
}
