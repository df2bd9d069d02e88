# cortex-script: resources.scheduled-task
# Set of the scheduled_task resource (src/resources/scheduled-task.ts): runs a command once as another
# account through a scheduled task, for actions the WinRM session's delegated token cannot do (the double
# hop: Service Fabric's cluster creation touches every node). The task itself is lib/resource.ps1's
# Invoke-CortexOneShotTask: registered with the account's password (logon type Password, highest
# privileges) under \cortex-deploy\, started, waited for, and unregistered whatever happens. The run's
# token, exit code and end time go to the marker HKLM\SOFTWARE\Cortex\Deploy\Tasks\<name> that the
# Test reads; a failed run is recorded too, so the next apply runs it again. The password arrives in
# the parameters (on stdin) and is never echoed.
#   params: {name, command, arguments, runAs: {user, password}, token, timeout (s), successExitCodes}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

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

    $pendingBefore = Test-CortexRebootPending
    $exit = Invoke-CortexOneShotTask -Name $name -Command $command -Arguments $arguments -User $user -Password $password -TimeoutSeconds $timeout
    $marker = 'SOFTWARE\Cortex\Deploy\Tasks\' + $name
    Set-CortexRegistryEntry -SubKey $marker -Name 'Token' -Kind 'String' -Data $token
    Set-CortexRegistryEntry -SubKey $marker -Name 'ExitCode' -Kind 'DWord' -Data ([int]$exit)
    Set-CortexRegistryEntry -SubKey $marker -Name 'FinishedAt' -Kind 'String' -Data ((Get-Date).ToUniversalTime().ToString('o'))
    if ($successCodes -notcontains $exit) { throw ('scheduled_task: {0} ran as {1} and exited with code {2}; the next apply runs it again' -f $name, $user, $exit) }
    $reboot = (@(3010, 1641) -contains $exit) -or ((Test-CortexRebootPending) -and -not $pendingBefore)
    $text = 'ran {0} as {1}: exit code {2}' -f $name, $user, $exit
    if ($reboot) { $text += ', reboot required' }
    New-CortexSetResult -RebootRequired $reboot -ExitCode $exit -Message $text
}
