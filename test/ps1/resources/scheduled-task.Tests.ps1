# Script under test: ps1/resources/scheduled-task.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The scheduled_task resource: the run marker in the registry (Test), and the one-shot task registered,
# started, polled, recorded and unregistered (Set). One Context per state of the task and its marker.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $marker = 'SOFTWARE\Cortex\Deploy\Tasks\sf-create-cluster'
    $secret = 'S3cr3t-P@ss'
    $task = @{ name = 'sf-create-cluster'; command = 'powershell.exe'; arguments = '-File C:\cortex\sf\create-cluster.ps1'; runAs = @{ user = 'CORP\sf-admin'; password = $secret }; token = '10.1'; timeout = 60; successExitCodes = @(0) }
    $setCommands = @('Register-ScheduledTask', 'Start-ScheduledTask', 'Set-CortexRegistryEntry', 'Unregister-ScheduledTask')
    function Register-Task([object[]]$Polls) {
        # Polls: what Get-ScheduledTask / Get-ScheduledTaskInfo answer on each poll: @{ State; Result }.
        $m = New-CortexTestMachine
        Register-CortexTestRegistryMock $m
        $global:CortexTestPolls = $Polls
        $global:CortexTestPoll = 0
        Mock New-ScheduledTaskAction { [pscustomobject]@{ Execute = $Execute; Arguments = $Argument } }
        Mock New-ScheduledTaskSettingsSet { [pscustomobject]@{ ExecutionTimeLimit = $ExecutionTimeLimit } }
        Mock Register-ScheduledTask { [pscustomobject]@{ TaskName = $TaskName } }
        Mock Start-ScheduledTask { }
        Mock Stop-ScheduledTask { }
        Mock Unregister-ScheduledTask { }
        Mock Start-Sleep { $global:CortexTestPoll++ }
        Mock Get-ScheduledTask { [pscustomobject]@{ State = $global:CortexTestPolls[[math]::Min($global:CortexTestPoll, $global:CortexTestPolls.Count) - 1].State } }
        Mock Get-ScheduledTaskInfo { [pscustomobject]@{ LastTaskResult = $global:CortexTestPolls[[math]::Min($global:CortexTestPoll, $global:CortexTestPolls.Count) - 1].Result } }
        $m
    }
}

Describe 'scheduled_task' {
    Context 'never ran' {
        BeforeEach { $null = Register-Task @(@{ State = 'Ready'; Result = 267011 }, @{ State = 'Running'; Result = 267009 }, @{ State = 'Ready'; Result = 0 }) }
        It 'Test: lastRun null; registers nothing' {
            $r = Invoke-CortexResourceTest -Resource 'scheduled_task' -Params $task
            $r.StepError | Should -BeNullOrEmpty
            $r.State.lastRun | Should -BeNullOrEmpty
            $r.Json | Should -BeLike '*"lastRun":null*'
            Assert-CortexNotInvoked $setCommands
        }
        It 'Set: registered as the account with its password, started, waited for, recorded, unregistered' {
            $r = Invoke-CortexResourceSet -Resource 'scheduled_task' -Params $task
            $r.Result.ok | Should -BeTrue
            $r.Data.exitCode | Should -Be 0
            $r.Data.message | Should -Be 'ran sf-create-cluster as CORP\sf-admin: exit code 0'
            Should -Invoke New-ScheduledTaskAction -Times 1 -Exactly -ParameterFilter { $Execute -eq 'powershell.exe' -and $Argument -eq '-File C:\cortex\sf\create-cluster.ps1' }
            Should -Invoke New-ScheduledTaskSettingsSet -Times 1 -Exactly -ParameterFilter { $ExecutionTimeLimit.TotalSeconds -eq 60 }
            Should -Invoke Register-ScheduledTask -Times 1 -Exactly -ParameterFilter { $TaskName -eq 'cortex-sf-create-cluster' -and $TaskPath -eq '\cortex-deploy\' -and $User -eq 'CORP\sf-admin' -and $Password -eq $secret -and $RunLevel -eq 'Highest' -and $Force }
            Should -Invoke Start-ScheduledTask -Times 1 -Exactly
            Should -Invoke Start-Sleep -Times 3 -Exactly
            Should -Invoke Unregister-ScheduledTask -Times 1 -Exactly -ParameterFilter { $TaskName -eq 'cortex-sf-create-cluster' }
            Assert-CortexNotInvoked @('Stop-ScheduledTask')
            $r.Json | Should -Not -BeLike "*$secret*"
            $s = (Invoke-CortexResourceTest -Resource 'scheduled_task' -Params $task).State
            $s.lastRun.token | Should -BeExactly '10.1'
            $s.lastRun.exitCode | Should -Be 0
            $s.lastRun.finishedAt | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d'
        }
        It 'Set without arguments: the action has none' {
            $p = $task.Clone(); $p.arguments = ''
            $null = Invoke-CortexResourceSet -Resource 'scheduled_task' -Params $p
            Should -Invoke New-ScheduledTaskAction -Times 1 -Exactly -ParameterFilter { -not $Argument }
        }
    }

    Context 'the run fails' {
        BeforeEach { $null = Register-Task @(@{ State = 'Ready'; Result = 1 }) }
        It 'Set: an error with the exit code; the failure is recorded (so the next apply runs it again) and the task removed' {
            $r = Invoke-CortexResourceSet -Resource 'scheduled_task' -Params $task
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be 'scheduled_task: sf-create-cluster ran as CORP\sf-admin and exited with code 1; the next apply runs it again'
            $r.Json | Should -Not -BeLike "*$secret*"
            Should -Invoke Unregister-ScheduledTask -Times 1 -Exactly
            (Invoke-CortexResourceTest -Resource 'scheduled_task' -Params $task).State.lastRun.exitCode | Should -Be 1
        }
    }

    Context 'the run does not finish in time' {
        BeforeEach { $null = Register-Task @(@{ State = 'Running'; Result = 267009 }) }
        It 'Set: stopped, unregistered, an error naming the limit; nothing recorded' {
            $p = $task.Clone(); $p.timeout = 10
            $r = Invoke-CortexResourceSet -Resource 'scheduled_task' -Params $p
            $r.Error.message | Should -Be 'scheduled_task: sf-create-cluster (as CORP\sf-admin) did not finish within 10 s; it was stopped'
            Should -Invoke Start-Sleep -Times 6 -Exactly
            Should -Invoke Stop-ScheduledTask -Times 1 -Exactly
            Should -Invoke Unregister-ScheduledTask -Times 1 -Exactly
            Assert-CortexNotInvoked @('Set-CortexRegistryEntry')
        }
    }

    Context 'ran before with another token' {
        BeforeEach {
            $m = Register-Task @(@{ State = 'Ready'; Result = 0 })
            $m.Registry['64'][$marker] = [ordered]@{ Token = '10.0'; ExitCode = 0; FinishedAt = '2026-01-01T00:00:00.0000000Z' }
        }
        It 'Test: the last run as recorded' {
            $s = (Invoke-CortexResourceTest -Resource 'scheduled_task' -Params $task).State
            $s.lastRun.token | Should -BeExactly '10.0'
            $s.lastRun.finishedAt | Should -BeExactly '2026-01-01T00:00:00.0000000Z'
        }
    }

    Context 'bad parameters' {
        BeforeEach { $null = Register-Task @(@{ State = 'Ready'; Result = 0 }) }
        It 'no runAs password: named, nothing registered' {
            $p = $task.Clone(); $p.runAs = @{ user = 'CORP\sf-admin' }
            (Invoke-CortexResourceSet -Resource 'scheduled_task' -Params $p).Error.message | Should -Be 'scheduled_task: parameter password is missing'
            Assert-CortexNotInvoked $setCommands
        }
        It 'no token' { $p = $task.Clone(); $p.Remove('token'); (Invoke-CortexResourceSet -Resource 'scheduled_task' -Params $p).Error.message | Should -Be 'scheduled_task: parameter token is missing' }
        It 'no name: the Test step fails' { (Invoke-CortexResourceTest -Resource 'scheduled_task' -Params @{}).StepError | Should -Be 'scheduled_task: parameter name is missing' }
    }
}
