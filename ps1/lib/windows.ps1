# cortex-script: lib.windows
# The Windows calls that are .NET static methods, named so they can be replaced: scripts call these,
# never [Microsoft.Win32.Registry*] or [Environment] directly. Pester mocks them like any cmdlet, and
# the lab's Windows shim answers them from a simulated machine's state (docs/scripts.md, "Testing").
# Everything else a script needs from Windows is a cmdlet (Get-CimInstance, Get-NetIPAddress, ...),
# which both can replace as they are.

function Open-CortexRegistryKey {
    # An HKLM key in one registry view ('64' or '32'), or $null when absent. The caller closes it.
    # The view is explicit whatever the bitness of the shell (an SSH session may start a 32-bit one).
    param([Parameter(Mandatory = $true)][string]$SubKey, [ValidateSet('64', '32')][string]$View = '64')
    $registryView = [Microsoft.Win32.RegistryView]::Registry64
    if ($View -eq '32') { $registryView = [Microsoft.Win32.RegistryView]::Registry32 }
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, $registryView)
    $base.OpenSubKey($SubKey)
}

function Get-CortexRegistryValue {
    # A value of an HKLM key in one view, or $null when the key or the value is absent.
    # REG_DWORD arrives as Int32 (0xFFFFFFFF is -1), REG_MULTI_SZ as string[].
    param([Parameter(Mandatory = $true)][string]$SubKey, [Parameter(Mandatory = $true)][string]$Name, [ValidateSet('64', '32')][string]$View = '64')
    $key = Open-CortexRegistryKey -SubKey $SubKey -View $View
    if ($null -eq $key) { return $null }
    try { $key.GetValue($Name, $null) } finally { $key.Close() }
}

function Get-CortexRegistryValueName {
    # The value names of an HKLM key in one view (an empty array for a key without values), or $null when the key is absent.
    param([Parameter(Mandatory = $true)][string]$SubKey, [ValidateSet('64', '32')][string]$View = '64')
    $key = Open-CortexRegistryKey -SubKey $SubKey -View $View
    if ($null -eq $key) { return $null }
    try { , [string[]]$key.GetValueNames() } finally { $key.Close() }
}

function Test-CortexRegistryKey {
    # Whether an HKLM key exists in one view.
    param([Parameter(Mandatory = $true)][string]$SubKey, [ValidateSet('64', '32')][string]$View = '64')
    $key = Open-CortexRegistryKey -SubKey $SubKey -View $View
    if ($null -eq $key) { return $false }
    $key.Close()
    $true
}

function Get-CortexRegistryValueBothViews {
    # The 64-bit view's value, else the 32-bit view's (WOW6432Node), else $null: 32-bit installers register there.
    param([Parameter(Mandatory = $true)][string]$SubKey, [Parameter(Mandatory = $true)][string]$Name)
    $value = Get-CortexRegistryValue -SubKey $SubKey -Name $Name -View '64'
    if ($null -eq $value) { $value = Get-CortexRegistryValue -SubKey $SubKey -Name $Name -View '32' }
    $value
}

function Get-CortexPowerShellVersion {
    # The running engine's version as text ($PSVersionTable cannot be replaced in a test).
    $PSVersionTable.PSVersion.ToString()
}

function Test-Cortex64BitOperatingSystem {
    # Whether Windows itself is 64-bit (also true in a 32-bit shell on a 64-bit OS).
    [Environment]::Is64BitOperatingSystem
}
