# The env_var resource: its Test (resources.test-batch) reads the machine scope as stored (unexpanded);
# its Set (ps1/resources/env-var.ps1) writes through the seam and updates this process's $env:.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $envKey = 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
    function Register-Environment([System.Collections.IDictionary]$Values) {
        $m = New-CortexTestMachine
        $m.Registry['64'][$envKey] = $Values
        Register-CortexTestRegistryMock $m
        # The seam writes the registry the way Windows does (REG_EXPAND_SZ for a value with %VAR%).
        Mock Set-CortexMachineEnvironmentVariable {
            $keys = $global:CortexTestMachine.Registry['64'][$envKey]
            if ($null -eq $Value -or $Value -eq '') { $keys.Remove($Name); return }
            $kind = 'String'
            if ($Value -match '%[^%]+%') { $kind = 'ExpandString' }
            $keys[$Name] = [ordered]@{ Kind = $kind; Data = $Value }
        }
    }
}
AfterAll { Remove-Item -LiteralPath 'Env:CORTEX_TEST_HOME' -ErrorAction SilentlyContinue }

Describe 'env_var' {
    Context 'the variable is set, with a %VAR% reference' {
        BeforeEach { Register-Environment ([ordered]@{ CORTEX_HOME = [ordered]@{ Kind = 'ExpandString'; Data = '%ProgramFiles%\Cortex' }; Path = 'C:\Windows' }) }
        It 'Test: the value as stored, not expanded; changes nothing' {
            $r = Invoke-CortexResourceTest -Resource 'env_var' -Params @{ name = 'CORTEX_HOME'; value = '%ProgramFiles%\Cortex' }
            $r.State.value | Should -BeExactly '%ProgramFiles%\Cortex'
            Assert-CortexNotInvoked @('Set-CortexMachineEnvironmentVariable', 'Set-CortexRegistryEntry')
        }
        It 'Test: names are case-insensitive, as on Windows' {
            (Invoke-CortexResourceTest -Resource 'env_var' -Params @{ name = 'cortex_home' }).State.value | Should -BeExactly '%ProgramFiles%\Cortex'
        }
        It 'Set absent: removes it through the seam' {
            $r = Invoke-CortexResourceSet -Resource 'env_var' -Params @{ name = 'CORTEX_HOME'; state = 'absent' }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'removed CORTEX_HOME'
            Should -Invoke Set-CortexMachineEnvironmentVariable -Times 1 -Exactly -ParameterFilter { $Name -eq 'CORTEX_HOME' -and [string]::IsNullOrEmpty($Value) }
            (Invoke-CortexResourceTest -Resource 'env_var' -Params @{ name = 'CORTEX_HOME' }).State.value | Should -BeNullOrEmpty
        }
    }

    Context 'the variable is not set' {
        BeforeEach {
            Register-Environment ([ordered]@{ Path = 'C:\Windows' })
            Remove-Item -LiteralPath 'Env:CORTEX_TEST_HOME' -ErrorAction SilentlyContinue
        }
        It 'Test: value null' {
            $r = Invoke-CortexResourceTest -Resource 'env_var' -Params @{ name = 'CORTEX_TEST_HOME'; value = 'D:\Cortex' }
            $r.StepError | Should -BeNullOrEmpty
            $r.State.value | Should -BeNullOrEmpty
            Assert-CortexNotInvoked @('Set-CortexMachineEnvironmentVariable')
        }
        It 'Set: machine scope through the seam, and $env: of this process for the later steps' {
            $r = Invoke-CortexResourceSet -Resource 'env_var' -Params @{ name = 'CORTEX_TEST_HOME'; value = 'D:\Cortex'; state = 'present' }
            $r.Result.ok | Should -BeTrue
            $r.Data.rebootRequired | Should -BeFalse
            Should -Invoke Set-CortexMachineEnvironmentVariable -Times 1 -Exactly -ParameterFilter { $Name -eq 'CORTEX_TEST_HOME' -and $Value -eq 'D:\Cortex' }
            $env:CORTEX_TEST_HOME | Should -BeExactly 'D:\Cortex'
            (Invoke-CortexResourceTest -Resource 'env_var' -Params @{ name = 'CORTEX_TEST_HOME' }).State.value | Should -BeExactly 'D:\Cortex'
        }
        It 'Set absent of an absent variable: fine' {
            (Invoke-CortexResourceSet -Resource 'env_var' -Params @{ name = 'CORTEX_TEST_HOME'; state = 'absent' }).Result.ok | Should -BeTrue
        }
    }

    Context 'bad parameters' {
        BeforeEach { Register-Environment ([ordered]@{}) }
        It 'no name' {
            (Invoke-CortexResourceTest -Resource 'env_var' -Params @{}).StepError | Should -Be 'env_var: parameter name is missing'
            (Invoke-CortexResourceSet -Resource 'env_var' -Params @{ value = 'x' }).Error.message | Should -Be 'env_var: parameter name is missing'
        }
        It 'present without a value: refused, nothing written' {
            $r = Invoke-CortexResourceSet -Resource 'env_var' -Params @{ name = 'X'; value = '' }
            $r.Error.message | Should -BeLike 'env_var: parameter value is missing*'
            Assert-CortexNotInvoked @('Set-CortexMachineEnvironmentVariable')
        }
    }
}
