# ps1/probes/reach.ps1: parameter checks, the deadline it passes to the socket seam, how connection
# outcomes map to states, name resolution; and once for real against loopback sockets.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexScriptTest.ps1')
    function Invoke-Reach { param([hashtable]$Params, [string]$Case) Invoke-CortexTestScript -Script 'ps1/probes/reach.ps1' -Params $Params -Case $Case }
    $twoPeers = @(
        @{ name = 'app2'; address = '10.0.0.12'; ports = @(4369, 5672, 25672) },
        @{ name = 'db1'; address = '10.0.0.20'; ports = @(1433) })
}

Describe 'probes.reach' {
    Context 'the connection outcomes' {
        BeforeEach {
            Mock Resolve-CortexHostAddress { switch ($Name) { 'app2' { , @('10.0.0.12') } 'db1' { , @('10.0.0.20', '10.0.1.20') } default { throw 'No such host is known' } } }
            $global:ReachTestOutcome = @{ '10.0.0.12:4369' = 'Connected'; '10.0.0.12:5672' = 'ConnectionRefused'; '10.0.0.12:25672' = 'NoAnswer'; '10.0.0.20:1433' = 'TimedOut' }
            Mock Test-CortexTcpConnection { foreach ($e in $Endpoint) { [pscustomobject]@{ address = $e.address; port = $e.port; outcome = $global:ReachTestOutcome['{0}:{1}' -f $e.address, $e.port] } } }
        }

        It 'maps Connected to open, refused to closed, no answer and timed out to filtered' {
            $r = Invoke-Reach @{ targets = $twoPeers; timeoutMs = 5000 }
            $r.Result.ok | Should -BeTrue
            $app2 = $r.Data.targets[0]
            $app2.name | Should -Be 'app2'
            $app2.address | Should -Be '10.0.0.12'
            @($app2.resolved) | Should -Be @('10.0.0.12')
            $app2.resolveError | Should -BeNullOrEmpty
            @($app2.ports | ForEach-Object { '{0}={1}' -f $_.port, $_.state }) | Should -Be @('4369=open', '5672=closed', '25672=filtered')
            @($r.Data.targets[1].resolved) | Should -Be @('10.0.0.20', '10.0.1.20')
            $r.Data.targets[1].ports[0].state | Should -Be 'filtered'
        }

        It 'maps other socket errors and other failures to error' {
            $global:ReachTestOutcome['10.0.0.12:4369'] = 'HostUnreachable'
            $global:ReachTestOutcome['10.0.0.12:5672'] = 'Failed'
            $global:ReachTestOutcome['10.0.0.12:25672'] = 'NetworkUnreachable'
            $r = Invoke-Reach @{ targets = $twoPeers }
            @($r.Data.targets[0].ports.state) | Should -Be @('error', 'error', 'error')
        }

        It 'tries every port of every target in one call, under one deadline' {
            $null = Invoke-Reach @{ targets = $twoPeers; timeoutMs = 7000 }
            Should -Invoke Test-CortexTcpConnection -Times 1 -Exactly -ParameterFilter { $TimeoutMs -eq 7000 -and @($Endpoint).Count -eq 4 -and ((@($Endpoint) | ForEach-Object { '{0}:{1}' -f $_.address, $_.port }) -join ',') -eq '10.0.0.12:4369,10.0.0.12:5672,10.0.0.12:25672,10.0.0.20:1433' }
        }

        It 'waits 5 s by default: a refused connect takes about 2 s on Windows (it retries the SYN)' {
            $null = Invoke-Reach @{ targets = $twoPeers }
            Should -Invoke Test-CortexTcpConnection -Times 1 -Exactly -ParameterFilter { $TimeoutMs -eq 5000 }
        }

        It 'a name that does not resolve: its error, no addresses, and the ports are still tried' {
            $r = Invoke-Reach @{ targets = @(@{ name = 'ghost'; address = '10.0.0.12'; ports = @(4369) }) }
            $t = $r.Data.targets[0]
            $t.resolveError | Should -Be 'No such host is known'
            @($t.resolved).Count | Should -Be 0
            $r.Json | Should -Match '"resolved":\[\]'
            $t.ports[0].state | Should -Be 'open'
        }

        It 'no targets: an empty list, and no socket is opened' {
            $r = Invoke-Reach @{ targets = @() }
            $r.Result.ok | Should -BeTrue
            $r.Json | Should -Match '"targets":\[\]'
            Should -Invoke Test-CortexTcpConnection -Times 0 -Exactly
        }

        It 'a target without ports resolves only' {
            $r = Invoke-Reach @{ targets = @(@{ name = 'app2'; address = '10.0.0.12'; ports = @() }) }
            $r.Json | Should -Match '"ports":\[\]'
            Should -Invoke Test-CortexTcpConnection -Times 0 -Exactly
        }

        It 'a seam that answers fewer outcomes than endpoints is an error, not a shifted table' {
            Mock Test-CortexTcpConnection { [pscustomobject]@{ address = '10.0.0.12'; port = 4369; outcome = 'Connected' } }
            $r = Invoke-Reach @{ targets = $twoPeers }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be 'the connection test answered 1 outcomes for 4 endpoints'
        }
    }

    Context 'malformed parameters fail before any socket is opened' {
        BeforeEach {
            Mock Resolve-CortexHostAddress { , @('10.0.0.12') }
            Mock Test-CortexTcpConnection { throw 'must not be called' }
        }
        It '<why>' -ForEach @(
            @{ why = 'a target without a name'; targets = @(@{ address = '10.0.0.12'; ports = @(1) }); message = 'targets[0].name is missing: each target needs name, address and ports' }
            @{ why = 'a target without ports'; targets = @(@{ name = 'a'; address = '10.0.0.12' }); message = 'targets[0].ports is missing: each target needs name, address and ports' }
            @{ why = 'a target that is a string'; targets = @('app2'); message = 'targets[0].name is missing: each target needs name, address and ports' }
            @{ why = 'an empty address'; targets = @(@{ name = 'a'; address = ' '; ports = @(1) }); message = 'targets[0].address is empty' }
            @{ why = 'port 0'; targets = @(@{ name = 'a'; address = 'b'; ports = @(80) }, @{ name = 'c'; address = 'd'; ports = @(443, 0) }); message = 'targets[1].ports[1] must be a TCP port from 1 to 65535, not 0' }
            @{ why = 'a port that is text'; targets = @(@{ name = 'a'; address = 'b'; ports = @('http') }); message = 'targets[0].ports[0] must be a TCP port from 1 to 65535, not http' }
            @{ why = 'a port above 65535'; targets = @(@{ name = 'a'; address = 'b'; ports = @(65536) }); message = 'targets[0].ports[0] must be a TCP port from 1 to 65535, not 65536' }
        ) {
            $r = Invoke-Reach @{ targets = $targets }
            $r.Result.ok | Should -BeFalse
            $r.ExitCode | Should -Be 1
            $r.Error.message | Should -Be $message
            Should -Invoke Test-CortexTcpConnection -Times 0 -Exactly
        }
        It 'a deadline of <timeoutMs>' -ForEach @(@{ timeoutMs = 50 }, @{ timeoutMs = 60000 }, @{ timeoutMs = 'soon' }) {
            $r = Invoke-Reach @{ targets = $twoPeers; timeoutMs = $timeoutMs }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be "timeoutMs must be a whole number of milliseconds from 100 to 30000, not $timeoutMs"
        }
    }

    Context 'for real, against loopback sockets' {
        BeforeAll {
            $listener = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback), 0
            $listener.Start()
            $openPort = $listener.LocalEndpoint.Port
            # A port that was just free: bound, then released (nothing listens there).
            $probe = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback), 0
            $probe.Start(); $closedPort = $probe.LocalEndpoint.Port; $probe.Stop()
        }
        AfterAll { $listener.Stop() }
        It 'a listening port is open, a free one closed, and localhost resolves to 127.0.0.1' {
            $r = Invoke-Reach @{ targets = @(@{ name = 'localhost'; address = '127.0.0.1'; ports = @($openPort, $closedPort) }); timeoutMs = 10000 }
            $r.Result.ok | Should -BeTrue
            $t = $r.Data.targets[0]
            @($t.resolved) | Should -Contain '127.0.0.1'
            @($t.ports.state) | Should -Be @('open', 'closed')
        }
    }
}
