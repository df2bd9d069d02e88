# cortex-script: resources.nssm-service
# Set of the nssm_service resource (src/resources/nssm-service.ts): `nssm install <svc> <program>` when
# the service does not exist, then `nssm set` for each parameter whose current value (read as the Test
# reads it, ps1/lib/nssm.ps1) differs; an empty value is `nssm reset`. nssm.exe writes UTF-16LE when
# its output is redirected, so its output is decoded as such. The service is not started here: a
# `service` step does that.
#   params: {serviceName, nssmExe, program, parameters: [{name, sub?, value}]}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Test-CortexNssmSameValue {
    # Paths compare without regard to case, everything else exactly (as the resource's diff does).
    param([Parameter(Mandatory = $true)][string]$Name, [AllowNull()][AllowEmptyString()][string]$Current, [AllowEmptyString()][string]$Wanted)
    if ($null -eq $Current) { return $false }
    if (@('Application', 'AppDirectory', 'AppStdout', 'AppStderr') -ccontains $Name) { return $Current.Trim('"') -eq $Wanted.Trim('"') }
    $Current -ceq $Wanted
}

Invoke-CortexScript {
    $serviceName = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'nssm_service' -Name 'serviceName' -Required)
    $nssm = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'nssm_service' -Name 'nssmExe' -Required)
    $program = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'nssm_service' -Name 'program' -Required)
    $parameters = ConvertTo-CortexNssmParameterList -Program $program -Parameters (Get-CortexResourceParam -Params $CortexParams -Resource 'nssm_service' -Name 'parameters' -Default @())
    if (-not (Test-Path -LiteralPath $nssm -PathType Leaf)) { throw ('nssm_service: {0} does not exist; unzip NSSM there in an earlier step' -f $nssm) }

    $done = New-Object System.Collections.Generic.List[string]
    $state = Get-CortexNssmServiceState -ServiceName $serviceName -Parameter $parameters
    if (-not $state.exists) {
        $null = Invoke-CortexNative -FilePath $nssm -ArgumentList @('install', $serviceName, $program) -OutputEncoding 'Unicode'
        $done.Add(('installed {0}' -f $serviceName))
        # install itself writes Application, AppDirectory and the exit action: read them again.
        $state = Get-CortexNssmServiceState -ServiceName $serviceName -Parameter $parameters
    } elseif ($null -eq $state.imagePath -or $state.imagePath.Trim().Trim('"') -ne $nssm) {
        throw ('nssm_service: service {0} exists but is not run by {1} (its ImagePath is {2}); remove it, or set nssmExe to the NSSM that runs it' -f $serviceName, $nssm, $state.imagePath)
    }
    $changed = New-Object System.Collections.Generic.List[string]
    foreach ($p in $parameters) {
        $key = Get-CortexNssmParameterKey -Name $p.name -Sub $p.sub
        if (Test-CortexNssmSameValue -Name $p.name -Current $state.values[$key] -Wanted $p.value) { continue }
        $arguments = New-Object System.Collections.Generic.List[string]
        if ($p.value -eq '') { $arguments.Add('reset') } else { $arguments.Add('set') }
        $arguments.Add($serviceName)
        $arguments.Add($p.name)
        if ($p.sub) { $arguments.Add($p.sub) }
        if ($p.value -ne '') { $arguments.Add($p.value) }
        $null = Invoke-CortexNative -FilePath $nssm -ArgumentList $arguments.ToArray() -OutputEncoding 'Unicode'
        $changed.Add($key)
    }
    if ($changed.Count -gt 0) { $done.Add(('set {0}' -f ($changed -join ', '))) }
    New-CortexSetResult -Message ($done -join '; ')
}
