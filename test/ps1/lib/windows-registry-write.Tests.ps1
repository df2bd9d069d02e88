# The registry and environment seams of ps1/lib/windows.ps1 that the resource scripts use, over a fake
# registry base key (Linux has no registry; Open-CortexRegistryBaseKey is the one .NET call replaced):
# the seam logic itself (views and hives passed on, raw reads, kinds, absent keys, closing) runs for real.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexTestMachine.ps1')
    function New-FakeKey([System.Collections.IDictionary]$Store, [string]$Path) {
        # A RegistryKey over $Store[path] = @{ name = @{ Kind; Data } }, with the methods the seams call.
        $key = [pscustomobject]@{ Store = $Store; Path = $Path }
        $key | Add-Member -MemberType ScriptMethod -Name OpenSubKey -Value {
            param($sub, $writable)
            $p = if ($this.Path) { $this.Path + '\' + $sub } else { $sub }
            if (-not $this.Store.Contains($p)) { return $null }
            New-FakeKey $this.Store $p
        }
        $key | Add-Member -MemberType ScriptMethod -Name CreateSubKey -Value {
            param($sub)
            $p = if ($this.Path) { $this.Path + '\' + $sub } else { $sub }
            if (-not $this.Store.Contains($p)) { $this.Store[$p] = [ordered]@{} }
            New-FakeKey $this.Store $p
        }
        $key | Add-Member -MemberType ScriptMethod -Name GetValueNames -Value { , [string[]]@($this.Store[$this.Path].Keys) }
        $key | Add-Member -MemberType ScriptMethod -Name GetValueKind -Value { param($n) [Microsoft.Win32.RegistryValueKind]$this.Store[$this.Path][$n].Kind }
        $key | Add-Member -MemberType ScriptMethod -Name GetValue -Value {
            param($n, $default, $options)
            $global:FakeRegistryReadOptions = $options
            , $this.Store[$this.Path][$n].Data
        }
        $key | Add-Member -MemberType ScriptMethod -Name SetValue -Value { param($n, $data, $kind) $this.Store[$this.Path][$n] = [ordered]@{ Kind = $kind.ToString(); Data = $data } }
        $key | Add-Member -MemberType ScriptMethod -Name DeleteValue -Value { param($n, $throw) $this.Store[$this.Path].Remove($n) }
        $key | Add-Member -MemberType ScriptMethod -Name Close -Value { $global:FakeRegistryClosed++ }
        $key
    }
}

Describe 'registry seams for the resource scripts' {
    BeforeEach {
        $global:FakeRegistryClosed = 0
        $global:FakeRegistry = @{
            'LocalMachine/64' = [ordered]@{ 'SOFTWARE\Cortex' = [ordered]@{ Home = [ordered]@{ Kind = 'ExpandString'; Data = '%ProgramFiles%\Cortex' }; Flags = [ordered]@{ Kind = 'DWord'; Data = -1 } }; 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment' = [ordered]@{ Path = [ordered]@{ Kind = 'ExpandString'; Data = '%SystemRoot%\system32' } } }
            'LocalMachine/32' = [ordered]@{}
            'CurrentUser/64'  = [ordered]@{}
        }
        Mock Open-CortexRegistryBaseKey { New-FakeKey $global:FakeRegistry["$Hive/$View"] '' }
    }
    It 'Get-CortexRegistryEntry: kind by name and the data unexpanded; the key closed' {
        $e = Get-CortexRegistryEntry -SubKey 'SOFTWARE\Cortex' -Name 'Home'
        $e.keyExists | Should -BeTrue
        $e.valueExists | Should -BeTrue
        $e.kind | Should -BeExactly 'ExpandString'
        $e.data | Should -BeExactly '%ProgramFiles%\Cortex'
        $global:FakeRegistryReadOptions | Should -Be ([Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
        $global:FakeRegistryClosed | Should -Be 1
    }
    It 'Get-CortexRegistryEntry: an absent value in a present key, and an absent key' {
        $e = Get-CortexRegistryEntry -SubKey 'SOFTWARE\Cortex' -Name 'Nope'
        $e.keyExists | Should -BeTrue
        $e.valueExists | Should -BeFalse
        $e = Get-CortexRegistryEntry -SubKey 'SOFTWARE\Nope' -Name 'Home' -View '32'
        $e.keyExists | Should -BeFalse
        Should -Invoke Open-CortexRegistryBaseKey -Times 1 -Exactly -ParameterFilter { $Hive -eq 'LocalMachine' -and $View -eq '32' }
    }
    It 'Set-CortexRegistryEntry: creates the key, writes kind and data as given, in the hive and view asked' {
        Set-CortexRegistryEntry -Hive CurrentUser -SubKey 'SOFTWARE\New' -Name 'N' -View '64' -Kind DWord -Data ([int]-1)
        $global:FakeRegistry['CurrentUser/64']['SOFTWARE\New']['N'].Kind | Should -Be 'DWord'
        $global:FakeRegistry['CurrentUser/64']['SOFTWARE\New']['N'].Data | Should -Be -1
        $global:FakeRegistryClosed | Should -Be 1
    }
    It 'Set-CortexRegistryEntry: an empty MultiString and an empty string are values too' {
        Set-CortexRegistryEntry -SubKey 'SOFTWARE\Cortex' -Name 'Empty' -Kind MultiString -Data ([string[]]@())
        Set-CortexRegistryEntry -SubKey 'SOFTWARE\Cortex' -Name '' -Kind String -Data ''
        @($global:FakeRegistry['LocalMachine/64']['SOFTWARE\Cortex'].Keys) | Should -Contain 'Empty'
        @($global:FakeRegistry['LocalMachine/64']['SOFTWARE\Cortex'].Keys) | Should -Contain ''
    }
    It 'Remove-CortexRegistryEntry: deletes the value; an absent key is no error' {
        Remove-CortexRegistryEntry -SubKey 'SOFTWARE\Cortex' -Name 'Flags'
        $global:FakeRegistry['LocalMachine/64']['SOFTWARE\Cortex'].Contains('Flags') | Should -BeFalse
        { Remove-CortexRegistryEntry -SubKey 'SOFTWARE\Nope' -Name 'Flags' } | Should -Not -Throw
    }
    It 'Get-CortexMachineEnvironmentVariable: the machine value unexpanded, $null when absent' {
        Get-CortexMachineEnvironmentVariable -Name 'Path' | Should -BeExactly '%SystemRoot%\system32'
        Get-CortexMachineEnvironmentVariable -Name 'CORTEX_NONE' | Should -BeNullOrEmpty
    }
    It 'Set-CortexMachineEnvironmentVariable: a value with %VAR% references is rewritten as REG_EXPAND_SZ' {
        # [Environment]::SetEnvironmentVariable(..., 'Machine') is a no-op off Windows; the rewrite is ours.
        Set-CortexMachineEnvironmentVariable -Name 'CORTEX_HOME' -Value '%ProgramFiles%\Cortex'
        $v = $global:FakeRegistry['LocalMachine/64']['SYSTEM\CurrentControlSet\Control\Session Manager\Environment']['CORTEX_HOME']
        $v.Kind | Should -Be 'ExpandString'
        $v.Data | Should -BeExactly '%ProgramFiles%\Cortex'
    }
    It 'Set-CortexMachineEnvironmentVariable: a plain value is left to [Environment] (REG_SZ), no rewrite' {
        Set-CortexMachineEnvironmentVariable -Name 'CORTEX_HOME' -Value 'D:\Cortex'
        Should -Invoke Open-CortexRegistryBaseKey -Times 0 -Exactly
    }
}
