# cortex-script: resources.env-var
# Set of the env_var resource (src/resources/env-var.ts): a machine-scope environment variable, set or
# removed. Programs started later see it; this process's $env: is updated too, because the resident
# PowerShell runs the later steps of this run and was started before the change.
#   params: {name, value?, state?: present|absent}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $name = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'env_var' -Name 'name' -Required)
    $state = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'env_var' -Name 'state' -Default 'present')
    if (@('present', 'absent') -cnotcontains $state) { throw ('env_var: parameter state must be present or absent, not {0}' -f $state) }
    if ($state -eq 'absent') {
        Set-CortexMachineEnvironmentVariable -Name $name -Value $null
        Remove-Item -LiteralPath ('Env:' + $name) -ErrorAction SilentlyContinue
        return New-CortexSetResult -Message ('removed {0}' -f $name)
    }
    $value = Get-CortexResourceParam -Params $CortexParams -Resource 'env_var' -Name 'value'
    # Windows removes a variable set to an empty value: an empty value cannot be present.
    if ($null -eq $value -or [string]$value -eq '') { throw 'env_var: parameter value is missing (an empty value would remove the variable; use state: absent)' }
    Set-CortexMachineEnvironmentVariable -Name $name -Value ([string]$value)
    # As Windows expands it for a new process (%SystemRoot% and the like; unknown references stay as written).
    Set-Item -LiteralPath ('Env:' + $name) -Value ([Environment]::ExpandEnvironmentVariables([string]$value))
    New-CortexSetResult -Message ('set {0}' -f $name)
}
