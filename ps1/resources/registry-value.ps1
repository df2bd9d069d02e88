# cortex-script: resources.registry-value
# Set of the registry_value resource (src/resources/registry-value.ts): writes one value with its type
# (creating the key), or removes it. HKLM or HKCU (of the connecting account), in the chosen view.
#   params: {key, name, type, data, view: 64|32, state: present|absent}
# Data as a playbook writes it: DWord/QWord numbers (unsigned), MultiString a list, Binary hex.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function ConvertTo-CortexRegistryWriteData {
    # The .NET value RegistryKey.SetValue takes for a kind: DWord an Int32 (0xFFFFFFFF is -1), QWord an Int64.
    param([Parameter(Mandatory = $true)][string]$Kind, $Data)
    switch ($Kind) {
        'String' { return [string]$Data }
        'ExpandString' { return [string]$Data }
        'DWord' {
            $n = [decimal]$Data
            if ($n -lt 0 -or $n -gt [uint32]::MaxValue -or $n -ne [math]::Floor($n)) { throw ('registry_value: a DWord is a whole number from 0 to 4294967295, not {0}' -f $Data) }
            return [BitConverter]::ToInt32([BitConverter]::GetBytes([uint32]$n), 0)
        }
        'QWord' {
            $n = [decimal]$Data
            if ($n -lt 0 -or $n -gt [uint64]::MaxValue -or $n -ne [math]::Floor($n)) { throw ('registry_value: a QWord is a whole number from 0 to 18446744073709551615, not {0}' -f $Data) }
            return [BitConverter]::ToInt64([BitConverter]::GetBytes([uint64]$n), 0)
        }
        'MultiString' { return , [string[]]@($Data | ForEach-Object { [string]$_ }) }
        'Binary' {
            $hex = [string]$Data
            if ($hex -notmatch '^([0-9a-fA-F]{2})*$') { throw 'registry_value: Binary data is written as hex, e.g. 0a0b0c' }
            $bytes = New-Object byte[] ($hex.Length / 2)
            for ($i = 0; $i -lt $bytes.Length; $i++) { $bytes[$i] = [Convert]::ToByte($hex.Substring($i * 2, 2), 16) }
            return , $bytes
        }
    }
    throw ('registry_value: parameter type must be String, ExpandString, DWord, QWord, MultiString or Binary, not {0}' -f $Kind)
}

Invoke-CortexScript {
    $path = ConvertFrom-CortexRegistryPath -Path ([string](Get-CortexResourceParam -Params $CortexParams -Resource 'registry_value' -Name 'key' -Required))
    $name = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'registry_value' -Name 'name' -Default '')
    $view = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'registry_value' -Name 'view' -Default '64')
    $state = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'registry_value' -Name 'state' -Default 'present')
    if (@('64', '32') -cnotcontains $view) { throw ('registry_value: parameter view must be 64 or 32, not {0}' -f $view) }
    if (@('present', 'absent') -cnotcontains $state) { throw ('registry_value: parameter state must be present or absent, not {0}' -f $state) }
    $label = '{0}\{1}' -f $path.subKey, $name
    if ($state -eq 'absent') {
        Remove-CortexRegistryEntry -Hive $path.hive -SubKey $path.subKey -Name $name -View $view
        return New-CortexSetResult -Message ('removed {0}' -f $label)
    }
    $kind = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'registry_value' -Name 'type' -Default 'String')
    $data = Get-CortexResourceParam -Params $CortexParams -Resource 'registry_value' -Name 'data'
    if ($null -eq $data) { throw 'registry_value: parameter data is missing (required for a present value)' }
    $value = ConvertTo-CortexRegistryWriteData -Kind $kind -Data $data
    Set-CortexRegistryEntry -Hive $path.hive -SubKey $path.subKey -Name $name -View $view -Kind $kind -Data $value
    New-CortexSetResult -Message ('set {0} ({1})' -f $label, $kind)
}
