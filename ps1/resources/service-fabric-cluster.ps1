# cortex-script: resources.service-fabric-cluster
# Set of the service_fabric_cluster resource (src/resources/service-fabric-cluster.ts): creates the
# standalone cluster from this node (the deploy node) with the package's own scripts, as the install
# account through one-shot scheduled tasks (lib/resource.ps1's Invoke-CortexOneShotTask): run through
# WinRM they would fail with "Access is denied" on the other nodes (the double hop, docs/service-fabric.md).
#   1. refuses when Service Fabric is already on this node (FabricHostSvc): a cluster exists, or a
#      creation failed halfway and needs RemoveServiceFabricCluster.ps1 first;
#   2. TestConfiguration.ps1 -ClusterConfigFilePath: its table must end "Passed : True" (barrier B4);
#      otherwise the error names the checks that are False and the output lines naming the nodes;
#   3. CreateServiceFabricCluster.ps1 -ClusterConfigFilePath -AcceptEULA: exit code 0;
#   4. waits until every expected node is Up (barrier B5), each step within `timeout` seconds.
# On a node where the cluster runs and answers, the Set is the code upgrade instead (docs/upgrades-service-fabric.md):
# the package's runtime (its DeploymentComponentsAutoextractor.exe's FileVersion) when the cluster runs another:
# Copy-ServiceFabricClusterPackage + Register-ServiceFabricClusterPackage of the package's cab, then
# Start-ServiceFabricClusterUpgrade -Monitored -FailureAction Rollback (Service Fabric walks the upgrade
# domains one at a time with its health checks), polled until it completes; a rollback or a failure is
# an error naming the upgrade domain and its nodes.
# Each script's output goes to cortex-<script>.log in the package folder (its traces go to
# DeploymentTraces there). The password arrives in the parameters (stdin) and is never echoed.
#   params: {packagePath, configPath, nodes, runAs: {user, password}, connectionEndpoint, timeout (s)}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$CortexFabricPollSeconds = 5

function Invoke-CortexFabricPackageScript {
    # One of the package's scripts, run by powershell.exe as the install account in a one-shot task, all
    # its output streams to a log file; returns {exitCode, lines (the log), log (its path)}. The command goes
    # as -EncodedCommand: no quoting of paths on a command line.
    param(
        [Parameter(Mandatory = $true)][string]$PackagePath,
        [Parameter(Mandatory = $true)][string]$Script,
        [Parameter(Mandatory = $true)][string]$Arguments,
        [Parameter(Mandatory = $true)][string]$User,
        [Parameter(Mandatory = $true)][string]$Password,
        [Parameter(Mandatory = $true)][int]$TimeoutSeconds
    )
    $name = [IO.Path]::GetFileNameWithoutExtension($Script)
    $log = '{0}\cortex-{1}.log' -f $PackagePath.TrimEnd('\'), $name
    $quote = { param($s) "'" + ([string]$s -replace "'", "''") + "'" }
    $command = '$global:LASTEXITCODE = 0; try { & ' + (& $quote ($PackagePath.TrimEnd('\') + '\' + $Script)) + ' ' + $Arguments +
        ' *>&1 | Out-File -FilePath ' + (& $quote $log) + ' -Encoding utf8 -Width 400; exit $LASTEXITCODE }' +
        ' catch { $_ | Out-File -FilePath ' + (& $quote $log) + ' -Encoding utf8 -Width 400 -Append; exit 1 }'
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
    $taskArguments = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ' + $encoded
    $exit = Invoke-CortexOneShotTask -Name ('sf-' + $name) -Command 'powershell.exe' -Arguments $taskArguments -WorkingDirectory $PackagePath -User $User -Password $Password -TimeoutSeconds $TimeoutSeconds -Resource 'service_fabric_cluster'
    $lines = @()
    if (Test-Path -LiteralPath $log -PathType Leaf) { $lines = @(Get-Content -LiteralPath $log) }
    [pscustomobject]@{ exitCode = $exit; lines = [string[]]$lines; log = $log }
}

function Get-CortexTestConfigurationCheck {
    # TestConfiguration.ps1's result table ("Name : True|False" lines) as an ordered name -> bool.
    param([AllowEmptyCollection()][string[]]$Lines)
    $checks = [ordered]@{}
    foreach ($line in $Lines) {
        if ($line -match '^\s*(?<name>[A-Za-z][A-Za-z0-9]*)\s*:\s*(?<value>True|False)\s*$') { $checks[$Matches['name']] = ($Matches['value'] -eq 'True') }
    }
    $checks
}

function Get-CortexLogTail {
    # The last lines of a log as one line each, for an error message.
    param([AllowEmptyCollection()][string[]]$Lines, [int]$Count = 15)
    $text = @($Lines | Where-Object { $_ -and $_.Trim() } | Select-Object -Last $Count | ForEach-Object { $_.Trim() })
    if ($text.Count -eq 0) { return '(no output)' }
    $text -join ' | '
}

function Invoke-CortexFabricCodeUpgrade {
    # The monitored code upgrade of the running cluster to the package's runtime; returns the Set result.
    param(
        [Parameter(Mandatory = $true)][string]$PackagePath,
        [Parameter(Mandatory = $true)][int]$TimeoutSeconds
    )
    $R = 'service_fabric_cluster'
    $target = Get-CortexFabricPackageVersion -PackagePath $PackagePath
    if ($null -eq $target) { throw ('{0}: {1}\DeploymentComponentsAutoextractor.exe is missing: the package at {1} has no runtime version to upgrade the cluster to' -f $R, $PackagePath.TrimEnd('\')) }
    $current = Get-ServiceFabricClusterUpgrade
    $from = [string]$current.TargetCodeVersion
    if ($from -eq $target) { return (New-CortexSetResult -Message ('the cluster already runs {0}' -f $target)) }
    $cab = $PackagePath.TrimEnd('\') + '\MicrosoftAzureServiceFabric.cab'
    if (-not (Test-Path -LiteralPath $cab -PathType Leaf)) { throw ('{0}: {1} is missing: the runtime package the upgrade registers' -f $R, $cab) }
    $nodes = @(Get-ServiceFabricNode)
    $notUp = @($nodes | Where-Object { $_.NodeStatus.ToString() -ne 'Up' } | ForEach-Object { [string]$_.NodeName })
    if ($notUp.Count -gt 0) { throw ('{0}: the upgrade to {1} was not started: {2} not Up (Service Fabric''s health policy would roll it back)' -f $R, $target, ($notUp -join ', ')) }
    $byDomain = Get-CortexFabricNodesByDomain -Nodes $nodes
    $nodesOf = { param($d) if ($byDomain.ContainsKey($d)) { $byDomain[$d] } else { '?' } }

    $inStore = 'MicrosoftAzureServiceFabric.{0}.cab' -f $target
    Copy-ServiceFabricClusterPackage -Code -CodePackagePath $cab -CodePackagePathInImageStore $inStore -ImageStoreConnectionString 'fabric:ImageStore' -TimeoutSec $TimeoutSeconds
    Register-ServiceFabricClusterPackage -Code -CodePackagePath $inStore -TimeoutSec $TimeoutSeconds
    Start-ServiceFabricClusterUpgrade -Code -CodePackageVersion $target -Monitored -FailureAction Rollback -MaxPercentUnhealthyNodes 0 -MaxPercentUnhealthyApplications 0 -UpgradeTimeoutSec $TimeoutSeconds

    # Until the upgrade to this version ends: each upgrade domain completed is recorded in the order seen.
    $done = New-Object System.Collections.Generic.List[string]
    $polls = [math]::Ceiling($TimeoutSeconds / $CortexFabricPollSeconds) + 1
    $u = $null
    $state = ''
    for ($i = 0; $i -lt $polls; $i++) {
        $u = Get-ServiceFabricClusterUpgrade
        $state = [string]$u.UpgradeState
        if ([string]$u.TargetCodeVersion -eq $target) {
            foreach ($d in (Get-CortexUpgradeDomainState $u.UpgradeDomainsStatus)) {
                if ($d.state -eq 'Completed' -and -not $done.Contains($d.name)) { $done.Add($d.name) }
            }
            if (@('RollingForwardCompleted', 'RollingBackCompleted', 'RollingBackInProgress', 'Failed') -contains $state) { break }
        }
        Start-Sleep -Seconds $CortexFabricPollSeconds
    }
    if ($state -eq 'RollingForwardCompleted' -and [string]$u.TargetCodeVersion -eq $target) {
        $walked = @($done | ForEach-Object { '{0} ({1})' -f $_, (& $nodesOf $_) })
        return (New-CortexSetResult -Message ('upgraded the cluster code {0} -> {1}, one upgrade domain at a time: {2}' -f $from, $target, ($walked -join ', ')))
    }
    if (@('RollingBackCompleted', 'RollingBackInProgress', 'Failed') -contains $state) {
        $domain = '?'
        if ($null -ne $u.UpgradeDomainProgressAtFailure -and $u.UpgradeDomainProgressAtFailure.UpgradeDomainName) { $domain = [string]$u.UpgradeDomainProgressAtFailure.UpgradeDomainName }
        $before = 'none'
        if ($done.Count -gt 0) { $before = $done.ToArray() -join ', ' }
        throw ('{0}: the monitored upgrade to {1} failed in upgrade domain {2} ({3}): {4}; Service Fabric rolled back to {5} ({6}; completed before the failure: {7}). Fix the node, then apply again' -f $R, $target, $domain, (& $nodesOf $domain), $u.FailureReason, $from, $state, $before)
    }
    throw ('{0}: the upgrade to {1} is still {2} after {3} s (upgrade domains completed: {4}); watch it with Get-ServiceFabricClusterUpgrade and apply again when it has ended' -f $R, $target, $state, $TimeoutSeconds, ($done.ToArray() -join ', '))
}

Invoke-CortexScript {
    $p = $CortexParams
    $R = 'service_fabric_cluster'
    $packagePath = [string](Get-CortexResourceParam -Params $p -Resource $R -Name 'packagePath' -Required)
    $configPath = [string](Get-CortexResourceParam -Params $p -Resource $R -Name 'configPath' -Required)
    $nodes = Get-CortexResourceParam -Params $p -Resource $R -Name 'nodes' -Required
    $nodes = [string[]]@($nodes | ForEach-Object { [string]$_ })
    $endpoint = [string](Get-CortexResourceParam -Params $p -Resource $R -Name 'connectionEndpoint' -Default 'localhost:19000')
    $timeout = [int](Get-CortexResourceParam -Params $p -Resource $R -Name 'timeout' -Default 3600)
    $runAs = Get-CortexResourceParam -Params $p -Resource $R -Name 'runAs' -Required
    $user = [string](Get-CortexResourceParam -Params $runAs -Resource $R -Name 'user' -Required)
    $password = [string](Get-CortexResourceParam -Params $runAs -Resource $R -Name 'password' -Required)
    if ($timeout -lt 10) { throw ('{0}: parameter timeout must be at least 10 seconds, not {1}' -f $R, $timeout) }

    foreach ($script in @('TestConfiguration.ps1', 'CreateServiceFabricCluster.ps1')) {
        if (-not (Test-Path -LiteralPath ($packagePath.TrimEnd('\') + '\' + $script) -PathType Leaf)) {
            throw ('{0}: {1} is not in {2}; extract the Service Fabric standalone package there in an earlier step' -f $R, $script, $packagePath)
        }
    }
    if (-not (Test-Path -LiteralPath $configPath -PathType Leaf)) { throw ('{0}: the cluster configuration {1} is missing; write it in an earlier step' -f $R, $configPath) }
    $existing = @(Get-Service -Name 'FabricHostSvc' -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq 'FabricHostSvc' })
    if ($existing.Count -gt 0) {
        # A running cluster that answers: the code upgrade; otherwise a failed creation, refused.
        if ($null -eq (Connect-CortexServiceFabricCluster -Endpoint $endpoint)) { return (Invoke-CortexFabricCodeUpgrade -PackagePath $packagePath -TimeoutSeconds $timeout) }
        throw ('{0}: Service Fabric is already installed on this node (FabricHostSvc): a cluster exists or a creation failed halfway; remove it with RemoveServiceFabricCluster.ps1 -ClusterConfigFilePath {1} -Force from {2} before creating it again' -f $R, $configPath, $packagePath)
    }

    $configArgument = '-ClusterConfigFilePath ' + "'" + ($configPath -replace "'", "''") + "'"
    $test = Invoke-CortexFabricPackageScript -PackagePath $packagePath -Script 'TestConfiguration.ps1' -Arguments $configArgument -User $user -Password $password -TimeoutSeconds $timeout
    $checks = Get-CortexTestConfigurationCheck -Lines $test.lines
    if (-not $checks.Contains('Passed')) {
        throw ('{0}: TestConfiguration.ps1 (as {1}) exited with code {2} and printed no "Passed" line: {3} (log: {4})' -f $R, $user, $test.exitCode, (Get-CortexLogTail $test.lines), $test.log)
    }
    if (-not $checks['Passed']) {
        $falseChecks = @($checks.Keys | Where-Object { $_ -ne 'Passed' -and -not $checks[$_] })
        $pattern = ($nodes | ForEach-Object { [regex]::Escape($_) }) -join '|'
        $about = @($test.lines | Where-Object { $_ -and $_ -match ('(?i)\b(' + $pattern + ')\b') -and $_ -notmatch '^\s*[A-Za-z]+\s*:\s*(True|False)\s*$' } | ForEach-Object { $_.Trim() })
        $detail = ''
        if ($about.Count -gt 0) { $detail = ': ' + ($about -join ' | ') }
        throw ('{0}: TestConfiguration.ps1 did not pass (Passed : False): {1} False{2} (log: {3})' -f $R, ($falseChecks -join ', '), $detail, $test.log)
    }

    $create = Invoke-CortexFabricPackageScript -PackagePath $packagePath -Script 'CreateServiceFabricCluster.ps1' -Arguments ($configArgument + ' -AcceptEULA') -User $user -Password $password -TimeoutSeconds $timeout
    if ($create.exitCode -ne 0) {
        throw ('{0}: CreateServiceFabricCluster.ps1 (as {1}) exited with code {2}: {3} (log: {4})' -f $R, $user, $create.exitCode, (Get-CortexLogTail $create.lines), $create.log)
    }

    # B5: every expected node Up. Counted polls, as the one-shot task waits.
    $polls = [math]::Ceiling($timeout / $CortexFabricPollSeconds) + 1
    $notUp = $nodes
    $lastError = $null
    for ($i = 0; $i -lt $polls; $i++) {
        $lastError = Connect-CortexServiceFabricCluster -Endpoint $endpoint
        if ($null -eq $lastError) {
            $up = @(Get-ServiceFabricNode | Where-Object { $_.NodeStatus.ToString() -eq 'Up' } | ForEach-Object { ([string]$_.NodeName).ToLowerInvariant() })
            $notUp = @($nodes | Where-Object { $up -notcontains $_.ToLowerInvariant() })
            if ($notUp.Count -eq 0) { break }
        }
        Start-Sleep -Seconds $CortexFabricPollSeconds
    }
    if ($notUp.Count -gt 0) {
        $why = ''
        if ($null -ne $lastError) { $why = ' (last connection error: ' + $lastError + ')' }
        throw ('{0}: the cluster was created but {1} not Up within {2} s{3}' -f $R, ($notUp -join ', '), $timeout, $why)
    }
    New-CortexSetResult -ExitCode 0 -Message ('created the Service Fabric cluster: {0} Up' -f ($nodes -join ', '))
}
