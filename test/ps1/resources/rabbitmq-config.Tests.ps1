# Scripts under test: ps1/resources/rabbitmq-config.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# rabbitmqctl.bat is answered by the fake CLI of CortexRabbitmqTest.ps1. Passwords go to add_user on
# stdin and never appear in the arguments or in what the scripts print.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexRabbitmqTest.ps1')
    $password = 'Rabbit-Secret-0001'
    $params = @{
        vhost    = @{ name = 'cortex'; defaultQueueType = 'quorum' }
        users    = @(@{ name = 'cortex-ops'; password = $password; tags = @('administrator') }, @{ name = 'cortex'; password = 'Rabbit-Secret-0002' })
        policies = @(@{ name = 'nsb-delivery-limit'; pattern = '.*'; applyTo = 'quorum_queues'; definition = @{ 'delivery-limit' = 100000 }; priority = 0 })
    }
    $testParams = @{ vhost = @{ name = 'cortex' } }
}

Describe 'rabbitmq_config' {
    Context 'a fresh cluster: vhost /, guest, a feature flag disabled' {
        BeforeEach { $n = New-CortexTestRabbitmq; $n.FlagsDisabled.Add('khepri_db'); Register-CortexTestRabbitmq $n }
        It 'Test: feature flags, no vhost, guest; no permissions or policies read for a missing vhost' {
            $r = Invoke-CortexResourceTest -Resource 'rabbitmq_config' -Params $testParams
            $r.StepError | Should -BeNullOrEmpty
            $r.State.running | Should -BeTrue
            @($r.State.featureFlagsDisabled) | Should -Be @('khepri_db')
            $r.State.vhost.exists | Should -BeFalse
            @($r.State.users | ForEach-Object { $_.name }) | Should -Be @('guest')
            @($global:CortexTestRabbitmqCalls | ForEach-Object { $_.arguments[0] }) | Should -Be @('list_feature_flags', 'list_vhosts', 'list_users')
        }
        It 'Set: everything, the passwords on stdin only, never printed; then the Test finds it all' {
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_config' -Params $params
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'feature flags enabled; vhost cortex added; user cortex-ops added; tags of cortex-ops; permissions of cortex-ops on cortex; user cortex added; permissions of cortex on cortex; guest deleted; policy nsb-delivery-limit'
            $r.Json | Should -Not -BeLike "*$password*"
            $n.Passwords['cortex-ops'] | Should -BeExactly $password
            foreach ($c in $global:CortexTestRabbitmqCalls) { ($c.arguments -join ' ') | Should -Not -BeLike '*Rabbit-Secret*' }
            $add = @($global:CortexTestRabbitmqCalls | Where-Object { $_.arguments[0] -eq 'add_vhost' })[0]
            $add.arguments | Should -Be @('add_vhost', 'cortex', '--default-queue-type', 'quorum')
            $policy = @($global:CortexTestRabbitmqCalls | Where-Object { $_.arguments[0] -eq 'set_policy' })[0]
            $policy.arguments | Should -Be @('set_policy', '-p', 'cortex', '--priority', '0', '--apply-to', 'quorum_queues', 'nsb-delivery-limit', '.*', '{"delivery-limit":100000}')
            $t = Invoke-CortexResourceTest -Resource 'rabbitmq_config' -Params $testParams
            $t.State.vhost.defaultQueueType | Should -BeExactly 'quorum'
            @($t.State.users | ForEach-Object { $_.name }) | Should -Be @('cortex-ops', 'cortex')
            @($t.State.permissions).Count | Should -Be 2
            $t.State.policies[0].applyTo | Should -BeExactly 'quorum_queues'
            $t.State.policies[0].definition.'delivery-limit' | Should -Be 100000
        }
        It 'Set again: nothing to change, no mutating command' {
            $null = Invoke-CortexResourceSet -Resource 'rabbitmq_config' -Params $params
            $global:CortexTestRabbitmqCalls.Clear()
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_config' -Params $params
            $r.Data.message | Should -BeExactly 'nothing to change'
            @($global:CortexTestRabbitmqCalls | Where-Object { $_.arguments[0] -notlike 'list_*' }).Count | Should -Be 0
        }
        It 'Set: a different default queue type and tags are updated; guest kept when asked' {
            $n.Vhosts['cortex'] = 'classic'
            $n.Users['cortex-ops'] = @('monitoring')
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_config' -Params @{ featureFlags = 'unchanged'; guest = 'keep'; vhost = @{ name = 'cortex' }; users = @(@{ name = 'cortex-ops'; password = $password; tags = @('administrator') }) }
            $r.Data.message | Should -BeExactly 'vhost cortex default queue type quorum; tags of cortex-ops; permissions of cortex-ops on cortex'
            $n.Users.Contains('guest') | Should -BeTrue
            $n.Passwords.Count | Should -Be 0
        }
    }
    Context 'the node is not running' {
        BeforeEach { $n = New-CortexTestRabbitmq; $n.Running = $false; Register-CortexTestRabbitmq $n }
        It 'Test: running false; Set refused' {
            (Invoke-CortexResourceTest -Resource 'rabbitmq_config' -Params $testParams).State.running | Should -BeFalse
            (Invoke-CortexResourceSet -Resource 'rabbitmq_config' -Params $params).Error.message | Should -BeExactly 'rabbitmq_config: the RabbitMQ node is not running; start the RabbitMQ service first'
        }
    }
    Context 'not installed, bad parameters' {
        BeforeEach { $n = New-CortexTestRabbitmq; $n.Installed = $false; Register-CortexTestRabbitmq $n }
        It 'Test: installed false; Set refused; no vhost: named' {
            (Invoke-CortexResourceTest -Resource 'rabbitmq_config' -Params $testParams).State.installed | Should -BeFalse
            (Invoke-CortexResourceSet -Resource 'rabbitmq_config' -Params $params).Error.message | Should -BeLike 'rabbitmq_config: RabbitMQ is not installed*'
            (Invoke-CortexResourceSet -Resource 'rabbitmq_config' -Params @{}).Error.message | Should -BeExactly 'rabbitmq_config: parameter vhost is missing'
            (Invoke-CortexResourceTest -Resource 'rabbitmq_config' -Params @{ vhost = @{} }).StepError | Should -BeExactly 'rabbitmq_config: parameter name is missing'
        }
    }
}
