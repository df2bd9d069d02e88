# The nservicebus_migrate resource: its Test (resources.test-batch: rabbitmqctl list_queues with the
# message counts, list_exchanges, the recorded transport version) and Set (ps1/resources/nservicebus-migrate.ps1:
# rabbitmq-transport queue migrate-to-quorum, delays create, delays migrate, then the version recorded),
# with both programs behind Invoke-CortexNative, mocked as a broker's vhost, and the registry seams mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $global:Ctl = 'C:\Program Files\RabbitMQ Server\rabbitmq_server-4.1.4\sbin\rabbitmqctl.bat'
    $global:Tool = 'C:\Program Files\NServiceBus.Transport.RabbitMQ.CommandLine\rabbitmq-transport.exe'
    $global:MigrateParams = @{
        version = '10.2.0'; tool = $global:Tool; rabbitmqctl = $global:Ctl; endpoints = @('Cortex.Flow', 'Cortex.Gateway')
        connection = @{ url = 'amqp://cortex@localhost:5672/cortex'; password = 'p@ss:w/rd' }
        errorQueue = 'error'; auditQueue = 'audit'
    }
    function Register-Broker {
        # $global:Broker: queue -> @{ type; messages }, the exchanges, whether the node is down; the
        # recorded version in the mocked registry. The tool's commands change the fake as the tool would.
        param([hashtable]$Queues = @{}, [switch]$V2, [string]$Recorded = $null, [switch]$Down)
        $global:Broker = @{ Queues = [ordered]@{}; Exchanges = New-Object System.Collections.Generic.List[string]; Down = [bool]$Down; Ran = New-Object System.Collections.Generic.List[string]; Seen = @() }
        foreach ($k in $Queues.Keys) { $global:Broker.Queues[$k] = $Queues[$k] }
        if ($V2) { Add-V2 }
        $m = New-CortexTestMachine
        if ($Recorded) { $m.Registry['64']['SOFTWARE\CortexInstall\NServiceBus'] = [ordered]@{ TransportVersion = $Recorded } }
        Register-CortexTestRegistryMock $m
        Mock Test-Path { $true } -ParameterFilter { $LiteralPath -eq $global:Ctl -or $LiteralPath -eq $global:Tool }
        Mock Invoke-CortexNative {
            $a = @($ArgumentList)
            if ($FilePath -eq $global:Ctl) {
                if ($global:Broker.Down) { throw ('{0} exited with code 69: Error: unable to perform an operation on node ''rabbit@APP1''' -f $global:Ctl) }
                if ($a[1] -eq 'list_queues') { $rows = @($global:Broker.Queues.Keys | ForEach-Object { [ordered]@{ name = $_; type = $global:Broker.Queues[$_].type; messages = $global:Broker.Queues[$_].messages } }) }
                else { $rows = @($global:Broker.Exchanges | ForEach-Object { [ordered]@{ name = $_ } }) }
                return [pscustomobject]@{ exitCode = 0; output = @((ConvertTo-Json -InputObject @($rows) -Depth 3)); errorOutput = @() }
            }
            $global:Broker.Seen += [Environment]::GetEnvironmentVariable('RabbitMQTransport_ConnectionString')
            $global:Broker.Ran.Add(($a -join ' '))
            if ($a[0] -eq 'queue') { $global:Broker.Queues[$a[2]].type = 'quorum' }
            if ($a[0] -eq 'delays' -and $a[1] -eq 'create') { Add-V2 }
            if ($a[0] -eq 'delays' -and $a[1] -eq 'migrate') { foreach ($q in @($global:Broker.Queues.Keys)) { if ($q -like 'nsb.delay-level-*') { $global:Broker.Queues[$q].messages = 0 } } }
            [pscustomobject]@{ exitCode = 0; output = @('Done'); errorOutput = @() }
        }
    }
    function Add-V2 {
        for ($i = 0; $i -lt 28; $i++) { $global:Broker.Exchanges.Add(('nsb.v2.delay-level-{0:D2}' -f $i)) }
        $global:Broker.Exchanges.Add('nsb.v2.delay-delivery')
    }
    function Get-Recorded {
        # A value the fake started with is plain; one the Set wrote is @{ Kind; Data }.
        $v = $global:CortexTestMachine.Registry['64']['SOFTWARE\CortexInstall\NServiceBus'].TransportVersion
        if ($v -is [System.Collections.IDictionary]) { $v = $v.Data }
        $v
    }
}

Describe 'nservicebus_migrate' {
    Context 'a broker from before: classic queues, v1 delayed messages, 10.1.0 recorded' {
        BeforeEach {
            Register-Broker -Recorded '10.1.0' -Queues @{
                'Cortex.Flow' = @{ type = 'quorum'; messages = 0 }; 'Cortex.Gateway' = @{ type = 'classic'; messages = 2 }
                error = @{ type = 'quorum'; messages = 0 }; audit = @{ type = 'classic'; messages = 0 }
                'nsb.delay-level-03' = @{ type = 'classic'; messages = 4 }; 'nsb.delay-level-10' = @{ type = 'classic'; messages = 1 }
                unrelated = @{ type = 'classic'; messages = 9 }
            }
        }
        It 'Test: the classic queues asked for, the v1 messages, the v2 infrastructure missing, the recorded version; rabbitmqctl asked for messages too' {
            $r = Invoke-CortexResourceTest -Resource 'nservicebus_migrate' -Params $global:MigrateParams
            $r.StepError | Should -BeNullOrEmpty
            $r.State.cliInstalled | Should -BeTrue
            $r.State.transportVersion | Should -BeExactly '10.1.0'
            @($r.State.classicQueues | Sort-Object) | Should -Be @('audit', 'Cortex.Gateway')
            $r.State.v1DelayedMessages | Should -Be 5
            $r.State.delayInfrastructure | Should -BeFalse
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join ' ') -eq '-q list_queues -p cortex name type messages --formatter json' }
            Should -Invoke Invoke-CortexNative -Times 0 -Exactly -ParameterFilter { $FilePath -eq $global:Tool }
            Assert-CortexNotInvoked @('Set-CortexRegistryEntry')
        }
        It 'Set: audit then the endpoint queue to quorum, then delays create and migrate, then the version; the password only in the environment; a re-run runs nothing' {
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_migrate' -Params $global:MigrateParams
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'queue audit to quorum, queue Cortex.Gateway to quorum, delay infrastructure, 5 delayed messages from v1 to v2, transport version 10.1.0 -> 10.2.0'
            @($global:Broker.Ran) | Should -Be @('queue migrate-to-quorum audit', 'queue migrate-to-quorum Cortex.Gateway', 'delays create', 'delays migrate')
            @($global:Broker.Seen | Select-Object -Unique) | Should -Be @('amqp://cortex:p%40ss%3Aw%2Frd@localhost:5672/cortex')
            Should -Invoke Invoke-CortexNative -Times 0 -Exactly -ParameterFilter { ($ArgumentList -join ' ') -match 'p@ss|p%40ss' }
            [Environment]::GetEnvironmentVariable('RabbitMQTransport_ConnectionString') | Should -BeNullOrEmpty
            Get-Recorded | Should -BeExactly '10.2.0'
            $global:Broker.Queues['unrelated'].type | Should -BeExactly 'classic'
            $global:Broker.Ran.Clear()
            $again = Invoke-CortexResourceSet -Resource 'nservicebus_migrate' -Params $global:MigrateParams
            $again.Result.ok | Should -BeTrue
            $again.Data.message | Should -BeNullOrEmpty
            $global:Broker.Ran.Count | Should -Be 0
            $t = Invoke-CortexResourceTest -Resource 'nservicebus_migrate' -Params $global:MigrateParams
            @($t.State.classicQueues).Count | Should -Be 0
            $t.State.v1DelayedMessages | Should -Be 0
            $t.State.transportVersion | Should -BeExactly '10.2.0'
        }
    }

    Context 'a fresh broker: nothing recorded, nothing to migrate' {
        BeforeEach { Register-Broker -V2 -Queues @{ 'Cortex.Flow' = @{ type = 'quorum'; messages = 0 } } }
        It 'Set: runs no tool, records the version' {
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_migrate' -Params $global:MigrateParams
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'transport version none recorded -> 10.2.0'
            Should -Invoke Invoke-CortexNative -Times 0 -Exactly -ParameterFilter { $FilePath -eq $global:Tool }
            Get-Recorded | Should -BeExactly '10.2.0'
        }
        It 'Test: transportVersion null' {
            $r = Invoke-CortexResourceTest -Resource 'nservicebus_migrate' -Params $global:MigrateParams
            $r.State.transportVersion | Should -BeNullOrEmpty
            $r.State.delayInfrastructure | Should -BeTrue
        }
    }

    Context 'the node down' {
        BeforeEach { Register-Broker -Down -Recorded '10.1.0' }
        It 'Test: the step fails with rabbitmqctl''s error; Set: fails before the tool runs, nothing recorded' {
            $t = Invoke-CortexResourceTest -Resource 'nservicebus_migrate' -Params $global:MigrateParams
            $t.StepError | Should -Match 'exited with code 69'
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_migrate' -Params $global:MigrateParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Match 'exited with code 69'
            $global:Broker.Ran.Count | Should -Be 0
            Get-Recorded | Should -BeExactly '10.1.0'
        }
    }

    Context 'RabbitMQ not installed yet' {
        BeforeEach {
            Register-Broker
            Mock Test-Path { $false } -ParameterFilter { $LiteralPath -eq $global:Ctl }
        }
        It 'Test: cliInstalled false, no call; Set: refused naming rabbitmqctl' {
            $t = Invoke-CortexResourceTest -Resource 'nservicebus_migrate' -Params $global:MigrateParams
            $t.State.cliInstalled | Should -BeFalse
            Should -Invoke Invoke-CortexNative -Times 0 -Exactly
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_migrate' -Params $global:MigrateParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Match 'rabbitmqctl\.bat does not exist; install RabbitMQ first'
        }
    }
}
