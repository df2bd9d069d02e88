# cortex-script: resources.rabbitmq-upgrade
# Set of the rabbitmq_upgrade resource (src/resources/rabbitmq-upgrade.ts, docs/upgrades.md).
# roll: this node, in place, while the others keep the quorum:
#   rabbitmq-diagnostics check_local_alarms (no alarm on the node) ->
#   rabbitmq-upgrade await_online_quorum_plus_one (stopping it loses no quorum queue's majority, and no
#   replica is still catching up) -> rabbitmq-upgrade drain -> Stop-Service RabbitMQ ->
#   when Erlang changes: <root>\Uninstall.exe /S, the new otp_win64 installer /S, wait for bin\erl.exe,
#   ERLANG_HOME -> when RabbitMQ changes: its installer /S (it removes the old version, keeps
#   RABBITMQ_BASE, registers and starts the service); when only Erlang changed: rabbitmq-service remove,
#   install, start (the registration embeds the erts path) -> rabbitmqctl await_startup -> the node is
#   among cluster_status's running nodes. A failure after the stop leaves the node down: the error says
#   which step, and the roll stops there (the phase is serial: 1). A node already on both versions but
#   down (the roll stopped at await_startup) is started again and awaited: a re-run continues the roll.
# finish: rabbitmqctl enable_feature_flag all, then rabbitmq-queues rebalance all.
#   params: {action, version, installer?, erlang: {version, installer?, root}, awaitTimeoutSec}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Invoke-CortexUpgradeStep {
    # One step of the roll; its error names the step and the node, so the report says where it stopped.
    param([Parameter(Mandatory = $true)][string]$Step, [Parameter(Mandatory = $true)][string]$Node, [Parameter(Mandatory = $true)][scriptblock]$Action)
    try { & $Action } catch { throw ('rabbitmq_upgrade: {0} on {1} failed: {2}' -f $Step, $Node, (Get-CortexExceptionMessage $_.Exception)) }
}

function Wait-CortexErlangInstalled {
    # The Erlang installer starts its post-install step without waiting for it: wait for bin\erl.exe.
    param([Parameter(Mandatory = $true)][string]$Root, [int]$TimeoutSec = 300)
    $erl = $Root + '\bin\erl.exe'
    $deadline = (Get-Date).AddSeconds($TimeoutSec)
    while (-not (Test-Path -LiteralPath $erl -PathType Leaf)) {
        if ((Get-Date) -gt $deadline) { throw ('{0} did not appear within {1} s of the Erlang installer' -f $erl, $TimeoutSec) }
        Start-Sleep -Seconds 2
    }
}

Invoke-CortexScript {
    $R = 'rabbitmq_upgrade'
    $action = [string](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'action' -Default 'roll')
    $version = [string](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'version' -Required)
    $erlang = Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'erlang' -Required
    $erlangVersion = [string](Get-CortexResourceParam -Params $erlang -Resource $R -Name 'version' -Required)
    $timeout = [int](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'awaitTimeoutSec' -Default 600)
    if (@('roll', 'finish') -cnotcontains $action) { throw ('rabbitmq_upgrade: parameter action must be roll or finish, not {0}' -f $action) }
    $install = Get-CortexRabbitmqInstall
    if ($null -eq $install) { throw 'rabbitmq_upgrade: RabbitMQ is not installed (no RabbitMQ uninstall entry); the install steps install it' }
    $node = Get-CortexRabbitmqNodeName

    if ($action -eq 'finish') {
        Invoke-CortexUpgradeStep -Step 'enable_feature_flag all' -Node $node -Action { $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('enable_feature_flag', 'all') }
        Invoke-CortexUpgradeStep -Step 'rebalance' -Node $node -Action { $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmq-queues' -ArgumentList @('rebalance', 'all') }
        return New-CortexSetResult -Message ('{0}: every feature flag enabled, queue leaders rebalanced' -f $node)
    }

    $installer = [string](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'installer' -Required)
    $erlangRoot = [string](Get-CortexResourceParam -Params $erlang -Resource $R -Name 'root' -Default 'C:\Program Files\Erlang OTP')
    $erlangNow = $null
    $found = Find-CortexInstalledPackage -UninstallKey 'Erlang OTP'
    if ($null -ne $found) { $erlangNow = [string]$found.DisplayVersion }
    $swapErlang = $erlangNow -ne $erlangVersion
    $newRabbitmq = $install.version -ne $version
    if (-not $swapErlang -and -not $newRabbitmq) {
        # Upgraded but down (the roll stopped at await_startup): start it, so a re-run continues the roll.
        $probe = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('ping') -SuccessCodes @(0, 69)
        if ($probe.exitCode -eq 0) { return New-CortexSetResult -Message ('{0} already runs RabbitMQ {1} on Erlang {2}' -f $node, $version, $erlangVersion) }
        Invoke-CortexUpgradeStep -Step 'start' -Node $node -Action { Start-Service -Name 'RabbitMQ' }
        Invoke-CortexUpgradeStep -Step 'await_startup' -Node $node -Action { $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('await_startup', '--timeout', [string]$timeout) }
        return New-CortexSetResult -Message ('{0} started again on RabbitMQ {1}, Erlang {2}' -f $node, $version, $erlangVersion)
    }
    $erlangInstaller = ''
    if ($swapErlang) {
        $erlangInstaller = [string](Get-CortexResourceParam -Params $erlang -Resource $R -Name 'installer' -Required)
        if (-not (Test-Path -LiteralPath $erlangInstaller -PathType Leaf)) { throw ('rabbitmq_upgrade: the Erlang installer {0} is not on the host; stage it in an earlier step' -f $erlangInstaller) }
    }
    if ($newRabbitmq -and -not (Test-Path -LiteralPath $installer -PathType Leaf)) { throw ('rabbitmq_upgrade: the RabbitMQ installer {0} is not on the host; stage it in an earlier step' -f $installer) }

    # Before the node stops: healthy, and the others can carry every quorum without it.
    Invoke-CortexUpgradeStep -Step 'check_local_alarms' -Node $node -Action { $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmq-diagnostics' -ArgumentList @('check_local_alarms') }
    Invoke-CortexUpgradeStep -Step 'await_online_quorum_plus_one' -Node $node -Action { $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmq-upgrade' -ArgumentList @('await_online_quorum_plus_one', '-t', [string]$timeout) }
    Invoke-CortexUpgradeStep -Step 'drain' -Node $node -Action { $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmq-upgrade' -ArgumentList @('drain') }
    Invoke-CortexUpgradeStep -Step 'stop' -Node $node -Action { Stop-Service -Name 'RabbitMQ' -Force }

    if ($swapErlang) {
        if ($null -ne $found) {
            Invoke-CortexUpgradeStep -Step ('uninstall Erlang {0}' -f $erlangNow) -Node $node -Action { $null = Invoke-CortexNative -FilePath ($erlangRoot + '\Uninstall.exe') -ArgumentList @('/S') -TimeoutSeconds 900 }
        }
        Invoke-CortexUpgradeStep -Step ('install Erlang {0}' -f $erlangVersion) -Node $node -Action {
            $null = Invoke-CortexNative -FilePath $erlangInstaller -ArgumentList @('/S') -TimeoutSeconds 900
            Wait-CortexErlangInstalled -Root $erlangRoot
            Set-CortexMachineEnvironmentVariable -Name 'ERLANG_HOME' -Value $erlangRoot
            $env:ERLANG_HOME = $erlangRoot
        }
    }
    if ($newRabbitmq) {
        Invoke-CortexUpgradeStep -Step ('install RabbitMQ {0}' -f $version) -Node $node -Action { $null = Invoke-CortexNative -FilePath $installer -ArgumentList @('/S') -TimeoutSeconds 900 }
        $install = Get-CortexRabbitmqInstall
        if ($null -eq $install -or $install.version -ne $version) { throw ('rabbitmq_upgrade: install RabbitMQ {0} on {1} failed: the uninstall entry says {2}' -f $version, $node, $(if ($null -eq $install) { 'nothing' } else { $install.version })) }
    } else {
        # Erlang alone changed: the service's registration names the old erts folder.
        Invoke-CortexUpgradeStep -Step 'service re-registration' -Node $node -Action {
            foreach ($verb in @('remove', 'install', 'start')) { $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmq-service' -ArgumentList @($verb) }
        }
    }
    Invoke-CortexUpgradeStep -Step 'await_startup' -Node $node -Action { $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('await_startup', '--timeout', [string]$timeout) }
    $status = ConvertFrom-CortexRabbitmqJson -Run (Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('cluster_status', '--formatter', 'json')) -What 'rabbitmqctl cluster_status'
    $running = [string[]]@(@($status.running_nodes) | Where-Object { $_ } | ForEach-Object { [string]$_ })
    if ($running -cnotcontains $node) { throw ('rabbitmq_upgrade: {0} started after the upgrade, but cluster_status lists these running nodes: {1}' -f $node, ($running -join ', ')) }
    New-CortexSetResult -Message ('{0} upgraded to RabbitMQ {1} on Erlang {2}: {3} running nodes' -f $node, $version, $erlangVersion, $running.Count)
}
