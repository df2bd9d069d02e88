# cortex-script: resources.test-batch
# The Test of every resource type, batched: all the Tests of one host in one phase in one round trip
# (docs/scripts.md, "Resource scripts"). Reads the current state only; never changes anything.
#   params: {requests: [{step, resource, params}]}  (resource: the playbook key, e.g. registry_value)
#   data:   {results: [{step, state} | {step, error}]}, in the order of the requests
# Each state has exactly the shape of its type's `state` schema in src/resources/<type>.ts. One step's
# failure (an access denied, an unknown resource type) is that step's error; the others still answer.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-CortexServiceState($p) {
    $name = Get-CortexResourceParam -Params $p -Resource 'service' -Name 'name' -Required
    $service = @(Get-Service -Name $name -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq $name }) | Select-Object -First 1
    if ($null -eq $service) { return [ordered]@{ exists = $false; state = $null; startupType = $null } }
    # Running -> running, StartPending -> start_pending (the Win32 state names, lower case).
    $state = ($service.Status.ToString() -creplace '(?<=[a-z])([A-Z])', '_$1').ToLowerInvariant()
    $startupType = $null
    switch ($service.StartType.ToString()) {
        'Automatic' {
            # Get-Service in 5.1 does not tell delayed from plain automatic; the SCM keeps the flag here.
            $delayed = Get-CortexRegistryValue -SubKey ('SYSTEM\CurrentControlSet\Services\' + $service.Name) -Name 'DelayedAutostart'
            if ($null -ne $delayed -and [int]$delayed -eq 1) { $startupType = 'automatic_delayed' } else { $startupType = 'automatic' }
        }
        'Manual' { $startupType = 'manual' }
        'Disabled' { $startupType = 'disabled' }
    }
    [ordered]@{ exists = $true; state = $state; startupType = $startupType }
}

function Get-CortexEnvVarState($p) {
    $name = Get-CortexResourceParam -Params $p -Resource 'env_var' -Name 'name' -Required
    [ordered]@{ value = Get-CortexMachineEnvironmentVariable -Name $name }
}

function ConvertTo-CortexRegistryData {
    # Registry data as the registry_value resource compares it: DWord/QWord unsigned numbers, Binary lower-case hex.
    param([Parameter(Mandatory = $true)][string]$Kind, $Data)
    switch ($Kind) {
        'String' { return [string]$Data }
        'ExpandString' { return [string]$Data }
        'DWord' { return [BitConverter]::ToUInt32([BitConverter]::GetBytes([int32]$Data), 0) }
        'QWord' { return [BitConverter]::ToUInt64([BitConverter]::GetBytes([int64]$Data), 0) }
        'MultiString' { return , [string[]]@($Data) }
        'Binary' { return ((@($Data) | ForEach-Object { ([byte]$_).ToString('x2') }) -join '') }
    }
    throw ('registry_value: the value has type {0}, which cortex-deploy does not manage (String, ExpandString, DWord, QWord, MultiString, Binary)' -f $Kind)
}

function Get-CortexRegistryValueState($p) {
    $path = ConvertFrom-CortexRegistryPath -Path (Get-CortexResourceParam -Params $p -Resource 'registry_value' -Name 'key' -Required)
    $name = [string](Get-CortexResourceParam -Params $p -Resource 'registry_value' -Name 'name' -Default '')
    $view = [string](Get-CortexResourceParam -Params $p -Resource 'registry_value' -Name 'view' -Default '64')
    $entry = Get-CortexRegistryEntry -Hive $path.hive -SubKey $path.subKey -Name $name -View $view
    $value = $null
    if ($entry.valueExists) {
        $data = ConvertTo-CortexRegistryData -Kind $entry.kind -Data $entry.data
        $value = [ordered]@{ type = $entry.kind; data = $data }
    }
    [ordered]@{ keyExists = [bool]$entry.keyExists; value = $value }
}

function Get-CortexFileState($p) {
    $path = Get-CortexResourceParam -Params $p -Resource 'file' -Name 'path' -Required
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { return [ordered]@{ exists = $false; sha256 = $null } }
    [ordered]@{ exists = $true; sha256 = (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash.ToLowerInvariant() }
}

function Get-CortexDirectoryState($p) {
    $path = Get-CortexResourceParam -Params $p -Resource 'directory' -Name 'path' -Required
    [ordered]@{ exists = [bool](Test-Path -LiteralPath $path); isDirectory = [bool](Test-Path -LiteralPath $path -PathType Container) }
}

function Get-CortexErlangReleaseState($version) {
    # Erlang's rule: the ERTS version keys under Ericsson\Erlang in both views (ErlSrv is the service
    # manager's, not a release), and, for a single key, the SHA-256 of <root>\releases\<major>\OTP_VERSION.
    $keys = New-Object System.Collections.Generic.List[string]
    $root = $null
    foreach ($view in @('64', '32')) {
        $key = Open-CortexRegistryKey -SubKey 'SOFTWARE\Ericsson\Erlang' -View $view
        if ($null -eq $key) { continue }
        try {
            foreach ($name in @($key.GetSubKeyNames())) {
                if ($name -eq 'ErlSrv' -or $keys.Contains($name)) { continue }
                $keys.Add($name)
                $root = (Get-CortexRegistryEntry -SubKey ('SOFTWARE\Ericsson\Erlang\' + $name) -Name '' -View $view).data
            }
        } finally { $key.Close() }
    }
    $sha = $null
    if ($keys.Count -eq 1 -and $root) {
        $file = '{0}\releases\{1}\OTP_VERSION' -f ([string]$root).TrimEnd('\'), ([string]$version).Split('.')[0]
        if (Test-Path -LiteralPath $file -PathType Leaf) { $sha = (Get-FileHash -LiteralPath $file -Algorithm SHA256).Hash.ToLowerInvariant() }
    }
    # Sorted (ordinal, ignoring case): the order Windows lists keys in is not the state's business.
    $names = [string[]]$keys.ToArray()
    [Array]::Sort($names, [StringComparer]::OrdinalIgnoreCase)
    [ordered]@{ ertsKeys = $names; otpVersionSha256 = $sha }
}

function Get-CortexPackageState($p) {
    $found = Find-CortexInstalledPackage -ProductCode (Get-CortexResourceParam -Params $p -Resource 'package' -Name 'productCode' -Default '') -UninstallKey (Get-CortexResourceParam -Params $p -Resource 'package' -Name 'uninstallKey' -Default '')
    if ($null -eq $found) { $state = [ordered]@{ installed = $false; version = $null; view = $null; displayName = $null } }
    else { $state = [ordered]@{ installed = $true; version = $found.DisplayVersion; view = $found.view; displayName = $found.DisplayName } }
    if ([bool](Get-CortexResourceParam -Params $p -Resource 'package' -Name 'erlang' -Default $false)) {
        $state['erlang'] = Get-CortexErlangReleaseState ([string](Get-CortexResourceParam -Params $p -Resource 'package' -Name 'version' -Required))
    }
    $state
}

function Get-CortexWindowsFeatureState($p) {
    $name = Get-CortexResourceParam -Params $p -Resource 'windows_feature' -Name 'name' -Required
    # An unknown name gives no object (and no error).
    $feature = @(Get-WindowsFeature -Name $name | Where-Object { $_.Name -eq $name }) | Select-Object -First 1
    if ($null -eq $feature) { return [ordered]@{ known = $false; installed = $false } }
    [ordered]@{ known = $true; installed = [bool]$feature.Installed }
}

function Get-CortexFirewallRuleState($p) {
    $name = Get-CortexResourceParam -Params $p -Resource 'firewall_rule' -Name 'name' -Required
    $rule = @(Get-NetFirewallRule -Name $name -ErrorAction SilentlyContinue) | Select-Object -First 1
    if ($null -eq $rule) {
        return [ordered]@{ exists = $false; direction = $null; protocol = $null; localPorts = @(); action = $null; profiles = @(); enabled = $null }
    }
    $filter = @(Get-NetFirewallPortFilter -AssociatedNetFirewallRule $rule) | Select-Object -First 1
    # 'Any' (every port) is the empty list, as a playbook writes it.
    $ports = [string[]]@(@($filter.LocalPort) | Where-Object { $null -ne $_ -and [string]$_ -ne 'Any' } | ForEach-Object { [string]$_ })
    $profileText = $rule.Profile.ToString()
    if ($profileText -eq 'Any') { $profiles = [string[]]@('domain', 'private', 'public') }
    else { $profiles = [string[]]@($profileText -split ',\s*' | Where-Object { $_ -and $_ -ne 'NotApplicable' } | ForEach-Object { $_.ToLowerInvariant() }) }
    [ordered]@{
        exists     = $true
        direction  = $rule.Direction.ToString().ToLowerInvariant()
        protocol   = ([string]$filter.Protocol).ToLowerInvariant()
        localPorts = $ports
        action     = $rule.Action.ToString().ToLowerInvariant()
        profiles   = $profiles
        enabled    = $rule.Enabled.ToString() -eq 'True'
    }
}

function Get-CortexArchiveState($p) {
    $destination = Get-CortexResourceParam -Params $p -Resource 'archive' -Name 'destination' -Required
    $exists = [bool](Test-Path -LiteralPath $destination -PathType Container)
    $marker = $null
    $markerPath = Join-Path $destination '.cortex-archive.sha256'
    if ($exists -and (Test-Path -LiteralPath $markerPath -PathType Leaf)) {
        $marker = ([string](Get-Content -LiteralPath $markerPath -Raw)).Trim().ToLowerInvariant()
    }
    [ordered]@{ destinationExists = $exists; markerSha256 = $marker }
}

function Get-CortexAclState($p) {
    $path = Get-CortexResourceParam -Params $p -Resource 'acl' -Name 'path' -Required
    if (-not (Test-Path -LiteralPath $path)) { return [ordered]@{ exists = $false; isContainer = $false; inheritance = $true; rules = @() } }
    $acl = Get-Acl -LiteralPath $path
    $rules = @($acl.Access | Where-Object { -not $_.IsInherited } | ForEach-Object { ConvertTo-CortexAclRule -Rule $_ })
    [ordered]@{
        exists      = $true
        isContainer = [bool](Test-Path -LiteralPath $path -PathType Container)
        inheritance = -not $acl.AreAccessRulesProtected
        rules       = $rules
    }
}

function Get-CortexScheduledTaskState($p) {
    $name = Get-CortexResourceParam -Params $p -Resource 'scheduled_task' -Name 'name' -Required
    # The marker the Set writes when a run finishes (the task itself is removed after its run).
    $marker = 'SOFTWARE\Cortex\Deploy\Tasks\' + $name
    $token = Get-CortexRegistryValue -SubKey $marker -Name 'Token'
    if ($null -eq $token) { return [ordered]@{ lastRun = $null } }
    $code = Get-CortexRegistryValue -SubKey $marker -Name 'ExitCode'
    if ($null -eq $code) { $code = -1 }
    $finished = Get-CortexRegistryValue -SubKey $marker -Name 'FinishedAt'
    if ($null -eq $finished) { $finished = '' }
    [ordered]@{ lastRun = [ordered]@{ token = [string]$token; exitCode = [int]$code; finishedAt = [string]$finished } }
}

function Get-CortexErlangCookieState($p) {
    # Each cookie file's SHA-256 (never its text: the cookie is a secret), in the order of the paths.
    $pathList = Get-CortexResourceParam -Params $p -Resource 'erlang_cookie' -Name 'paths' -Required
    $paths = [string[]]@($pathList | ForEach-Object { [string]$_ })
    $files = @(foreach ($path in $paths) {
            $sha = $null
            if (Test-Path -LiteralPath $path -PathType Leaf) { $sha = (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash.ToLowerInvariant() }
            [ordered]@{ path = $path; sha256 = $sha }
        })
    [ordered]@{ files = $files }
}

function Get-CortexNservicebusLicenseState($p) {
    # The licence file's SHA-256 (never its text: the licence is a secret-like file).
    $path = [string](Get-CortexResourceParam -Params $p -Resource 'nservicebus_license' -Name 'path' -Default 'C:\ProgramData\ParticularSoftware\license.xml')
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { return [ordered]@{ exists = $false; sha256 = $null } }
    [ordered]@{ exists = $true; sha256 = (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash.ToLowerInvariant() }
}

function Get-CortexGobetweenBackendTestState($p) {
    # The drain marker and what gobetween's API shows for the backend (lib/gobetween.ps1).
    Get-CortexGobetweenBackendState -Backend (Get-CortexGobetweenBackendParams -Params $p)
}

function Get-CortexRabbitmqPluginState($p) {
    # Whether the plugin is enabled explicitly (enabled_plugins), from rabbitmq-plugins list.
    $name = [string](Get-CortexResourceParam -Params $p -Resource 'rabbitmq_plugin' -Name 'name' -Required)
    $install = Get-CortexRabbitmqInstall
    if ($null -eq $install) { return [ordered]@{ installed = $false; enabled = $false } }
    $list = ConvertFrom-CortexRabbitmqJson -Run (Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmq-plugins' -ArgumentList @('list', '--formatter', 'json')) -What 'rabbitmq-plugins list'
    $plugin = @(@($list.plugins) | Where-Object { [string]$_.name -ceq $name }) | Select-Object -First 1
    if ($null -eq $plugin) { throw ('rabbitmq_plugin: RabbitMQ {0} has no plugin {1}' -f $install.version, $name) }
    [ordered]@{ installed = $true; enabled = ([string]$plugin.enabled -eq 'enabled') }
}

function Get-CortexRabbitmqClusterState($p) {
    # This node's name, and the members and running nodes its cluster_status reports (none when it is down).
    $null = Get-CortexResourceParam -Params $p -Resource 'rabbitmq_cluster' -Name 'seed' -Required
    $install = Get-CortexRabbitmqInstall
    if ($null -eq $install) { return [ordered]@{ installed = $false; nodeName = $null; running = $false; members = @(); runningNodes = @() } }
    $node = Get-CortexRabbitmqNodeName
    # 69: rabbitmqctl cannot reach the node (EX_UNAVAILABLE).
    $run = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('cluster_status', '--formatter', 'json') -SuccessCodes @(0, 69)
    if ($run.exitCode -eq 69) { return [ordered]@{ installed = $true; nodeName = $node; running = $false; members = @(); runningNodes = @() } }
    $status = ConvertFrom-CortexRabbitmqJson -Run $run -What 'rabbitmqctl cluster_status'
    [ordered]@{
        installed    = $true
        nodeName     = $node
        running      = $true
        members      = [string[]]@(@($status.disk_nodes) | Where-Object { $_ } | ForEach-Object { [string]$_ })
        runningNodes = [string[]]@(@($status.running_nodes) | Where-Object { $_ } | ForEach-Object { [string]$_ })
    }
}

function Get-CortexRabbitmqConfigTestState($p) {
    $vhost = Get-CortexResourceParam -Params $p -Resource 'rabbitmq_config' -Name 'vhost' -Required
    Get-CortexRabbitmqConfigState -Vhost ([string](Get-CortexResourceParam -Params $vhost -Resource 'rabbitmq_config' -Name 'name' -Required))
}

function Get-CortexRabbitmqUpgradeState($p) {
    # The versions this node runs (RabbitMQ's and Erlang's uninstall entries), whether it answers, and the
    # feature flags it knows that are not enabled (what an upgrade must find all enabled).
    $null = Get-CortexResourceParam -Params $p -Resource 'rabbitmq_upgrade' -Name 'version' -Required
    $state = [ordered]@{ installed = $false; version = $null; erlangVersion = $null; nodeName = $null; running = $false; featureFlagsDisabled = @() }
    $erlang = Find-CortexInstalledPackage -UninstallKey 'Erlang OTP'
    if ($null -ne $erlang) { $state.erlangVersion = [string]$erlang.DisplayVersion }
    $install = Get-CortexRabbitmqInstall
    if ($null -eq $install) { return $state }
    $state.installed = $true
    $state.version = $install.version
    $state.nodeName = Get-CortexRabbitmqNodeName
    # 69: rabbitmqctl cannot reach the node (EX_UNAVAILABLE): not running, an answer rather than an error.
    $flags = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('list_feature_flags', 'name', 'state', '--formatter', 'json') -SuccessCodes @(0, 69)
    if ($flags.exitCode -eq 69) { return $state }
    $state.running = $true
    $flagList = ConvertFrom-CortexRabbitmqJson -Run $flags -What 'rabbitmqctl list_feature_flags'
    $state.featureFlagsDisabled = [string[]]@(@($flagList) | Where-Object { $null -ne $_ -and [string]$_.state -ne 'enabled' } | ForEach-Object { [string]$_.name })
    $state
}

function Get-CortexExecState($p) {
    # Done when `creates` exists, or when `unless` (run as exec runs `run`: its own runspace, `exit N` its
    # own) ends with exit code 0 and its last output is true. An error in it is this step's error.
    # Without a guard: never done.
    $creates = Get-CortexResourceParam -Params $p -Resource 'exec' -Name 'creates' -Default ''
    $unless = Get-CortexResourceParam -Params $p -Resource 'exec' -Name 'unless' -Default ''
    $done = $false
    if ($creates -and (Test-Path -LiteralPath $creates)) { $done = $true }
    if (-not $done -and $unless) {
        $guard = Invoke-CortexIsolatedPowerShell -Text $unless -Resource 'exec: unless'
        if ($null -ne $guard.failure) { throw ('exec: unless failed: {0}' -f (Get-CortexExceptionMessage $guard.failure)) }
        $done = ($guard.exitCode -eq 0) -and ($guard.output.Count -gt 0) -and [bool]$guard.output[-1]
    }
    [ordered]@{ done = $done }
}

function Get-CortexRebootState($p) {
    $null = $p
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    [ordered]@{ pending = Test-CortexRebootPending; bootTime = ConvertTo-CortexDate $os.LastBootUpTime }
}

function Get-CortexNssmServiceTestState($p) {
    $name = [string](Get-CortexResourceParam -Params $p -Resource 'nssm_service' -Name 'serviceName' -Required)
    $program = [string](Get-CortexResourceParam -Params $p -Resource 'nssm_service' -Name 'program' -Required)
    $parameters = ConvertTo-CortexNssmParameterList -Program $program -Parameters (Get-CortexResourceParam -Params $p -Resource 'nssm_service' -Name 'parameters' -Default @())
    Get-CortexNssmServiceState -ServiceName $name -Parameter $parameters
}

function Get-CortexSqlSchemaTestState($p) {
    # No backtick continuations: the wire text drops indentation, which would glue the lines together.
    $instance = [string](Get-CortexResourceParam -Params $p -Resource 'sql_schema' -Name 'instance' -Default 'MSSQLSERVER')
    $database = [string](Get-CortexResourceParam -Params $p -Resource 'sql_schema' -Name 'database' -Required)
    $timeoutSec = [int](Get-CortexResourceParam -Params $p -Resource 'sql_schema' -Name 'timeoutSec' -Default 600)
    Get-CortexSqlSchemaState -Instance $instance -Database $database -TimeoutSec $timeoutSec
}

function Get-CortexNservicebusQueuesState($p) {
    $connection = Get-CortexResourceParam -Params $p -Resource 'nservicebus_queues' -Name 'connection' -Required
    $url = [string](Get-CortexResourceParam -Params $connection -Resource 'nservicebus_queues' -Name 'url' -Required)
    $rabbitmqctl = [string](Get-CortexResourceParam -Params $p -Resource 'nservicebus_queues' -Name 'rabbitmqctl' -Required)
    Get-CortexNservicebusQueueState -Rabbitmqctl $rabbitmqctl -Vhost (Get-CortexAmqpVhost -Url $url) -Queue (Get-CortexNservicebusWantedQueue -Params $p)
}

function Get-CortexNservicebusMigrateTestState($p) {
    $connection = Get-CortexResourceParam -Params $p -Resource 'nservicebus_migrate' -Name 'connection' -Required
    $url = [string](Get-CortexResourceParam -Params $connection -Resource 'nservicebus_migrate' -Name 'url' -Required)
    $rabbitmqctl = [string](Get-CortexResourceParam -Params $p -Resource 'nservicebus_migrate' -Name 'rabbitmqctl' -Required)
    Get-CortexNservicebusMigrationState -Rabbitmqctl $rabbitmqctl -Vhost (Get-CortexAmqpVhost -Url $url) -Queue (Get-CortexNservicebusWantedQueue -Params $p -Resource 'nservicebus_migrate')
}

function Get-CortexServiceFabricRestartState($p) {
    # Whether there is anything to restart: Service Fabric on this node answering, and the application.
    $name = [string](Get-CortexResourceParam -Params $p -Resource 'service_fabric_restart' -Name 'application' -Required)
    $endpoint = [string](Get-CortexResourceParam -Params $p -Resource 'service_fabric_restart' -Name 'connectionEndpoint' -Default 'localhost:19000')
    $state = [ordered]@{ reachable = $false; applicationExists = $false }
    $service = @(Get-Service -Name 'FabricHostSvc' -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq 'FabricHostSvc' }) | Select-Object -First 1
    if ($null -eq $service) { return $state }
    if ($null -ne (Connect-CortexServiceFabricCluster -Endpoint $endpoint)) { return $state }
    $state.reachable = $true
    $state.applicationExists = $null -ne (@(Get-ServiceFabricApplication -ApplicationName $name) | Select-Object -First 1)
    $state
}

function Get-CortexServiceFabricClusterState($p) {
    # Service Fabric on this node (FabricHostSvc, the FabricVersion value) and, when it is there, the
    # cluster through its client endpoint: nodes with status and health, code and config versions, health;
    # and the runtime version of the package at packagePath (what an upgrade would go to).
    $endpoint = [string](Get-CortexResourceParam -Params $p -Resource 'service_fabric_cluster' -Name 'connectionEndpoint' -Default 'localhost:19000')
    $service = @(Get-Service -Name 'FabricHostSvc' -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq 'FabricHostSvc' }) | Select-Object -First 1
    $version = Get-CortexRegistryValue -SubKey 'SOFTWARE\Microsoft\Service Fabric' -Name 'FabricVersion'
    if ($null -ne $version) { $version = [string]$version }
    $packagePath = [string](Get-CortexResourceParam -Params $p -Resource 'service_fabric_cluster' -Name 'packagePath' -Required)
    $state = [ordered]@{ fabricHostService = ($null -ne $service); fabricVersion = $version; reachable = $false; connectError = $null; codeVersion = $null; configVersion = $null; nodes = @(); health = $null; packageCodeVersion = (Get-CortexFabricPackageVersion -PackagePath $packagePath); packagePresent = (Test-Path -LiteralPath $packagePath -PathType Container) }
    # Without the runtime there is no ServiceFabric module to connect with: absent.
    if ($null -eq $service) { return $state }
    $connectError = Connect-CortexServiceFabricCluster -Endpoint $endpoint
    if ($null -ne $connectError) {
        $state.connectError = $connectError
        return $state
    }
    $state.reachable = $true
    $state.nodes = @(Get-ServiceFabricNode | ForEach-Object { [ordered]@{ name = [string]$_.NodeName; status = $_.NodeStatus.ToString(); health = $_.HealthState.ToString(); upgradeDomain = (Get-CortexFabricUpgradeDomain $_) } })
    $upgrade = Get-ServiceFabricClusterUpgrade
    if ($null -ne $upgrade) {
        $state.codeVersion = [string]$upgrade.TargetCodeVersion
        $state.configVersion = [string]$upgrade.TargetConfigVersion
    }
    $state.health = (Get-ServiceFabricClusterHealth).AggregatedHealthState.ToString()
    $state
}

function Get-CortexServiceFabricApplicationState($p) {
    # The application type's registered versions and the application (type, version, status, health,
    # parameters) through the cluster's client endpoint; not reachable without Service Fabric on this node.
    $name = [string](Get-CortexResourceParam -Params $p -Resource 'service_fabric_application' -Name 'name' -Required)
    $typeName = [string](Get-CortexResourceParam -Params $p -Resource 'service_fabric_application' -Name 'typeName' -Required)
    $endpoint = [string](Get-CortexResourceParam -Params $p -Resource 'service_fabric_application' -Name 'connectionEndpoint' -Default 'localhost:19000')
    $state = [ordered]@{ reachable = $false; registeredVersions = @(); application = $null; nodes = @() }
    $service = @(Get-Service -Name 'FabricHostSvc' -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq 'FabricHostSvc' }) | Select-Object -First 1
    if ($null -eq $service) { return $state }
    if ($null -ne (Connect-CortexServiceFabricCluster -Endpoint $endpoint)) { return $state }
    $state.reachable = $true
    $state.registeredVersions = [string[]]@(Get-ServiceFabricApplicationType -ApplicationTypeName $typeName | ForEach-Object { [string]$_.ApplicationTypeVersion })
    $app = @(Get-ServiceFabricApplication -ApplicationName $name) | Select-Object -First 1
    if ($null -eq $app) { return $state }
    # The nodes' upgrade domains: the order a monitored application upgrade walks (plan shows it).
    $state.nodes = @(Get-ServiceFabricNode | ForEach-Object { [ordered]@{ name = [string]$_.NodeName; upgradeDomain = (Get-CortexFabricUpgradeDomain $_) } })
    $parameters = [ordered]@{}
    foreach ($ap in @($app.ApplicationParameters)) { $parameters[[string]$ap.Name] = [string]$ap.Value }
    $health = $null
    $report = Get-ServiceFabricApplicationHealth -ApplicationName $name
    if ($null -ne $report) { $health = $report.AggregatedHealthState.ToString() }
    $state.application = [ordered]@{
        typeName    = [string]$app.ApplicationTypeName
        typeVersion = [string]$app.ApplicationTypeVersion
        status      = $app.ApplicationStatus.ToString()
        health      = $health
        parameters  = $parameters
    }
    $state
}

function Get-CortexCertificateStateOf($p) {
    $thumbprint = [string](Get-CortexResourceParam -Params $p -Resource 'certificate' -Name 'thumbprint' -Required)
    $store = [string](Get-CortexResourceParam -Params $p -Resource 'certificate' -Name 'store' -Default 'LocalMachine\My')
    Get-CortexCertificateState -Store $store -Thumbprint $thumbprint
}

function Get-CortexIisAppPoolState($p) {
    $name = [string](Get-CortexResourceParam -Params $p -Resource 'iis_app_pool' -Name 'name' -Required)
    $none = [ordered]@{ iisInstalled = $false; exists = $false; runtime = $null; pipeline = $null; identity = $null; user = $null; state = $null }
    if (-not (Test-CortexIisInstalled)) { return $none }
    Import-CortexWebAdministration
    $none.iisInstalled = $true
    $pool = Get-CortexIisAppPool -Name $name
    if ($null -eq $pool) { return $none }
    [ordered]@{ iisInstalled = $true; exists = $true; runtime = $pool.runtime; pipeline = $pool.pipeline; identity = $pool.identity; user = $pool.user; state = $pool.state }
}

function Get-CortexIisSiteState($p) {
    $name = [string](Get-CortexResourceParam -Params $p -Resource 'iis_site' -Name 'name' -Required)
    $none = [ordered]@{ iisInstalled = $false; exists = $false; physicalPath = $null; appPool = $null; state = $null; bindings = @() }
    if (-not (Test-CortexIisInstalled)) { return $none }
    Import-CortexWebAdministration
    $none.iisInstalled = $true
    $site = Get-CortexIisSite -Name $name
    if ($null -eq $site) { return $none }
    [ordered]@{ iisInstalled = $true; exists = $true; physicalPath = $site.physicalPath; appPool = $site.appPool; state = $site.state; bindings = $site.bindings }
}

Invoke-CortexScript {
    # Read as a property: an empty list is a valid batch, not a missing parameter.
    $requests = $null
    if ($null -ne $CortexParams -and $null -ne $CortexParams.PSObject.Properties['requests']) { $requests = $CortexParams.PSObject.Properties['requests'].Value }
    if ($null -eq $requests) { throw 'resources.test-batch: parameter requests is missing (a list of {step, resource, params})' }
    $results = New-Object System.Collections.Generic.List[object]
    foreach ($request in @($requests)) {
        $step = [string](Get-CortexResourceParam -Params $request -Resource 'resources.test-batch' -Name 'step' -Default '')
        try {
            if ($step -eq '') { throw 'resources.test-batch: a request has no step' }
            $type = [string](Get-CortexResourceParam -Params $request -Resource 'resources.test-batch' -Name 'resource' -Required)
            $params = Get-CortexResourceParam -Params $request -Resource $type -Name 'params' -Default ([pscustomobject]@{})
            switch -CaseSensitive ($type) {
                'service' { $state = Get-CortexServiceState $params }
                'env_var' { $state = Get-CortexEnvVarState $params }
                'registry_value' { $state = Get-CortexRegistryValueState $params }
                'file' { $state = Get-CortexFileState $params }
                'directory' { $state = Get-CortexDirectoryState $params }
                'package' { $state = Get-CortexPackageState $params }
                'windows_feature' { $state = Get-CortexWindowsFeatureState $params }
                'firewall_rule' { $state = Get-CortexFirewallRuleState $params }
                'archive' { $state = Get-CortexArchiveState $params }
                'acl' { $state = Get-CortexAclState $params }
                'scheduled_task' { $state = Get-CortexScheduledTaskState $params }
                'exec' { $state = Get-CortexExecState $params }
                'reboot' { $state = Get-CortexRebootState $params }
                'nssm_service' { $state = Get-CortexNssmServiceTestState $params }
                'sql_schema' { $state = Get-CortexSqlSchemaTestState $params }
                'nservicebus_queues' { $state = Get-CortexNservicebusQueuesState $params }
                'nservicebus_license' { $state = Get-CortexNservicebusLicenseState $params }
                'service_fabric_cluster' { $state = Get-CortexServiceFabricClusterState $params }
                'service_fabric_application' { $state = Get-CortexServiceFabricApplicationState $params }
                'certificate' { $state = Get-CortexCertificateStateOf $params }
                'iis_app_pool' { $state = Get-CortexIisAppPoolState $params }
                'iis_site' { $state = Get-CortexIisSiteState $params }
                'erlang_cookie' { $state = Get-CortexErlangCookieState $params }
                'rabbitmq_plugin' { $state = Get-CortexRabbitmqPluginState $params }
                'rabbitmq_cluster' { $state = Get-CortexRabbitmqClusterState $params }
                'rabbitmq_config' { $state = Get-CortexRabbitmqConfigTestState $params }
                'rabbitmq_upgrade' { $state = Get-CortexRabbitmqUpgradeState $params }
                'nservicebus_migrate' { $state = Get-CortexNservicebusMigrateTestState $params }
                'service_fabric_restart' { $state = Get-CortexServiceFabricRestartState $params }
                'gobetween_backend' { $state = Get-CortexGobetweenBackendTestState $params }
                default { throw ('resources.test-batch: unknown resource type {0}' -f $type) }
            }
            $results.Add([ordered]@{ step = $step; state = $state })
        } catch {
            $results.Add([ordered]@{ step = $step; error = (Get-CortexExceptionMessage $_.Exception) })
        }
    }
    [ordered]@{ results = $results.ToArray() }
}
