# cortex-script: resources.nservicebus-queues
# Set of the nservicebus_queues resource (src/resources/nservicebus-queues.ts, docs/nservicebus.md): with
# the transport's own tool, `rabbitmq-transport delays create` when the v2 delay infrastructure is
# incomplete, then `endpoint create <name>` for each endpoint whose queue is missing (quorum queues,
# conventional routing, the error and audit queues). The connection string, with the password, reaches
# the tool in its environment (RabbitMQTransport_ConnectionString, which -c defaults to), never on its
# command line, and is removed afterwards.
#   params: {tool, rabbitmqctl, endpoints, connection: {url, password}, errorQueue?, auditQueue?}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-CortexAmqpConnectionString {
    # amqp://user:<password, escaped>@host:port/vhost from the URL without a password.
    param([Parameter(Mandatory = $true)][string]$Url, [Parameter(Mandatory = $true)][string]$Password)
    if ($Url -notmatch '^(amqps?://)([^:@/\s]+)@(.+)$') { throw 'nservicebus_queues: connection.url must be amqp://user@host:port/vhost, without a password' }
    '{0}{1}:{2}@{3}' -f $Matches[1], $Matches[2], [Uri]::EscapeDataString($Password), $Matches[3]
}

Invoke-CortexScript {
    $tool = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'nservicebus_queues' -Name 'tool' -Required)
    $rabbitmqctl = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'nservicebus_queues' -Name 'rabbitmqctl' -Required)
    $connection = Get-CortexResourceParam -Params $CortexParams -Resource 'nservicebus_queues' -Name 'connection' -Required
    $url = [string](Get-CortexResourceParam -Params $connection -Resource 'nservicebus_queues' -Name 'url' -Required)
    $password = [string](Get-CortexResourceParam -Params $connection -Resource 'nservicebus_queues' -Name 'password' -Required)
    # Assigned first: the parameter comes back as one object (the list), which @() would wrap again.
    $endpointList = Get-CortexResourceParam -Params $CortexParams -Resource 'nservicebus_queues' -Name 'endpoints' -Required
    $endpoints = @($endpointList | ForEach-Object { [string]$_ })
    $errorQueue = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'nservicebus_queues' -Name 'errorQueue' -Default 'error')
    $auditQueue = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'nservicebus_queues' -Name 'auditQueue' -Default 'audit')
    if (-not (Test-Path -LiteralPath $tool -PathType Leaf)) { throw ('nservicebus_queues: {0} does not exist; unzip the transport tool there in an earlier step' -f $tool) }

    $vhost = Get-CortexAmqpVhost -Url $url
    $wanted = Get-CortexNservicebusWantedQueue -Params $CortexParams
    $state = Get-CortexNservicebusQueueState -Rabbitmqctl $rabbitmqctl -Vhost $vhost -Queue $wanted
    if (-not $state.cliInstalled) { throw ('nservicebus_queues: {0} does not exist; install RabbitMQ first (or fix rabbitmqctl)' -f $rabbitmqctl) }
    $done = New-Object System.Collections.Generic.List[string]
    $previous = $env:RabbitMQTransport_ConnectionString
    $env:RabbitMQTransport_ConnectionString = Get-CortexAmqpConnectionString -Url $url -Password $password
    try {
        if (-not $state.delayInfrastructure) {
            $null = Invoke-CortexNative -FilePath $tool -ArgumentList @('delays', 'create')
            $done.Add('delay infrastructure')
        }
        # An endpoint's create also declares the shared error and audit queues: when one of those is
        # missing, the first endpoint is created again (the tool declares what exists as it is).
        $sharedMissing = -not $state.queues.Contains($errorQueue) -or -not $state.queues.Contains($auditQueue)
        foreach ($e in $endpoints) {
            if ($state.queues.Contains($e) -and -not $sharedMissing) { continue }
            $null = Invoke-CortexNative -FilePath $tool -ArgumentList @('endpoint', 'create', $e, '--queueType', 'Quorum', '--routingTopology', 'Conventional', '--errorQueueName', $errorQueue, '--auditQueueName', $auditQueue)
            $done.Add(('endpoint {0}' -f $e))
            $sharedMissing = $false
        }
    } finally {
        $env:RabbitMQTransport_ConnectionString = $previous
    }
    New-CortexSetResult -Message ($done -join ', ')
}
