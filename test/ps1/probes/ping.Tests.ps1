# ps1/probes/ping.ps1: the host's name, its clock and its PowerShell version, through the seams.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexScriptTest.ps1')
}

Describe 'probes.ping' {
    Context 'a host named app1.corp.example running PowerShell 5.1' {
        BeforeEach {
            Mock Get-CortexHostName { 'app1' }
            Mock Get-CortexPowerShellVersion { '5.1.17763.2931' }
        }
        It 'answers its name, version and a UTC clock in ISO 8601' {
            $before = [DateTime]::UtcNow.AddSeconds(-1)
            $r = Invoke-CortexTestScript -Script 'ps1/probes/ping.ps1'
            $after = [DateTime]::UtcNow.AddSeconds(1)
            $r.ExitCode | Should -Be 0
            $r.Result.ok | Should -BeTrue
            $r.Data.hostName | Should -Be 'app1'
            $r.Data.psVersion | Should -Be '5.1.17763.2931'
            $r.Data.utcNow | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$'
            $clock = [DateTime]::Parse($r.Data.utcNow, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::AdjustToUniversal)
            $clock | Should -BeGreaterThan $before
            $clock | Should -BeLessThan $after
            Should -Invoke Get-CortexHostName -Times 1 -Exactly
        }
    }
    Context 'unmocked, on this machine' {
        It 'reads the real host name and engine version through the seams' {
            $r = Invoke-CortexTestScript -Script 'ps1/probes/ping.ps1'
            $r.Data.hostName | Should -Be ([System.Net.Dns]::GetHostName())
            $r.Data.psVersion | Should -Be $PSVersionTable.PSVersion.ToString()
        }
    }
}
