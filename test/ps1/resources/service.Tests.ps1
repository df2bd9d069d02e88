# The service resource: its Test (resources.test-batch) and Set (ps1/resources/service.ps1), one
# Context per state of the service on the machine.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $setCommands = @('Set-Service', 'Start-Service', 'Stop-Service', 'Invoke-CortexNative', 'Set-CortexRegistryEntry')
    function Register-Service {
        param([string]$Status = 'Running', [string]$StartType = 'Automatic', $Delayed = $null)
        $m = New-CortexTestMachine
        $svcKey = [ordered]@{ Start = 2 }
        if ($null -ne $Delayed) { $svcKey.DelayedAutostart = $Delayed }
        $m.Registry['64']['SYSTEM\CurrentControlSet\Services\RabbitMQ'] = $svcKey
        Register-CortexTestRegistryMock $m
        $global:CortexTestService = [pscustomobject]@{ Name = 'RabbitMQ'; Status = $Status; StartType = $StartType }
        Mock Get-Service { if ($Name -contains 'RabbitMQ') { $global:CortexTestService } else { Write-Error "Cannot find any service with service name '$Name'." } }
        Mock Set-Service { $global:CortexTestService.StartType = $StartupType }
        Mock Start-Service { $global:CortexTestService.Status = 'Running' }
        Mock Stop-Service { $global:CortexTestService.Status = 'Stopped' }
        Mock Invoke-CortexNative { [pscustomobject]@{ exitCode = 0; output = @('[SC] ChangeServiceConfig SUCCESS') } }
    }
}

Describe 'service' {
    Context 'a running service, automatic start' {
        BeforeEach { Register-Service -Status 'Running' -StartType 'Automatic' }
        It 'Test: exists, running, automatic; changes nothing' {
            $r = Invoke-CortexResourceTest -Resource 'service' -Params @{ name = 'RabbitMQ'; state = 'running'; startupType = 'automatic' }
            $r.StepError | Should -BeNullOrEmpty
            $r.State.exists | Should -BeTrue
            $r.State.state | Should -BeExactly 'running'
            $r.State.startupType | Should -BeExactly 'automatic'
            Assert-CortexNotInvoked $setCommands
        }
        It 'Set stopped: Stop-Service without -Force, startup type untouched' {
            $r = Invoke-CortexResourceSet -Resource 'service' -Params @{ name = 'RabbitMQ'; state = 'stopped' }
            $r.Result.ok | Should -BeTrue
            $r.Data.rebootRequired | Should -BeFalse
            $r.Data.message | Should -Be 'stopped'
            Should -Invoke Stop-Service -Times 1 -Exactly -ParameterFilter { $Name -eq 'RabbitMQ' -and -not $Force }
            Assert-CortexNotInvoked @('Set-Service', 'Start-Service', 'Invoke-CortexNative')
        }
        It 'Set automatic_delayed: sc.exe config start= delayed-auto (Set-Service in 5.1 cannot)' {
            $r = Invoke-CortexResourceSet -Resource 'service' -Params @{ name = 'RabbitMQ'; startupType = 'automatic_delayed' }
            $r.Result.ok | Should -BeTrue
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { $FilePath -eq 'sc.exe' -and ($ArgumentList -join ' ') -eq 'config RabbitMQ start= delayed-auto' }
            Assert-CortexNotInvoked @('Set-Service', 'Start-Service', 'Stop-Service')
        }
    }

    Context 'a running service with delayed automatic start' {
        BeforeEach { Register-Service -Status 'Running' -StartType 'Automatic' -Delayed 1 }
        It 'Test: automatic_delayed (the DelayedAutostart value)' {
            $r = Invoke-CortexResourceTest -Resource 'service' -Params @{ name = 'RabbitMQ' }
            $r.State.startupType | Should -BeExactly 'automatic_delayed'
            Assert-CortexNotInvoked $setCommands
        }
        It 'Set automatic: sc.exe config start= auto, which clears the delayed flag' {
            $r = Invoke-CortexResourceSet -Resource 'service' -Params @{ name = 'RabbitMQ'; startupType = 'automatic' }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'startup type automatic'
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join ' ') -eq 'config RabbitMQ start= auto' }
        }
    }

    Context 'a stopped, disabled service' {
        BeforeEach { Register-Service -Status 'Stopped' -StartType 'Disabled' -Delayed 0 }
        It 'Test: stopped, disabled' {
            $r = Invoke-CortexResourceTest -Resource 'service' -Params @{ name = 'RabbitMQ' }
            $r.State.state | Should -BeExactly 'stopped'
            $r.State.startupType | Should -BeExactly 'disabled'
            Assert-CortexNotInvoked $setCommands
        }
        It 'Set running + manual: the startup type first (a disabled service cannot start), then Start-Service' {
            $global:CortexTestOrder = @()
            Mock Set-Service { $global:CortexTestOrder += "Set-Service $StartupType" }
            Mock Start-Service { $global:CortexTestOrder += 'Start-Service' }
            $r = Invoke-CortexResourceSet -Resource 'service' -Params @{ name = 'RabbitMQ'; state = 'running'; startupType = 'manual' }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'startup type manual, started'
            $global:CortexTestOrder | Should -Be @('Set-Service Manual', 'Start-Service')
        }
        It 'Set then Test: converged' {
            $null = Invoke-CortexResourceSet -Resource 'service' -Params @{ name = 'RabbitMQ'; state = 'running'; startupType = 'disabled' }
            $r = Invoke-CortexResourceTest -Resource 'service' -Params @{ name = 'RabbitMQ' }
            $r.State.state | Should -BeExactly 'running'
            $r.State.startupType | Should -BeExactly 'disabled'
        }
    }

    Context 'a service starting up' {
        BeforeEach { Register-Service -Status 'StartPending' -StartType 'Manual' }
        It 'Test: the Win32 state name in lower case with underscores' {
            $r = Invoke-CortexResourceTest -Resource 'service' -Params @{ name = 'RabbitMQ' }
            $r.State.state | Should -BeExactly 'start_pending'
            $r.State.startupType | Should -BeExactly 'manual'
        }
    }

    Context 'no such service' {
        BeforeEach { Register-Service }
        It 'Test: exists false, no state, no startup type' {
            $r = Invoke-CortexResourceTest -Resource 'service' -Params @{ name = 'Nope' }
            $r.StepError | Should -BeNullOrEmpty
            $r.State.exists | Should -BeFalse
            $r.State.state | Should -BeNullOrEmpty
            $r.State.startupType | Should -BeNullOrEmpty
        }
        It 'Set: fails naming the service and what to do' {
            $r = Invoke-CortexResourceSet -Resource 'service' -Params @{ name = 'Nope'; state = 'running' }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be 'service: Nope does not exist on this host; install it in an earlier step'
            Assert-CortexNotInvoked @('Start-Service', 'Set-Service')
        }
    }

    Context 'bad parameters' {
        BeforeEach { Register-Service }
        It 'no name: the Test step fails naming the parameter' {
            (Invoke-CortexResourceTest -Resource 'service' -Params @{}).StepError | Should -Be 'service: parameter name is missing'
        }
        It 'no name: the Set fails naming the parameter' {
            (Invoke-CortexResourceSet -Resource 'service' -Params @{ state = 'running' }).Error.message | Should -Be 'service: parameter name is missing'
        }
        It 'an unknown state: the Set fails naming the parameter and the values' {
            (Invoke-CortexResourceSet -Resource 'service' -Params @{ name = 'RabbitMQ'; state = 'paused' }).Error.message | Should -Be 'service: parameter state must be running or stopped, not paused'
        }
        It 'an unknown startup type' {
            (Invoke-CortexResourceSet -Resource 'service' -Params @{ name = 'RabbitMQ'; startupType = 'auto' }).Error.message | Should -BeLike 'service: parameter startupType must be automatic, *, not auto'
        }
    }
}
