# Scripts under test: ps1/resources/service-fabric-cluster.ps1 and service-fabric-application.ps1 (Sets),
# with their Tests in ps1/resources/test-batch.ps1. The ServiceFabric module's cmdlets, the one-shot task
# (Invoke-CortexOneShotTask, itself tested in scheduled-task.Tests.ps1) and the package's log files are
# mocked over a small fake cluster; one Context per state of the node and the cluster.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $secret = 'Sf-S3cr3t!'
    $pkg = 'C:\ProgramData\CortexInstall\sf\10.1'
    $cfg = 'C:\ProgramData\CortexInstall\sf\ClusterConfig.json'
    $cluster = @{ packagePath = $pkg; configPath = $cfg; nodes = @('app1', 'app2', 'app3'); runAs = @{ user = 'LAB\sf-install'; password = $secret }; timeout = 60 }
    $appPkg = 'C:\ProgramData\CortexInstall\cortex\1.0.0\CortexApps'
    $application = @{ name = 'fabric:/Cortex'; typeName = 'CortexType'; typeVersion = '1.0.0'; packagePath = $appPkg; parameters = @{ Gateway_InstanceCount = '-1' } }
    $passedTable = @('Trace folder already exists. Traces will be written to existing trace folder: C:\x\DeploymentTraces', '', 'LocalAdminPrivilege        : True', 'IsJsonValid                : True', 'IsCabValid                 : True', 'RequiredPortsOpen          : True', 'RemoteRegistryAvailable    : True', 'FirewallAvailable          : True', 'RpcCheckPassed             : True', 'NoConflictingInstallations : True', 'FabricInstallable          : True', 'Passed                     : True')

    function New-FabricNode([string]$Name, [string]$Status = 'Up', [string]$Health = 'Ok', [string]$Domain = '') { [pscustomobject]@{ NodeName = $Name; NodeStatus = $Status; HealthState = $Health; UpgradeDomain = $Domain } }

    function Register-Fabric {
        # The fake: $global:Sf.Installed (FabricHostSvc), .Reachable (Connect answers), .Nodes, .Types
        # (@{name; version}), .Apps (name -> app), .Files (paths Test-Path finds), .Logs (log path -> lines),
        # .TaskExits (exit codes the one-shot tasks return, in order) and what the tasks ran (.Tasks).
        param([switch]$Installed, [switch]$Reachable, [object[]]$Nodes = @())
        $m = New-CortexTestMachine
        if ($Installed) { $m.Registry['64']['SOFTWARE\Microsoft\Service Fabric'] = [ordered]@{ FabricVersion = '10.1.1541.9590'; FabricDataRoot = 'C:\ProgramData\SF' } }
        Register-CortexTestRegistryMock $m
        $global:Sf = @{ Installed = [bool]$Installed; Reachable = [bool]$Reachable; Nodes = @($Nodes); Types = New-Object System.Collections.ArrayList; Apps = [ordered]@{}; Files = @("$pkg\TestConfiguration.ps1", "$pkg\CreateServiceFabricCluster.ps1", $cfg, "$appPkg\ApplicationManifest.xml"); Logs = @{}; TaskExits = New-Object System.Collections.ArrayList; Tasks = New-Object System.Collections.ArrayList; OnCreate = $null; PackageVersion = $null; Upgrades = New-Object System.Collections.ArrayList }
        Mock Get-Service { if ($global:Sf.Installed -and $Name -contains 'FabricHostSvc') { [pscustomobject]@{ Name = 'FabricHostSvc'; Status = 'Running'; StartType = 'Automatic' } } }
        Mock Connect-ServiceFabricCluster { if (-not $global:Sf.Reachable) { throw 'Failed to contact the cluster: FABRIC_E_TIMEOUT' }; $true }
        Mock Get-ServiceFabricNode { $global:Sf.Nodes }
        Mock Get-ServiceFabricClusterUpgrade {
            # .Upgrades: the answers of successive polls once an upgrade started (the last one repeats).
            if ($global:Sf.Upgrades.Count -gt 1) { $u = $global:Sf.Upgrades[0]; $global:Sf.Upgrades.RemoveAt(0); return $u }
            if ($global:Sf.Upgrades.Count -eq 1) { return $global:Sf.Upgrades[0] }
            [pscustomobject]@{ TargetCodeVersion = '10.1.1541.9590'; TargetConfigVersion = '1.0.0'; UpgradeState = 'RollingForwardCompleted' }
        }
        Mock Get-Item { if ($null -ne $global:Sf.PackageVersion -and [string]@($LiteralPath)[0] -eq "$pkg\DeploymentComponentsAutoextractor.exe") { [pscustomobject]@{ VersionInfo = [pscustomobject]@{ FileVersion = $global:Sf.PackageVersion } } } }
        Mock Copy-ServiceFabricClusterPackage { }
        Mock Register-ServiceFabricClusterPackage { }
        Mock Start-ServiceFabricClusterUpgrade { }
        Mock Start-ServiceFabricApplicationUpgrade { }
        Mock Get-ServiceFabricClusterHealth { [pscustomobject]@{ AggregatedHealthState = 'Ok' } }
        Mock Get-ServiceFabricApplicationType { @($global:Sf.Types | Where-Object { $_.name -eq $ApplicationTypeName } | ForEach-Object { [pscustomobject]@{ ApplicationTypeName = $_.name; ApplicationTypeVersion = $_.version } }) }
        Mock Get-ServiceFabricApplication { if ($global:Sf.Apps.Contains([string]$ApplicationName)) { $global:Sf.Apps[[string]$ApplicationName] } }
        Mock Get-ServiceFabricApplicationHealth { [pscustomobject]@{ AggregatedHealthState = 'Ok' } }
        Mock Copy-ServiceFabricApplicationPackage { }
        Mock Register-ServiceFabricApplicationType { $null = $global:Sf.Types.Add(@{ name = 'CortexType'; version = '1.0.0' }) }
        Mock Remove-ServiceFabricApplicationPackage { }
        Mock New-ServiceFabricApplication {
            $global:Sf.Apps[[string]$ApplicationName] = [pscustomobject]@{ ApplicationName = $ApplicationName; ApplicationTypeName = $ApplicationTypeName; ApplicationTypeVersion = $ApplicationTypeVersion; ApplicationStatus = 'Ready'; ApplicationParameters = @($ApplicationParameter.GetEnumerator() | ForEach-Object { [pscustomobject]@{ Name = $_.Key; Value = $_.Value } }) }
        }
        Mock Test-Path { $path = [string]@($LiteralPath)[0]; $global:Sf.Files -contains $path -or $global:Sf.Logs.ContainsKey($path) }
        Mock Get-Content { $global:Sf.Logs[[string]@($LiteralPath)[0]] }
        Mock Start-Sleep { }
        Mock Invoke-CortexOneShotTask {
            $null = $global:Sf.Tasks.Add(@{ Name = $Name; Command = $Command; Arguments = $Arguments; WorkingDirectory = $WorkingDirectory; User = $User; Password = $Password; TimeoutSeconds = $TimeoutSeconds })
            $exit = 0
            if ($global:Sf.TaskExits.Count -gt 0) { $exit = $global:Sf.TaskExits[0]; $global:Sf.TaskExits.RemoveAt(0) }
            if ($Name -eq 'sf-CreateServiceFabricCluster' -and $exit -eq 0 -and $null -ne $global:Sf.OnCreate) { & $global:Sf.OnCreate }
            $exit
        }
        $m
    }

    function Get-TaskCommand([int]$Index) {
        # The PowerShell text a one-shot task ran (its -EncodedCommand, decoded).
        $arguments = $global:Sf.Tasks[$Index].Arguments
        $arguments | Should -Match '^-NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand [A-Za-z0-9+/=]+$'
        [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String(($arguments -split ' ')[-1]))
    }
}

Describe 'service_fabric_cluster' {
    Context 'absent: no FabricHostSvc on the deploy node' {
        BeforeEach { $null = Register-Fabric }
        It 'Test: not installed, not reachable, no nodes; does not try to connect' {
            $r = Invoke-CortexResourceTest -Resource 'service_fabric_cluster' -Params $cluster
            $r.StepError | Should -BeNullOrEmpty
            $r.State.fabricHostService | Should -BeFalse
            $r.State.fabricVersion | Should -BeNullOrEmpty
            $r.State.reachable | Should -BeFalse
            @($r.State.nodes).Count | Should -Be 0
            $r.Json | Should -BeLike '*"nodes":`[`]*'
            Should -Invoke Connect-ServiceFabricCluster -Times 0 -Exactly
        }
        It 'Set: TestConfiguration then CreateServiceFabricCluster -AcceptEULA as the install account, then waits for the nodes Up' {
            $global:Sf.Logs["$pkg\cortex-TestConfiguration.log"] = $passedTable
            $global:Sf.OnCreate = { $global:Sf.Installed = $true; $global:Sf.Reachable = $true; $global:Sf.Nodes = @((New-FabricNode 'app1'), (New-FabricNode 'app2'), (New-FabricNode 'app3')) }
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'created the Service Fabric cluster: app1, app2, app3 Up'
            $global:Sf.Tasks.Count | Should -Be 2
            $global:Sf.Tasks[0].Name | Should -Be 'sf-TestConfiguration'
            $global:Sf.Tasks[1].Name | Should -Be 'sf-CreateServiceFabricCluster'
            foreach ($t in $global:Sf.Tasks) {
                $t.Command | Should -Be 'powershell.exe'
                $t.User | Should -Be 'LAB\sf-install'
                $t.Password | Should -Be $secret
                $t.WorkingDirectory | Should -Be $pkg
                $t.TimeoutSeconds | Should -Be 60
            }
            $test = Get-TaskCommand 0
            $test | Should -BeLike "*& '$pkg\TestConfiguration.ps1' -ClusterConfigFilePath '$cfg' *>&1 | Out-File -FilePath '$pkg\cortex-TestConfiguration.log'*"
            $test | Should -Not -BeLike '*AcceptEULA*'
            Get-TaskCommand 1 | Should -BeLike "*& '$pkg\CreateServiceFabricCluster.ps1' -ClusterConfigFilePath '$cfg' -AcceptEULA *>&1 | Out-File -FilePath '$pkg\cortex-CreateServiceFabricCluster.log'*"
            $r.Json | Should -Not -BeLike "*$secret*"
            $s = (Invoke-CortexResourceTest -Resource 'service_fabric_cluster' -Params $cluster).State
            $s.reachable | Should -BeTrue
        }
        It 'Set: TestConfiguration not passed: names the False checks and the lines about the nodes; nothing created' {
            $global:Sf.Logs["$pkg\cortex-TestConfiguration.log"] = @('Running Best Practices Analyzer...', 'Remote registry service is not running on machine app2.', 'Machine app1 is fine.x', 'LocalAdminPrivilege        : True', 'RequiredPortsOpen          : True', 'RemoteRegistryAvailable    : False', 'FirewallAvailable          : True', 'RpcCheckPassed             : False', 'Passed                     : False')
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be "service_fabric_cluster: TestConfiguration.ps1 did not pass (Passed : False): RemoteRegistryAvailable, RpcCheckPassed False: Remote registry service is not running on machine app2. | Machine app1 is fine.x (log: $pkg\cortex-TestConfiguration.log)"
            $global:Sf.Tasks.Count | Should -Be 1
            $r.Json | Should -Not -BeLike "*$secret*"
        }
        It 'Set: TestConfiguration printed no table: its exit code and last lines' {
            $global:Sf.Logs["$pkg\cortex-TestConfiguration.log"] = @('TestConfiguration.ps1 : Access is denied', '    + CategoryInfo : NotSpecified')
            $null = $global:Sf.TaskExits.Add(1)
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Error.message | Should -Be "service_fabric_cluster: TestConfiguration.ps1 (as LAB\sf-install) exited with code 1 and printed no `"Passed`" line: TestConfiguration.ps1 : Access is denied | + CategoryInfo : NotSpecified (log: $pkg\cortex-TestConfiguration.log)"
        }
        It 'Set: no log at all: "(no output)"' {
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Error.message | Should -BeLike '*exited with code 0 and printed no "Passed" line: (no output)*'
        }
        It 'Set: CreateServiceFabricCluster fails: its exit code and output' {
            $global:Sf.Logs["$pkg\cortex-TestConfiguration.log"] = $passedTable
            $global:Sf.Logs["$pkg\cortex-CreateServiceFabricCluster.log"] = @('Creating Service Fabric Cluster...', 'Create Cluster failed. For more information please look at traces in DeploymentTraces.')
            $null = $global:Sf.TaskExits.Add(0); $null = $global:Sf.TaskExits.Add(1)
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Error.message | Should -Be "service_fabric_cluster: CreateServiceFabricCluster.ps1 (as LAB\sf-install) exited with code 1: Creating Service Fabric Cluster... | Create Cluster failed. For more information please look at traces in DeploymentTraces. (log: $pkg\cortex-CreateServiceFabricCluster.log)"
            Should -Invoke Get-ServiceFabricNode -Times 0 -Exactly
        }
        It 'Set: a node never comes Up: timed out naming it (counted polls)' {
            $global:Sf.Logs["$pkg\cortex-TestConfiguration.log"] = $passedTable
            $global:Sf.OnCreate = { $global:Sf.Installed = $true; $global:Sf.Reachable = $true; $global:Sf.Nodes = @((New-FabricNode 'app1'), (New-FabricNode 'APP2' 'Down' 'Error'), (New-FabricNode 'app3')) }
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Error.message | Should -Be 'service_fabric_cluster: the cluster was created but app2 not Up within 60 s'
            Should -Invoke Start-Sleep -Times 13 -Exactly
        }
        It 'Set: the cluster never answers: the last connection error' {
            $global:Sf.Logs["$pkg\cortex-TestConfiguration.log"] = $passedTable
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Error.message | Should -Be 'service_fabric_cluster: the cluster was created but app1, app2, app3 not Up within 60 s (last connection error: Failed to contact the cluster: FABRIC_E_TIMEOUT)'
        }
        It 'Set: the package or the configuration missing: named, nothing run' {
            $global:Sf.Files = @("$pkg\TestConfiguration.ps1", $cfg)
            (Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster).Error.message | Should -Be "service_fabric_cluster: CreateServiceFabricCluster.ps1 is not in $pkg; extract the Service Fabric standalone package there in an earlier step"
            $global:Sf.Files = @("$pkg\TestConfiguration.ps1", "$pkg\CreateServiceFabricCluster.ps1")
            (Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster).Error.message | Should -Be "service_fabric_cluster: the cluster configuration $cfg is missing; write it in an earlier step"
            $global:Sf.Tasks.Count | Should -Be 0
        }
        It 'Set: a timeout under 10 s is refused' {
            $p = $cluster.Clone(); $p.timeout = 5
            (Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $p).Error.message | Should -Be 'service_fabric_cluster: parameter timeout must be at least 10 seconds, not 5'
        }
    }

    Context 'healthy: installed, reachable, every node Up' {
        BeforeEach { $null = Register-Fabric -Installed -Reachable -Nodes @((New-FabricNode 'app1'), (New-FabricNode 'app2'), (New-FabricNode 'app3')) }
        It 'Test: nodes with status and health, versions, cluster health; connects to localhost:19000 with Windows credentials' {
            $s = (Invoke-CortexResourceTest -Resource 'service_fabric_cluster' -Params $cluster).State
            $s.fabricHostService | Should -BeTrue
            $s.fabricVersion | Should -Be '10.1.1541.9590'
            $s.reachable | Should -BeTrue
            $s.connectError | Should -BeNullOrEmpty
            $s.codeVersion | Should -Be '10.1.1541.9590'
            $s.configVersion | Should -Be '1.0.0'
            $s.health | Should -Be 'Ok'
            ($s.nodes | ForEach-Object { '{0}={1}/{2}' -f $_.name, $_.status, $_.health }) -join ',' | Should -Be 'app1=Up/Ok,app2=Up/Ok,app3=Up/Ok'
            Should -Invoke Connect-ServiceFabricCluster -Times 1 -Exactly -ParameterFilter { $ConnectionEndpoint -eq 'localhost:19000' -and $WindowsCredential }
        }
        It 'Test: another endpoint when the step names one' {
            $p = $cluster.Clone(); $p.connectionEndpoint = 'app1:19100'
            $null = Invoke-CortexResourceTest -Resource 'service_fabric_cluster' -Params $p
            Should -Invoke Connect-ServiceFabricCluster -Times 1 -Exactly -ParameterFilter { $ConnectionEndpoint -eq 'app1:19100' }
        }
        It 'Test: one node is a single-element list' {
            $global:Sf.Nodes = @(New-FabricNode 'app1')
            (Invoke-CortexResourceTest -Resource 'service_fabric_cluster' -Params $cluster).Json | Should -BeLike '*"nodes":`[{"name":"app1","status":"Up","health":"Ok","upgradeDomain":null}`]*'
        }
        It 'Test: each node with its upgrade domain (what plan orders the upgrade by)' {
            $global:Sf.Nodes = @((New-FabricNode 'app1' -Domain 'UD0'), (New-FabricNode 'app2' -Domain 'UD1'))
            $s = (Invoke-CortexResourceTest -Resource 'service_fabric_cluster' -Params $cluster).State
            ($s.nodes | ForEach-Object { '{0}={1}' -f $_.name, $_.upgradeDomain }) -join ',' | Should -Be 'app1=UD0,app2=UD1'
        }
        It 'Test: the package runtime version from its DeploymentComponentsAutoextractor.exe, null without it' {
            (Invoke-CortexResourceTest -Resource 'service_fabric_cluster' -Params $cluster).State.packageCodeVersion | Should -BeNullOrEmpty
            $global:Sf.PackageVersion = '10.1.2448.9590'
            (Invoke-CortexResourceTest -Resource 'service_fabric_cluster' -Params $cluster).State.packageCodeVersion | Should -Be '10.1.2448.9590'
        }
        It 'Set: the package is the running version: nothing to upgrade, nothing created' {
            $global:Sf.PackageVersion = '10.1.1541.9590'
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Data.message | Should -Be 'the cluster already runs 10.1.1541.9590'
            $global:Sf.Tasks.Count | Should -Be 0
            Should -Invoke Start-ServiceFabricClusterUpgrade -Times 0 -Exactly
        }
        It 'Set: a package without the versioned exe: named, nothing started' {
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Error.message | Should -Be "service_fabric_cluster: $pkg\DeploymentComponentsAutoextractor.exe is missing: the package at $pkg has no runtime version to upgrade the cluster to"
            Should -Invoke Start-ServiceFabricClusterUpgrade -Times 0 -Exactly
        }
    }

    Context 'code upgrade: the cluster runs 10.1.1541.9590, the package holds 10.1.2448.9590' {
        BeforeEach {
            $null = Register-Fabric -Installed -Reachable -Nodes @((New-FabricNode 'app1' -Domain 'UD0'), (New-FabricNode 'app2' -Domain 'UD1'), (New-FabricNode 'app3' -Domain 'UD2'))
            $global:Sf.PackageVersion = '10.1.2448.9590'
            $global:Sf.Files += "$pkg\MicrosoftAzureServiceFabric.cab"
            function New-Progress([string]$State, [hashtable]$Domains, $AtFailure = $null, [string]$Target = '10.1.2448.9590', [string]$Reason = 'None') {
                $list = @($Domains.Keys | Sort-Object | ForEach-Object { [pscustomobject]@{ Name = $_; State = $Domains[$_] } })
                [pscustomobject]@{ TargetCodeVersion = $Target; TargetConfigVersion = '1.0.0'; UpgradeState = $State; UpgradeDomainsStatus = $list; FailureReason = $Reason; UpgradeDomainProgressAtFailure = $AtFailure }
            }
        }
        It 'Test: the package version differs from the running one' {
            $s = (Invoke-CortexResourceTest -Resource 'service_fabric_cluster' -Params $cluster).State
            $s.codeVersion | Should -Be '10.1.1541.9590'
            $s.packageCodeVersion | Should -Be '10.1.2448.9590'
        }
        It 'Set: copies and registers the cab, starts a monitored upgrade with rollback, reports the domains in the order they completed' {
            $old = [pscustomobject]@{ TargetCodeVersion = '10.1.1541.9590'; TargetConfigVersion = '1.0.0'; UpgradeState = 'RollingForwardCompleted' }
            foreach ($u in @($old, $old, (New-Progress 'RollingForwardInProgress' @{ UD0 = 'InProgress'; UD1 = 'Pending'; UD2 = 'Pending' }), (New-Progress 'RollingForwardInProgress' @{ UD0 = 'Completed'; UD1 = 'InProgress'; UD2 = 'Pending' }), (New-Progress 'RollingForwardInProgress' @{ UD0 = 'Completed'; UD1 = 'Completed'; UD2 = 'InProgress' }), (New-Progress 'RollingForwardCompleted' @{ UD0 = 'Completed'; UD1 = 'Completed'; UD2 = 'Completed' }))) { $null = $global:Sf.Upgrades.Add($u) }
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'upgraded the cluster code 10.1.1541.9590 -> 10.1.2448.9590, one upgrade domain at a time: UD0 (app1), UD1 (app2), UD2 (app3)'
            Should -Invoke Copy-ServiceFabricClusterPackage -Times 1 -Exactly -ParameterFilter { $Code -and $CodePackagePath -eq "$pkg\MicrosoftAzureServiceFabric.cab" -and $CodePackagePathInImageStore -eq 'MicrosoftAzureServiceFabric.10.1.2448.9590.cab' -and $ImageStoreConnectionString -eq 'fabric:ImageStore' }
            Should -Invoke Register-ServiceFabricClusterPackage -Times 1 -Exactly -ParameterFilter { $Code -and $CodePackagePath -eq 'MicrosoftAzureServiceFabric.10.1.2448.9590.cab' }
            Should -Invoke Start-ServiceFabricClusterUpgrade -Times 1 -Exactly -ParameterFilter { $Code -and $CodePackageVersion -eq '10.1.2448.9590' -and $Monitored -and $FailureAction -eq 'Rollback' -and $MaxPercentUnhealthyNodes -eq 0 -and $UpgradeTimeoutSec -eq 60 }
            $global:Sf.Tasks.Count | Should -Be 0
            $r.Json | Should -Not -BeLike "*$secret*"
        }
        It 'Set: a health failure in UD1 rolls back: an error naming the domain, its node, the reason and what had completed' {
            $fail = [pscustomobject]@{ UpgradeDomainName = 'UD1'; NodeProgressList = @([pscustomobject]@{ NodeName = 'app2' }) }
            foreach ($u in @((New-Progress 'RollingForwardCompleted' @{} -Target '10.1.1541.9590'), (New-Progress 'RollingForwardInProgress' @{ UD0 = 'Completed'; UD1 = 'InProgress'; UD2 = 'Pending' }), (New-Progress 'RollingBackCompleted' @{ UD0 = 'Pending'; UD1 = 'Pending'; UD2 = 'Pending' } $fail -Reason 'HealthCheck'))) { $null = $global:Sf.Upgrades.Add($u) }
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be 'service_fabric_cluster: the monitored upgrade to 10.1.2448.9590 failed in upgrade domain UD1 (app2): HealthCheck; Service Fabric rolled back to 10.1.1541.9590 (RollingBackCompleted; completed before the failure: UD0). Fix the node, then apply again'
        }
        It 'Set: still rolling when the timeout ends: says so with the domains done' {
            $null = $global:Sf.Upgrades.Add((New-Progress 'RollingForwardCompleted' @{} -Target '10.1.1541.9590'))
            $null = $global:Sf.Upgrades.Add((New-Progress 'RollingForwardInProgress' @{ UD0 = 'Completed'; UD1 = 'InProgress'; UD2 = 'Pending' }))
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Error.message | Should -Be 'service_fabric_cluster: the upgrade to 10.1.2448.9590 is still RollingForwardInProgress after 60 s (upgrade domains completed: UD0); watch it with Get-ServiceFabricClusterUpgrade and apply again when it has ended'
            Should -Invoke Start-Sleep -Times 13 -Exactly
        }
        It 'Set: a node down: the upgrade is not started' {
            $global:Sf.Nodes = @((New-FabricNode 'app1' -Domain 'UD0'), (New-FabricNode 'app2' 'Down' 'Error' 'UD1'), (New-FabricNode 'app3' -Domain 'UD2'))
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Error.message | Should -Be "service_fabric_cluster: the upgrade to 10.1.2448.9590 was not started: app2 not Up (Service Fabric's health policy would roll it back)"
            Should -Invoke Start-ServiceFabricClusterUpgrade -Times 0 -Exactly
        }
        It 'Set: the cab missing: named' {
            $global:Sf.Files = @($global:Sf.Files | Where-Object { $_ -notlike '*.cab' })
            (Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster).Error.message | Should -Be "service_fabric_cluster: $pkg\MicrosoftAzureServiceFabric.cab is missing: the runtime package the upgrade registers"
        }
    }

    Context 'partial: FabricHostSvc present, the cluster does not answer' {
        BeforeEach { $null = Register-Fabric -Installed }
        It 'Set: refuses (a cluster exists or a creation failed halfway): runs nothing' {
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_cluster' -Params $cluster
            $r.Error.message | Should -Be "service_fabric_cluster: Service Fabric is already installed on this node (FabricHostSvc): a cluster exists or a creation failed halfway; remove it with RemoveServiceFabricCluster.ps1 -ClusterConfigFilePath $cfg -Force from $pkg before creating it again"
            $global:Sf.Tasks.Count | Should -Be 0
            Should -Invoke Start-ServiceFabricClusterUpgrade -Times 0 -Exactly
        }
        It 'Test: installed, not reachable, the connection error' {
            $s = (Invoke-CortexResourceTest -Resource 'service_fabric_cluster' -Params $cluster).State
            $s.fabricHostService | Should -BeTrue
            $s.reachable | Should -BeFalse
            $s.connectError | Should -Be 'Failed to contact the cluster: FABRIC_E_TIMEOUT'
            Should -Invoke Get-ServiceFabricNode -Times 0 -Exactly
        }
    }
}

Describe 'service_fabric_application' {
    Context 'no Service Fabric on this node' {
        BeforeEach { $null = Register-Fabric }
        It 'Test: not reachable, nothing registered' {
            $s = (Invoke-CortexResourceTest -Resource 'service_fabric_application' -Params $application).State
            $s.reachable | Should -BeFalse
            @($s.registeredVersions).Count | Should -Be 0
            $s.application | Should -BeNullOrEmpty
            Should -Invoke Connect-ServiceFabricCluster -Times 0 -Exactly
        }
        It 'Set: the cluster does not answer: an error naming the endpoint' {
            (Invoke-CortexResourceSet -Resource 'service_fabric_application' -Params $application).Error.message | Should -Be 'service_fabric_application: the Service Fabric cluster does not answer at localhost:19000: Failed to contact the cluster: FABRIC_E_TIMEOUT'
        }
    }

    Context 'the cluster runs, the type is not registered' {
        BeforeEach { $null = Register-Fabric -Installed -Reachable -Nodes @((New-FabricNode 'app1')) }
        It 'Test: reachable, no versions, no application' {
            $r = Invoke-CortexResourceTest -Resource 'service_fabric_application' -Params $application
            $r.State.reachable | Should -BeTrue
            $r.Json | Should -BeLike '*"registeredVersions":`[`],"application":null,"nodes":`[`]*'
        }
        It 'Set: copies to the image store, registers, cleans the copy, creates with the parameters; then the Test sees it' {
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_application' -Params $application
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'registered CortexType 1.0.0, created fabric:/Cortex'
            Should -Invoke Copy-ServiceFabricApplicationPackage -Times 1 -Exactly -ParameterFilter { $ApplicationPackagePath -eq $appPkg -and $ApplicationPackagePathInImageStore -eq 'CortexType\1.0.0' -and $TimeoutSec -eq 600 }
            Should -Invoke Register-ServiceFabricApplicationType -Times 1 -Exactly -ParameterFilter { $ApplicationPathInImageStore -eq 'CortexType\1.0.0' }
            Should -Invoke Remove-ServiceFabricApplicationPackage -Times 1 -Exactly -ParameterFilter { $ApplicationPackagePathInImageStore -eq 'CortexType\1.0.0' }
            Should -Invoke New-ServiceFabricApplication -Times 1 -Exactly -ParameterFilter { [string]$ApplicationName -eq 'fabric:/Cortex' -and $ApplicationTypeName -eq 'CortexType' -and $ApplicationTypeVersion -eq '1.0.0' -and $ApplicationParameter['Gateway_InstanceCount'] -eq '-1' }
            $s = (Invoke-CortexResourceTest -Resource 'service_fabric_application' -Params $application).State
            @($s.registeredVersions) | Should -Be @('1.0.0')
            $s.application.typeName | Should -Be 'CortexType'
            $s.application.typeVersion | Should -Be '1.0.0'
            $s.application.status | Should -Be 'Ready'
            $s.application.health | Should -Be 'Ok'
            $s.application.parameters.Gateway_InstanceCount | Should -Be '-1'
        }
        It 'Set: the package registers another type: an error naming the manifest; nothing created' {
            Mock Register-ServiceFabricApplicationType { $null = $global:Sf.Types.Add(@{ name = 'OtherType'; version = '1.0.0' }) }
            (Invoke-CortexResourceSet -Resource 'service_fabric_application' -Params $application).Error.message | Should -Be "service_fabric_application: the package at $appPkg was registered but no type CortexType 1.0.0 is: its ApplicationManifest.xml declares another type or version"
            Should -Invoke New-ServiceFabricApplication -Times 0 -Exactly
        }
        It 'Set: no ApplicationManifest.xml in the package folder: named' {
            $global:Sf.Files = @()
            (Invoke-CortexResourceSet -Resource 'service_fabric_application' -Params $application).Error.message | Should -Be "service_fabric_application: $appPkg\ApplicationManifest.xml is missing; extract the application package to $appPkg in an earlier step"
        }
    }

    Context 'the type is registered, the application is not created' {
        BeforeEach { $null = Register-Fabric -Installed -Reachable; $null = $global:Sf.Types.Add(@{ name = 'CortexType'; version = '1.0.0' }) }
        It 'Set: creates without copying or registering again' {
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_application' -Params $application
            $r.Data.message | Should -Be 'created fabric:/Cortex'
            Should -Invoke Copy-ServiceFabricApplicationPackage -Times 0 -Exactly
            Should -Invoke New-ServiceFabricApplication -Times 1 -Exactly
        }
    }

    Context 'the application runs' {
        BeforeEach {
            $null = Register-Fabric -Installed -Reachable
            $null = $global:Sf.Types.Add(@{ name = 'CortexType'; version = '1.0.0' })
            $global:Sf.Apps['fabric:/Cortex'] = [pscustomobject]@{ ApplicationName = 'fabric:/Cortex'; ApplicationTypeName = 'CortexType'; ApplicationTypeVersion = '1.0.0'; ApplicationStatus = 'Ready'; ApplicationParameters = @() }
        }
        It 'Test: no parameters is an empty object' {
            (Invoke-CortexResourceTest -Resource 'service_fabric_application' -Params $application).Json | Should -BeLike '*"parameters":{}*'
        }
        It 'Test: the nodes with their upgrade domains, the order its upgrade walks' {
            $global:Sf.Nodes = @((New-FabricNode 'app1' -Domain 'UD0'), (New-FabricNode 'app2' -Domain 'UD1'), (New-FabricNode 'app3'))
            $s = (Invoke-CortexResourceTest -Resource 'service_fabric_application' -Params $application).State
            ($s.nodes | ForEach-Object { '{0}={1}' -f $_.name, $_.upgradeDomain }) -join ',' | Should -Be 'app1=UD0,app2=UD1,app3='
            $null -eq @($s.nodes)[2].upgradeDomain | Should -BeTrue
        }
        It 'Set with the same version and parameter values: nothing to do' {
            $global:Sf.Apps['fabric:/Cortex'].ApplicationParameters = @([pscustomobject]@{ Name = 'Gateway_InstanceCount'; Value = '-1' })
            (Invoke-CortexResourceSet -Resource 'service_fabric_application' -Params $application).Data.message | Should -Be 'fabric:/Cortex already runs CortexType 1.0.0'
            Should -Invoke New-ServiceFabricApplication -Times 0 -Exactly
            Should -Invoke Start-ServiceFabricApplicationUpgrade -Times 0 -Exactly
        }
        It 'Set with another type: refused, nothing run' {
            $p = $application.Clone(); $p.typeName = 'OtherType'
            (Invoke-CortexResourceSet -Resource 'service_fabric_application' -Params $p).Error.message | Should -Be 'service_fabric_application: fabric:/Cortex runs type CortexType, not OtherType; remove the application by hand (Remove-ServiceFabricApplication) if it is to be replaced'
            Should -Invoke Copy-ServiceFabricApplicationPackage -Times 0 -Exactly
        }
    }

    Context 'application upgrade: fabric:/Cortex runs 1.0.0, the step says 1.1.0' {
        BeforeEach {
            $null = Register-Fabric -Installed -Reachable -Nodes @((New-FabricNode 'app1' -Domain 'UD0'), (New-FabricNode 'app2' -Domain 'UD1'), (New-FabricNode 'app3' -Domain 'UD2'))
            $null = $global:Sf.Types.Add(@{ name = 'CortexType'; version = '1.0.0' })
            $global:Sf.Apps['fabric:/Cortex'] = [pscustomobject]@{ ApplicationName = 'fabric:/Cortex'; ApplicationTypeName = 'CortexType'; ApplicationTypeVersion = '1.0.0'; ApplicationStatus = 'Ready'; ApplicationParameters = @([pscustomobject]@{ Name = 'Gateway_InstanceCount'; Value = '-1' }) }
            Mock Register-ServiceFabricApplicationType { $null = $global:Sf.Types.Add(@{ name = 'CortexType'; version = '1.1.0' }) }
            $global:AppUpgrades = New-Object System.Collections.ArrayList
            Mock Get-ServiceFabricApplicationUpgrade { if ($global:AppUpgrades.Count -gt 1) { $u = $global:AppUpgrades[0]; $global:AppUpgrades.RemoveAt(0); return $u }; $global:AppUpgrades[0] }
            function New-AppProgress([string]$State, [hashtable]$Domains, $AtFailure = $null, [string]$Target = '1.1.0', [string]$Reason = 'None') {
                $list = @($Domains.Keys | Sort-Object | ForEach-Object { [pscustomobject]@{ Name = $_; State = $Domains[$_] } })
                [pscustomobject]@{ TargetApplicationTypeVersion = $Target; UpgradeState = $State; UpgradeDomainsStatus = $list; FailureReason = $Reason; UpgradeDomainProgressAtFailure = $AtFailure }
            }
            $v11 = $application.Clone(); $v11.typeVersion = '1.1.0'; $v11.packagePath = 'C:\ProgramData\CortexInstall\cortex\1.1.0\CortexApps'
            $global:Sf.Files += "$($v11.packagePath)\ApplicationManifest.xml"
        }
        It 'Set: registers 1.1.0, starts a monitored upgrade with rollback and the parameters, reports the domains in order' {
            foreach ($u in @((New-AppProgress 'RollingForwardCompleted' @{} -Target '1.0.0'), (New-AppProgress 'RollingForwardInProgress' @{ UD0 = 'Completed'; UD1 = 'InProgress'; UD2 = 'Pending' }), (New-AppProgress 'RollingForwardCompleted' @{ UD0 = 'Completed'; UD1 = 'Completed'; UD2 = 'Completed' }))) { $null = $global:AppUpgrades.Add($u) }
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_application' -Params $v11
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'registered CortexType 1.1.0, upgraded fabric:/Cortex CortexType 1.0.0 -> 1.1.0, one upgrade domain at a time: UD0 (app1), UD1 (app2), UD2 (app3)'
            Should -Invoke Copy-ServiceFabricApplicationPackage -Times 1 -Exactly -ParameterFilter { $ApplicationPackagePathInImageStore -eq 'CortexType\1.1.0' }
            Should -Invoke Start-ServiceFabricApplicationUpgrade -Times 1 -Exactly -ParameterFilter { [string]$ApplicationName -eq 'fabric:/Cortex' -and $ApplicationTypeVersion -eq '1.1.0' -and $Monitored -and $FailureAction -eq 'Rollback' -and $ApplicationParameter['Gateway_InstanceCount'] -eq '-1' }
            Should -Invoke New-ServiceFabricApplication -Times 0 -Exactly
        }
        It 'Set: other parameter values with the same version: an upgrade without registering' {
            $p = $application.Clone(); $p.parameters = @{ Gateway_InstanceCount = '2' }
            $null = $global:AppUpgrades.Add((New-AppProgress 'RollingForwardCompleted' @{ UD0 = 'Completed'; UD1 = 'Completed'; UD2 = 'Completed' } -Target '1.0.0'))
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_application' -Params $p
            $r.Data.message | Should -Be 'upgraded fabric:/Cortex CortexType 1.0.0 -> 1.0.0, one upgrade domain at a time: UD0 (app1), UD1 (app2), UD2 (app3)'
            Should -Invoke Register-ServiceFabricApplicationType -Times 0 -Exactly
            Should -Invoke Start-ServiceFabricApplicationUpgrade -Times 1 -Exactly -ParameterFilter { $ApplicationParameter['Gateway_InstanceCount'] -eq '2' }
        }
        It 'Set: a health failure in UD2 rolls back: an error naming the domain and its node' {
            $fail = [pscustomobject]@{ UpgradeDomainName = 'UD2' }
            foreach ($u in @((New-AppProgress 'RollingForwardInProgress' @{ UD0 = 'Completed'; UD1 = 'Completed'; UD2 = 'InProgress' }), (New-AppProgress 'RollingBackInProgress' @{ UD0 = 'Completed'; UD1 = 'Completed'; UD2 = 'Pending' } $fail -Reason 'HealthCheck'))) { $null = $global:AppUpgrades.Add($u) }
            $r = Invoke-CortexResourceSet -Resource 'service_fabric_application' -Params $v11
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be 'service_fabric_application: the monitored upgrade of fabric:/Cortex to 1.1.0 failed in upgrade domain UD2 (app3): HealthCheck; Service Fabric rolled back to 1.0.0 (RollingBackInProgress; completed before the failure: UD0, UD1). Fix the node, then apply again'
        }
    }
}
