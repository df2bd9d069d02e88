# cortex-script: lib.nssm
# NSSM's service parameters as the nssm_service resource compares them (src/resources/nssm-service.ts):
# read where NSSM keeps them (HKLM\SYSTEM\CurrentControlSet\Services\<svc> and its Parameters subkey),
# in the text `nssm get` prints, a missing value as NSSM's default (NSSM deletes a numeric value set to
# its default). Reading the registry needs no parsing of nssm.exe's UTF-16 output. Shared by the Test
# (test-batch.ps1) and the Set (nssm-service.ps1).

function Get-CortexNssmDefault {
    # The parameters cortex-deploy manages and what `nssm get` prints when NSSM keeps no value ($null:
    # none). A function, not a variable: the lib runs at global scope, the scripts in scopes of their own.
    [ordered]@{
        'Application'                  = $null
        'AppDirectory'                 = $null
        'AppParameters'                = ''
        'DisplayName'                  = $null
        'Description'                  = ''
        'Start'                        = 'SERVICE_AUTO_START'
        'AppStdout'                    = ''
        'AppStderr'                    = ''
        'AppStdoutCreationDisposition' = '4'
        'AppStderrCreationDisposition' = '4'
        'AppRotateFiles'               = '0'
        'AppRotateOnline'              = '0'
        'AppRotateSeconds'             = '0'
        'AppRotateBytes'               = '0'
        'AppThrottle'                  = '1500'
        'AppExit Default'              = 'Restart'
    }
}

function Get-CortexNssmParameterKey {
    # 'AppExit Default' for a parameter with a sub-parameter, else the name.
    param([Parameter(Mandatory = $true)][string]$Name, [AllowEmptyString()][string]$Sub = '')
    if ($Sub) { return ('{0} {1}' -f $Name, $Sub) }
    $Name
}

function Get-CortexNssmParameter {
    # One parameter as `nssm get <svc> <name> [sub]` prints it, or $null (no value, no default).
    param([Parameter(Mandatory = $true)][string]$ServiceName, [Parameter(Mandatory = $true)][string]$Name, [AllowEmptyString()][string]$Sub = '')
    $key = Get-CortexNssmParameterKey -Name $Name -Sub $Sub
    $defaults = Get-CortexNssmDefault
    if (-not $defaults.Contains($key)) { throw ('nssm_service: NSSM parameter {0} is not one cortex-deploy manages' -f $key) }
    $default = $defaults[$key]
    $serviceKey = 'SYSTEM\CurrentControlSet\Services\' + $ServiceName
    switch -CaseSensitive ($Name) {
        'DisplayName' { $entry = Get-CortexRegistryEntry -SubKey $serviceKey -Name 'DisplayName' }
        'Description' { $entry = Get-CortexRegistryEntry -SubKey $serviceKey -Name 'Description' }
        'Start' {
            $start = Get-CortexRegistryEntry -SubKey $serviceKey -Name 'Start'
            if (-not $start.valueExists) { return $default }
            $delayed = Get-CortexRegistryEntry -SubKey $serviceKey -Name 'DelayedAutostart'
            switch ([int]$start.data) {
                2 {
                    if ($delayed.valueExists -and [int]$delayed.data -eq 1) { return 'SERVICE_DELAYED_AUTO_START' }
                    return 'SERVICE_AUTO_START'
                }
                3 { return 'SERVICE_DEMAND_START' }
                4 { return 'SERVICE_DISABLED' }
            }
            return ('{0}' -f [int]$start.data)
        }
        # AppExit's per-code actions are values of the AppExit subkey; Default is its default value.
        'AppExit' { $entry = Get-CortexRegistryEntry -SubKey ($serviceKey + '\Parameters\AppExit') -Name '' }
        default { $entry = Get-CortexRegistryEntry -SubKey ($serviceKey + '\Parameters') -Name $Name }
    }
    if (-not $entry.valueExists) { return $default }
    if ($entry.kind -eq 'DWord') { return ([BitConverter]::ToUInt32([BitConverter]::GetBytes([int32]$entry.data), 0)).ToString() }
    [string]$entry.data
}

function Get-CortexNssmServiceState {
    # {exists, imagePath, values: {key: text}} for the parameters asked (each {name, sub?}).
    param([Parameter(Mandatory = $true)][string]$ServiceName, [AllowEmptyCollection()][object[]]$Parameter = @())
    $service = @(Get-Service -Name $ServiceName -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq $ServiceName }) | Select-Object -First 1
    $values = [ordered]@{}
    if ($null -eq $service) { return [ordered]@{ exists = $false; imagePath = $null; values = $values } }
    $image = Get-CortexRegistryEntry -SubKey ('SYSTEM\CurrentControlSet\Services\' + $ServiceName) -Name 'ImagePath'
    $imagePath = $null
    if ($image.valueExists) { $imagePath = [string]$image.data }
    foreach ($p in @($Parameter)) {
        $values[(Get-CortexNssmParameterKey -Name $p.name -Sub $p.sub)] = Get-CortexNssmParameter -ServiceName $ServiceName -Name $p.name -Sub $p.sub
    }
    [ordered]@{ exists = $true; imagePath = $imagePath; values = $values }
}

function ConvertTo-CortexNssmParameterList {
    # The step's parameters as {name, sub, value} objects, Application (from program) first.
    param([Parameter(Mandatory = $true)][string]$Program, $Parameters)
    $list = New-Object System.Collections.Generic.List[object]
    $list.Add([pscustomobject]@{ name = 'Application'; sub = ''; value = $Program })
    foreach ($p in @($Parameters)) {
        if ($null -eq $p) { continue }
        $name = [string](Get-CortexResourceParam -Params $p -Resource 'nssm_service' -Name 'name' -Required)
        if ($name -ceq 'Application') { continue }
        $sub = [string](Get-CortexResourceParam -Params $p -Resource 'nssm_service' -Name 'sub' -Default '')
        $value = [string](Get-CortexResourceParam -Params $p -Resource 'nssm_service' -Name 'value' -Default '')
        $list.Add([pscustomobject]@{ name = $name; sub = $sub; value = $value })
    }
    , $list.ToArray()
}
