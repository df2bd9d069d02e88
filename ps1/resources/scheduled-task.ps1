# cortex-script: resources.scheduled-task
# Set of the scheduled_task resource (src/resources/scheduled-task.ts): runs a command once as another
# account through a scheduled task, for actions the WinRM session's delegated token cannot do (the double
# hop: Service Fabric's cluster creation touches every node). The task is registered with the account's
# password (logon type Password, highest privileges) under \cortex-deploy\, started, waited for, and
# unregistered whatever happens. The run's token, exit code and end time go to the marker
# HKLM\SOFTWARE\Cortex\Deploy\Tasks\<name> that the Test reads; a failed run is recorded too, so the
# next apply runs it again. The password arrives in the parameters (on stdin) and is never echoed.
#   params: {name, command, arguments, runAs: {user, password}, token, timeout (s), successExitCodes}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Task Scheduler's "still running" and "has not run yet" results (SCHED_S_TASK_RUNNING, SCHED_S_TASK_HAS_NOT_RUN).
$CortexTaskRunning = 267009
$CortexTaskNotRun = 267011
$CortexTaskPollSeconds = 2

Invoke-CortexScript {
    $p = $CortexParams
    $name = [string](Get-CortexResourceParam -Params $p -Resource 'scheduled_task' -Name 'name' -Required)
    $command = [string](Get-CortexResourceParam -Params $p -Resource 'scheduled_task' -Name 'command' -Required)
    $arguments = [string](Get-CortexResourceParam -Params $p -Resource 'scheduled_task' -Name 'arguments' -Default '')
    $token = [string](Get-CortexResourceParam -Params $p -Resource 'scheduled_task' -Name 'token' -Required)
    $timeout = [int](Get-CortexResourceParam -Params $p -Resource 'scheduled_task' -Name 'timeout' -Default 3600)
    $successCodes = Get-CortexResourceParam -Params $p -Resource 'scheduled_task' -Name 'successExitCodes' -Default @(0)
    $successCodes = [int[]]@($successCodes | ForEach-Object { [int]$_ })
    $runAs = Get-CortexResourceParam -Params $p -Resource 'scheduled_task' -Name 'runAs' -Required
    $user = [string](Get-CortexResourceParam -Params $runAs -Resource 'scheduled_task' -Name 'user' -Required)
    $password = [string](Get-CortexResourceParam -Params $runAs -Resource 'scheduled_task' -Name 'password' -Required)
    if ($timeout -lt 1) { throw ('scheduled_task: parameter timeout must be at least 1 second, not {0}' -f $timeout) }

    $taskName = 'cortex-' + $name
    $taskPath = '\cortex-deploy\'
    $actionArgs = @{ Execute = $command }
    if ($arguments) { $actionArgs.Argument = $arguments }
    $action = New-ScheduledTaskAction @actionArgs
    $settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit (New-TimeSpan -Seconds $timeout)
    $pendingBefore = Test-CortexRebootPending
    $null = Register-ScheduledTask -TaskName $taskName -TaskPath $taskPath -Action $action -User $user -Password $password -RunLevel Highest -Settings $settings -Force
    $exit = $null
    try {
        Start-ScheduledTask -TaskName $taskName -TaskPath $taskPath
        # Counted polls rather than a clock: the limit holds however long each poll takes to answer.
        $polls = [math]::Ceiling($timeout / $CortexTaskPollSeconds) + 1
        for ($i = 0; $i -lt $polls; $i++) {
            Start-Sleep -Seconds $CortexTaskPollSeconds
            $task = Get-ScheduledTask -TaskName $taskName -TaskPath $taskPath
            $info = Get-ScheduledTaskInfo -TaskName $taskName -TaskPath $taskPath
            $result = [int]$info.LastTaskResult
            if ($task.State.ToString() -ne 'Running' -and $result -ne $CortexTaskRunning -and $result -ne $CortexTaskNotRun) { $exit = $result; break }
        }
        if ($null -eq $exit) {
            Stop-ScheduledTask -TaskName $taskName -TaskPath $taskPath
            throw ('scheduled_task: {0} (as {1}) did not finish within {2} s; it was stopped' -f $name, $user, $timeout)
        }
        $marker = 'SOFTWARE\Cortex\Deploy\Tasks\' + $name
        Set-CortexRegistryEntry -SubKey $marker -Name 'Token' -Kind 'String' -Data $token
        Set-CortexRegistryEntry -SubKey $marker -Name 'ExitCode' -Kind 'DWord' -Data ([int]$exit)
        Set-CortexRegistryEntry -SubKey $marker -Name 'FinishedAt' -Kind 'String' -Data ((Get-Date).ToUniversalTime().ToString('o'))
    } finally {
        Unregister-ScheduledTask -TaskName $taskName -TaskPath $taskPath -Confirm:$false
    }
    if ($successCodes -notcontains $exit) { throw ('scheduled_task: {0} ran as {1} and exited with code {2}; the next apply runs it again' -f $name, $user, $exit) }
    $reboot = (@(3010, 1641) -contains $exit) -or ((Test-CortexRebootPending) -and -not $pendingBefore)
    $text = 'ran {0} as {1}: exit code {2}' -f $name, $user, $exit
    if ($reboot) { $text += ', reboot required' }
    New-CortexSetResult -RebootRequired $reboot -ExitCode $exit -Message $text
}
