# The nservicebus_queues resource: its Test (resources.test-batch: rabbitmqctl list_queues and
# list_exchanges) and Set (ps1/resources/nservicebus-queues.ps1: rabbitmq-transport delays create and
# endpoint create), with both programs behind Invoke-CortexNative, mocked as a broker's vhost.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $global:Ctl = 'C:\Program Files\RabbitMQ Server\rabbitmq_server-4.1.4\sbin\rabbitmqctl.bat'
    $global:Tool = 'C:\Program Files\NServiceBus.Transport.RabbitMQ.CommandLine\rabbitmq-transport.exe'
    $global:NsbParams = @{
        tool = $global:Tool; rabbitmqctl = $global:Ctl; endpoints = @('Cortex.Flow', 'Cortex.Gateway')
        connection = @{ url = 'amqp://cortex@localhost:5672/cortex'; password = 'p@ss:w/rd' }
        errorQueue = 'error'; auditQueue = 'audit'
    }
    function Register-Broker {
        param([string[]]$Queues = @(), [switch]$Delays, [string]$QueueType = 'quorum')
        $global:BrokerQueues = [ordered]@{}
        foreach ($q in $Queues) { $global:BrokerQueues[$q] = $QueueType }
        $global:BrokerExchanges = New-Object System.Collections.Generic.List[string]
        if ($Delays) { Add-Delays }
        $global:SeenConnection = @()
        Mock Test-Path { $true } -ParameterFilter { $LiteralPath -eq $global:Ctl -or $LiteralPath -eq $global:Tool }
        Mock Invoke-CortexNative {
            $a = @($ArgumentList)
            if ($FilePath -eq $global:Ctl) {
                if ($a[1] -eq 'list_queues') { $rows = @($global:BrokerQueues.Keys | ForEach-Object { [ordered]@{ name = $_; type = $global:BrokerQueues[$_] } }) + @([ordered]@{ name = 'unrelated'; type = 'classic' }) }
                else { $rows = @($global:BrokerExchanges | ForEach-Object { [ordered]@{ name = $_ } }) }
                return [pscustomobject]@{ exitCode = 0; output = @((ConvertTo-Json -InputObject @($rows) -Depth 3)); errorOutput = @() }
            }
            $global:SeenConnection += [Environment]::GetEnvironmentVariable('RabbitMQTransport_ConnectionString')
            if ($a[0] -eq 'delays') { Add-Delays }
            if ($a[0] -eq 'endpoint') { foreach ($q in @($a[2], 'error', 'audit')) { $global:BrokerQueues[$q] = 'quorum' } }
            [pscustomobject]@{ exitCode = 0; output = @('Done'); errorOutput = @() }
        }
    }
    function Assert-NothingListed {
        # The Test's state when no wanted queue and no delay exchange is there; a state, not a step error.
        param([bool]$CliInstalled)
        $r = Invoke-CortexResourceTest -Resource 'nservicebus_queues' -Params $global:NsbParams
        $r.StepError | Should -BeNullOrEmpty
        $r.State.cliInstalled | Should -Be $CliInstalled
        @($r.State.queues.PSObject.Properties).Count | Should -Be 0
        $r.State.delayInfrastructure | Should -BeFalse
    }
    function Add-Delays {
        for ($i = 0; $i -lt 28; $i++) { $global:BrokerExchanges.Add(('nsb.v2.delay-level-{0:D2}' -f $i)) }
        $global:BrokerExchanges.Add('nsb.v2.delay-delivery')
    }
}

Describe 'nservicebus_queues' {
    Context 'an empty vhost' {
        BeforeEach { Register-Broker }
        It 'Test: no queues, no delay infrastructure; rabbitmqctl asked in JSON, quietly, for the vhost' {
            Assert-NothingListed -CliInstalled $true
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join ' ') -eq '-q list_queues -p cortex name type --formatter json' }
            Should -Invoke Invoke-CortexNative -Times 0 -Exactly -ParameterFilter { $FilePath -eq $global:Tool }
        }
        It 'Set: delays create, then endpoint create per endpoint (quorum, conventional); the password only in the environment' {
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_queues' -Params $global:NsbParams
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'delay infrastructure, endpoint Cortex.Flow, endpoint Cortex.Gateway'
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { $FilePath -eq $global:Tool -and ($ArgumentList -join ' ') -eq 'delays create' }
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join ' ') -eq 'endpoint create Cortex.Gateway --queueType Quorum --routingTopology Conventional --errorQueueName error --auditQueueName audit' }
            Should -Invoke Invoke-CortexNative -Times 0 -Exactly -ParameterFilter { ($ArgumentList -join ' ') -match 'p@ss|p%40ss' }
            $global:SeenConnection | Should -Be @('amqp://cortex:p%40ss%3Aw%2Frd@localhost:5672/cortex', 'amqp://cortex:p%40ss%3Aw%2Frd@localhost:5672/cortex', 'amqp://cortex:p%40ss%3Aw%2Frd@localhost:5672/cortex')
            [Environment]::GetEnvironmentVariable('RabbitMQTransport_ConnectionString') | Should -BeNullOrEmpty
            $t = Invoke-CortexResourceTest -Resource 'nservicebus_queues' -Params $global:NsbParams
            $t.State.delayInfrastructure | Should -BeTrue
            $t.State.queues.'Cortex.Flow' | Should -BeExactly 'quorum'
            $t.State.queues.PSObject.Properties.Name | Should -Not -Contain 'unrelated'
        }
    }

    Context 'everything there' {
        BeforeEach { Register-Broker -Queues @('Cortex.Flow', 'Cortex.Gateway', 'error', 'audit') -Delays }
        It 'Set: runs no tool' {
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_queues' -Params $global:NsbParams
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeNullOrEmpty
            Should -Invoke Invoke-CortexNative -Times 0 -Exactly -ParameterFilter { $FilePath -eq $global:Tool }
        }
    }

    Context 'a new endpoint, or the shared queues missing' {
        It 'Set: only the missing endpoint' {
            Register-Broker -Queues @('Cortex.Flow', 'error', 'audit') -Delays
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_queues' -Params $global:NsbParams
            $r.Data.message | Should -BeExactly 'endpoint Cortex.Gateway'
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { $FilePath -eq $global:Tool }
        }
        It 'Set: the audit queue missing: the first endpoint again (it declares the shared queues)' {
            Register-Broker -Queues @('Cortex.Flow', 'Cortex.Gateway', 'error') -Delays
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_queues' -Params $global:NsbParams
            $r.Data.message | Should -BeExactly 'endpoint Cortex.Flow'
        }
        It 'Test: half the delay levels is no delay infrastructure' {
            Register-Broker -Queues @('Cortex.Flow')
            for ($i = 0; $i -lt 14; $i++) { $global:BrokerExchanges.Add(('nsb.v2.delay-level-{0:D2}' -f $i)) }
            (Invoke-CortexResourceTest -Resource 'nservicebus_queues' -Params $global:NsbParams).State.delayInfrastructure | Should -BeFalse
        }
    }

    Context 'RabbitMQ not installed yet (a fresh host: an earlier step installs it)' {
        BeforeEach {
            Register-Broker
            Mock Test-Path { $false } -ParameterFilter { $LiteralPath -eq $global:Ctl }
        }
        It 'Test: cliInstalled false, nothing listed, no program run (not a step error)' {
            Assert-NothingListed -CliInstalled $false
            Should -Invoke Invoke-CortexNative -Times 0 -Exactly
        }
        It 'Set: refused, naming rabbitmqctl; the tool never runs' {
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_queues' -Params $global:NsbParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeExactly ('nservicebus_queues: {0} does not exist; install RabbitMQ first (or fix rabbitmqctl)' -f $global:Ctl)
            Should -Invoke Invoke-CortexNative -Times 0 -Exactly
            [Environment]::GetEnvironmentVariable('RabbitMQTransport_ConnectionString') | Should -BeNullOrEmpty
        }
    }

    Context 'failures' {
        It 'Set: the tool missing is refused, naming it' {
            Register-Broker
            Mock Test-Path { $false } -ParameterFilter { $LiteralPath -eq $global:Tool }
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_queues' -Params $global:NsbParams
            $r.Error.message | Should -BeExactly ('nservicebus_queues: {0} does not exist; unzip the transport tool there in an earlier step' -f $global:Tool)
        }
        It 'Test: rabbitmqctl failing (broker down) is the step error, with its output' {
            Register-Broker
            Mock Invoke-CortexNative { throw ('{0} exited with code 69: Error: unable to perform an operation on node ''rabbit@APP1''.' -f $global:Ctl) }
            (Invoke-CortexResourceTest -Resource 'nservicebus_queues' -Params $global:NsbParams).StepError | Should -Match 'exited with code 69: Error: unable to perform an operation on node'
        }
        It 'Set: a failing tool run is the step error, and the connection string is gone from the environment' {
            Register-Broker
            Mock Invoke-CortexNative { throw 'rabbitmq-transport.exe exited with code 1: The delay infrastructure requires the quorum_queue feature flag' } -ParameterFilter { $FilePath -eq $global:Tool }
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_queues' -Params $global:NsbParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Match 'quorum_queue feature flag'
            [Environment]::GetEnvironmentVariable('RabbitMQTransport_ConnectionString') | Should -BeNullOrEmpty
        }
    }
}
