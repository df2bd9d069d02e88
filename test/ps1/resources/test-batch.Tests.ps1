# resources.test-batch itself: several resource types in one call (one round trip per host and phase),
# answers in request order, one step's failure confined to that step, and bad requests.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    function Invoke-Batch([object[]]$Requests) { Invoke-CortexTestScript -Script 'ps1/resources/test-batch.ps1' -Params @{ requests = $Requests } }
}

Describe 'resources.test-batch' {
    BeforeEach {
        $m = New-CortexTestMachine
        $m.Registry['64']['SOFTWARE\Cortex'] = [ordered]@{ Version = '10.1' }
        $m.Registry['64']['SYSTEM\CurrentControlSet\Control\Session Manager\Environment'] = [ordered]@{ CORTEX_HOME = 'D:\Cortex' }
        Register-CortexTestRegistryMock $m
        Mock Get-Service { if ($Name -contains 'RabbitMQ') { [pscustomobject]@{ Name = 'RabbitMQ'; Status = 'Running'; StartType = 'Manual' } } }
        Mock Get-WindowsFeature { throw 'Access is denied.' }
    }

    It 'answers every request of several types in one call, in request order' {
        $r = Invoke-Batch @(
            @{ step = 'home'; resource = 'env_var'; params = @{ name = 'CORTEX_HOME'; value = 'D:\Cortex' } },
            @{ step = 'rabbit'; resource = 'service'; params = @{ name = 'RabbitMQ'; state = 'running' } },
            @{ step = 'version'; resource = 'registry_value'; params = @{ key = 'HKLM:\SOFTWARE\Cortex'; name = 'Version'; type = 'String'; data = '10.1' } }
        )
        $r.Result.ok | Should -BeTrue
        @($r.Data.results | ForEach-Object { $_.step }) | Should -Be @('home', 'rabbit', 'version')
        $r.Data.results[0].state.value | Should -BeExactly 'D:\Cortex'
        $r.Data.results[1].state.startupType | Should -BeExactly 'manual'
        $r.Data.results[2].state.value.data | Should -BeExactly '10.1'
    }
    It "one step's failure is that step's error; the steps after it still answer" {
        $r = Invoke-Batch @(
            @{ step = 'iis'; resource = 'windows_feature'; params = @{ name = 'Web-Server' } },
            @{ step = 'rabbit'; resource = 'service'; params = @{ name = 'RabbitMQ' } }
        )
        $r.Result.ok | Should -BeTrue
        $r.Data.results[0].error | Should -Be 'Access is denied.'
        $r.Data.results[0].PSObject.Properties['state'] | Should -BeNullOrEmpty
        $r.Data.results[1].state.exists | Should -BeTrue
    }
    It 'one request: still a list of results' {
        $r = Invoke-Batch @(@{ step = 'rabbit'; resource = 'service'; params = @{ name = 'RabbitMQ' } })
        $r.Json | Should -BeLike '{"ok":true,"data":{"results":`[{"step":"rabbit"*'
    }
    It 'no requests: an empty list' {
        $r = Invoke-Batch @()
        $r.Result.ok | Should -BeTrue
        $r.Json | Should -BeLike '*"results":`[`]*'
    }
    It 'an unknown resource type: that step fails naming it' {
        $r = Invoke-Batch @(@{ step = 'x'; resource = 'win_service'; params = @{} }, @{ step = 'rabbit'; resource = 'service'; params = @{ name = 'RabbitMQ' } })
        $r.Data.results[0].error | Should -Be 'resources.test-batch: unknown resource type win_service'
        $r.Data.results[1].state.exists | Should -BeTrue
    }
    It 'a request without a step: its error, under an empty step' {
        $r = Invoke-Batch @(@{ resource = 'service'; params = @{ name = 'RabbitMQ' } })
        $r.Data.results[0].error | Should -Be 'resources.test-batch: a request has no step'
    }
    It 'no requests parameter: the whole script fails naming it' {
        $r = Invoke-CortexTestScript -Script 'ps1/resources/test-batch.ps1' -Params @{}
        $r.Result.ok | Should -BeFalse
        $r.ExitCode | Should -Be 1
        $r.Error.message | Should -BeLike 'resources.test-batch: parameter requests is missing*'
    }
}
