# The registry_value resource: its Test (resources.test-batch) reads the value's type and data as stored;
# its Set (ps1/resources/registry-value.ps1) writes through the seams with the .NET type Windows stores.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $key = 'SOFTWARE\Cortex'
    function Register-Registry([System.Collections.IDictionary]$Values, [System.Collections.IDictionary]$Values32 = $null, [System.Collections.IDictionary]$CurrentUser = $null) {
        $m = New-CortexTestMachine
        if ($null -ne $Values) { $m.Registry['64'][$key] = $Values }
        if ($null -ne $Values32) { $m.Registry['32'][$key] = $Values32 }
        if ($null -ne $CurrentUser) { $m.Registry['CU'] = [ordered]@{ $key = $CurrentUser } }
        Register-CortexTestRegistryMock $m
    }
    function Test-Value([hashtable]$Params) {
        $p = @{ key = 'HKLM:\SOFTWARE\Cortex' } + $Params
        $r = Invoke-CortexResourceTest -Resource 'registry_value' -Params $p
        $r.StepError | Should -BeNullOrEmpty
        $r.State
    }
}

Describe 'registry_value' {
    Context 'a key with a value of every type' {
        BeforeEach {
            Register-Registry ([ordered]@{
                    Name     = 'Cortex'
                    Home     = [ordered]@{ Kind = 'ExpandString'; Data = '%ProgramFiles%\Cortex' }
                    Small    = 1
                    AllBits  = -1
                    Big      = [long]-1
                    Nodes    = [string[]]@('app1')
                    Blob     = [byte[]]@(0x0A, 0xFF, 0x00)
                    ''       = 'default value'
                    Odd      = [ordered]@{ Kind = 'None'; Data = [byte[]]@() }
                })
        }
        It 'String; a Test changes nothing' {
            $s = Test-Value @{ name = 'Name' }
            $s.value.type | Should -BeExactly 'String'
            $s.value.data | Should -BeExactly 'Cortex'
            Assert-CortexNotInvoked @('Set-CortexRegistryEntry', 'Remove-CortexRegistryEntry')
        }
        It 'ExpandString: unexpanded' {
            $s = Test-Value @{ name = 'Home' }
            $s.keyExists | Should -BeTrue
            $s.value.type | Should -BeExactly 'ExpandString'
            $s.value.data | Should -BeExactly '%ProgramFiles%\Cortex'
        }
        It 'DWord: a number' { (Test-Value @{ name = 'Small' }).value.data | Should -Be 1 }
        It 'DWord 0xFFFFFFFF (stored as Int32 -1) reads as 4294967295' {
            $s = Test-Value @{ name = 'AllBits' }
            $s.value.type | Should -BeExactly 'DWord'
            $s.value.data | Should -Be 4294967295
        }
        It 'QWord of all bits reads unsigned' { (Test-Value @{ name = 'Big' }).value.data | Should -Be ([uint64]::MaxValue) }
        It 'MultiString of one element stays a list' {
            $r = Invoke-CortexResourceTest -Resource 'registry_value' -Params @{ key = 'HKLM:\SOFTWARE\Cortex'; name = 'Nodes' }
            $r.Json | Should -BeLike '*"data":`["app1"`]*'
        }
        It 'Binary: lower-case hex' { (Test-Value @{ name = 'Blob' }).value.data | Should -BeExactly '0aff00' }
        It "the key's default value is name ''" { (Test-Value @{ name = '' }).value.data | Should -BeExactly 'default value' }
        It 'an absent value: key exists, value null' {
            $s = Test-Value @{ name = 'Missing' }
            $s.keyExists | Should -BeTrue
            $s.value | Should -BeNullOrEmpty
        }
        It 'a type cortex-deploy does not manage: that step fails, saying so' {
            (Invoke-CortexResourceTest -Resource 'registry_value' -Params @{ key = 'HKLM:\SOFTWARE\Cortex'; name = 'Odd' }).StepError | Should -BeLike 'registry_value: the value has type None, which cortex-deploy does not manage*'
        }
        It 'the other key spellings name the same key' {
            foreach ($k in @('HKLM\SOFTWARE\Cortex', 'HKEY_LOCAL_MACHINE\SOFTWARE\Cortex\', 'hklm:\SOFTWARE\Cortex')) {
                (Invoke-CortexResourceTest -Resource 'registry_value' -Params @{ key = $k; name = 'Name' }).State.value.data | Should -BeExactly 'Cortex'
            }
        }
        It 'Set absent: removes the value' {
            $r = Invoke-CortexResourceSet -Resource 'registry_value' -Params @{ key = 'HKLM:\SOFTWARE\Cortex'; name = 'Small'; state = 'absent' }
            $r.Result.ok | Should -BeTrue
            Should -Invoke Remove-CortexRegistryEntry -Times 1 -Exactly -ParameterFilter { $Hive -eq 'LocalMachine' -and $SubKey -eq 'SOFTWARE\Cortex' -and $Name -eq 'Small' -and $View -eq '64' }
            (Test-Value @{ name = 'Small' }).value | Should -BeNullOrEmpty
        }
    }

    Context 'the value only in the 32-bit view' {
        BeforeEach { Register-Registry -Values $null -Values32 ([ordered]@{ Name = 'x86' }) }
        It 'Test view 64: no key' {
            $s = Test-Value @{ name = 'Name'; view = '64' }
            $s.keyExists | Should -BeFalse
            $s.value | Should -BeNullOrEmpty
        }
        It 'Test view 32: found' { (Test-Value @{ name = 'Name'; view = '32' }).value.data | Should -BeExactly 'x86' }
    }

    Context 'HKCU' {
        BeforeEach { Register-Registry -Values ([ordered]@{ Name = 'machine' }) -CurrentUser ([ordered]@{ Name = 'user' }) }
        It 'Test reads the current user hive' { (Invoke-CortexResourceTest -Resource 'registry_value' -Params @{ key = 'HKCU:\SOFTWARE\Cortex'; name = 'Name' }).State.value.data | Should -BeExactly 'user' }
    }

    Context 'no key' {
        BeforeEach { Register-Registry -Values $null }
        It 'Test: keyExists false, value null' {
            $s = Test-Value @{ name = 'Name' }
            Assert-CortexNotInvoked @('Set-CortexRegistryEntry', 'Remove-CortexRegistryEntry')
            $s.keyExists | Should -BeFalse
            $s.value | Should -BeNullOrEmpty
        }
        It 'Set DWord 4294967295: written as Int32 -1 with kind DWord; Test reads it back' {
            $r = Invoke-CortexResourceSet -Resource 'registry_value' -Params @{ key = 'HKLM:\SOFTWARE\Cortex'; name = 'Flags'; type = 'DWord'; data = 4294967295; view = '64'; state = 'present' }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'set SOFTWARE\Cortex\Flags (DWord)'
            Should -Invoke Set-CortexRegistryEntry -Times 1 -Exactly -ParameterFilter { $Kind -eq 'DWord' -and $Data -is [int] -and $Data -eq -1 }
            (Test-Value @{ name = 'Flags' }).value.data | Should -Be 4294967295
        }
        It 'Set QWord: an Int64' {
            $null = Invoke-CortexResourceSet -Resource 'registry_value' -Params @{ key = 'HKLM:\SOFTWARE\Cortex'; name = 'Q'; type = 'QWord'; data = 5000000000 }
            Should -Invoke Set-CortexRegistryEntry -Times 1 -Exactly -ParameterFilter { $Kind -eq 'QWord' -and $Data -is [long] -and $Data -eq 5000000000 }
        }
        It 'Set MultiString of one: a string[]' {
            $null = Invoke-CortexResourceSet -Resource 'registry_value' -Params @{ key = 'HKLM:\SOFTWARE\Cortex'; name = 'Nodes'; type = 'MultiString'; data = @('app1') }
            Should -Invoke Set-CortexRegistryEntry -Times 1 -Exactly -ParameterFilter { $Kind -eq 'MultiString' -and $Data -is [string[]] -and $Data.Count -eq 1 }
            (Test-Value @{ name = 'Nodes' }).value.data | Should -Be @('app1')
        }
        It 'Set Binary from hex: bytes' {
            $null = Invoke-CortexResourceSet -Resource 'registry_value' -Params @{ key = 'HKLM:\SOFTWARE\Cortex'; name = 'Blob'; type = 'Binary'; data = '0AfF' }
            Should -Invoke Set-CortexRegistryEntry -Times 1 -Exactly -ParameterFilter { $Kind -eq 'Binary' -and $Data -is [byte[]] -and ($Data -join ',') -eq '10,255' }
            (Test-Value @{ name = 'Blob' }).value.data | Should -BeExactly '0aff'
        }
        It 'Set ExpandString into the 32-bit view of HKCU' {
            $null = Invoke-CortexResourceSet -Resource 'registry_value' -Params @{ key = 'HKCU:\SOFTWARE\Cortex'; name = 'Home'; type = 'ExpandString'; data = '%USERPROFILE%\x'; view = '32' }
            Should -Invoke Set-CortexRegistryEntry -Times 1 -Exactly -ParameterFilter { $Hive -eq 'CurrentUser' -and $View -eq '32' -and $Kind -eq 'ExpandString' -and $Data -eq '%USERPROFILE%\x' }
        }
    }

    Context 'bad parameters' {
        BeforeEach { Register-Registry -Values $null }
        It 'a key outside HKLM and HKCU' {
            (Invoke-CortexResourceTest -Resource 'registry_value' -Params @{ key = 'HKCR:\x'; name = 'a' }).StepError | Should -BeLike 'registry_value: key must start with HKLM:\ or HKCU:\*'
        }
        It 'no key' { (Invoke-CortexResourceSet -Resource 'registry_value' -Params @{ name = 'a'; data = 'x' }).Error.message | Should -Be 'registry_value: parameter key is missing' }
        It 'a DWord out of range' {
            (Invoke-CortexResourceSet -Resource 'registry_value' -Params @{ key = 'HKLM:\SOFTWARE\Cortex'; name = 'a'; type = 'DWord'; data = 4294967296 }).Error.message | Should -BeLike 'registry_value: a DWord is a whole number from 0 to 4294967295*'
            Assert-CortexNotInvoked @('Set-CortexRegistryEntry')
        }
        It 'present without data' { (Invoke-CortexResourceSet -Resource 'registry_value' -Params @{ key = 'HKLM:\SOFTWARE\Cortex'; name = 'a' }).Error.message | Should -BeLike 'registry_value: parameter data is missing*' }
        It 'an unknown type' { (Invoke-CortexResourceSet -Resource 'registry_value' -Params @{ key = 'HKLM:\SOFTWARE\Cortex'; name = 'a'; type = 'Dword2'; data = 1 }).Error.message | Should -BeLike 'registry_value: parameter type must be *' }
    }
}
