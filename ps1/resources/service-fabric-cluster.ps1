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
