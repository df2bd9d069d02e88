# cortex-script: resources.reboot
# Starts a restart of the host a few seconds from now (shutdown.exe /r /t N), so this result reaches the
# workstation before the session drops; the agent then waits for a new boot time (the reboot resource's
# Test reads it). The executor decides whether and when (reboot policy, one quorum member at a time);
# this script only asks Windows. Reason code p:4:1: planned, application maintenance. A restart already
# scheduled (exit 1190) is the one this step wants: success, and no second one is asked for.
#   params: {reason, delaySeconds: 5}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $reason = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'reboot' -Name 'reason' -Default 'cortex-deploy')
    $delay = [int](Get-CortexResourceParam -Params $CortexParams -Resource 'reboot' -Name 'delaySeconds' -Default 5)
    if ($delay -lt 0 -or $delay -gt 600) { throw ('reboot: parameter delaySeconds must be 0 to 600, not {0}' -f $delay) }
    # shutdown.exe takes a comment of at most 512 characters, quoted by Invoke-CortexNative.
    $comment = ('cortex-deploy: ' + $reason)
    if ($comment.Length -gt 512) { $comment = $comment.Substring(0, 512) }
    # 1190 (ERROR_SHUTDOWN_IS_SCHEDULED): a restart asked for earlier (a run stopped while waiting for it)
    # is still to come; it is the restart this step wants, so the agent waits for it as for its own.
    $run = Invoke-CortexNative -FilePath 'shutdown.exe' -ArgumentList @('/r', '/t', [string]$delay, '/d', 'p:4:1', '/c', $comment) -SuccessCodes @(0, 1190)
    if ($run.exitCode -eq 1190) {
        New-CortexSetResult -RebootRequired $false -ExitCode $run.exitCode -Message ('a restart was already scheduled; it goes ahead ({0})' -f $reason)
        return
    }
    New-CortexSetResult -RebootRequired $false -ExitCode $run.exitCode -Message ('restart in {0} s ({1})' -f $delay, $reason)
}
