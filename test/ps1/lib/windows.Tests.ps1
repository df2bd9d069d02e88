# ps1/lib/windows.ps1: the named seams over .NET's registry and environment calls.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../ps1/lib/windows.ps1')
}

Describe 'Get-CortexRegistryValueBothViews' {
    It 'prefers the 64-bit view' {
        Mock Get-CortexRegistryValue { if ($View -eq '64') { 'sixty-four' } else { 'thirty-two' } }
        Get-CortexRegistryValueBothViews -SubKey 'SOFTWARE\X' -Name 'V' | Should -Be 'sixty-four'
    }
    It 'falls back to the 32-bit view (WOW6432Node) when the 64-bit value is absent' {
        Mock Get-CortexRegistryValue { if ($View -eq '64') { $null } else { 'thirty-two' } }
        Get-CortexRegistryValueBothViews -SubKey 'SOFTWARE\X' -Name 'V' | Should -Be 'thirty-two'
        Should -Invoke Get-CortexRegistryValue -Times 1 -ParameterFilter { $View -eq '32' -and $SubKey -eq 'SOFTWARE\X' }
    }
    It 'keeps a zero from the 64-bit view (zero is a value, not absence)' {
        Mock Get-CortexRegistryValue { if ($View -eq '64') { 0 } else { 7 } }
        Get-CortexRegistryValueBothViews -SubKey 'SOFTWARE\X' -Name 'V' | Should -Be 0
    }
    It 'is $null when neither view has the value' {
        Mock Get-CortexRegistryValue { $null }
        Get-CortexRegistryValueBothViews -SubKey 'SOFTWARE\X' -Name 'V' | Should -BeNullOrEmpty
    }
}

Describe 'Test-CortexRegistryKey' {
    It 'is false for an absent key and true (closing it) for a present one' {
        Mock Open-CortexRegistryKey { $null }
        Test-CortexRegistryKey -SubKey 'SOFTWARE\Absent' | Should -BeFalse
        $closed = [ref]$false
        Mock Open-CortexRegistryKey { $k = [pscustomobject]@{}; $k | Add-Member -MemberType ScriptMethod -Name Close -Value { $closed.Value = $true }; $k }
        Test-CortexRegistryKey -SubKey 'SOFTWARE\Present' | Should -BeTrue
        $closed.Value | Should -BeTrue
    }
}
