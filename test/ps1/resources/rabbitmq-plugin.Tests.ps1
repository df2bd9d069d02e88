# Scripts under test: ps1/resources/rabbitmq-plugin.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# rabbitmq-plugins.bat is found in the sbin folder of the RabbitMQ uninstall entry and answered by the
# fake CLI of CortexRabbitmqTest.ps1.
BeforeAll { . (Join-Path $PSScriptRoot '../helpers/CortexRabbitmqTest.ps1') }

Describe 'rabbitmq_plugin' {
    Context 'RabbitMQ installed, the plugin not enabled' {
        BeforeEach { $n = New-CortexTestRabbitmq; Register-CortexTestRabbitmq $n }
        It 'Test: installed, not enabled; through sbin of the uninstall entry, quiet' {
            $r = Invoke-CortexResourceTest -Resource 'rabbitmq_plugin' -Params @{ name = 'rabbitmq_management' }
            $r.StepError | Should -BeNullOrEmpty
            $r.State.installed | Should -BeTrue
            $r.State.enabled | Should -BeFalse
            $global:CortexTestRabbitmqCalls[0].arguments | Should -Be @('list', '--formatter', 'json')
        }
        It 'Test: a plugin enabled only as a dependency (implicit) is not enabled' {
            $n.Plugins.Add('rabbitmq_management')
            (Invoke-CortexResourceTest -Resource 'rabbitmq_plugin' -Params @{ name = 'rabbitmq_management_agent' }).State.enabled | Should -BeFalse
            (Invoke-CortexResourceTest -Resource 'rabbitmq_plugin' -Params @{ name = 'rabbitmq_management' }).State.enabled | Should -BeTrue
        }
        It 'Test: a plugin RabbitMQ does not have is the step error' {
            (Invoke-CortexResourceTest -Resource 'rabbitmq_plugin' -Params @{ name = 'rabbitmq_bogus' }).StepError | Should -BeExactly 'rabbitmq_plugin: RabbitMQ 4.1.4 has no plugin rabbitmq_bogus'
        }
        It 'Set: rabbitmq-plugins enable, with the machine environment the CLI needs' {
            Remove-Item Env:RABBITMQ_NODENAME -ErrorAction SilentlyContinue
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_plugin' -Params @{ name = 'rabbitmq_management'; state = 'enabled' }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'enabled rabbitmq_management on RabbitMQ 4.1.4'
            $global:CortexTestRabbitmqCalls[0].arguments | Should -Be @('enable', 'rabbitmq_management')
            $env:RABBITMQ_NODENAME | Should -BeExactly 'rabbit@app02'
            $env:ERLANG_HOME | Should -BeExactly 'C:\Program Files\Erlang OTP'
            (Invoke-CortexResourceTest -Resource 'rabbitmq_plugin' -Params @{ name = 'rabbitmq_management' }).State.enabled | Should -BeTrue
        }
        It 'Set disabled: rabbitmq-plugins disable' {
            $n.Plugins.Add('rabbitmq_prometheus')
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_plugin' -Params @{ name = 'rabbitmq_prometheus'; state = 'disabled' }
            $r.Data.message | Should -BeExactly 'disabled rabbitmq_prometheus on RabbitMQ 4.1.4'
            $n.Plugins | Should -Not -Contain 'rabbitmq_prometheus'
        }
        It 'Set: a bad state is refused before the tool runs' {
            (Invoke-CortexResourceSet -Resource 'rabbitmq_plugin' -Params @{ name = 'rabbitmq_management'; state = 'on' }).Error.message | Should -BeExactly 'rabbitmq_plugin: parameter state must be enabled or disabled, not on'
            $global:CortexTestRabbitmqCalls.Count | Should -Be 0
        }
    }
    Context 'RabbitMQ not installed' {
        BeforeEach { $n = New-CortexTestRabbitmq; $n.Installed = $false; Register-CortexTestRabbitmq $n }
        It 'Test: not installed, no tool run; Set: refused' {
            $r = Invoke-CortexResourceTest -Resource 'rabbitmq_plugin' -Params @{ name = 'rabbitmq_management' }
            $r.State.installed | Should -BeFalse
            (Invoke-CortexResourceSet -Resource 'rabbitmq_plugin' -Params @{ name = 'rabbitmq_management' }).Error.message | Should -BeLike 'rabbitmq_plugin: RabbitMQ is not installed*'
            $global:CortexTestRabbitmqCalls.Count | Should -Be 0
        }
    }
}
