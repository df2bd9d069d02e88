# The service_fabric_restart resource (a handler): its Test in resources.test-batch and its Set
# (ps1/resources/service-fabric-restart.ps1), the ServiceFabric module's cmdlets mocked over a fake
# three-node cluster whose deployed code packages record their restarts.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $global:RestartParams = @{ application = 'fabric:/Cortex'; reason = 'the NServiceBus licence changed'; timeout = 30 }
    function Register-Fabric {
        # $global:Sf: Installed (FabricHostSvc), Reachable, Nodes (NodeName, NodeStatus, UpgradeDomain), App
        # (whether fabric:/Cortex exists), Restarts (node/package restarted, in order), and a node whose
        # packages never come back (Stuck).
        param([switch]$Installed, [switch]$Reachable, [switch]$App, [string[]]$Down = @(), [string]$Stuck = '')
        $nodes = @(
            [pscustomobject]@{ NodeName = 'app3'; NodeStatus = 'Up'; UpgradeDomain = 'UD2' },
            [pscustomobject]@{ NodeName = 'app1'; NodeStatus = 'Up'; UpgradeDomain = 'UD0' },
            [pscustomobject]@{ NodeName = 'app2'; NodeStatus = 'Up'; UpgradeDomain = 'UD1' }
        )
        foreach ($n in $nodes) { if ($Down -contains $n.NodeName) { $n.NodeStatus = 'Down' } }
        $global:Sf = @{ Installed = [bool]$Installed; Reachable = [bool]$Reachable; App = [bool]$App; Nodes = $nodes; Restarts = New-Object System.Collections.Generic.List[string]; Stuck = $Stuck }
        Mock Start-Sleep {}
        Mock Get-Service { if ($global:Sf.Installed -and $Name -contains 'FabricHostSvc') { [pscustomobject]@{ Name = 'FabricHostSvc'; Status = 'Running'; StartType = 'Automatic' } } }
        Mock Connect-ServiceFabricCluster { if (-not $global:Sf.Reachable) { throw 'Failed to contact the cluster: FABRIC_E_TIMEOUT' }; $true }
        Mock Get-ServiceFabricNode { $global:Sf.Nodes }
        Mock Get-ServiceFabricApplication { if ($global:Sf.App -and [string]$ApplicationName -eq 'fabric:/Cortex') { [pscustomobject]@{ ApplicationName = 'fabric:/Cortex' } } }
        Mock Get-ServiceFabricDeployedCodePackage {
            $status = 'Started'
            if ($NodeName -eq $global:Sf.Stuck) { $status = 'Pending' }
            foreach ($m in @('ApiGatewayPkg', 'FlowExecutionPkg')) { [pscustomobject]@{ ServiceManifestName = $m; CodePackageName = 'Code'; EntryPoint = [pscustomobject]@{ EntryPointStatus = $status } } }
        }
        Mock Restart-ServiceFabricDeployedCodePackage { $global:Sf.Restarts.Add(('{0}/{1}' -f $NodeName, $ServiceManifestName)) }
    }
}

Describe 'service_fabric_restart' {
    Context 'a three-node cluster running fabric:/Cortex' {
        BeforeEach { Register-Fabric -Installed -Reachable -App }
        It 'Test: reachable, the application exists; nothing restarted' {
            $t = Invoke-CortexResourceTest -Resource 'service_fabric_restart' -Params $global:RestartParams
            $t.StepError | Should -BeNullOrEmpty
            $t.State.reachable | Should -BeTrue
            $t.State.applicationExists | Should -BeTrue
            Should -Invoke Restart-ServiceFabricDeployedCodePackage -Times 0 -Exactly
        }
        It 'Set: each node''s code packages, one node at a time in upgrade-domain order, waited for before the next' {
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_restart' -Params $global:RestartParams
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'restarted fabric:/Cortex one node at a time (the NServiceBus licence changed): app1 (UD0), app2 (UD1), app3 (UD2)'
            @($global:Sf.Restarts) | Should -Be @('app1/ApiGatewayPkg', 'app1/FlowExecutionPkg', 'app2/ApiGatewayPkg', 'app2/FlowExecutionPkg', 'app3/ApiGatewayPkg', 'app3/FlowExecutionPkg')
            Should -Invoke Restart-ServiceFabricDeployedCodePackage -Times 6 -Exactly -ParameterFilter { $CommandCompletionMode -eq 'Verify' -and [string]$ApplicationName -eq 'fabric:/Cortex' -and $CodePackageName -eq 'Code' }
        }
    }

    Context 'a node down' {
        BeforeEach { Register-Fabric -Installed -Reachable -App -Down @('app2') }
        It 'Set: refused before any restart, naming the node' {
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_restart' -Params $global:RestartParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Match 'node\(s\) app2 not Up; fabric:/Cortex was not restarted on app1 \(restarted before: none\)'
            $global:Sf.Restarts.Count | Should -Be 0
        }
    }

    Context 'a node whose packages do not come back' {
        BeforeEach { Register-Fabric -Installed -Reachable -App -Stuck 'app1' }
        It 'Set: stops after that node, the others not restarted' {
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_restart' -Params $global:RestartParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Match 'Code, Code of fabric:/Cortex on node app1 are not running again after 30 s; the other nodes were not restarted'
            @($global:Sf.Restarts) | Should -Be @('app1/ApiGatewayPkg', 'app1/FlowExecutionPkg')
        }
    }

    Context 'nothing to restart' {
        It 'no Service Fabric on the node: ok, nothing called' {
            Register-Fabric
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_restart' -Params $global:RestartParams
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'nothing to restart: no Service Fabric on this node yet (the NServiceBus licence changed)'
            Should -Invoke Connect-ServiceFabricCluster -Times 0 -Exactly
            $t = Invoke-CortexResourceTest -Resource 'service_fabric_restart' -Params $global:RestartParams
            $t.State.reachable | Should -BeFalse
        }
        It 'no application yet: ok, nothing restarted' {
            Register-Fabric -Installed -Reachable
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_restart' -Params $global:RestartParams
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'nothing to restart: fabric:/Cortex is not deployed yet (the NServiceBus licence changed)'
            Should -Invoke Restart-ServiceFabricDeployedCodePackage -Times 0 -Exactly
        }
        It 'the cluster does not answer: an error naming the endpoint' {
            Register-Fabric -Installed -App
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_restart' -Params $global:RestartParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Match 'does not answer at localhost:19000: Failed to contact the cluster'
        }
    }
}
