# cortex-script: resources.nservicebus-migrate
# Set of the nservicebus_migrate resource (src/resources/nservicebus-migrate.ts, docs/upgrades.md
# "NServiceBus"): the broker-side migrations of a transport upgrade, with the transport's own tool, in
# order: `queue migrate-to-quorum <queue>` for each of the step's queues still classic (error, audit,
# then the endpoints'), then, while the v1 delay queues hold messages, `delays create` (when the v2
# infrastructure is incomplete) and `delays migrate`. Last, the transport version is recorded
# (HKLM\SOFTWARE\CortexInstall\NServiceBus TransportVersion), so a re-run finds nothing to do. The
# connection string, with the password, reaches the tool in its environment
# (RabbitMQTransport_ConnectionString), never on its command line, and is removed afterwards.
#   params: {version, tool, rabbitmqctl, endpoints, connection: {url, password}, errorQueue?, auditQueue?}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-CortexAmqpConnectionString {
    # amqp://user:<password, escaped>@host:port/vhost from the URL without a password.
    param([Parameter(Mandatory = $true)][string]$Url, [Parameter(Mandatory = $true)][string]$Password)
    if ($Url -notmatch '^(amqps?://)([^:@/\s]+)@(.+)$') { throw 'nservicebus_migrate: connection.url must be amqp://user@host:port/vhost, without a password' }
    '{0}{1}:{2}@{3}' -f $Matches[1], $Matches[2], [Uri]::EscapeDataString($Password), $Matches[3]
}

Invoke-CortexScript {
    $R = 'nservicebus_migrate'
    $version = [string](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'version' -Required)
    $tool = [string](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'tool' -Required)
    $rabbitmqctl = [string](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'rabbitmqctl' -Required)
    $connection = Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'connection' -Required
    $url = [string](Get-CortexResourceParam -Params $connection -Resource $R -Name 'url' -Required)
    $password = [string](Get-CortexResourceParam -Params $connection -Resource $R -Name 'password' -Required)
    # Assigned first: the parameter comes back as one object (the list), which @() would wrap again.
    $endpointList = Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'endpoints' -Required
    $endpoints = @($endpointList | ForEach-Object { [string]$_ })
    $errorQueue = [string](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'errorQueue' -Default 'error')
    $auditQueue = [string](Get-CortexResourceParam -Params $CortexParams -Resource $R -Name 'auditQueue' -Default 'audit')
    if (-not (Test-Path -LiteralPath $tool -PathType Leaf)) { throw ('{0}: {1} does not exist; unzip the transport tool there in an earlier step' -f $R, $tool) }

    $vhost = Get-CortexAmqpVhost -Url $url
    $wanted = Get-CortexNservicebusWantedQueue -Params $CortexParams -Resource $R
    $state = Get-CortexNservicebusMigrationState -Rabbitmqctl $rabbitmqctl -Vhost $vhost -Queue $wanted
    if (-not $state.cliInstalled) { throw ('{0}: {1} does not exist; install RabbitMQ first (or fix rabbitmqctl)' -f $R, $rabbitmqctl) }
    # The order of the migrations: the shared queues first, then each endpoint's (the diff's order).
    $order = New-Object System.Collections.Generic.List[string]
    foreach ($q in @(@($errorQueue, $auditQueue) + $endpoints)) { if ($order -cnotcontains $q) { $order.Add($q) } }
    $done = New-Object System.Collections.Generic.List[string]
    $previous = $env:RabbitMQTransport_ConnectionString
    $env:RabbitMQTransport_ConnectionString = Get-CortexAmqpConnectionString -Url $url -Password $password
    try {
        foreach ($q in $order) {
            if (@($state.classicQueues) -cnotcontains $q) { continue }
            # Re-runnable after a partial failure (the tool's own promise): a re-run finds the queue quorum and skips it.
            $null = Invoke-CortexNative -FilePath $tool -ArgumentList @('queue', 'migrate-to-quorum', $q)
            $done.Add(('queue {0} to quorum' -f $q))
        }
        if ($state.v1DelayedMessages -gt 0) {
            if (-not $state.delayInfrastructure) {
                $null = Invoke-CortexNative -FilePath $tool -ArgumentList @('delays', 'create')
                $done.Add('delay infrastructure')
            }
            $null = Invoke-CortexNative -FilePath $tool -ArgumentList @('delays', 'migrate')
            $done.Add(('{0} delayed messages from v1 to v2' -f $state.v1DelayedMessages))
        }
    } finally {
        $env:RabbitMQTransport_ConnectionString = $previous
    }
    if ([string]$state.transportVersion -ne $version) {
        Set-CortexRegistryEntry -SubKey 'SOFTWARE\CortexInstall\NServiceBus' -Name 'TransportVersion' -Kind 'String' -Data $version
        $from = 'none recorded'
        if ($null -ne $state.transportVersion) { $from = [string]$state.transportVersion }
        $done.Add(('transport version {0} -> {1}' -f $from, $version))
    }
    New-CortexSetResult -Message ($done -join ', ')
}
