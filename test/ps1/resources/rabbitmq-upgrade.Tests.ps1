# Scripts under test: ps1/resources/rabbitmq-upgrade.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The node is data ($global:U); the RabbitMQ CLI, the installers and the service are mocks that read and
# change it, and record each call in order ($global:UCalls), so a test can assert the roll's sequence.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    function New-UNode {
        [ordered]@{ Rabbitmq = '4.1.4'; Erlang = '27.3.4'; Running = $true; Alarms = @(); PeerDown = $false; StartFails = $false; Flags = @{ khepri_db = 'enabled' } }
    }
    function Register-UNode {
        param($Node)
        $global:U = $Node
        $global:UCalls = New-Object System.Collections.Generic.List[string]
        # The CLI wrapper reads the machine's environment (registry) before each tool.
        $m = New-CortexTestMachine
        $m.Registry['64']['SYSTEM\CurrentControlSet\Control\Session Manager\Environment'] = [ordered]@{ RABBITMQ_NODENAME = 'rabbit@app02'; ERLANG_HOME = 'C:\Program Files\Erlang OTP' }
        Register-CortexTestRegistryMock $m
        Mock Get-CortexRabbitmqNodeName { 'rabbit@app02' }
        Mock Get-CortexRabbitmqInstall { if ($null -eq $global:U.Rabbitmq) { return $null }; [pscustomobject]@{ version = $global:U.Rabbitmq; sbin = ('C:\Program Files\RabbitMQ Server\rabbitmq_server-{0}\sbin' -f $global:U.Rabbitmq) } }
        Mock Find-CortexInstalledPackage -ParameterFilter { $UninstallKey -eq 'Erlang OTP' } { if ($null -eq $global:U.Erlang) { return $null }; [pscustomobject]@{ DisplayVersion = $global:U.Erlang; view = '32'; subKey = 'x' } }
        Mock Test-Path { $true }
        Mock Set-CortexMachineEnvironmentVariable { $global:UCalls.Add(('env {0}={1}' -f $Name, $Value)) }
        Mock Stop-Service { $global:UCalls.Add('Stop-Service ' + $Name); $global:U.Running = $false }
        Mock Invoke-CortexNative {
            $file = ($FilePath -split '\\')[-1]
            $a = @($ArgumentList | Where-Object { $_ -ne '-q' })
            $global:UCalls.Add((@($file) + $a) -join ' ')
            $ok = [pscustomobject]@{ exitCode = 0; output = @(); errorOutput = @() }
            $fail = { param($code, $text) if ($SuccessCodes -notcontains $code) { throw ('{0} exited with code {1}: {2}' -f $FilePath, $code, $text) }; [pscustomobject]@{ exitCode = $code; output = @(); errorOutput = @($text) } }
            switch -Wildcard ($file) {
                'otp_win64_*.exe' { $global:U.Erlang = '27.3.4.2'; return $ok }
                'Uninstall.exe' { $global:U.Erlang = $null; return $ok }
                'rabbitmq-server-*.exe' { $global:U.Rabbitmq = '4.2.1'; if (-not $global:U.StartFails) { $global:U.Running = $true }; return $ok }
            }
            if (-not $global:U.Running -and $a[0] -ne 'start' -and $a[0] -ne 'remove' -and $a[0] -ne 'install') { return (& $fail 69 "Error: unable to perform an operation on node 'rabbit@app02'") }
            switch ($a[0]) {
                'list_feature_flags' { return [pscustomobject]@{ exitCode = 0; output = @((ConvertTo-Json -Compress -InputObject @($global:U.Flags.Keys | ForEach-Object { [ordered]@{ name = $_; state = $global:U.Flags[$_] } }))); errorOutput = @() } }
                'check_local_alarms' { if ($global:U.Alarms.Count) { return (& $fail 69 ('Error: Node rabbit@app02 reported local alarms: {0}' -f ($global:U.Alarms -join ', '))) }; return $ok }
                'await_online_quorum_plus_one' { if ($global:U.PeerDown) { return (& $fail 75 'Error: timed out waiting for quorum + 1 online replicas') }; return $ok }
                'drain' { return $ok }
                'ping' { return $ok }
                'await_startup' { return $ok }
                'start' { if (-not $global:U.StartFails) { $global:U.Running = $true }; return $ok }
                { $_ -in @('remove', 'install', 'enable_feature_flag', 'rebalance') } { if ($_ -eq 'enable_feature_flag') { foreach ($k in @($global:U.Flags.Keys)) { $global:U.Flags[$k] = 'enabled' } }; return $ok }
                'cluster_status' { return [pscustomobject]@{ exitCode = 0; output = @((ConvertTo-Json -Compress -InputObject ([ordered]@{ running_nodes = @('rabbit@app01', 'rabbit@app02', 'rabbit@app03') }))); errorOutput = @() } }
            }
            throw "not in this fake: $file $($a -join ' ')"
        }
    }
    $script:Roll = @{ version = '4.2.1'; installer = 'C:\stage\rabbitmq-server-4.2.1.exe'; erlang = @{ version = '27.3.4.2'; installer = 'C:\stage\otp_win64_27.3.4.2.exe' } }
}

Describe 'rabbitmq_upgrade' {
    Context 'a running 4.1.4 node on Erlang 27.3.4' {
        BeforeEach { Register-UNode (New-UNode) }
        It 'Test: versions, node name, running, feature flags not enabled' {
            $global:U.Flags['rabbitmq_4.2.0'] = 'disabled'
            $r = Invoke-CortexResourceTest -Resource 'rabbitmq_upgrade' -Params $script:Roll
            $r.StepError | Should -BeNullOrEmpty
            $r.State.installed | Should -BeTrue
            $r.State.version | Should -BeExactly '4.1.4'
            $r.State.erlangVersion | Should -BeExactly '27.3.4'
            $r.State.nodeName | Should -BeExactly 'rabbit@app02'
            $r.State.running | Should -BeTrue
            @($r.State.featureFlagsDisabled) | Should -Be @('rabbitmq_4.2.0')
        }
        It 'Set: alarms, quorum + 1, drain, stop, Erlang swapped, the new RabbitMQ, await_startup, cluster_status, in that order' {
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_upgrade' -Params $script:Roll
            $r.Error | Should -BeNullOrEmpty
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'rabbit@app02 upgraded to RabbitMQ 4.2.1 on Erlang 27.3.4.2: 3 running nodes'
            @($global:UCalls) | Should -Be @(
                'rabbitmq-diagnostics.bat check_local_alarms',
                'rabbitmq-upgrade.bat await_online_quorum_plus_one -t 600',
                'rabbitmq-upgrade.bat drain',
                'Stop-Service RabbitMQ',
                'Uninstall.exe /S',
                'otp_win64_27.3.4.2.exe /S',
                'env ERLANG_HOME=C:\Program Files\Erlang OTP',
                'rabbitmq-server-4.2.1.exe /S',
                'rabbitmqctl.bat await_startup --timeout 600',
                'rabbitmqctl.bat cluster_status --formatter json')
        }
        It 'Set: a peer down, await_online_quorum_plus_one fails and the node is never stopped' {
            $global:U.PeerDown = $true
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_upgrade' -Params $script:Roll
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeLike 'rabbitmq_upgrade: await_online_quorum_plus_one on rabbit@app02 failed:*code 75*quorum + 1*'
            @($global:UCalls) | Should -Not -Contain 'Stop-Service RabbitMQ'
            $global:U.Running | Should -BeTrue
        }
        It 'Set: an alarm on the node stops the roll before anything' {
            $global:U.Alarms = @('memory')
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_upgrade' -Params $script:Roll
            $r.Error.message | Should -BeLike 'rabbitmq_upgrade: check_local_alarms on rabbit@app02 failed:*local alarms: memory*'
            @($global:UCalls).Count | Should -Be 1
        }
        It 'Set: the new node does not start: the error names await_startup' {
            $global:U.StartFails = $true
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_upgrade' -Params $script:Roll
            $r.Error.message | Should -BeLike 'rabbitmq_upgrade: await_startup on rabbit@app02 failed:*code 69*'
        }
        It 'Set: Erlang alone changes: no RabbitMQ installer, the service registered again' {
            $global:U.Rabbitmq = '4.2.1'
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_upgrade' -Params $script:Roll
            $r.Result.ok | Should -BeTrue
            @($global:UCalls) | Should -Not -Contain 'rabbitmq-server-4.2.1.exe /S'
            @($global:UCalls | Where-Object { $_ -like 'rabbitmq-service.bat *' }) | Should -Be @('rabbitmq-service.bat remove', 'rabbitmq-service.bat install', 'rabbitmq-service.bat start')
        }
        It 'Set: RabbitMQ alone changes: Erlang is left alone' {
            $global:U.Erlang = '27.3.4.2'
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_upgrade' -Params $script:Roll
            $r.Result.ok | Should -BeTrue
            @($global:UCalls | Where-Object { $_ -like 'Uninstall.exe*' -or $_ -like 'otp_win64*' }).Count | Should -Be 0
        }
        It 'Set: a missing installer is refused before the node stops' {
            Mock Test-Path -ParameterFilter { $LiteralPath -like '*rabbitmq-server-4.2.1.exe' } { $false }
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_upgrade' -Params $script:Roll
            $r.Error.message | Should -BeExactly 'rabbitmq_upgrade: the RabbitMQ installer C:\stage\rabbitmq-server-4.2.1.exe is not on the host; stage it in an earlier step'
            @($global:UCalls).Count | Should -Be 0
        }
        It 'Set finish: every feature flag enabled, then rebalance' {
            $global:U.Flags['rabbitmq_4.2.0'] = 'disabled'
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_upgrade' -Params @{ action = 'finish'; version = '4.2.1'; erlang = @{ version = '27.3.4.2' } }
            $r.Result.ok | Should -BeTrue
            @($global:UCalls) | Should -Be @('rabbitmqctl.bat enable_feature_flag all', 'rabbitmq-queues.bat rebalance all')
            $global:U.Flags['rabbitmq_4.2.0'] | Should -BeExactly 'enabled'
        }
    }
    Context 'already upgraded, stopped, or not installed' {
        It 'Set: upgraded but down (a roll that stopped at await_startup): started again and awaited' {
            $n = New-UNode; $n.Rabbitmq = '4.2.1'; $n.Erlang = '27.3.4.2'; $n.Running = $false; Register-UNode $n
            Mock Start-Service { $global:UCalls.Add('Start-Service ' + $Name); $global:U.Running = $true }
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_upgrade' -Params $script:Roll
            $r.Data.message | Should -BeExactly 'rabbit@app02 started again on RabbitMQ 4.2.1, Erlang 27.3.4.2'
            @($global:UCalls) | Should -Be @('rabbitmqctl.bat ping', 'Start-Service RabbitMQ', 'rabbitmqctl.bat await_startup --timeout 600')
        }
        It 'Set: nothing to do when both versions are there' {
            $n = New-UNode; $n.Rabbitmq = '4.2.1'; $n.Erlang = '27.3.4.2'; Register-UNode $n
            (Invoke-CortexResourceSet -Resource 'rabbitmq_upgrade' -Params $script:Roll).Data.message | Should -BeExactly 'rabbit@app02 already runs RabbitMQ 4.2.1 on Erlang 27.3.4.2'
            # Only asked whether it runs: nothing stopped, nothing installed.
            @($global:UCalls) | Should -Be @('rabbitmqctl.bat ping')
        }
        It 'Test: a stopped node answers running false (69 is an answer)' {
            $n = New-UNode; $n.Running = $false; Register-UNode $n
            $r = Invoke-CortexResourceTest -Resource 'rabbitmq_upgrade' -Params $script:Roll
            $r.StepError | Should -BeNullOrEmpty
            $r.State.running | Should -BeFalse
        }
        It 'Test: not installed; Set refused' {
            $n = New-UNode; $n.Rabbitmq = $null; Register-UNode $n
            (Invoke-CortexResourceTest -Resource 'rabbitmq_upgrade' -Params $script:Roll).State.installed | Should -BeFalse
            (Invoke-CortexResourceSet -Resource 'rabbitmq_upgrade' -Params $script:Roll).Error.message | Should -BeLike 'rabbitmq_upgrade: RabbitMQ is not installed*'
            (Invoke-CortexResourceTest -Resource 'rabbitmq_upgrade' -Params @{}).StepError | Should -BeExactly 'rabbitmq_upgrade: parameter version is missing'
        }
    }
}
