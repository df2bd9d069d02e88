# cortex-script: lib.nservicebus
# The nservicebus_queues resource's reading of the broker (src/resources/nservicebus-queues.ts,
# docs/nservicebus.md): the vhost's queues and the v2 delay exchanges, listed with rabbitmqctl (which
# authenticates with the Erlang cookie: no broker password in a Test). Shared by the Test and the Set.

function Get-CortexAmqpVhost {
    # The vhost of amqp://user@host:port/vhost, decoded (%2F is /).
    param([Parameter(Mandatory = $true)][string]$Url)
    [Uri]::UnescapeDataString($Url.Substring($Url.LastIndexOf('/') + 1))
}

function Get-CortexNservicebusQueueState {
    # {cliInstalled: rabbitmqctl exists, queues: {name: type} for the queues asked that exist,
    # delayInfrastructure: every v2 delay exchange exists}. Without rabbitmqctl (RabbitMQ's install is an
    # earlier step on a fresh host) nothing can be listed: a state, not an error; the diff decides.
    param([Parameter(Mandatory = $true)][string]$Rabbitmqctl, [Parameter(Mandatory = $true)][string]$Vhost, [AllowEmptyCollection()][string[]]$Queue = @())
    if (-not (Test-Path -LiteralPath $Rabbitmqctl -PathType Leaf)) { return [ordered]@{ cliInstalled = $false; queues = [ordered]@{}; delayInfrastructure = $false } }
    $listed = Invoke-CortexNative -FilePath $Rabbitmqctl -ArgumentList @('-q', 'list_queues', '-p', $Vhost, 'name', 'type', '--formatter', 'json')
    $queues = [ordered]@{}
    foreach ($row in @(ConvertFrom-Json -InputObject (@($listed.output) -join "`n"))) {
        if ($null -ne $row -and $Queue -ccontains [string]$row.name) { $queues[[string]$row.name] = [string]$row.type }
    }
    $exchanges = Invoke-CortexNative -FilePath $Rabbitmqctl -ArgumentList @('-q', 'list_exchanges', '-p', $Vhost, 'name', '--formatter', 'json')
    $names = @(@(ConvertFrom-Json -InputObject (@($exchanges.output) -join "`n")) | Where-Object { $null -ne $_ } | ForEach-Object { [string]$_.name })
    $delays = $names -ccontains 'nsb.v2.delay-delivery'
    for ($level = 0; $level -lt 28; $level++) {
        if ($names -cnotcontains ('nsb.v2.delay-level-{0:D2}' -f $level)) { $delays = $false }
    }
    [ordered]@{ cliInstalled = $true; queues = $queues; delayInfrastructure = $delays }
}

function Get-CortexNservicebusWantedQueue {
    # The queues a step wants: each endpoint's, then the error and audit queues (no repeats).
    param($Params, [string]$Resource = 'nservicebus_queues')
    $wanted = New-Object System.Collections.Generic.List[string]
    # Assigned first: the parameter comes back as one object (the list), which @() would wrap again.
    $endpoints = Get-CortexResourceParam -Params $Params -Resource $Resource -Name 'endpoints' -Required
    $all = @($endpoints | ForEach-Object { [string]$_ })
    $all += [string](Get-CortexResourceParam -Params $Params -Resource $Resource -Name 'errorQueue' -Default 'error')
    $all += [string](Get-CortexResourceParam -Params $Params -Resource $Resource -Name 'auditQueue' -Default 'audit')
    foreach ($q in $all) { if ($wanted -cnotcontains $q) { $wanted.Add($q) } }
    , $wanted.ToArray()
}

function Get-CortexNservicebusMigrationState {
    # The nservicebus_migrate resource's state (src/resources/nservicebus-migrate.ts): {cliInstalled,
    # transportVersion: the version the broker was last migrated for (HKLM\SOFTWARE\CortexInstall\NServiceBus
    # TransportVersion) or $null, classicQueues: the queues asked that exist as classic queues,
    # v1DelayedMessages: messages in the v1 delay queues (nsb.delay-level-NN), delayInfrastructure: every
    # v2 delay exchange exists}. Without rabbitmqctl nothing can be listed: a state, not an error.
    param([Parameter(Mandatory = $true)][string]$Rabbitmqctl, [Parameter(Mandatory = $true)][string]$Vhost, [AllowEmptyCollection()][string[]]$Queue = @())
    $recorded = Get-CortexRegistryValue -SubKey 'SOFTWARE\CortexInstall\NServiceBus' -Name 'TransportVersion'
    $version = $null
    if ($null -ne $recorded -and [string]$recorded -ne '') { $version = [string]$recorded }
    if (-not (Test-Path -LiteralPath $Rabbitmqctl -PathType Leaf)) {
        return [ordered]@{ cliInstalled = $false; transportVersion = $version; classicQueues = @(); v1DelayedMessages = 0; delayInfrastructure = $false }
    }
    $listed = Invoke-CortexNative -FilePath $Rabbitmqctl -ArgumentList @('-q', 'list_queues', '-p', $Vhost, 'name', 'type', 'messages', '--formatter', 'json')
    $classic = New-Object System.Collections.Generic.List[string]
    $v1 = 0
    foreach ($row in @(ConvertFrom-Json -InputObject (@($listed.output) -join "`n"))) {
        if ($null -eq $row) { continue }
        $name = [string]$row.name
        if ($Queue -ccontains $name -and [string]$row.type -eq 'classic') { $classic.Add($name) }
        if ($name -cmatch '^nsb\.delay-level-\d\d$' -and $null -ne $row.messages) { $v1 += [int]$row.messages }
    }
    $delays = (Get-CortexNservicebusQueueState -Rabbitmqctl $Rabbitmqctl -Vhost $Vhost -Queue @()).delayInfrastructure
    [ordered]@{ cliInstalled = $true; transportVersion = $version; classicQueues = $classic.ToArray(); v1DelayedMessages = $v1; delayInfrastructure = $delays }
}
