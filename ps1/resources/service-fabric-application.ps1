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
    if ($null -ne $app) {
        if ([string]$app.ApplicationTypeName -eq $typeName -and [string]$app.ApplicationTypeVersion -eq $typeVersion) {
            return (New-CortexSetResult -Message ('{0} already runs {1} {2}' -f $name, $typeName, $typeVersion))
        }
        throw ('{0}: {1} runs {2} {3}, not {4} {5}: that is an application upgrade, which this step does not do' -f $R, $name, $app.ApplicationTypeName, $app.ApplicationTypeVersion, $typeName, $typeVersion)
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
    New-ServiceFabricApplication -ApplicationName $name -ApplicationTypeName $typeName -ApplicationTypeVersion $typeVersion -ApplicationParameter $parameters -TimeoutSec $timeout | Out-Null
    $did.Add(('created {0}' -f $name))
    New-CortexSetResult -Message ($did.ToArray() -join ', ')
}
