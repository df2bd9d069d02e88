# cortex-script: resources.iis-app-pool
# Set of the iis_app_pool resource (src/resources/iis-app-pool.ts): creates the pool (New-WebAppPool) when
# it is missing, then sets only what differs: managedRuntimeVersion, managedPipelineMode, processModel
# (identity; a SpecificUser's password from the parameters, on stdin, never echoed), and starts or stops
# it. Refuses on a host without IIS.
#   params: {name, runtime (v4.0 | v2.0 | ''), pipeline (integrated|classic), identity, user, password, state (started|stopped)}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $p = $CortexParams
    $name = [string](Get-CortexResourceParam -Params $p -Resource 'iis_app_pool' -Name 'name' -Required)
    $runtime = [string](Get-CortexResourceParam -Params $p -Resource 'iis_app_pool' -Name 'runtime' -Default 'v4.0')
    $pipeline = [string](Get-CortexResourceParam -Params $p -Resource 'iis_app_pool' -Name 'pipeline' -Default 'integrated')
    $identity = [string](Get-CortexResourceParam -Params $p -Resource 'iis_app_pool' -Name 'identity' -Default 'ApplicationPoolIdentity')
    $state = [string](Get-CortexResourceParam -Params $p -Resource 'iis_app_pool' -Name 'state' -Default 'started')
    if (@('integrated', 'classic') -notcontains $pipeline) { throw ('iis_app_pool: parameter pipeline must be integrated or classic, not {0}' -f $pipeline) }
    if (@('started', 'stopped') -notcontains $state) { throw ('iis_app_pool: parameter state must be started or stopped, not {0}' -f $state) }
    $user = ''
    $password = ''
    if ($identity -eq 'SpecificUser') {
        $user = [string](Get-CortexResourceParam -Params $p -Resource 'iis_app_pool' -Name 'user' -Required)
        $password = [string](Get-CortexResourceParam -Params $p -Resource 'iis_app_pool' -Name 'password' -Required)
    }
    if (-not (Test-CortexIisInstalled)) { throw ('iis_app_pool: IIS is not installed on this host (no HKLM\SOFTWARE\Microsoft\InetStp); install the Web-Server feature in an earlier step') }
    Import-CortexWebAdministration

    $path = 'IIS:\AppPools\' + $name
    $done = New-Object System.Collections.Generic.List[string]
    $pool = Get-CortexIisAppPool -Name $name
    if ($null -eq $pool) {
        $null = New-WebAppPool -Name $name
        $done.Add('created')
        $pool = Get-CortexIisAppPool -Name $name
    }
    if ($pool.runtime -ne $runtime) {
        Set-ItemProperty -LiteralPath $path -Name managedRuntimeVersion -Value $runtime
        $done.Add(('runtime {0}' -f $runtime))
    }
    if ($pool.pipeline -ne $pipeline) {
        $mode = 'Integrated'
        if ($pipeline -eq 'classic') { $mode = 'Classic' }
        Set-ItemProperty -LiteralPath $path -Name managedPipelineMode -Value $mode
        $done.Add(('pipeline {0}' -f $pipeline))
    }
    # A SpecificUser's password cannot be read back to compare: it is written whenever the Set runs.
    if ($pool.identity -ne $identity -or $pool.user -ne $user -or $identity -eq 'SpecificUser') {
        Set-ItemProperty -LiteralPath $path -Name processModel -Value @{ identityType = $identity; userName = $user; password = $password }
        $done.Add(('identity {0}' -f $identity))
    }
    if ($state -eq 'started' -and $pool.state -ne 'started') {
        Start-WebAppPool -Name $name
        $done.Add('started')
    } elseif ($state -eq 'stopped' -and $pool.state -ne 'stopped') {
        Stop-WebAppPool -Name $name
        $done.Add('stopped')
    }
    $text = 'app pool {0}: nothing to change' -f $name
    if ($done.Count -gt 0) { $text = 'app pool {0}: {1}' -f $name, ($done -join ', ') }
    New-CortexSetResult -RebootRequired $false -Message $text
}
