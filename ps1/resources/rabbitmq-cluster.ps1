# cortex-script: resources.rabbitmq-cluster
# Set of the rabbitmq_cluster resource (src/resources/rabbitmq-cluster.ts): this node joins the seed's
# cluster. RabbitMQ 4.1 and later join a running node with `rabbitmqctl join_cluster <seed>`; 4.0 and
# earlier need stop_app, reset, join_cluster, start_app (the app is started again even when the join
# fails). Joining resets this node's data. The join is verified: the seed and this node must both be in
# cluster_status's running nodes afterwards.
#   params: {seed}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $seed = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'rabbitmq_cluster' -Name 'seed' -Required)
    $install = Get-CortexRabbitmqInstall
    if ($null -eq $install) { throw 'rabbitmq_cluster: RabbitMQ is not installed (no RabbitMQ uninstall entry); install it in an earlier step' }
    $node = Get-CortexRabbitmqNodeName
    # Node names are Erlang atoms: case-sensitive.
    if ($node -ceq $seed) { return New-CortexSetResult -Message ('{0} is the seed: nothing to join' -f $node) }
    $parts = @($install.version -split '\.' | ForEach-Object { [int]$_ })
    $legacy = $parts[0] -lt 4 -or ($parts[0] -eq 4 -and $parts[1] -eq 0)
    if ($legacy) {
        $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('stop_app')
        try {
            $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('reset')
            $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('join_cluster', $seed)
        } finally {
            $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('start_app')
        }
    } else {
        $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('join_cluster', $seed)
    }
    $status = ConvertFrom-CortexRabbitmqJson -Run (Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('cluster_status', '--formatter', 'json')) -What 'rabbitmqctl cluster_status'
    $running = [string[]]@(@($status.running_nodes) | Where-Object { $_ } | ForEach-Object { [string]$_ })
    if ($running -cnotcontains $seed -or $running -cnotcontains $node) {
        throw ('rabbitmq_cluster: {0} joined {1}, but cluster_status lists these running nodes: {2}' -f $node, $seed, ($running -join ', '))
    }
    New-CortexSetResult -Message ('{0} joined the cluster of {1}: {2} running nodes' -f $node, $seed, $running.Count)
}
