# Scripts under test: ps1/resources/rabbitmq-cluster.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# rabbitmqctl.bat is answered by the fake CLI of CortexRabbitmqTest.ps1 (cluster_status --formatter json,
# join_cluster, and the 69 of a node that is not running).
BeforeAll { . (Join-Path $PSScriptRoot '../helpers/CortexRabbitmqTest.ps1') }

Describe 'rabbitmq_cluster' {
    Context 'a running node alone' {
        BeforeEach { $n = New-CortexTestRabbitmq; Register-CortexTestRabbitmq $n }
        It 'Test: its name (RABBITMQ_NODENAME), members and running nodes from cluster_status' {
            $r = Invoke-CortexResourceTest -Resource 'rabbitmq_cluster' -Params @{ seed = 'rabbit@app01' }
            $r.StepError | Should -BeNullOrEmpty
            $r.State.installed | Should -BeTrue
            $r.State.nodeName | Should -BeExactly 'rabbit@app02'
            $r.State.running | Should -BeTrue
            @($r.State.members) | Should -Be @('rabbit@app02')
            $global:CortexTestRabbitmqCalls[0].arguments | Should -Be @('cluster_status', '--formatter', 'json')
        }
        It 'Set (4.1): join_cluster alone, then verified in cluster_status' {
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_cluster' -Params @{ seed = 'rabbit@app01' }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'rabbit@app02 joined the cluster of rabbit@app01: 2 running nodes'
            @($global:CortexTestRabbitmqCalls | ForEach-Object { $_.arguments[0] }) | Should -Be @('join_cluster', 'cluster_status')
            $global:CortexTestRabbitmqCalls[0].arguments | Should -Be @('join_cluster', 'rabbit@app01')
            @((Invoke-CortexResourceTest -Resource 'rabbitmq_cluster' -Params @{ seed = 'rabbit@app01' }).State.members) | Should -Contain 'rabbit@app01'
        }
        It 'Set: the seed itself joins nothing' {
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_cluster' -Params @{ seed = 'rabbit@app02' }
            $r.Data.message | Should -BeExactly 'rabbit@app02 is the seed: nothing to join'
            $global:CortexTestRabbitmqCalls.Count | Should -Be 0
        }
        It 'Set: a seed that cannot be reached: the tool''s error' {
            $n.ReachableSeeds = @()
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_cluster' -Params @{ seed = 'rabbit@app01' }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeLike "*rabbitmqctl.bat exited with code 70:*cannot_discover_cluster*offline or not running*"
        }
        It 'Set: a join that cluster_status does not confirm fails, listing the running nodes' {
            Mock Invoke-CortexNative -ParameterFilter { $ArgumentList -contains 'join_cluster' } { [pscustomobject]@{ exitCode = 0; output = @(); errorOutput = @() } }
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_cluster' -Params @{ seed = 'rabbit@app01' }
            $r.Error.message | Should -BeExactly 'rabbitmq_cluster: rabbit@app02 joined rabbit@app01, but cluster_status lists these running nodes: rabbit@app02'
        }
    }
    Context 'RabbitMQ 4.0 (before 4.1 a running node cannot join)' {
        BeforeEach { $n = New-CortexTestRabbitmq; $n.Version = '4.0.9'; Register-CortexTestRabbitmq $n }
        It 'Set: stop_app, reset, join_cluster, start_app' {
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_cluster' -Params @{ seed = 'rabbit@app01' }
            $r.Result.ok | Should -BeTrue
            @($global:CortexTestRabbitmqCalls | ForEach-Object { $_.arguments[0] }) | Should -Be @('stop_app', 'reset', 'join_cluster', 'start_app', 'cluster_status')
        }
        It 'Set: a failed join still starts the app again' {
            $n.ReachableSeeds = @()
            $r = Invoke-CortexResourceSet -Resource 'rabbitmq_cluster' -Params @{ seed = 'rabbit@app01' }
            $r.Result.ok | Should -BeFalse
            @($global:CortexTestRabbitmqCalls | ForEach-Object { $_.arguments[0] }) | Should -Be @('stop_app', 'reset', 'join_cluster', 'start_app')
        }
    }
    Context 'the node is not running' {
        BeforeEach { $n = New-CortexTestRabbitmq; $n.Running = $false; Register-CortexTestRabbitmq $n }
        It 'Test: running false (exit code 69 is an answer, not an error)' {
            $r = Invoke-CortexResourceTest -Resource 'rabbitmq_cluster' -Params @{ seed = 'rabbit@app01' }
            $r.StepError | Should -BeNullOrEmpty
            $r.State.running | Should -BeFalse
            @($r.State.members).Count | Should -Be 0
        }
        It 'Set: the tool''s refusal' {
            (Invoke-CortexResourceSet -Resource 'rabbitmq_cluster' -Params @{ seed = 'rabbit@app01' }).Error.message | Should -BeLike "*rabbitmqctl.bat exited with code 69: Error: unable to perform an operation on node 'rabbit@app02'*"
        }
    }
    Context 'not installed' {
        BeforeEach { $n = New-CortexTestRabbitmq; $n.Installed = $false; Register-CortexTestRabbitmq $n }
        It 'Test: installed false; Set refused; no tool run' {
            $r = Invoke-CortexResourceTest -Resource 'rabbitmq_cluster' -Params @{ seed = 'rabbit@app01' }
            $r.State.installed | Should -BeFalse
            $r.State.nodeName | Should -BeNullOrEmpty
            (Invoke-CortexResourceSet -Resource 'rabbitmq_cluster' -Params @{ seed = 'rabbit@app01' }).Error.message | Should -BeLike 'rabbitmq_cluster: RabbitMQ is not installed*'
            (Invoke-CortexResourceTest -Resource 'rabbitmq_cluster' -Params @{}).StepError | Should -BeExactly 'rabbitmq_cluster: parameter seed is missing'
            $global:CortexTestRabbitmqCalls.Count | Should -Be 0
        }
    }
}
