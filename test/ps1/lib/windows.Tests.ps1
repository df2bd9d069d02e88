# ps1/lib/windows.ps1: the named seams over .NET's registry, environment, DNS and socket calls, and the
# functions built on them. The registry seam is replaced by a fake key (Linux has no registry); DNS
# and sockets run for real against loopback.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexTestMachine.ps1')
}

Describe 'Get-CortexRegistryValue' {
    BeforeEach {
        $global:WindowsTestKeyClosed = 0
        Mock Open-CortexRegistryKey {
            if ($SubKey -ne 'SOFTWARE\Present') { return $null }
            $k = New-CortexTestRegistryKey -Values ([ordered]@{ Release = 528049; Single = [string[]]@('only'); Minus = -1 })
            $k | Add-Member -MemberType ScriptMethod -Name Close -Value { $global:WindowsTestKeyClosed++ } -Force
            $k
        }
    }
    It 'reads a value and closes the key' {
        Get-CortexRegistryValue -SubKey 'SOFTWARE\Present' -Name 'Release' | Should -Be 528049
        $global:WindowsTestKeyClosed | Should -Be 1
    }
    It 'is $null for an absent value (closing the key) and for an absent key' {
        Get-CortexRegistryValue -SubKey 'SOFTWARE\Present' -Name 'Nope' | Should -BeNullOrEmpty
        $global:WindowsTestKeyClosed | Should -Be 1
        Get-CortexRegistryValue -SubKey 'SOFTWARE\Absent' -Name 'Release' | Should -BeNullOrEmpty
    }
    It 'keeps a one-element REG_MULTI_SZ an array' {
        $v = Get-CortexRegistryValue -SubKey 'SOFTWARE\Present' -Name 'Single'
        , $v | Should -BeOfType [string[]]
        $v.Count | Should -Be 1
    }
    It 'passes the view on (64 by default)' {
        $null = Get-CortexRegistryValue -SubKey 'SOFTWARE\Present' -Name 'Release'
        $null = Get-CortexRegistryValue -SubKey 'SOFTWARE\Present' -Name 'Release' -View '32'
        Should -Invoke Open-CortexRegistryKey -Times 1 -Exactly -ParameterFilter { $View -eq '64' }
        Should -Invoke Open-CortexRegistryKey -Times 1 -Exactly -ParameterFilter { $View -eq '32' }
    }
    It 'refuses a view other than 64 or 32' {
        { Get-CortexRegistryValue -SubKey 'SOFTWARE\Present' -Name 'Release' -View '16' } | Should -Throw '*does not belong to the set*'
    }
}

Describe 'Get-CortexRegistryValueName' {
    BeforeEach {
        Mock Open-CortexRegistryKey {
            switch ($SubKey) {
                'SOFTWARE\Two' { New-CortexTestRegistryKey -Values ([ordered]@{ A = 1; B = 2 }) }
                'SOFTWARE\Empty' { New-CortexTestRegistryKey -Values ([ordered]@{}) }
                default { $null }
            }
        }
    }
    It 'the value names, an empty array for a key without values, $null for an absent key' {
        $two = Get-CortexRegistryValueName -SubKey 'SOFTWARE\Two'
        $two | Should -Be @('A', 'B')
        $empty = Get-CortexRegistryValueName -SubKey 'SOFTWARE\Empty'
        $null -eq $empty | Should -BeFalse
        $empty.Count | Should -Be 0
        $null -eq (Get-CortexRegistryValueName -SubKey 'SOFTWARE\Absent') | Should -BeTrue
    }
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
        $global:WindowsTestKeyClosed = $false
        Mock Open-CortexRegistryKey { $k = [pscustomobject]@{}; $k | Add-Member -MemberType ScriptMethod -Name Close -Value { $global:WindowsTestKeyClosed = $true }; $k }
        Test-CortexRegistryKey -SubKey 'SOFTWARE\Present' | Should -BeTrue
        $global:WindowsTestKeyClosed | Should -BeTrue
    }
}

Describe 'Open-CortexRegistryKey' {
    It 'fails loudly where there is no Windows registry (never a silent "absent")' -Skip:$IsWindows {
        { Open-CortexRegistryKey -SubKey 'SOFTWARE\Microsoft' } | Should -Throw
    }
}

Describe 'the environment seams' {
    It 'Get-CortexPowerShellVersion is the running engine version as text' {
        Get-CortexPowerShellVersion | Should -BeExactly $PSVersionTable.PSVersion.ToString()
    }
    It 'Test-Cortex64BitOperatingSystem is a boolean from the OS' {
        Test-Cortex64BitOperatingSystem | Should -Be ([Environment]::Is64BitOperatingSystem)
    }
    It 'Get-CortexHostName is the DNS host name' {
        Get-CortexHostName | Should -BeExactly ([System.Net.Dns]::GetHostName())
    }
}

Describe 'Resolve-CortexHostAddress' {
    It 'an IPv4 literal resolves to itself, as an array' {
        $a = Resolve-CortexHostAddress -Name '127.0.0.1'
        , $a | Should -BeOfType [string[]]
        $a | Should -Be @('127.0.0.1')
    }
    It 'localhost resolves to loopback, IPv4 only' {
        $a = Resolve-CortexHostAddress -Name 'localhost'
        $a | Should -Contain '127.0.0.1'
        @($a | Where-Object { $_ -like '*:*' }) | Should -BeNullOrEmpty
    }
    It "throws the resolver's own message, not PowerShell's wrapper" {
        # Longer than 255 characters: refused before any DNS query.
        $err = { Resolve-CortexHostAddress -Name ('a' * 300) } | Should -Throw -PassThru
        $err.Exception | Should -BeOfType [System.InvalidOperationException]
        $err.Exception.Message | Should -Not -BeLike '*Exception calling*'
        $err.Exception.Message | Should -Not -BeNullOrEmpty
    }
}

Describe 'Test-CortexTcpConnection' {
    BeforeAll {
        $listener = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback), 0
        $listener.Start()
        $openPort = $listener.LocalEndpoint.Port
        $probe = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback), 0
        $probe.Start(); $closedPort = $probe.LocalEndpoint.Port; $probe.Stop()
    }
    AfterAll { $listener.Stop() }
    It 'one outcome per endpoint, in order: Connected, ConnectionRefused' {
        $endpoints = @([pscustomobject]@{ address = '127.0.0.1'; port = $closedPort }, [pscustomobject]@{ address = '127.0.0.1'; port = $openPort })
        $o = Test-CortexTcpConnection -Endpoint $endpoints -TimeoutMs 10000
        @($o).Count | Should -Be 2
        @($o.outcome) | Should -Be @('ConnectionRefused', 'Connected')
        @($o.port) | Should -Be @($closedPort, $openPort)
    }
    It 'no endpoints: no outcomes' {
        $o = Test-CortexTcpConnection -Endpoint @() -TimeoutMs 100
        @($o).Count | Should -Be 0
    }
}

Describe 'Get-CortexHttpJson' {
    It 'GETs the URI with basic parsing and the timeout, and hands the parsed answer back' {
        Mock Invoke-RestMethod { [pscustomobject]@{ backends = @([pscustomobject]@{ host = 'web1'; port = '443' }) } }
        $r = Get-CortexHttpJson -Uri 'http://127.0.0.1:8888/servers/web_gateway/stats' -TimeoutSec 3
        $r.backends[0].host | Should -Be 'web1'
        Should -Invoke Invoke-RestMethod -Times 1 -Exactly -ParameterFilter { $Method -eq 'Get' -and $UseBasicParsing -and $TimeoutSec -eq 3 -and $Uri -eq 'http://127.0.0.1:8888/servers/web_gateway/stats' }
    }
    It 'throws when nothing listens (a real connect to a closed loopback port)' {
        $probe = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback), 0
        $probe.Start(); $closedPort = $probe.LocalEndpoint.Port; $probe.Stop()
        { Get-CortexHttpJson -Uri ('http://127.0.0.1:{0}/servers/x/stats' -f $closedPort) -TimeoutSec 2 } | Should -Throw
    }
}
