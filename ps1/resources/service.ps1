# cortex-script: resources.service
# Set of the service resource (src/resources/service.ts): the startup type, then the run state (a
# disabled service cannot start). Only the fields given are changed. The service must exist: it comes
# from a package installed in an earlier step.
#   params: {name, state?: running|stopped, startupType?: automatic|automatic_delayed|manual|disabled}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $name = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'service' -Name 'name' -Required)
    $state = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'service' -Name 'state' -Default '')
    $startupType = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'service' -Name 'startupType' -Default '')
    if ($state -and @('running', 'stopped') -cnotcontains $state) { throw ('service: parameter state must be running or stopped, not {0}' -f $state) }
    if ($startupType -and @('automatic', 'automatic_delayed', 'manual', 'disabled') -cnotcontains $startupType) {
        throw ('service: parameter startupType must be automatic, automatic_delayed, manual or disabled, not {0}' -f $startupType)
    }
    $service = @(Get-Service -Name $name -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq $name }) | Select-Object -First 1
    if ($null -eq $service) { throw ('service: {0} does not exist on this host; install it in an earlier step' -f $name) }

    $done = New-Object System.Collections.Generic.List[string]
    switch ($startupType) {
        # Set-Service in 5.1 knows no delayed start, and setting Automatic leaves an earlier delayed flag
        # in place; sc.exe sets both the start type and the flag.
        'automatic' { $null = Invoke-CortexNative -FilePath 'sc.exe' -ArgumentList @('config', $name, 'start=', 'auto') }
        'automatic_delayed' { $null = Invoke-CortexNative -FilePath 'sc.exe' -ArgumentList @('config', $name, 'start=', 'delayed-auto') }
        'manual' { Set-Service -Name $name -StartupType Manual }
        'disabled' { Set-Service -Name $name -StartupType Disabled }
    }
    if ($startupType) { $done.Add("startup type $startupType") }
    if ($state -eq 'running') {
        Start-Service -Name $name
        $done.Add('started')
    } elseif ($state -eq 'stopped') {
        # Without -Force: a service others depend on is not stopped behind their back (the error names them).
        Stop-Service -Name $name
        $done.Add('stopped')
    }
    New-CortexSetResult -Message ($done -join ', ')
}
