# The lab's Windows shim: the Windows commands the project's scripts use, answered from a "Windows view"
# of a simulated machine (JSON, built by src/lab/shim/windows-view.ts; format: src/lab/shim/view-schema.ts).
# Imported into a pwsh 7 runspace after ps1/lib/*.ps1, so its functions replace both the seams of
# ps1/lib/windows.ps1 and the cmdlets of the same names (functions come before cmdlets in PowerShell's
# command lookup). Write commands change the view; Export-CortexShimView hands it back (docs/lab.md).
#
# Grow it with the scripts: a new cmdlet or seam a script calls gets a function here that reads (or
# changes) the view, and windows-view.ts says where Windows keeps that fact. Anything a function does not
# model fails with "not emulated by the lab", never with a made-up success.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:View = $null
# Whether Connect-ServiceFabricCluster succeeded in this script (the ServiceFabric module's session state).
$script:FabricConnected = $false
$script:Registry = $null
$script:KeySet = $null
$script:KeyPrototype = $null
$script:SavedEnv = $null
# HKCU keys share the registry table under this prefix (HKLM keys have none); the view keeps them apart.
$script:UserHivePrefix = 'HKEY_CURRENT_USER\'
# Native programs the shim models, by file name (Invoke-CortexNative): name -> scriptblock(ArgumentList) -> {exitCode, output, errorOutput}.
$script:NativePrograms = @{}
# The lib's real Save-CortexPinnedDownload (ps1/lib/windows.ps1), taken before this module replaces it:
# the shim's download makes that same real HTTPS request (to a pull server on loopback) and keeps what
# arrived the way the view keeps files.
$script:RealPinnedDownload = $null
$libDownload = Get-Command -Name Save-CortexPinnedDownload -CommandType Function -ErrorAction Ignore
if ($null -ne $libDownload) { $script:RealPinnedDownload = $libDownload.ScriptBlock }
Remove-Variable -Name libDownload

function Set-CortexShimView {
    # Loads a view (JSON text) and puts its environment into the process (remembering what it replaced).
    param([Parameter(Mandatory = $true)][string]$Json)
    $script:View = ConvertFrom-Json -InputObject $Json -DateKind String
    Reset-CortexShimFabricSession
    $script:Registry = @{}
    foreach ($p in $script:View.registry.PSObject.Properties) {
        $values = [ordered]@{}
        foreach ($v in $p.Value.PSObject.Properties) { $values[$v.Name] = $v.Value }
        $script:Registry[$p.Name.ToLowerInvariant()] = [pscustomobject]@{ Path = $p.Name; Values = $values }
    }
    foreach ($p in $script:View.currentUserRegistry.PSObject.Properties) {
        $values = [ordered]@{}
        foreach ($v in $p.Value.PSObject.Properties) { $values[$v.Name] = $v.Value }
        $path = $script:UserHivePrefix + $p.Name
        $script:Registry[$path.ToLowerInvariant()] = [pscustomobject]@{ Path = $path; Values = $values }
    }
    Update-CortexShimKeySet
    $script:SavedEnv = @{}
    foreach ($e in $script:View.env.PSObject.Properties) {
        $script:SavedEnv[$e.Name] = [Environment]::GetEnvironmentVariable($e.Name)
        [Environment]::SetEnvironmentVariable($e.Name, [string]$e.Value)
    }
}

function Clear-CortexShimView {
    # Puts the process environment back as it was before Set-CortexShimView.
    if ($null -ne $script:SavedEnv) {
        foreach ($name in $script:SavedEnv.Keys) { [Environment]::SetEnvironmentVariable($name, $script:SavedEnv[$name]) }
    }
    $script:SavedEnv = $null
    $script:View = $null
    $script:Registry = $null
    $script:FabricConnected = $false
}

function Export-CortexShimView {
    # The view as JSON, with every change the write commands made.
    $registry = [ordered]@{}
    $userRegistry = [ordered]@{}
    foreach ($k in ($script:Registry.Keys | Sort-Object)) {
        $entry = $script:Registry[$k]
        if ($entry.Path.StartsWith($script:UserHivePrefix, [StringComparison]::OrdinalIgnoreCase)) { $userRegistry[$entry.Path.Substring($script:UserHivePrefix.Length)] = $entry.Values }
        else { $registry[$entry.Path] = $entry.Values }
    }
    $script:View.registry = [pscustomobject]$registry
    $script:View.currentUserRegistry = [pscustomobject]$userRegistry
    ConvertTo-Json -InputObject $script:View -Depth 20 -Compress
}

function Get-CortexShimViewObject {
    $script:View
}

function New-CortexNotEmulatedError {
    # An error for what the shim does not model: the lab never answers it with a made-up success.
    param([Parameter(Mandatory = $true)][string]$What)
    $ex = New-Object System.NotSupportedException ('{0}: not emulated by the lab (see docs/lab.md, "The Windows shim")' -f $What)
    New-Object System.Management.Automation.ErrorRecord ($ex, 'CortexLabNotEmulated', [System.Management.Automation.ErrorCategory]::NotImplemented, $What)
}

function Assert-CortexShimView {
    if ($null -eq $script:View) { throw 'The Windows shim has no view loaded (Set-CortexShimView).' }
}

# ---------------------------------------------------------------------------------------------------
# Registry: HKLM only, both views. The 32-bit view of SOFTWARE is SOFTWARE\WOW6432Node on 64-bit Windows.

function ConvertTo-CortexShimKeyPath {
    param([Parameter(Mandatory = $true)][string]$SubKey, [string]$View = '64')
    $path = $SubKey.Trim('\')
    $path = $path -replace '\\{2,}', '\'
    if ($View -eq '32' -and $script:View.is64BitOperatingSystem -and $path -match '^SOFTWARE(\\|$)' -and $path -notmatch '^SOFTWARE\\WOW6432Node(\\|$)') {
        $path = 'SOFTWARE\WOW6432Node' + $path.Substring(8)
    }
    $path
}

function Update-CortexShimKeySet {
    # Every existing key, listed or implied by a key below it (lower-case), for constant-time lookups.
    $set = @{}
    foreach ($k in $script:Registry.Keys) {
        $parts = $k.Split('\')
        for ($i = 1; $i -le $parts.Length; $i++) { $set[($parts[0..($i - 1)] -join '\')] = $true }
    }
    $script:KeySet = $set
}

function Test-CortexShimKey {
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string]$Path)
    $lower = $Path.ToLowerInvariant()
    ($lower -eq '') -or $script:KeySet.ContainsKey($lower)
}

function ConvertFrom-CortexShimRegistryValue {
    # A stored value as .NET's RegistryKey.GetValue returns it.
    param([Parameter(Mandatory = $true)]$Value)
    switch ([string]$Value.kind) {
        'String' { return [string]$Value.data }
        'ExpandString' { return [Environment]::ExpandEnvironmentVariables([string]$Value.data) }
        'MultiString' { return , [string[]]@($Value.data) }
        'DWord' {
            $n = [long]$Value.data
            if ($n -gt 2147483647) { $n -= 4294967296 }
            return [int]$n
        }
        'QWord' { return [long]$Value.data }
        'Binary' { return , [byte[]]@($Value.data) }
        default { throw ('unknown registry value kind {0}' -f $Value.kind) }
    }
}

function Get-CortexShimKeyEntry {
    param([Parameter(Mandatory = $true)][string]$Path)
    $lower = $Path.ToLowerInvariant()
    if (-not $script:Registry.ContainsKey($lower)) { return $null }
    $script:Registry[$lower]
}

function New-CortexShimKey {
    param([Parameter(Mandatory = $true)][string]$Path)
    $entry = Get-CortexShimKeyEntry -Path $Path
    if ($null -eq $entry) {
        $entry = [pscustomobject]@{ Path = $Path; Values = [ordered]@{} }
        $script:Registry[$Path.ToLowerInvariant()] = $entry
        Update-CortexShimKeySet
    }
    $entry
}

function Set-CortexShimRegistryValue {
    # Writes a value the way Windows stores it (kind names of Microsoft.Win32.RegistryValueKind).
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][string]$Name, $Value, [string]$Kind = '')
    if (-not $Kind) {
        if ($Value -is [int] -or $Value -is [int16] -or $Value -is [byte] -or $Value -is [uint32]) { $Kind = 'DWord' }
        elseif ($Value -is [long]) { $Kind = 'QWord' }
        elseif ($Value -is [array]) { $Kind = 'MultiString' }
        else { $Kind = 'String' }
    }
    $data = switch ($Kind) {
        'DWord' {
            $n = [long]$Value
            if ($n -lt 0) { $n += 4294967296 }
            $n
        }
        'QWord' { [long]$Value }
        'MultiString' { , [string[]]@($Value) }
        'Binary' { , [int[]]@($Value) }
        'String' { [string]$Value }
        'ExpandString' { [string]$Value }
        default { throw (New-CortexNotEmulatedError -What ('registry value kind {0}' -f $Kind)) }
    }
    $entry = New-CortexShimKey -Path $Path
    # Replace a value of the same name whatever its case, keeping the stored name.
    $existing = @($entry.Values.Keys | Where-Object { $_ -eq $Name })
    if ($existing.Count -gt 0) { $Name = $existing[0] }
    $entry.Values[$Name] = [pscustomobject]@{ kind = $Kind; data = $data }
}

function Get-CortexShimValue {
    # A value of a key as RegistryKey.GetValue returns it, or $Default when the key or value is absent.
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Name, $Default = $null)
    $entry = Get-CortexShimKeyEntry -Path $Path
    if ($null -eq $entry) { return $Default }
    foreach ($n in $entry.Values.Keys) { if ($n -eq $Name) { return (ConvertFrom-CortexShimRegistryValue -Value $entry.Values[$n]) } }
    $Default
}

function Get-CortexShimValueName {
    param([Parameter(Mandatory = $true)][string]$Path)
    $entry = Get-CortexShimKeyEntry -Path $Path
    if ($null -eq $entry) { return , [string[]]@() }
    , [string[]]@($entry.Values.Keys)
}

function New-CortexShimRegistryKeyObject {
    # What Open-CortexRegistryKey returns: the RegistryKey methods scripts call (GetValue, GetValueNames,
    # GetSubKeyNames, OpenSubKey, Close), over the view.
    param([Parameter(Mandatory = $true)][string]$Path)
    if ($null -eq $script:KeyPrototype) { $script:KeyPrototype = New-CortexShimKeyPrototype }
    $key = $script:KeyPrototype.PSObject.Copy()
    $key.Name = 'HKEY_LOCAL_MACHINE\' + $Path
    $key.CortexPath = $Path
    $key
}

function New-CortexShimKeyPrototype {
    # Built once: Add-Member is slow, copying an object with its script methods is not.
    $key = [pscustomobject]@{ Name = ''; CortexPath = '' }
    $key | Add-Member -MemberType ScriptMethod -Name GetValue -Value {
        param([string]$Name, $DefaultValue = $null)
        Get-CortexShimValue -Path $this.CortexPath -Name $Name -Default $DefaultValue
    }
    $key | Add-Member -MemberType ScriptMethod -Name GetValueNames -Value { Get-CortexShimValueName -Path $this.CortexPath }
    $key | Add-Member -MemberType ScriptMethod -Name GetSubKeyNames -Value {
        $prefix = $this.CortexPath.ToLowerInvariant() + '\'
        $names = New-Object System.Collections.Generic.List[string]
        foreach ($k in $script:Registry.Keys) {
            if ($k.StartsWith($prefix)) {
                $child = $script:Registry[$k].Path.Substring($prefix.Length).Split('\')[0]
                if (-not ($names | Where-Object { $_ -eq $child })) { $names.Add($child) }
            }
        }
        , $names.ToArray()
    }
    $key | Add-Member -MemberType ScriptMethod -Name OpenSubKey -Value {
        param([string]$Name)
        $path = $this.CortexPath + '\' + $Name.Trim('\')
        if (-not (Test-CortexShimKey -Path $path)) { return $null }
        New-CortexShimRegistryKeyObject -Path $path
    }
    $key | Add-Member -MemberType ScriptMethod -Name Close -Value { }
    $key | Add-Member -MemberType ScriptMethod -Name Dispose -Value { }
    $key
}

# The seams of ps1/lib/windows.ps1.

function Open-CortexRegistryKey {
    param([Parameter(Mandatory = $true)][string]$SubKey, [ValidateSet('64', '32')][string]$View = '64')
    Assert-CortexShimView
    $path = ConvertTo-CortexShimKeyPath -SubKey $SubKey -View $View
    if (-not (Test-CortexShimKey -Path $path)) { return $null }
    New-CortexShimRegistryKeyObject -Path $path
}

function Get-CortexRegistryValue {
    param([Parameter(Mandatory = $true)][string]$SubKey, [Parameter(Mandatory = $true)][string]$Name, [ValidateSet('64', '32')][string]$View = '64')
    Assert-CortexShimView
    Get-CortexShimValue -Path (ConvertTo-CortexShimKeyPath -SubKey $SubKey -View $View) -Name $Name
}

function Get-CortexRegistryValueName {
    param([Parameter(Mandatory = $true)][string]$SubKey, [ValidateSet('64', '32')][string]$View = '64')
    Assert-CortexShimView
    $path = ConvertTo-CortexShimKeyPath -SubKey $SubKey -View $View
    if (-not (Test-CortexShimKey -Path $path)) { return $null }
    , (Get-CortexShimValueName -Path $path)
}

function Test-CortexRegistryKey {
    param([Parameter(Mandatory = $true)][string]$SubKey, [ValidateSet('64', '32')][string]$View = '64')
    Assert-CortexShimView
    Test-CortexShimKey -Path (ConvertTo-CortexShimKeyPath -SubKey $SubKey -View $View)
}

function Get-CortexRegistryValueBothViews {
    param([Parameter(Mandatory = $true)][string]$SubKey, [Parameter(Mandatory = $true)][string]$Name)
    $value = Get-CortexRegistryValue -SubKey $SubKey -Name $Name -View '64'
    if ($null -eq $value) { $value = Get-CortexRegistryValue -SubKey $SubKey -Name $Name -View '32' }
    $value
}

function Get-CortexPowerShellVersion {
    Assert-CortexShimView
    [string]$script:View.powerShellVersion
}

function Test-Cortex64BitOperatingSystem {
    Assert-CortexShimView
    [bool]$script:View.is64BitOperatingSystem
}

function Get-CortexHostName {
    Assert-CortexShimView
    [string]$script:View.hostName
}

function Resolve-CortexHostAddress {
    # The IPv4 addresses of a name, as the host's resolver answers: an IPv4 literal is itself; an
    # unknown name throws the resolver's message.
    param([Parameter(Mandatory = $true)][string]$Name)
    Assert-CortexShimView
    $ip = $null
    if ([System.Net.IPAddress]::TryParse($Name, [ref]$ip) -and $ip.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetwork) { return , [string[]]@($ip.ToString()) }
    foreach ($p in $script:View.network.dns.PSObject.Properties) {
        if ($p.Name -eq $Name) { return , [string[]]@($p.Value) }
    }
    throw (New-Object System.InvalidOperationException 'No such host is known')
}

function Test-CortexTcpConnection {
    # One outcome per endpoint, in order: Connected (an open port), ConnectionRefused (the host answers,
    # nothing listens), NoAnswer (unknown or down host, or a port its firewall drops).
    param([Parameter(Mandatory = $true)][AllowEmptyCollection()][object[]]$Endpoint, [Parameter(Mandatory = $true)][int]$TimeoutMs)
    Assert-CortexShimView
    $outcomes = New-Object System.Collections.Generic.List[object]
    foreach ($e in $Endpoint) {
        $address = [string]$e.address
        $port = [int]$e.port
        $hostEntry = $script:View.network.hosts.PSObject.Properties | Where-Object { $_.Name -eq $address } | Select-Object -First 1
        $outcome = 'NoAnswer'
        if ($null -ne $hostEntry -and $hostEntry.Value.up -and @($hostEntry.Value.blockedPorts) -notcontains $port) {
            if (@($hostEntry.Value.openPorts) -contains $port) { $outcome = 'Connected' } else { $outcome = 'ConnectionRefused' }
        }
        $outcomes.Add([pscustomobject]@{ address = $address; port = $port; outcome = $outcome })
    }
    , $outcomes.ToArray()
}

function Save-CortexPinnedDownload {
    # A download from apply's pull server, made for real by the lib's own function into a temporary file
    # here, then kept as a file of the view (its SHA-256 and length) at OutFile, whose folder must exist.
    param([Parameter(Mandatory = $true)][string]$Url, [Parameter(Mandatory = $true)][string]$Token, [Parameter(Mandatory = $true)][string]$Thumbprint, [Parameter(Mandatory = $true)][string]$OutFile, [int]$TimeoutMs = 1800000)
    Assert-CortexShimView
    if ($null -eq $script:RealPinnedDownload) { throw (New-CortexNotEmulatedError -What 'Save-CortexPinnedDownload without ps1/lib/windows.ps1 loaded') }
    $target = ConvertTo-CortexShimPath -Path $OutFile
    Assert-CortexShimParentFolder -Path $target
    $tmp = [System.IO.Path]::GetTempFileName()
    try {
        $null = & $script:RealPinnedDownload -Url $Url -Token $Token -Thumbprint $Thumbprint -OutFile $tmp -TimeoutMs $TimeoutMs
        $bytes = [System.IO.File]::ReadAllBytes($tmp)
        Set-CortexShimFile -Path $target -Bytes $bytes
        $bytes.Length
    } finally {
        [System.IO.File]::Delete($tmp)
    }
}

# ---------------------------------------------------------------------------------------------------
# CIM.

function Test-CortexShimFilter {
    # The WQL filters scripts use: Prop='text', Prop=TRUE|FALSE|number, joined by AND.
    param([Parameter(Mandatory = $true)]$Instance, [string]$Filter)
    if (-not $Filter) { return $true }
    foreach ($clause in ($Filter -split '\s+AND\s+')) {
        if ($clause -notmatch "^\s*(\w+)\s*=\s*(?:'([^']*)'|""([^""]*)""|(\w+))\s*$") { throw (New-CortexNotEmulatedError -What ('the WQL filter "{0}"' -f $Filter)) }
        $prop = $Matches[1]
        $want = $Matches[2]
        if ($null -eq $want) { $want = $Matches[3] }
        if ($null -eq $want) { $want = $Matches[4] }
        $p = $Instance.PSObject.Properties[$prop]
        if ($null -eq $p) { throw ('Invalid query "{0}"' -f $Filter) }
        $have = $p.Value
        if ($have -is [bool]) { if ($have -ne ($want -eq 'TRUE')) { return $false } }
        elseif ([string]$have -ne $want) { return $false }
    }
    $true
}

function Get-CimInstance {
    [CmdletBinding()]
    param([Parameter(Position = 0)][Alias('Class')][string]$ClassName, [string]$Filter, [string]$Namespace = 'root/cimv2', [string[]]$Property, [string]$Query, [string]$ComputerName)
    Assert-CortexShimView
    if ($Query) { throw (New-CortexNotEmulatedError -What 'Get-CimInstance -Query') }
    if ($ComputerName) { throw (New-CortexNotEmulatedError -What 'Get-CimInstance -ComputerName') }
    if ($Namespace -notmatch '^root[/\\]cimv2$') { throw (New-CortexNotEmulatedError -What ('CIM namespace {0}' -f $Namespace)) }
    $class = $script:View.cim.PSObject.Properties | Where-Object { $_.Name -eq $ClassName } | Select-Object -First 1
    if ($null -eq $class) { throw (New-CortexNotEmulatedError -What ('CIM class {0}' -f $ClassName)) }
    foreach ($i in @($class.Value)) {
        if (Test-CortexShimFilter -Instance $i -Filter $Filter) { $i.PSObject.Copy() }
    }
}

function Get-WmiObject {
    [CmdletBinding()]
    param([Parameter(Position = 0)][Alias('ClassName')][string]$Class, [string]$Filter, [string]$Namespace = 'root/cimv2')
    Get-CimInstance -ClassName $Class -Filter $Filter -Namespace $Namespace
}

# ---------------------------------------------------------------------------------------------------
# Network, processes, services.

function Get-NetIPAddress {
    [CmdletBinding()]
    param([ValidateSet('IPv4', 'IPv6')][string]$AddressFamily, [string[]]$IPAddress, [string[]]$InterfaceAlias)
    Assert-CortexShimView
    $found = $false
    foreach ($a in @($script:View.netIPAddresses)) {
        if ($AddressFamily -and $a.AddressFamily -ne $AddressFamily) { continue }
        if ($IPAddress -and $IPAddress -notcontains $a.IPAddress) { continue }
        if ($InterfaceAlias -and -not ($InterfaceAlias | Where-Object { $a.InterfaceAlias -like $_ })) { continue }
        $found = $true
        $a.PSObject.Copy()
    }
    if (-not $found) { Write-Error -Message 'No matching MSFT_NetIPAddress objects found by CIM query for instances of the ROOT/StandardCimv2/MSFT_NetIPAddress class on the  CIM server' -Category ObjectNotFound }
}

function Get-NetTCPConnection {
    [CmdletBinding()]
    param([string[]]$State, [uint16[]]$LocalPort, [string[]]$LocalAddress, [uint32[]]$OwningProcess, [uint16[]]$RemotePort)
    Assert-CortexShimView
    # The TCP table's order: local address, then local port.
    $rows = @($script:View.tcpConnections) | Sort-Object -Property LocalAddress, LocalPort
    $found = $false
    foreach ($c in $rows) {
        if ($State -and $State -notcontains $c.State) { continue }
        if ($LocalPort -and $LocalPort -notcontains $c.LocalPort) { continue }
        if ($LocalAddress -and $LocalAddress -notcontains $c.LocalAddress) { continue }
        if ($OwningProcess -and $OwningProcess -notcontains $c.OwningProcess) { continue }
        if ($RemotePort -and $RemotePort -notcontains $c.RemotePort) { continue }
        $found = $true
        $c.PSObject.Copy()
    }
    if (-not $found) { Write-Error -Message 'No matching MSFT_NetTCPConnection objects found by CIM query for instances of the ROOT/StandardCimv2/MSFT_NetTCPConnection class on the  CIM server' -Category ObjectNotFound }
}

function Get-Process {
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    param([Parameter(ParameterSetName = 'Id', Mandatory = $true)][int[]]$Id, [Parameter(ParameterSetName = 'Name', Position = 0)][string[]]$Name)
    Assert-CortexShimView
    $all = @($script:View.processes)
    if ($PSCmdlet.ParameterSetName -eq 'Id') {
        foreach ($i in $Id) {
            $p = $all | Where-Object { $_.Id -eq $i } | Select-Object -First 1
            if ($null -eq $p) { Write-Error -Message ('Cannot find a process with the process identifier {0}.' -f $i) -Category ObjectNotFound -ErrorId 'NoProcessFoundForGivenId,Microsoft.PowerShell.Commands.GetProcessCommand' }
            else { $p.PSObject.Copy() }
        }
        return
    }
    if (-not $Name) { return ($all | ForEach-Object { $_.PSObject.Copy() }) }
    foreach ($n in $Name) {
        $hits = @($all | Where-Object { $_.ProcessName -like $n })
        if ($hits.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n)) {
            Write-Error -Message ('Cannot find a process with the name "{0}". Verify the process name and call the cmdlet again.' -f $n) -Category ObjectNotFound -ErrorId 'NoProcessFoundForGivenName,Microsoft.PowerShell.Commands.GetProcessCommand'
        }
        $hits | ForEach-Object { $_.PSObject.Copy() }
    }
}

function Get-CortexShimService {
    param([Parameter(Mandatory = $true)][string]$Name)
    @($script:View.services) | Where-Object { $_.Name -eq $Name } | Select-Object -First 1
}

function Get-Service {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string[]]$Name)
    Assert-CortexShimView
    # Status first, as Get-Service's table shows it.
    $all = @($script:View.services | ForEach-Object { [pscustomobject]@{ Status = $_.Status; Name = $_.Name; DisplayName = $_.DisplayName; StartType = $_.StartType } })
    if (-not $Name) { return $all }
    foreach ($n in $Name) {
        $hits = @($all | Where-Object { $_.Name -like $n })
        if ($hits.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n)) {
            Write-Error -Message ("Cannot find any service with service name '{0}'." -f $n) -Category ObjectNotFound -ErrorId 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand'
        }
        $hits
    }
}

function Set-CortexShimServiceState {
    # One service fact lives in three places on Windows, and so in the view: the service list, the
    # service's registry key (Start: 2 automatic, 3 manual, 4 disabled) and Win32_Service.
    param([Parameter(Mandatory = $true)][string]$Name, [string]$Status, [string]$StartType)
    $svc = Get-CortexShimService -Name $Name
    if ($null -eq $svc) { throw ("Cannot find any service with service name '{0}'." -f $Name) }
    $cim = @($script:View.cim.Win32_Service) | Where-Object { $_.Name -eq $Name } | Select-Object -First 1
    if ($Status) {
        $svc.Status = $Status
        if ($null -ne $cim) { $cim.State = $Status }
    }
    if ($StartType) {
        $svc.StartType = $StartType
        $start = switch ($StartType) { 'Automatic' { 2 } 'Manual' { 3 } default { 4 } }
        Set-CortexShimRegistryValue -Path ('SYSTEM\CurrentControlSet\Services\' + $svc.Name) -Name 'Start' -Value $start -Kind 'DWord'
        if ($null -ne $cim) { $cim.StartMode = $(if ($StartType -eq 'Automatic') { 'Auto' } else { $StartType }) }
    }
}

function Set-Service {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Name, [ValidateSet('Automatic', 'Manual', 'Disabled')][string]$StartupType, [ValidateSet('Running', 'Stopped', 'Paused')][string]$Status)
    Assert-CortexShimView
    Set-CortexShimServiceState -Name $Name -Status $Status -StartType $StartupType
}

function Get-CortexShimServiceStartOrder {
    # The services a start of Name starts, dependencies first (the SCM starts what a service depends on),
    # or $null when one of them is disabled or not installed: then nothing starts (the lab's simplification).
    param([Parameter(Mandatory = $true)][string]$Name, [System.Collections.Generic.List[string]]$Order)
    if ($null -eq $Order) { $Order = New-Object System.Collections.Generic.List[string] }
    $svc = Get-CortexShimService -Name $Name
    if ($null -eq $svc -or $svc.StartType -eq 'Disabled') { return $null }
    if (@($Order | Where-Object { $_ -eq $svc.Name }).Count -gt 0) { return , $Order }
    foreach ($d in @($svc.ServicesDependedOn)) {
        if ($null -eq (Get-CortexShimServiceStartOrder -Name $d -Order $Order)) { return $null }
    }
    $Order.Add($svc.Name)
    , $Order
}

function Start-Service {
    # A running service is left as it is (even a disabled one); a paused one is not emulated.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string[]]$Name)
    Assert-CortexShimView
    foreach ($n in $Name) {
        $svc = Get-CortexShimService -Name $n
        if ($null -eq $svc) { throw ("Cannot find any service with service name '{0}'." -f $n) }
        if ($svc.Status -eq 'Running') { continue }
        if ($svc.Status -eq 'Paused') { throw (New-CortexNotEmulatedError -What ('Start-Service of the paused service {0}' -f $svc.Name)) }
        $order = Get-CortexShimServiceStartOrder -Name $svc.Name
        if ($null -eq $order) {
            $ex = New-Object System.InvalidOperationException ("Service '{0} ({1})' cannot be started due to the following error: Cannot start service {1} on computer '.'." -f $svc.DisplayName, $svc.Name)
            $PSCmdlet.WriteError((New-Object System.Management.Automation.ErrorRecord ($ex, 'CouldNotStartService,Microsoft.PowerShell.Commands.StartServiceCommand', [System.Management.Automation.ErrorCategory]::OpenError, $svc.Name)))
            continue
        }
        foreach ($o in $order) { if ((Get-CortexShimService -Name $o).Status -ne 'Running') { Set-CortexShimServiceState -Name $o -Status 'Running' } }
    }
}

function Stop-Service {
    # Without -Force, a service that a running (not stopped) service depends on is refused, as Windows does;
    # with -Force, those dependents (and theirs) are stopped first.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string[]]$Name, [switch]$Force)
    Assert-CortexShimView
    foreach ($n in $Name) {
        $svc = Get-CortexShimService -Name $n
        if ($null -eq $svc) { throw ("Cannot find any service with service name '{0}'." -f $n) }
        $dependents = @(@($script:View.services) | Where-Object { $_.Status -ne 'Stopped' -and @($_.ServicesDependedOn | Where-Object { $_ -eq $svc.Name }).Count -gt 0 })
        if ($dependents.Count -gt 0 -and $Force) { Stop-Service -Name @($dependents | ForEach-Object { $_.Name }) -Force }
        elseif ($dependents.Count -gt 0) {
            $ex = New-Object System.InvalidOperationException ("Cannot stop service '{0} ({1})' because it has dependent services. It can only be stopped if the Force flag is set." -f $svc.DisplayName, $svc.Name)
            $PSCmdlet.WriteError((New-Object System.Management.Automation.ErrorRecord ($ex, 'ServiceHasDependentServices,Microsoft.PowerShell.Commands.StopServiceCommand', [System.Management.Automation.ErrorCategory]::InvalidOperation, $svc.Name)))
            continue
        }
        if ($svc.Status -ne 'Stopped') { Set-CortexShimServiceState -Name $svc.Name -Status 'Stopped' }
    }
}

# ---------------------------------------------------------------------------------------------------
# Paths and files: Windows paths (drive letters, either slash, any case) and HKLM: registry paths.

function ConvertTo-CortexShimPath {
    param([Parameter(Mandatory = $true)][string]$Path)
    (($Path -replace '/', '\') -replace '(?<!^)\\{2,}', '\').TrimEnd('\')
}

function Get-CortexShimPathKind {
    # 'registry' (HKLM:\...), 'file' (C:\... or \\server\share\...), or 'other'.
    param([Parameter(Mandatory = $true)][string]$Path)
    if ($Path -match '^(HKLM:|HKEY_LOCAL_MACHINE|Registry::HKEY_LOCAL_MACHINE|Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE)(\\|/|$)') { return 'registry' }
    if ($Path -match '^[A-Za-z]:([\\/]|$)' -or $Path -match '^\\\\') { return 'file' }
    'other'
}

function ConvertTo-CortexShimRegistryPath {
    param([Parameter(Mandatory = $true)][string]$Path)
    ConvertTo-CortexShimKeyPath -SubKey ($Path -replace '^(Microsoft.PowerShell.Core\\)?(Registry::)?(HKLM:|HKEY_LOCAL_MACHINE)', '')
}

function Find-CortexShimFile {
    param([Parameter(Mandatory = $true)][string]$Path)
    $want = (ConvertTo-CortexShimPath -Path $Path).ToLowerInvariant()
    foreach ($p in $script:View.files.PSObject.Properties) {
        if ((ConvertTo-CortexShimPath -Path $p.Name).ToLowerInvariant() -eq $want) { return $p }
    }
    $null
}

function Test-CortexShimDirectory {
    param([Parameter(Mandatory = $true)][string]$Path)
    $want = (ConvertTo-CortexShimPath -Path $Path).ToLowerInvariant()
    if ($want -match '^[a-z]:$') { return $null -ne (@($script:View.cim.Win32_LogicalDisk) | Where-Object { $_.DeviceID -eq $want.ToUpperInvariant() }) }
    foreach ($d in @($script:View.directories)) {
        $dl = (ConvertTo-CortexShimPath -Path $d).ToLowerInvariant()
        if ($dl -eq $want -or $dl.StartsWith($want + '\')) { return $true }
    }
    foreach ($p in $script:View.files.PSObject.Properties) {
        if ((ConvertTo-CortexShimPath -Path $p.Name).ToLowerInvariant().StartsWith($want + '\')) { return $true }
    }
    $false
}

function Resolve-CortexShimPathArgument {
    param($Path, $LiteralPath)
    $p = $LiteralPath
    if (-not $p) { $p = $Path }
    if (-not $p) { throw 'Cannot bind argument to parameter ''Path'' because it is null.' }
    if ((Get-CortexShimPathKind -Path $p) -eq 'other') { throw (New-CortexNotEmulatedError -What ('the path {0} (not a Windows path)' -f $p)) }
    if ($Path -and -not $LiteralPath -and [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($Path)) { throw (New-CortexNotEmulatedError -What ('wildcards in {0}' -f $Path)) }
    $p
}

function Join-Path {
    # Windows joins with a backslash (pwsh on Linux would use a slash and look the drive up).
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string[]]$Path, [Parameter(Position = 1)][string]$ChildPath, [Parameter(Position = 2, ValueFromRemainingArguments = $true)][string[]]$AdditionalChildPath)
    foreach ($p in $Path) {
        $out = $p
        foreach ($c in @($ChildPath) + @($AdditionalChildPath)) {
            if (-not $c) { continue }
            $out = $out.TrimEnd('\', '/') + '\' + $c.TrimStart('\', '/')
        }
        $out
    }
}

function Split-Path {
    [CmdletBinding(DefaultParameterSetName = 'Parent')]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Path, [Parameter(ParameterSetName = 'Parent')][switch]$Parent, [Parameter(ParameterSetName = 'Leaf')][switch]$Leaf)
    $p = ConvertTo-CortexShimPath -Path $Path
    $i = $p.LastIndexOf('\')
    if ($Leaf) { if ($i -lt 0) { return $p } else { return $p.Substring($i + 1) } }
    if ($i -lt 0) { return '' }
    if ($i -eq 2 -and $p[1] -eq ':') { return $p.Substring(0, 3) }
    $p.Substring(0, $i)
}

function Test-Path {
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    param([Parameter(ParameterSetName = 'Path', Position = 0)][string]$Path, [Parameter(ParameterSetName = 'LiteralPath')][Alias('PSPath')][string]$LiteralPath, [ValidateSet('Any', 'Container', 'Leaf')][string]$PathType = 'Any')
    Assert-CortexShimView
    $p = $LiteralPath
    if (-not $p) { $p = $Path }
    if ($p -match '^(variable|env|function|alias):') { return (Microsoft.PowerShell.Management\Test-Path @PSBoundParameters) }
    if ($p -match '^(IIS|Cert):') { return ($PathType -ne 'Leaf' -and $null -ne (Get-CortexShimProviderItem -Path $p)) }
    $p = Resolve-CortexShimPathArgument -Path $Path -LiteralPath $LiteralPath
    if ((Get-CortexShimPathKind -Path $p) -eq 'registry') {
        return ($PathType -ne 'Leaf' -and (Test-CortexShimKey -Path (ConvertTo-CortexShimRegistryPath -Path $p)))
    }
    $isFile = $null -ne (Find-CortexShimFile -Path $p)
    $isDir = (-not $isFile) -and (Test-CortexShimDirectory -Path $p)
    switch ($PathType) {
        'Leaf' { return $isFile }
        'Container' { return $isDir }
        default { return ($isFile -or $isDir) }
    }
}

function New-CortexShimFileItem {
    param([Parameter(Mandatory = $true)]$Entry)
    $path = ConvertTo-CortexShimPath -Path $Entry.Name
    [pscustomobject]@{
        PSTypeName    = 'Cortex.Shim.FileInfo'
        FullName      = $path
        Name          = Split-Path -Path $path -Leaf
        DirectoryName = Split-Path -Path $path -Parent
        Length        = [long]$Entry.Value.length
        PSIsContainer = $false
        Exists        = $true
        VersionInfo   = [pscustomobject]@{ FileVersion = $Entry.Value.fileVersion; FileName = $path }
    }
}

function Get-Item {
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    param([Parameter(ParameterSetName = 'Path', Position = 0)][string]$Path, [Parameter(ParameterSetName = 'LiteralPath')][Alias('PSPath')][string]$LiteralPath)
    Assert-CortexShimView
    $iisOrCert = ("$LiteralPath$Path" -match '^(IIS|Cert):')
    if ($iisOrCert) { $p = "$LiteralPath$Path" } else { $p = Resolve-CortexShimPathArgument -Path $Path -LiteralPath $LiteralPath }
    if ($iisOrCert) {
        $item = Get-CortexShimProviderItem -Path $p
        if ($null -ne $item) { return $item }
    } elseif ((Get-CortexShimPathKind -Path $p) -eq 'registry') {
        $k = ConvertTo-CortexShimRegistryPath -Path $p
        if (Test-CortexShimKey -Path $k) { return (New-CortexShimRegistryKeyObject -Path $k) }
    } else {
        $f = Find-CortexShimFile -Path $p
        if ($null -ne $f) { return (New-CortexShimFileItem -Entry $f) }
        if (Test-CortexShimDirectory -Path $p) {
            $d = ConvertTo-CortexShimPath -Path $p
            return [pscustomobject]@{ PSTypeName = 'Cortex.Shim.DirectoryInfo'; FullName = $d; Name = Split-Path -Path $d -Leaf; PSIsContainer = $true; Exists = $true }
        }
    }
    $ex = New-Object System.Management.Automation.ItemNotFoundException ("Cannot find path '{0}' because it does not exist." -f $p)
    $PSCmdlet.WriteError((New-Object System.Management.Automation.ErrorRecord ($ex, 'PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $p)))
}

function Get-FileHash {
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    param([Parameter(ParameterSetName = 'Path', Position = 0)][string]$Path, [Parameter(ParameterSetName = 'LiteralPath')][Alias('PSPath')][string]$LiteralPath, [string]$Algorithm = 'SHA256')
    Assert-CortexShimView
    $p = Resolve-CortexShimPathArgument -Path $Path -LiteralPath $LiteralPath
    if ($Algorithm -ne 'SHA256') { throw (New-CortexNotEmulatedError -What ('Get-FileHash -Algorithm {0} (the lab keeps SHA-256 only)' -f $Algorithm)) }
    $f = Find-CortexShimFile -Path $p
    if ($null -eq $f) {
        $ex = New-Object System.Management.Automation.ItemNotFoundException ("Cannot find path '{0}' because it does not exist." -f $p)
        $PSCmdlet.WriteError((New-Object System.Management.Automation.ErrorRecord ($ex, 'FileNotFound,Microsoft.PowerShell.Commands.GetFileHashCommand', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $p)))
        return
    }
    [pscustomobject]@{ Algorithm = 'SHA256'; Hash = ([string]$f.Value.sha256).ToUpperInvariant(); Path = ConvertTo-CortexShimPath -Path $f.Name }
}

function Set-CortexShimFile {
    # Records a file's content the way the lab keeps files: its length and SHA-256, not its bytes.
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][AllowEmptyCollection()][byte[]]$Bytes)
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try { $hex = -join ($sha.ComputeHash($Bytes) | ForEach-Object { $_.ToString('x2') }) } finally { $sha.Dispose() }
    $existing = Find-CortexShimFile -Path $Path
    $name = ConvertTo-CortexShimPath -Path $Path
    if ($null -ne $existing) { $name = $existing.Name }
    $script:View.files | Add-Member -MemberType NoteProperty -Name $name -Value ([pscustomobject]@{ length = $Bytes.Length; sha256 = $hex; fileVersion = $null }) -Force
}

function Write-CortexFileBytes {
    # lib.windows' seam: the file's length and SHA-256, as the lab keeps files; its folder must exist.
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][AllowEmptyCollection()][byte[]]$Bytes)
    Assert-CortexShimView
    $p = Resolve-CortexShimPathArgument -LiteralPath $Path
    if ((Get-CortexShimPathKind -Path $p) -ne 'file') { throw (New-CortexNotEmulatedError -What ('Write-CortexFileBytes on {0}' -f $p)) }
    Assert-CortexShimDrive -Path $p
    Assert-CortexShimParentFolder -Path $p
    Set-CortexShimFile -Path $p -Bytes $Bytes
}

function Assert-CortexShimParentFolder {
    param([Parameter(Mandatory = $true)][string]$Path)
    $parent = Split-Path -Path $Path -Parent
    if ($parent -and -not (Test-CortexShimDirectory -Path $parent)) {
        throw (New-Object System.IO.DirectoryNotFoundException ("Could not find a part of the path '{0}'." -f (ConvertTo-CortexShimPath -Path $Path)))
    }
}

function ConvertTo-CortexShimBytes {
    # What Set-Content writes for -Value text: 5.1's default encoding is the ANSI code page; we write UTF-8
    # (the lab has no code pages) and document it. Each item ends with CRLF unless -NoNewline.
    param($Value, [switch]$NoNewline, [string]$Encoding = 'UTF8')
    $text = (@($Value) | ForEach-Object { [string]$_ }) -join "`r`n"
    if (-not $NoNewline) { $text += "`r`n" }
    $enc = New-Object System.Text.UTF8Encoding ($Encoding -eq 'UTF8')
    if ($Encoding -eq 'ASCII') { $enc = [System.Text.Encoding]::ASCII }
    if ($Encoding -eq 'Unicode') { $enc = [System.Text.Encoding]::Unicode }
    , [byte[]]($enc.GetPreamble() + $enc.GetBytes($text))
}

function Set-Content {
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    param([Parameter(ParameterSetName = 'Path', Position = 0)][string]$Path, [Parameter(ParameterSetName = 'LiteralPath')][string]$LiteralPath, [Parameter(Position = 1)]$Value, [switch]$NoNewline, [string]$Encoding = 'UTF8NoBOM', [switch]$Force)
    Assert-CortexShimView
    $p = Resolve-CortexShimPathArgument -Path $Path -LiteralPath $LiteralPath
    if ((Get-CortexShimPathKind -Path $p) -ne 'file') { throw (New-CortexNotEmulatedError -What ('Set-Content on {0}' -f $p)) }
    Assert-CortexShimParentFolder -Path $p
    $enc = switch ($Encoding) { 'UTF8' { 'UTF8' } 'ASCII' { 'ASCII' } 'Unicode' { 'Unicode' } default { 'UTF8NoBOM' } }
    Set-CortexShimFile -Path $p -Bytes (ConvertTo-CortexShimBytes -Value $Value -NoNewline:$NoNewline -Encoding $enc)
}

function Get-Content {
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    param([Parameter(ParameterSetName = 'Path', Position = 0)][string]$Path, [Parameter(ParameterSetName = 'LiteralPath')][string]$LiteralPath, [switch]$Raw)
    $p = Resolve-CortexShimPathArgument -Path $Path -LiteralPath $LiteralPath
    # lab-res-b: a file whose text the lab can tell (an archive marker: a known zip's SHA-256).
    $f = Find-CortexShimFile -Path $p
    if ($null -ne $f -and $script:ShimWrittenLines.ContainsKey(([string]$f.Value.sha256).ToLowerInvariant())) { return $script:ShimWrittenLines[([string]$f.Value.sha256).ToLowerInvariant()] }
    if ($null -ne $f) {
        $text = Get-CortexShimKnownText -Sha256 ([string]$f.Value.sha256)
        if ($null -ne $text) { return $text }
    }
    throw (New-CortexNotEmulatedError -What ('Get-Content {0} (the lab keeps a file''s length and SHA-256, not its bytes)' -f $p))
}

function New-Item {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Path, [string]$Name, [string]$ItemType = 'File', $Value, [switch]$Force)
    Assert-CortexShimView
    $p = $Path
    if ($Name) { $p = Join-Path -Path $Path -ChildPath $Name }
    $p = Resolve-CortexShimPathArgument -LiteralPath $p
    if ((Get-CortexShimPathKind -Path $p) -eq 'registry') {
        $k = ConvertTo-CortexShimRegistryPath -Path $p
        if ((Test-CortexShimKey -Path $k) -and -not $Force) { throw ('A key at this path already exists.') }
        $null = New-CortexShimKey -Path $k
        if ($null -ne $Value) { Set-CortexShimRegistryValue -Path $k -Name '(default)' -Value ([string]$Value) -Kind 'String' }
        return (New-CortexShimRegistryKeyObject -Path $k)
    }
    $norm = ConvertTo-CortexShimPath -Path $p
    Assert-CortexShimDrive -Path $norm
    if ($ItemType -eq 'Directory') {
        if ($null -ne (Find-CortexShimFile -Path $norm)) { throw ("An item with the specified name {0} already exists." -f $norm) }
        if (Test-CortexShimDirectory -Path $norm) {
            if (-not $Force) { throw ("An item with the specified name {0} already exists." -f $norm) }
            return (Get-Item -LiteralPath $norm)
        }
        if ($norm -notmatch '^[A-Za-z]:\\') { throw (New-CortexNotEmulatedError -What ('New-Item -ItemType Directory {0} (folders on drives only)' -f $norm)) }
        $ancestor = Split-Path -Path $norm -Parent
        while ($ancestor -and $ancestor -notmatch '^[A-Za-z]:\\?$') {
            if ($null -ne (Find-CortexShimFile -Path $ancestor)) { throw (New-CortexNotEmulatedError -What ('a folder below the file {0}' -f $ancestor)) }
            $ancestor = Split-Path -Path $ancestor -Parent
        }
        $script:View.directories = @(@($script:View.directories) + $norm)
        return (Get-Item -LiteralPath $norm)
    }
    if ($ItemType -ne 'File') { throw (New-CortexNotEmulatedError -What ('New-Item -ItemType {0}' -f $ItemType)) }
    if ($null -ne (Find-CortexShimFile -Path $norm) -and -not $Force) { throw ("The file '{0}' already exists." -f $norm) }
    if ($Force) { $script:View.directories = @(@($script:View.directories) + (Split-Path -Path $norm -Parent)) } else { Assert-CortexShimParentFolder -Path $norm }
    $bytes = [byte[]]@()
    if ($null -ne $Value) { $bytes = ConvertTo-CortexShimBytes -Value $Value -NoNewline -Encoding 'UTF8NoBOM' }
    Set-CortexShimFile -Path $norm -Bytes $bytes
    Get-Item -LiteralPath $norm
}

function Remove-Item {
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    param([Parameter(ParameterSetName = 'Path', Position = 0)][string]$Path, [Parameter(ParameterSetName = 'LiteralPath')][string]$LiteralPath, [switch]$Force, [switch]$Recurse)
    Assert-CortexShimView
    # The process environment (env_var's Set updates its own process too) is real, as in Test-Path.
    if (($LiteralPath + $Path) -match '^(env|variable|function|alias):') { return (Microsoft.PowerShell.Management\Remove-Item @PSBoundParameters) }
    $p = Resolve-CortexShimPathArgument -Path $Path -LiteralPath $LiteralPath
    if ((Get-CortexShimPathKind -Path $p) -eq 'registry') {
        $k = (ConvertTo-CortexShimRegistryPath -Path $p).ToLowerInvariant()
        if (-not (Test-CortexShimKey -Path $k)) { throw ("Cannot find path '{0}' because it does not exist." -f $p) }
        foreach ($name in @($script:Registry.Keys)) { if ($name -eq $k -or $name.StartsWith($k + '\')) { $script:Registry.Remove($name) } }
        Update-CortexShimKeySet
        return
    }
    Assert-CortexShimNotSystemPath -Path $p -What 'Remove-Item'
    $f = Find-CortexShimFile -Path $p
    if ($null -ne $f) {
        $script:View.files.PSObject.Properties.Remove($f.Name)
        Add-CortexShimParentFolder -Path $p
        return
    }
    if (-not (Test-CortexShimDirectory -Path $p)) {
        $ex = New-Object System.Management.Automation.ItemNotFoundException ("Cannot find path '{0}' because it does not exist." -f $p)
        $PSCmdlet.WriteError((New-Object System.Management.Automation.ErrorRecord ($ex, 'PathNotFound,Microsoft.PowerShell.Commands.RemoveItemCommand', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $p)))
        return
    }
    $want = (ConvertTo-CortexShimPath -Path $p).ToLowerInvariant()
    $below = { param($x) $l = (ConvertTo-CortexShimPath -Path $x).ToLowerInvariant(); $l -eq $want -or $l.StartsWith($want + '\') }
    $children = @(@($script:View.directories) | Where-Object { (& $below $_) -and (ConvertTo-CortexShimPath -Path $_).ToLowerInvariant() -ne $want }) + @($script:View.files.PSObject.Properties | Where-Object { & $below $_.Name })
    if ($children.Count -gt 0 -and -not $Recurse) { throw (New-CortexNotEmulatedError -What ('Remove-Item of the folder {0} with items in it, without -Recurse (Windows asks)' -f $p)) }
    $script:View.directories = @(@($script:View.directories) | Where-Object { -not (& $below $_) })
    foreach ($name in @($script:View.files.PSObject.Properties | Where-Object { & $below $_.Name } | ForEach-Object { $_.Name })) { $script:View.files.PSObject.Properties.Remove($name) }
    Add-CortexShimParentFolder -Path $p
}

function Get-ItemProperty {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Path, [Parameter(Position = 1)][string[]]$Name)
    Assert-CortexShimView
    if ((Get-CortexShimPathKind -Path $Path) -ne 'registry') { throw (New-CortexNotEmulatedError -What ('Get-ItemProperty on {0}' -f $Path)) }
    $k = ConvertTo-CortexShimRegistryPath -Path $Path
    if (-not (Test-CortexShimKey -Path $k)) {
        $ex = New-Object System.Management.Automation.ItemNotFoundException ("Cannot find path '{0}' because it does not exist." -f $Path)
        $PSCmdlet.WriteError((New-Object System.Management.Automation.ErrorRecord ($ex, 'PathNotFound,Microsoft.PowerShell.Commands.GetItemPropertyCommand', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $Path)))
        return
    }
    $entry = Get-CortexShimKeyEntry -Path $k
    $out = [ordered]@{}
    if ($null -ne $entry) {
        foreach ($n in $entry.Values.Keys) {
            if ($Name -and -not ($Name | Where-Object { $n -like $_ })) { continue }
            $out[$n] = ConvertFrom-CortexShimRegistryValue -Value $entry.Values[$n]
        }
    }
    if ($Name -and $out.Count -eq 0) {
        $ex = New-Object System.Management.Automation.PSArgumentException ('Property {0} does not exist at path HKEY_LOCAL_MACHINE\{1}.' -f ($Name -join ', '), $k)
        $PSCmdlet.WriteError((New-Object System.Management.Automation.ErrorRecord ($ex, 'System.Management.Automation.PSArgumentException,Microsoft.PowerShell.Commands.GetItemPropertyCommand', [System.Management.Automation.ErrorCategory]::InvalidArgument, $Path)))
        return
    }
    $out['PSPath'] = 'Microsoft.PowerShell.Core\Registry::HKEY_LOCAL_MACHINE\' + $k
    [pscustomobject]$out
}

function Get-ItemPropertyValue {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Path, [Parameter(Mandatory = $true, Position = 1)][string[]]$Name)
    $item = Get-ItemProperty -Path $Path -Name $Name
    if ($null -eq $item) { return }
    foreach ($n in $Name) { $item.$n }
}

function Set-ItemProperty {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string]$Path, [string]$LiteralPath, [Parameter(Mandatory = $true, Position = 1)][string]$Name, [Parameter(Position = 2)]$Value, [Alias('PropertyType')][string]$Type = '', [switch]$Force)
    Assert-CortexShimView
    if ($LiteralPath) { $Path = $LiteralPath }
    if ($Path -match '^IIS:') { Set-CortexShimIisProperty -Path $Path -Name $Name -Value $Value; return }
    if ((Get-CortexShimPathKind -Path $Path) -ne 'registry') { throw (New-CortexNotEmulatedError -What ('Set-ItemProperty on {0}' -f $Path)) }
    $k = ConvertTo-CortexShimRegistryPath -Path $Path
    if (-not (Test-CortexShimKey -Path $k)) { throw ("Cannot find path '{0}' because it does not exist." -f $Path) }
    Set-CortexShimRegistryValue -Path $k -Name $Name -Value $Value -Kind $Type
}

function New-ItemProperty {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Path, [Parameter(Mandatory = $true)][string]$Name, $Value, [Alias('Type')][string]$PropertyType = 'String', [switch]$Force)
    Assert-CortexShimView
    $k = ConvertTo-CortexShimRegistryPath -Path $Path
    if (-not (Test-CortexShimKey -Path $k)) { throw ("Cannot find path '{0}' because it does not exist." -f $Path) }
    $entry = Get-CortexShimKeyEntry -Path $k
    if (-not $Force -and $null -ne $entry -and @($entry.Values.Keys | Where-Object { $_ -eq $Name }).Count -gt 0) { throw ('The property already exists.') }
    Set-CortexShimRegistryValue -Path $k -Name $Name -Value $Value -Kind $PropertyType
}

function Remove-ItemProperty {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Path, [Parameter(Mandatory = $true, Position = 1)][string[]]$Name)
    Assert-CortexShimView
    $entry = Get-CortexShimKeyEntry -Path (ConvertTo-CortexShimRegistryPath -Path $Path)
    foreach ($n in $Name) {
        $stored = @(if ($null -ne $entry) { $entry.Values.Keys | Where-Object { $_ -eq $n } })
        if ($stored.Count -eq 0) { throw ('Property {0} does not exist at path {1}.' -f $n, $Path) }
        $entry.Values.Remove($stored[0])
    }
}

# ---------------------------------------------------------------------------------------------------
# lab-res-b: installers (msiexec and the lab's synthetic EXE installers), Windows features, firewall
# rules. What an installer does comes from the view's labArtifacts (src/lab/artifacts/), the same data
# src/lab/windows/installers.ts applies to the lab machine.

$script:CortexShimUninstallKey = 'SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
$script:CortexShimMsiMessages = @{
    1603 = 'Fatal error during installation.'
    1605 = 'This action is only valid for products that are currently installed.'
    1618 = 'Another installation is already in progress. Complete that installation before proceeding with this install.'
    1620 = 'This installation package could not be opened. Contact the application vendor to verify that this is a valid Windows Installer package.'
    1638 = 'Another version of this product is already installed. Installation of this version cannot continue. To configure or remove the existing version of this product, use Add/Remove Programs on the Control Panel.'
}

function Get-CortexShimProperty {
    # A property of a view object by name, or $null (view objects come from JSON: PSCustomObjects).
    param($Object, [Parameter(Mandatory = $true)][string]$Name)
    if ($null -eq $Object) { return $null }
    $p = $Object.PSObject.Properties[$Name]
    if ($null -eq $p) { return $null }
    , $p.Value
}

function Get-CortexShimInstallerEffect {
    # The synthetic installer a file on the host is (by its SHA-256), or $null.
    param([Parameter(Mandatory = $true)][string]$Path)
    $f = Find-CortexShimFile -Path $Path
    if ($null -eq $f) { return $null }
    Get-CortexShimProperty -Object $script:View.labArtifacts.installers -Name ([string]$f.Value.sha256).ToLowerInvariant()
}

function Remove-CortexShimServiceEntry {
    param([Parameter(Mandatory = $true)][string]$Name)
    $script:View.services = @(@($script:View.services) | Where-Object { $_.Name -ne $Name })
    $script:View.cim.Win32_Service = @(@($script:View.cim.Win32_Service) | Where-Object { $_.Name -ne $Name })
    $k = ('SYSTEM\CurrentControlSet\Services\' + $Name).ToLowerInvariant()
    foreach ($n in @($script:Registry.Keys)) { if ($n -eq $k -or $n.StartsWith($k + '\')) { $script:Registry.Remove($n) } }
    Update-CortexShimKeySet
}

function Install-CortexShimInstallerEffect {
    # What an installer the lab knows installs: its uninstall entry, services, files and environment.
    param([Parameter(Mandatory = $true)]$Effect)
    $entry = New-CortexShimKey -Path $Effect.uninstallKeyPath
    $entry.Values.Clear()
    foreach ($v in $Effect.uninstallValues.PSObject.Properties) { Set-CortexShimRegistryValue -Path $Effect.uninstallKeyPath -Name $v.Name -Value ([string]$v.Value) -Kind 'String' }
    foreach ($s in @($Effect.services)) {
        Remove-CortexShimServiceEntry -Name $s.Name
        $script:View.services = @(@($script:View.services) + [pscustomobject]@{ Name = $s.Name; DisplayName = $s.Name; Status = $s.Status; StartType = $s.StartType; ServicesDependedOn = [string[]]@() })
        $startMode = $s.StartType
        if ($startMode -eq 'Automatic') { $startMode = 'Auto' }
        $script:View.cim.Win32_Service = @(@($script:View.cim.Win32_Service) + [pscustomobject]@{ Name = $s.Name; State = $s.Status; StartMode = $startMode; PathName = $s.PathName })
        $start = switch ($s.StartType) { 'Automatic' { 2 } 'Manual' { 3 } default { 4 } }
        Set-CortexShimRegistryValue -Path ('SYSTEM\CurrentControlSet\Services\' + $s.Name) -Name 'Start' -Value $start -Kind 'DWord'
        if ($null -ne $s.PathName) { Set-CortexShimRegistryValue -Path ('SYSTEM\CurrentControlSet\Services\' + $s.Name) -Name 'ImagePath' -Value ([string]$s.PathName) -Kind 'ExpandString' }
    }
    foreach ($f in $Effect.files.PSObject.Properties) {
        $existing = Find-CortexShimFile -Path $f.Name
        $name = $f.Name
        if ($null -ne $existing) { $name = $existing.Name }
        $script:View.files | Add-Member -MemberType NoteProperty -Name $name -Value ([pscustomobject]@{ length = [long]$f.Value.length; sha256 = [string]$f.Value.sha256; fileVersion = $null }) -Force
    }
    foreach ($e in $Effect.env.PSObject.Properties) { Set-CortexMachineEnvironmentVariable -Name $e.Name -Value ([string]$e.Value) }
    # issue 12: the RabbitMQ service brings a RabbitMQ node (src/lab/components/rabbitmq.ts: nodeOf).
    $rabbit = Get-CortexShimProperty -Object $script:View -Name 'rabbitmq'
    if ($null -ne $rabbit -and $null -eq $rabbit.self -and @(@($Effect.services) | Where-Object { $_.Name -eq 'RabbitMQ' }).Count -gt 0) {
        $rabbit.self = [pscustomobject]@{ nodeName = (Get-CortexShimRabbitNodeName); plugins = @(); joinedTo = $null; alarms = @(); db = (ConvertFrom-Json -InputObject (ConvertTo-Json -InputObject $rabbit.newNodeDb -Depth 20 -Compress)) }
    }
    foreach ($k in $Effect.registry.PSObject.Properties) {
        $null = New-CortexShimKey -Path $k.Name
        foreach ($v in $k.Value.PSObject.Properties) { Set-CortexShimRegistryValue -Path $k.Name -Name $v.Name -Value ([string]$v.Value) -Kind 'String' }
    }
}

function Uninstall-CortexShimProduct {
    # Removes an uninstall entry and what the installer that wrote it (same key, same version) installed.
    param([Parameter(Mandatory = $true)][string]$KeyPath)
    $version = Get-CortexShimValue -Path $KeyPath -Name 'DisplayVersion'
    $effect = $null
    foreach ($i in $script:View.labArtifacts.installers.PSObject.Properties) {
        if ($i.Value.uninstallKeyPath -eq $KeyPath -and [string](Get-CortexShimProperty -Object $i.Value.uninstallValues -Name 'DisplayVersion') -eq [string]$version) { $effect = $i.Value; break }
    }
    $k = $KeyPath.ToLowerInvariant()
    foreach ($n in @($script:Registry.Keys)) { if ($n -eq $k -or $n.StartsWith($k + '\')) { $script:Registry.Remove($n) } }
    Update-CortexShimKeySet
    if ($null -eq $effect) { return 0 }
    foreach ($s in @($effect.services)) { Remove-CortexShimServiceEntry -Name $s.Name }
    $rabbit = Get-CortexShimProperty -Object $script:View -Name 'rabbitmq'
    if ($null -ne $rabbit -and @(@($script:View.services) | Where-Object { $_.Name -eq 'RabbitMQ' }).Count -eq 0) { $rabbit.self = $null }
    foreach ($f in $effect.files.PSObject.Properties) {
        $existing = Find-CortexShimFile -Path $f.Name
        if ($null -ne $existing) { $script:View.files.PSObject.Properties.Remove($existing.Name) }
    }
    foreach ($e in $effect.env.PSObject.Properties) { Set-CortexMachineEnvironmentVariable -Name $e.Name -Value $null }
    foreach ($rk in $effect.registry.PSObject.Properties) {
        $l = $rk.Name.ToLowerInvariant()
        foreach ($n in @($script:Registry.Keys)) { if ($n -eq $l) { $script:Registry.Remove($n) } }
    }
    Update-CortexShimKeySet
    [int]$effect.uninstallExitCode
}

function Set-CortexShimPendingReboot {
    $null = New-CortexShimKey -Path 'SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
}

function Find-CortexShimUninstallKey {
    # The uninstall key of that name in the 64-bit and then the 32-bit view, or $null.
    param([Parameter(Mandatory = $true)][string]$Name)
    foreach ($view in @('64', '32')) {
        $path = ConvertTo-CortexShimKeyPath -SubKey ($script:CortexShimUninstallKey + '\' + $Name) -View $view
        $entry = Get-CortexShimKeyEntry -Path $path
        if ($null -ne $entry) { return $entry.Path }
        if (Test-CortexShimKey -Path $path) { return $path }
    }
    $null
}

function Get-CortexShimCommandFile {
    # The program of a command line: quoted, else up to .exe, else the first word.
    param([Parameter(Mandatory = $true)][string]$CommandLine)
    $t = $CommandLine.Trim()
    if ($t.StartsWith('"')) {
        $end = $t.IndexOf('"', 1)
        if ($end -lt 0) { return $t.Substring(1) }
        return $t.Substring(1, $end - 1)
    }
    $m = [regex]::Match($t, '^(.+?\.exe)(\s|$)', 'IgnoreCase')
    if ($m.Success) { return $m.Groups[1].Value }
    ($t -split '\s+')[0]
}

function Invoke-CortexShimInstallerProgram {
    # msiexec /i <msi> | /x <ProductCode>, a synthetic EXE installer, or an installed product's quiet
    # uninstaller: {exitCode, output, errorOutput}; $null for a program the lab does not run.
    param([Parameter(Mandatory = $true)][string]$FilePath, [string[]]$ArgumentList = @())
    $done = @(0, 3010, 1641)
    if ($FilePath -match '^msiexec(\.exe)?$') {
        $verb = ''
        $target = ''
        if ($ArgumentList.Count -gt 0) { $verb = $ArgumentList[0].ToLowerInvariant() }
        if ($ArgumentList.Count -gt 1) { $target = $ArgumentList[1] }
        $code = $null
        if ($verb -eq '/i') {
            $effect = Get-CortexShimInstallerEffect -Path $target
            if ($null -eq $effect -or $effect.kind -ne 'msi') { $code = 1620 }
            else {
                $installed = Find-CortexShimUninstallKey -Name $effect.productCode
                if ($null -ne $installed) {
                    $code = 1638
                    if ([string](Get-CortexShimValue -Path $installed -Name 'DisplayVersion') -eq [string]$effect.uninstallValues.DisplayVersion) { $code = 0 }
                } else {
                    $code = [int]$effect.installExitCode
                    # An IIS extension without IIS: Fatal error during installation (docs/iis.md: the lab's choice).
                    if ($done -contains $code -and $effect.requiresIis -and $null -eq $script:View.iis) { $code = 1603 }
                    elseif ($done -contains $code) {
                        Install-CortexShimInstallerEffect -Effect $effect
                        if ($effect.requiresIis) { Register-CortexShimIisExtension -Path $target }
                        if ($code -ne 0) { Set-CortexShimPendingReboot }
                    }
                }
            }
        } elseif ($verb -eq '/x') {
            $key = Find-CortexShimUninstallKey -Name $target
            if ($null -eq $key) { $code = 1605 }
            else {
                $code = Get-CortexShimUninstallExitCode -KeyPath $key
                if ($done -contains $code) {
                    $null = Uninstall-CortexShimProduct -KeyPath $key
                    if ($code -ne 0) { Set-CortexShimPendingReboot }
                }
            }
        } else {
            return $null
        }
        $err = @()
        if ($script:CortexShimMsiMessages.ContainsKey($code)) { $err = @($script:CortexShimMsiMessages[$code]) }
        return [pscustomobject]@{ exitCode = $code; output = @(); errorOutput = $err }
    }
    $effect = Get-CortexShimInstallerEffect -Path $FilePath
    if ($null -ne $effect -and $effect.kind -eq 'exe') {
        # An NSIS installer that finds no prerequisite aborts (RabbitMQ without Erlang), installing nothing.
        $requires = Get-CortexShimProperty -Object $effect -Name 'requires'
        if ($null -ne $requires) {
            $prefix = $requires.subKeyOf.ToLowerInvariant().TrimEnd('\') + '\'
            if (-not @($script:Registry.Keys | Where-Object { $_.StartsWith($prefix) })) {
                return [pscustomobject]@{ exitCode = [int]$requires.exitCode; output = @(); errorOutput = @([string]$requires.message) }
            }
        }
        $code = [int]$effect.installExitCode
        if ($done -contains $code) {
            Install-CortexShimInstallerEffect -Effect $effect
            if ($code -ne 0) { Set-CortexShimPendingReboot }
        }
        return [pscustomobject]@{ exitCode = $code; output = @(); errorOutput = @() }
    }
    foreach ($k in @($script:Registry.Values)) {
        if ($k.Path -notmatch '\\CurrentVersion\\Uninstall\\[^\\]+$') { continue }
        $quiet = Get-CortexShimValue -Path $k.Path -Name 'QuietUninstallString'
        if ($null -eq $quiet -or (Get-CortexShimCommandFile -CommandLine ([string]$quiet)) -ne $FilePath) { continue }
        $code = Get-CortexShimUninstallExitCode -KeyPath $k.Path
        if ($done -contains $code) {
            $null = Uninstall-CortexShimProduct -KeyPath $k.Path
            if ($code -ne 0) { Set-CortexShimPendingReboot }
        }
        return [pscustomobject]@{ exitCode = $code; output = @(); errorOutput = @() }
    }
    $null
}

function Test-CortexShimInstallerProgram {
    # Whether a program path is one the lab runs without a table entry: a synthetic EXE installer, or an
    # installed product's quiet uninstaller.
    param([Parameter(Mandatory = $true)][string]$FilePath)
    $effect = Get-CortexShimInstallerEffect -Path $FilePath
    if ($null -ne $effect -and $effect.kind -eq 'exe') { return $true }
    foreach ($k in @($script:Registry.Values)) {
        if ($k.Path -notmatch '\\CurrentVersion\\Uninstall\\[^\\]+$') { continue }
        $quiet = Get-CortexShimValue -Path $k.Path -Name 'QuietUninstallString'
        if ($null -ne $quiet -and (Get-CortexShimCommandFile -CommandLine ([string]$quiet)) -eq $FilePath) { return $true }
    }
    $false
}

function Get-CortexShimUninstallExitCode {
    # What uninstalling the product of that key exits with: its synthetic installer's uninstallExitCode, else 0.
    param([Parameter(Mandatory = $true)][string]$KeyPath)
    $version = Get-CortexShimValue -Path $KeyPath -Name 'DisplayVersion'
    foreach ($i in $script:View.labArtifacts.installers.PSObject.Properties) {
        if ($i.Value.uninstallKeyPath -eq $KeyPath -and [string](Get-CortexShimProperty -Object $i.Value.uninstallValues -Name 'DisplayVersion') -eq [string]$version) { return [int]$i.Value.uninstallExitCode }
    }
    0
}

# msiexec.exe through the shim's native-program table; other installers by their file (Invoke-CortexNative's fallback).
$script:NativePrograms['msiexec.exe'] = {
    param($Arguments)
    # Flattened: the table's caller may hand the list inside a one-element array.
    $Arguments = [string[]]@($Arguments | ForEach-Object { $_ })
    $run = Invoke-CortexShimInstallerProgram -FilePath 'msiexec.exe' -ArgumentList $Arguments
    if ($null -eq $run) { throw (New-CortexNotEmulatedError -What ('the program msiexec.exe {0}' -f ($Arguments -join ' '))) }
    $run
}

# Windows features (Get-WindowsFeature, Install-WindowsFeature, Uninstall-WindowsFeature): the view's
# windowsFeatures, the lab's feature table (src/lab/windows/features.ts).

function Get-WindowsFeature {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string[]]$Name)
    Assert-CortexShimView
    foreach ($f in @($script:View.windowsFeatures)) {
        if ($Name -and -not ($Name | Where-Object { $f.Name -like $_ })) { continue }
        $state = 'Available'
        if ($f.Installed) { $state = 'Installed' }
        [pscustomobject]@{ DisplayName = $f.DisplayName; Name = $f.Name; InstallState = $state; Installed = [bool]$f.Installed }
    }
}

function Invoke-CortexShimFeatureChange {
    param([Parameter(Mandatory = $true)][string[]]$Name, [bool]$Install, [bool]$Tools)
    Assert-CortexShimView
    $rows = New-Object System.Collections.Generic.List[object]
    foreach ($n in $Name) {
        $f = @($script:View.windowsFeatures) | Where-Object { $_.Name -eq $n } | Select-Object -First 1
        if ($null -eq $f) { Write-Error -Message ("ArgumentNotValid: The role, role service, or feature name is not valid: '{0}'. The name was not found." -f $n) -Category InvalidArgument -ErrorAction Stop }
        $rows.Add($f)
        if ($Tools) {
            foreach ($t in @($f.ManagementTools)) {
                $tf = @($script:View.windowsFeatures) | Where-Object { $_.Name -eq $t } | Select-Object -First 1
                if ($null -ne $tf) { $rows.Add($tf) }
            }
        }
    }
    $changed = @($rows | Where-Object { [bool]$_.Installed -ne $Install })
    # The Web-Server role brings IIS: the view's parts as the lab says they will be (windows-view.ts, iisInstall).
    if ($Install -and @($changed | Where-Object { $_.Name -eq 'Web-Server' }).Count -gt 0) { Install-CortexShimIis }
    $restart = $false
    foreach ($f in $changed) {
        $f.Installed = $Install
        if ($Install -and $f.InstallRestartNeeded) { $restart = $true }
        if (-not $Install -and $f.UninstallRestartNeeded) { $restart = $true }
    }
    # A feature only the profile knew is gone once removed.
    $script:View.windowsFeatures = @(@($script:View.windowsFeatures) | Where-Object { -not ($_.FromProfile -and -not $_.Installed) })
    if ($restart) { Set-CortexShimPendingReboot }
    # FeatureOperationExitCode: Success 0, NoChangeNeeded 1003, SuccessRestartRequired 3010.
    $exit = 0
    if ($changed.Count -eq 0) { $exit = 1003 } elseif ($restart) { $exit = 3010 }
    $restartNeeded = 'No'
    if ($restart) { $restartNeeded = 'Yes' }
    [pscustomobject]@{ Success = $true; RestartNeeded = $restartNeeded; FeatureResult = @($changed | ForEach-Object { $_.Name }); ExitCode = $exit }
}

function Install-CortexShimIis {
    $delta = $script:View.iisInstall
    if ($null -eq $delta) { return }
    foreach ($part in $delta.PSObject.Properties) {
        if ($part.Name -eq 'registry') {
            $script:Registry = @{}
            foreach ($p in $part.Value.PSObject.Properties) {
                $values = [ordered]@{}
                foreach ($v in $p.Value.PSObject.Properties) { $values[$v.Name] = $v.Value }
                $script:Registry[$p.Name.ToLowerInvariant()] = [pscustomobject]@{ Path = $p.Name; Values = $values }
            }
            foreach ($p in $script:View.currentUserRegistry.PSObject.Properties) {
                $values = [ordered]@{}
                foreach ($v in $p.Value.PSObject.Properties) { $values[$v.Name] = $v.Value }
                $path = $script:UserHivePrefix + $p.Name
                $script:Registry[$path.ToLowerInvariant()] = [pscustomobject]@{ Path = $path; Values = $values }
            }
            Update-CortexShimKeySet
        } else {
            $script:View.($part.Name) = $part.Value
        }
    }
    $script:View.iisInstall = $null
}

function Register-CortexShimIisExtension {
    # What an IIS extension's MSI adds besides its uninstall entry, as the view says (iisExtensionInstall).
    param([Parameter(Mandatory = $true)][string]$Path)
    $sha = ([string](Find-CortexShimFile -Path $Path).Value.sha256).ToLowerInvariant()
    $delta = Get-CortexShimProperty -Object $script:View.iisExtensionInstall -Name $sha
    if ($null -eq $delta) { throw (New-CortexNotEmulatedError -What ('registering the IIS extension {0} with IIS' -f $Path)) }
    foreach ($k in $delta.registry.PSObject.Properties) {
        $entry = New-CortexShimKey -Path $k.Name
        foreach ($v in $k.Value.PSObject.Properties) { $entry.Values[$v.Name] = $v.Value }
    }
    foreach ($f in $delta.files.PSObject.Properties) { $script:View.files | Add-Member -MemberType NoteProperty -Name $f.Name -Value $f.Value -Force }
    $script:View.systemPaths = @($delta.systemPaths)
}

function Install-WindowsFeature {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string[]]$Name, [switch]$IncludeManagementTools, [switch]$IncludeAllSubFeature, [switch]$Restart, [string]$Source)
    if ($Restart) { throw (New-CortexNotEmulatedError -What 'Install-WindowsFeature -Restart') }
    if ($Source) { throw (New-CortexNotEmulatedError -What 'Install-WindowsFeature -Source') }
    if ($IncludeAllSubFeature) { throw (New-CortexNotEmulatedError -What 'Install-WindowsFeature -IncludeAllSubFeature (the lab has no sub-feature tree)') }
    Invoke-CortexShimFeatureChange -Name $Name -Install $true -Tools ([bool]$IncludeManagementTools)
}

function Uninstall-WindowsFeature {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string[]]$Name, [switch]$IncludeManagementTools, [switch]$Restart, [switch]$Remove)
    if ($Restart) { throw (New-CortexNotEmulatedError -What 'Uninstall-WindowsFeature -Restart') }
    if ($Remove) { throw (New-CortexNotEmulatedError -What 'Uninstall-WindowsFeature -Remove') }
    Invoke-CortexShimFeatureChange -Name $Name -Install $false -Tools ([bool]$IncludeManagementTools)
}

# Firewall rules (Get/New/Set/Remove-NetFirewallRule, Get-NetFirewallPortFilter): the view's firewallRules.

function ConvertTo-CortexShimFirewallProfile {
    # Profile flags as Windows prints them: 'Any' for all three, else e.g. 'Domain, Private'.
    param([string[]]$Profile)
    $set = @($Profile | ForEach-Object { ([string]$_).Trim() })
    if ($set -contains 'Any') { return 'Any' }
    $ordered = @(@('Domain', 'Private', 'Public') | Where-Object { $set -contains $_ })
    if ($ordered.Count -eq 3) { return 'Any' }
    $ordered -join ', '
}

function Find-CortexShimFirewallRule {
    param([Parameter(Mandatory = $true)][string]$Name)
    @($script:View.firewallRules) | Where-Object { $_.Name -eq $Name } | Select-Object -First 1
}

function New-CortexShimFirewallRuleObject {
    param([Parameter(Mandatory = $true)]$Row)
    [pscustomobject]@{ Name = $Row.Name; DisplayName = $Row.DisplayName; Direction = $Row.Direction; Action = $Row.Action; Enabled = $Row.Enabled; Profile = $Row.Profile; CortexRuleName = $Row.Name }
}

function Get-NetFirewallRule {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string[]]$Name, [string[]]$DisplayName)
    Assert-CortexShimView
    $rows = @($script:View.firewallRules)
    if ($Name) {
        foreach ($n in $Name) {
            $hits = @($rows | Where-Object { $_.Name -like $n })
            if ($hits.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n)) {
                Write-Error -Message ("No MSFT_NetFirewallRule objects found with property 'InstanceID' equal to '{0}'.  Verify the value of the property and retry." -f $n) -Category ObjectNotFound
            }
            $hits | ForEach-Object { New-CortexShimFirewallRuleObject -Row $_ }
        }
        return
    }
    if ($DisplayName) { $rows = @($rows | Where-Object { $r = $_; $DisplayName | Where-Object { $r.DisplayName -like $_ } }) }
    $rows | ForEach-Object { New-CortexShimFirewallRuleObject -Row $_ }
}

function Get-NetFirewallPortFilter {
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline = $true)]$AssociatedNetFirewallRule)
    process {
        Assert-CortexShimView
        $row = Find-CortexShimFirewallRule -Name ([string]$AssociatedNetFirewallRule.CortexRuleName)
        if ($null -eq $row) { throw (New-CortexNotEmulatedError -What 'Get-NetFirewallPortFilter of a rule the shim did not hand out') }
        [pscustomobject]@{ Protocol = $row.Protocol; LocalPort = [string[]]@($row.LocalPort); RemotePort = [string[]]@('Any') }
    }
}

function Set-CortexShimFirewallRuleFields {
    param([Parameter(Mandatory = $true)]$Row, [Parameter(Mandatory = $true)]$Bound)
    if ($Bound.ContainsKey('Direction')) { $Row.Direction = [string]$Bound.Direction }
    if ($Bound.ContainsKey('Action')) { $Row.Action = [string]$Bound.Action }
    if ($Bound.ContainsKey('Enabled')) { $Row.Enabled = [string]$Bound.Enabled }
    if ($Bound.ContainsKey('Protocol')) { $Row.Protocol = [string]$Bound.Protocol }
    if ($Bound.ContainsKey('LocalPort')) { $Row.LocalPort = [string[]]@($Bound.LocalPort | ForEach-Object { [string]$_ }) }
    if ($Bound.ContainsKey('Profile')) { $Row.Profile = ConvertTo-CortexShimFirewallProfile -Profile $Bound.Profile }
}

function New-NetFirewallRule {
    [CmdletBinding()]
    param(
        [string]$Name, [Parameter(Mandatory = $true)][string]$DisplayName,
        [ValidateSet('Inbound', 'Outbound')][string]$Direction = 'Inbound', [string]$Protocol = 'Any', [string[]]$LocalPort = @('Any'),
        [ValidateSet('Allow', 'Block')][string]$Action = 'Allow', [string[]]$Profile = @('Any'), [ValidateSet('True', 'False')][string]$Enabled = 'True'
    )
    Assert-CortexShimView
    if (-not $Name) { throw (New-CortexNotEmulatedError -What 'New-NetFirewallRule without -Name (a generated GUID name)') }
    if ($null -ne (Find-CortexShimFirewallRule -Name $Name)) { throw 'Cannot create a file when that file already exists.' }
    $row = [pscustomobject]@{ Name = $Name; DisplayName = $DisplayName; Direction = $Direction; Action = $Action; Enabled = $Enabled; Profile = 'Any'; Protocol = $Protocol; LocalPort = [string[]]@('Any'); RemoteAddress = [string[]]@('Any') }
    Set-CortexShimFirewallRuleFields -Row $row -Bound @{ LocalPort = $LocalPort; Profile = $Profile }
    $script:View.firewallRules = @(@($script:View.firewallRules) + $row)
    New-CortexShimFirewallRuleObject -Row $row
}

function Set-NetFirewallRule {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Name,
        [ValidateSet('Inbound', 'Outbound')][string]$Direction, [string]$Protocol, [string[]]$LocalPort,
        [ValidateSet('Allow', 'Block')][string]$Action, [string[]]$Profile, [ValidateSet('True', 'False')][string]$Enabled
    )
    Assert-CortexShimView
    $row = Find-CortexShimFirewallRule -Name $Name
    if ($null -eq $row) { throw ("No MSFT_NetFirewallRule objects found with property 'InstanceID' equal to '{0}'.  Verify the value of the property and retry." -f $Name) }
    Set-CortexShimFirewallRuleFields -Row $row -Bound $PSBoundParameters
}

function Remove-NetFirewallRule {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string[]]$Name)
    Assert-CortexShimView
    foreach ($n in $Name) {
        if ($null -eq (Find-CortexShimFirewallRule -Name $n)) { throw ("No MSFT_NetFirewallRule objects found with property 'InstanceID' equal to '{0}'.  Verify the value of the property and retry." -f $n) }
        $script:View.firewallRules = @(@($script:View.firewallRules) | Where-Object { $_.Name -ne $n })
    }
}
# ---- end lab-res-b (installers, features, firewall) ----

# ACLs (Get-Acl, Set-Acl, the New-CortexFileSystemAccessRule seam): the view's acls (explicit rules by
# path) and rootAccess; inherited rules follow from the ancestors as src/lab/state/acl.ts has them.
# FileSystemAccessRule cannot be made off Windows; these objects carry the same properties, with the
# real enum types, so the lib's ConvertTo-CortexAclRule reads them as it reads Windows'.

$script:CortexShimInherit = 'ContainerInherit, ObjectInherit'

function New-CortexShimAccessRule {
    param([Parameter(Mandatory = $true)][string]$Identity, [Parameter(Mandatory = $true)]$Rights, [string]$Type = 'Allow', [bool]$Inherit, [bool]$IsInherited)
    $flags = 'None'
    if ($Inherit) { $flags = $script:CortexShimInherit }
    [pscustomobject]@{
        IdentityReference = $Identity
        FileSystemRights  = [System.Security.AccessControl.FileSystemRights]$Rights
        AccessControlType = [System.Security.AccessControl.AccessControlType]$Type
        InheritanceFlags  = [System.Security.AccessControl.InheritanceFlags]$flags
        PropagationFlags  = [System.Security.AccessControl.PropagationFlags]::None
        IsInherited       = $IsInherited
    }
}

function New-CortexFileSystemAccessRule {
    param(
        [Parameter(Mandatory = $true)][string]$Identity,
        [Parameter(Mandatory = $true)][string]$Rights,
        [bool]$Inherit = $true,
        [ValidateSet('allow', 'deny')][string]$Type = 'allow'
    )
    New-CortexShimAccessRule -Identity $Identity -Rights $Rights -Type $Type -Inherit $Inherit -IsInherited $false
}

function Find-CortexShimAclKey {
    param([Parameter(Mandatory = $true)][string]$Path)
    $want = (ConvertTo-CortexShimPath -Path $Path).ToLowerInvariant()
    foreach ($p in $script:View.acls.PSObject.Properties) { if ((ConvertTo-CortexShimPath -Path $p.Name).ToLowerInvariant() -eq $want) { return $p.Name } }
    $null
}

function Get-CortexShimInheritedRule {
    # What a path inherits: each ancestor's inheritable explicit rules, nearest first, up to one that does
    # not inherit; then the drive root's.
    param([Parameter(Mandatory = $true)][string]$Path, [bool]$IsContainer)
    $parts = (ConvertTo-CortexShimPath -Path $Path).Split('\')
    $rows = New-Object System.Collections.Generic.List[object]
    $reachedRoot = $true
    for ($i = $parts.Length - 1; $i -ge 2; $i--) {
        $key = Find-CortexShimAclKey -Path (($parts[0..($i - 1)]) -join '\')
        if ($null -eq $key) { continue }
        $acl = $script:View.acls.$key
        foreach ($r in @($acl.Access)) { if ($r.InheritanceFlags -ne 'None') { $rows.Add($r) } }
        if ($acl.AreAccessRulesProtected) { $reachedRoot = $false; break }
    }
    if ($reachedRoot) { foreach ($r in @($script:View.rootAccess)) { $rows.Add($r) } }
    foreach ($r in $rows) {
        New-CortexShimAccessRule -Identity $r.IdentityReference -Rights $r.FileSystemRights -Type $r.AccessControlType -Inherit $IsContainer -IsInherited $true
    }
}

function Test-CortexShimSameAccessRule {
    param($A, $B)
    ([string]$A.IdentityReference -eq [string]$B.IdentityReference) -and ([int]$A.FileSystemRights -eq [int]$B.FileSystemRights) -and
        ($A.AccessControlType -eq $B.AccessControlType) -and ([int]$A.InheritanceFlags -eq [int]$B.InheritanceFlags)
}

function Update-CortexShimAclAccess {
    param([Parameter(Mandatory = $true)]$Acl)
    $all = New-Object System.Collections.Generic.List[object]
    foreach ($r in $Acl.Explicit) { $all.Add($r) }
    foreach ($r in @($Acl.Inherited)) { $all.Add($r) }
    $Acl.Access = $all.ToArray()
}

function Get-Acl {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string]$Path, [string]$LiteralPath)
    Assert-CortexShimView
    $p = Resolve-CortexShimPathArgument -Path $Path -LiteralPath $LiteralPath
    if ((Get-CortexShimPathKind -Path $p) -ne 'file') { throw (New-CortexNotEmulatedError -What ('Get-Acl of {0}' -f $p)) }
    $isFile = $null -ne (Find-CortexShimFile -Path $p)
    $isDir = (-not $isFile) -and (Test-CortexShimDirectory -Path $p)
    if (-not $isFile -and -not $isDir) {
        $ex = New-Object System.Management.Automation.ItemNotFoundException ("Cannot find path '{0}' because it does not exist." -f $p)
        throw (New-Object System.Management.Automation.ErrorRecord ($ex, 'GetAcl_PathNotFound_Exception,Microsoft.PowerShell.Commands.GetAclCommand', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $p))
    }
    $key = Find-CortexShimAclKey -Path $p
    $explicit = New-Object System.Collections.Generic.List[object]
    $protected = $false
    if ($null -ne $key) {
        $protected = [bool]$script:View.acls.$key.AreAccessRulesProtected
        foreach ($r in @($script:View.acls.$key.Access)) { $explicit.Add((New-CortexShimAccessRule -Identity $r.IdentityReference -Rights $r.FileSystemRights -Type $r.AccessControlType -Inherit ($r.InheritanceFlags -ne 'None') -IsInherited $false)) }
    }
    $inherited = @()
    if (-not $protected) { $inherited = @(Get-CortexShimInheritedRule -Path $p -IsContainer $isDir) }
    $acl = [pscustomobject]@{ PSTypeName = 'Cortex.Shim.Acl'; Path = ConvertTo-CortexShimPath -Path $p; IsContainer = $isDir; AreAccessRulesProtected = $protected; Explicit = $explicit; Inherited = $inherited }
    # Access is a list kept up to date by the methods (a ScriptProperty's errors would be swallowed into $null).
    $acl | Add-Member -MemberType NoteProperty -Name Access -Value @()
    Update-CortexShimAclAccess -Acl $acl
    $acl | Add-Member -MemberType ScriptMethod -Name SetAccessRuleProtection -Value {
        param([bool]$IsProtected, [bool]$PreserveInheritance)
        if ($IsProtected -and -not $this.AreAccessRulesProtected -and $PreserveInheritance) {
            foreach ($r in @($this.Inherited)) { $this.Explicit.Add((New-CortexShimAccessRule -Identity $r.IdentityReference -Rights $r.FileSystemRights -Type $r.AccessControlType -Inherit ([int]$r.InheritanceFlags -ne 0) -IsInherited $false)) }
        }
        if ($IsProtected) { $this.Inherited = @() }
        $this.AreAccessRulesProtected = $IsProtected
        Update-CortexShimAclAccess -Acl $this
    }
    $acl | Add-Member -MemberType ScriptMethod -Name RemoveAccessRuleSpecific -Value {
        param($Rule)
        for ($i = 0; $i -lt $this.Explicit.Count; $i++) { if (Test-CortexShimSameAccessRule $this.Explicit[$i] $Rule) { $this.Explicit.RemoveAt($i); break } }
        Update-CortexShimAclAccess -Acl $this
    }
    $acl | Add-Member -MemberType ScriptMethod -Name RemoveAccessRuleAll -Value {
        param($Rule)
        $keep = @($this.Explicit | Where-Object { -not (([string]$_.IdentityReference -eq [string]$Rule.IdentityReference) -and ($_.AccessControlType -eq $Rule.AccessControlType)) })
        $this.Explicit.Clear()
        foreach ($r in $keep) { $this.Explicit.Add($r) }
        Update-CortexShimAclAccess -Acl $this
    }
    $acl | Add-Member -MemberType ScriptMethod -Name AddAccessRule -Value {
        # Merged into a rule of the same identity, type and inheritance, as .NET merges them.
        param($Rule)
        foreach ($r in $this.Explicit) {
            if ([string]$r.IdentityReference -eq [string]$Rule.IdentityReference -and $r.AccessControlType -eq $Rule.AccessControlType -and [int]$r.InheritanceFlags -eq [int]$Rule.InheritanceFlags) {
                $from = '{0} and {1}' -f (ConvertTo-CortexAclRight -Rights $r.FileSystemRights), (ConvertTo-CortexAclRight -Rights $Rule.FileSystemRights)
                $r.FileSystemRights = [System.Security.AccessControl.FileSystemRights]([int]$r.FileSystemRights -bor [int]$Rule.FileSystemRights)
                $r | Add-Member -MemberType NoteProperty -Name CortexMergedFrom -Value $from -Force
                Update-CortexShimAclAccess -Acl $this
                return
            }
        }
        $this.Explicit.Add($Rule)
        Update-CortexShimAclAccess -Acl $this
    }
    $acl
}

function Set-Acl {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string]$Path, [string]$LiteralPath, [Parameter(Mandatory = $true)]$AclObject)
    Assert-CortexShimView
    $p = Resolve-CortexShimPathArgument -Path $Path -LiteralPath $LiteralPath
    $rows = foreach ($r in $AclObject.Explicit.ToArray()) {
        $name = ConvertTo-CortexAclRight -Rights $r.FileSystemRights
        if (@('FullControl', 'Modify', 'ReadAndExecute', 'Read', 'Write', 'ListDirectory') -cnotcontains $name) {
            # Only a merge (AddAccessRule) makes such a rule here: say which rights were combined.
            throw (New-CortexNotEmulatedError -What ('combining the rights {0} in one access rule' -f $r.CortexMergedFrom))
        }
        $flags = 'None'
        if ([int]$r.InheritanceFlags -ne 0) { $flags = $script:CortexShimInherit }
        [pscustomobject]@{ IdentityReference = [string]$r.IdentityReference; FileSystemRights = $name; AccessControlType = $r.AccessControlType.ToString(); InheritanceFlags = $flags; IsInherited = $false }
    }
    $key = Find-CortexShimAclKey -Path $p
    if ($null -eq $key) { $key = ConvertTo-CortexShimPath -Path $p }
    $script:View.acls | Add-Member -MemberType NoteProperty -Name $key -Value ([pscustomobject]@{ AreAccessRulesProtected = [bool]$AclObject.AreAccessRulesProtected; Access = @($rows) }) -Force
}
# ---- end lab-res-b (ACLs) ----

# Scheduled tasks (New-ScheduledTaskAction, New-ScheduledTaskSettingsSet, Register-, Start-, Get-,
# Get-ScheduledTaskInfo, Stop-, Unregister-ScheduledTask): tasks live for one script run (the
# scheduled_task resource removes its task afterwards); how a run ends comes from the view's
# scheduledTaskRuns (the lab profile's), by the name after 'cortex-' under \cortex-deploy\.
# A task the profile does not describe cannot be started: what its command does is not emulated.

$script:ShimTasks = @{}

function New-ScheduledTaskAction {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Execute, [string]$Argument, [string]$WorkingDirectory)
    [pscustomobject]@{ Execute = $Execute; Arguments = $Argument; WorkingDirectory = $WorkingDirectory }
}

function New-ScheduledTaskSettingsSet {
    [CmdletBinding()]
    param([timespan]$ExecutionTimeLimit)
    [pscustomobject]@{ ExecutionTimeLimit = $ExecutionTimeLimit }
}

function Get-CortexShimTaskKey {
    param([string]$TaskName, [string]$TaskPath = '\')
    ($TaskPath + $TaskName).ToLowerInvariant()
}

function Register-ScheduledTask {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$TaskName, [string]$TaskPath = '\', $Action, [string]$User, [string]$Password, [string]$RunLevel, $Settings, [switch]$Force)
    Assert-CortexShimView
    $key = Get-CortexShimTaskKey -TaskName $TaskName -TaskPath $TaskPath
    if ($script:ShimTasks.ContainsKey($key) -and -not $Force) { throw ('Cannot create a file when that file already exists.') }
    # The password is not kept: nothing in the lab checks it, and nothing may echo it.
    $script:ShimTasks[$key] = [pscustomobject]@{ TaskName = $TaskName; TaskPath = $TaskPath; User = $User; Action = $Action; StartedAt = $null; Stopped = $false; Run = $null; Observed = $false }
    [pscustomobject]@{ TaskName = $TaskName; TaskPath = $TaskPath; State = 'Ready' }
}

function Get-CortexShimTask {
    param([string]$TaskName, [string]$TaskPath = '\')
    $key = Get-CortexShimTaskKey -TaskName $TaskName -TaskPath $TaskPath
    if (-not $script:ShimTasks.ContainsKey($key)) { throw ("The system cannot find the file specified.") }
    $script:ShimTasks[$key]
}

function Start-ScheduledTask {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$TaskName, [string]$TaskPath = '\')
    Assert-CortexShimView
    $task = Get-CortexShimTask -TaskName $TaskName -TaskPath $TaskPath
    $name = $TaskName -replace '^cortex-', ''
    # A call of a Service Fabric package script the lab knows runs as that script does (below).
    $call = Get-CortexShimPackageScriptCall -Action $task.Action
    if ($null -ne $call) {
        $task.Run = Invoke-CortexShimPackageScript -Call $call
        $task.StartedAt = [datetime]::UtcNow
        return
    }
    $run = $null
    if ($TaskPath -eq '\cortex-deploy\') { $run = @($script:View.scheduledTaskRuns.PSObject.Properties | Where-Object { $_.Name -eq $name }) | Select-Object -First 1 }
    if ($null -eq $run) { throw (New-CortexNotEmulatedError -What ("the run of scheduled task {0}{1} (the lab profile's scheduledTaskRuns.{2} says how it ends)" -f $TaskPath, $TaskName, $name)) }
    $task.Run = $run.Value
    $task.StartedAt = [datetime]::UtcNow
}

function Update-CortexShimTask {
    # Whether the run has ended by now; the first time it is seen ended, what it leaves behind (a pending reboot).
    param([Parameter(Mandatory = $true)]$Task)
    if ($null -eq $Task.StartedAt -or $Task.Stopped) { return $false }
    $ended = ([datetime]::UtcNow - $Task.StartedAt).TotalSeconds -ge [int]$Task.Run.runSec
    if ($ended -and -not $Task.Observed) {
        $Task.Observed = $true
        if ($Task.Run.setsPendingReboot) { Set-CortexShimPendingReboot }
    }
    $ended
}

function Get-ScheduledTask {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$TaskName, [string]$TaskPath = '\')
    Assert-CortexShimView
    $task = Get-CortexShimTask -TaskName $TaskName -TaskPath $TaskPath
    $state = 'Ready'
    if ($null -ne $task.StartedAt -and -not $task.Stopped -and -not (Update-CortexShimTask -Task $task)) { $state = 'Running' }
    [pscustomobject]@{ TaskName = $task.TaskName; TaskPath = $task.TaskPath; State = $state }
}

function Get-ScheduledTaskInfo {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$TaskName, [string]$TaskPath = '\')
    Assert-CortexShimView
    $task = Get-CortexShimTask -TaskName $TaskName -TaskPath $TaskPath
    # SCHED_S_TASK_HAS_NOT_RUN, SCHED_S_TASK_RUNNING, else the run's exit code.
    $result = 267011
    if ($null -ne $task.StartedAt) {
        $result = 267009
        if ($task.Stopped) { $result = 267014 } elseif (Update-CortexShimTask -Task $task) { $result = [int]$task.Run.exitCode }
    }
    [pscustomobject]@{ TaskName = $task.TaskName; TaskPath = $task.TaskPath; LastTaskResult = $result }
}

function Stop-ScheduledTask {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$TaskName, [string]$TaskPath = '\')
    Assert-CortexShimView
    (Get-CortexShimTask -TaskName $TaskName -TaskPath $TaskPath).Stopped = $true
}

function Unregister-ScheduledTask {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param([Parameter(Mandatory = $true)][string]$TaskName, [string]$TaskPath = '\')
    Assert-CortexShimView
    $null = Get-CortexShimTask -TaskName $TaskName -TaskPath $TaskPath
    $script:ShimTasks.Remove((Get-CortexShimTaskKey -TaskName $TaskName -TaskPath $TaskPath))
}
# ---- end lab-res-b (scheduled tasks) ----

# The standalone package's scripts run by a one-shot task (service_fabric_cluster's
# Invoke-CortexFabricPackageScript): the task's action is powershell.exe -EncodedCommand with a command
# that calls one of the package's scripts and sends its output to a log file. The shim reads that command
# with PowerShell's parser (not by running it: the package's scripts are the lab's stand-ins, not
# Microsoft's) and, when it calls a package script the lab knows (serviceFabric.labPackageFiles.packageScripts),
# does what that script does on the machines (serviceFabric.labMachines): TestConfiguration.ps1 checks
# them and prints its table; CreateServiceFabricCluster.ps1 installs a node on each and starts the
# cluster. The log is written as Out-File -Encoding utf8 writes it, and Get-Content reads it back. Any
# other command, or another package script, is not emulated.

$script:FabricChecks = @('LocalAdminPrivilege', 'IsJsonValid', 'IsCabValid', 'RequiredPortsOpen', 'RemoteRegistryAvailable', 'FirewallAvailable', 'RpcCheckPassed', 'NoConflictingInstallations', 'FabricInstallable')

function Get-CortexShimPackageScriptCall {
    # The package script a task's action calls ({Path, Script, Runtime, Parameters, Log}), or $null when it is no such call.
    param($Action)
    if ($null -eq $Action -or ([string]$Action.Execute) -notmatch '(^|\\)powershell\.exe$') { return $null }
    if ([string]$Action.Arguments -notmatch '-EncodedCommand\s+(?<b64>[A-Za-z0-9+/=]+)') { return $null }
    $command = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($Matches['b64']))
    $tokens = $null
    $parseErrors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($command, [ref]$tokens, [ref]$parseErrors)
    if (@($parseErrors).Count -gt 0) { return $null }
    $calls = @($ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.CommandAst] }, $true))
    $call = @($calls | Where-Object { $_.InvocationOperator -eq 'Ampersand' -and $_.CommandElements[0] -is [System.Management.Automation.Language.StringConstantExpressionAst] -and $_.CommandElements[0].Value -match '\.ps1$' }) | Select-Object -First 1
    if ($null -eq $call) { return $null }
    $path = [string]$call.CommandElements[0].Value
    $f = Find-CortexShimFile -Path $path
    if ($null -eq $f) { return $null }
    $known = Get-CortexShimProperty -Object $script:View.serviceFabric.labPackageFiles.packageScripts -Name ([string]$f.Value.sha256).ToLowerInvariant()
    if ($null -eq $known) { return $null }
    $parameters = @{}
    $elements = @($call.CommandElements)
    for ($i = 1; $i -lt $elements.Count; $i++) {
        $e = $elements[$i]
        if ($e -isnot [System.Management.Automation.Language.CommandParameterAst]) { continue }
        $value = $true
        if ($i + 1 -lt $elements.Count -and $elements[$i + 1] -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $value = [string]$elements[$i + 1].Value; $i++ }
        $parameters[$e.ParameterName] = $value
    }
    $log = $null
    $outFile = @($calls | Where-Object { $_.GetCommandName() -eq 'Out-File' }) | Select-Object -First 1
    if ($null -ne $outFile) {
        $el = @($outFile.CommandElements)
        for ($i = 1; $i -lt $el.Count - 1; $i++) {
            if ($el[$i] -is [System.Management.Automation.Language.CommandParameterAst] -and $el[$i].ParameterName -eq 'FilePath' -and $el[$i + 1] -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $log = [string]$el[$i + 1].Value }
        }
    }
    [pscustomobject]@{ Path = $path; Script = [string]$known.script; Runtime = [string]$known.runtime; Parameters = $parameters; Log = $log }
}

function Get-CortexShimClusterConfig {
    # ClusterConfig.json as Service Fabric reads it: {Name, ConfigVersion, Nodes, EndpointPorts, DataRoot, LogRoot}, or a string saying what is wrong.
    param([Parameter(Mandatory = $true)][string]$Path)
    $f = Find-CortexShimFile -Path $Path
    if ($null -eq $f) { return ('the cluster configuration {0} does not exist' -f $Path) }
    $text = Get-CortexShimProperty -Object $script:View.serviceFabric.labPackageFiles.jsonTexts -Name ([string]$f.Value.sha256).ToLowerInvariant()
    if ($null -eq $text) { throw (New-CortexNotEmulatedError -What ('reading {0} (the lab keeps the text of .json files it received; this one it did not)' -f $Path)) }
    try { $doc = ConvertFrom-Json -InputObject $text } catch { return 'the cluster configuration is not valid JSON' }
    $str = { param($o, $n) if ($null -ne $o -and $o.PSObject.Properties[$n] -and $o.$n -is [string] -and $o.$n) { [string]$o.$n } else { $null } }
    $name = & $str $doc 'name'
    $version = & $str $doc 'clusterConfigurationVersion'
    if (-not $name -or -not $version) { return 'the cluster configuration has no name or clusterConfigurationVersion' }
    $rawNodes = @()
    if ($doc.PSObject.Properties['nodes']) { $rawNodes = @($doc.nodes) }
    if ($rawNodes.Count -eq 0) { return 'the cluster configuration lists no nodes' }
    $nodes = @()
    for ($i = 0; $i -lt $rawNodes.Count; $i++) {
        $n = $rawNodes[$i]
        $nodeName = & $str $n 'nodeName'
        $address = & $str $n 'iPAddress'
        if (-not $nodeName -or -not $address) { return ('node {0} of the cluster configuration has no nodeName or iPAddress' -f $i) }
        $ud = & $str $n 'upgradeDomain'
        $nodes += [pscustomobject]@{ NodeName = $nodeName; Address = $address; UpgradeDomain = [string]$ud }
    }
    $props = $null
    if ($doc.PSObject.Properties['properties']) { $props = $doc.properties }
    $types = @()
    if ($null -ne $props -and $props.PSObject.Properties['nodeTypes']) { $types = @($props.nodeTypes) }
    $primary = @($types | Where-Object { $_.PSObject.Properties['isPrimary'] -and $_.isPrimary -eq $true }) | Select-Object -First 1
    if ($null -eq $primary -and $types.Count -gt 0) { $primary = $types[0] }
    if ($null -eq $primary) { return 'the cluster configuration has no node type' }
    $ports = @()
    foreach ($k in @('clientConnectionEndpointPort', 'clusterConnectionEndpointPort', 'leaseDriverEndpointPort', 'serviceConnectionEndpointPort', 'httpGatewayEndpointPort')) {
        $p = 0
        if ($primary.PSObject.Properties[$k] -and [int]::TryParse([string]$primary.$k, [ref]$p) -and $p -ge 1 -and $p -le 65535) { $ports += $p } else { return 'the primary node type lacks an endpoint port' }
    }
    $setting = { param($n) $null }
    $setup = $null
    if ($null -ne $props -and $props.PSObject.Properties['fabricSettings']) { $setup = @($props.fabricSettings | Where-Object { $_.name -eq 'Setup' }) | Select-Object -First 1 }
    $setting = { param($n) if ($null -ne $setup -and $setup.PSObject.Properties['parameters']) { $v = @($setup.parameters | Where-Object { $_.name -eq $n }) | Select-Object -First 1; if ($null -ne $v -and $v.value) { return [string]$v.value } }; $null }
    $dataRoot = & $setting 'FabricDataRoot'
    if (-not $dataRoot) { $dataRoot = 'C:\ProgramData\SF' }
    $logRoot = & $setting 'FabricLogRoot'
    if (-not $logRoot) { $logRoot = 'C:\ProgramData\SF\Log' }
    [pscustomobject]@{ Name = $name; ConfigVersion = $version; Nodes = $nodes; EndpointPorts = $ports; DataRoot = $dataRoot; LogRoot = $logRoot }
}

function Find-CortexShimLabMachine {
    # A machine of the lab by address or name, as the package's scripts reach a node; $null when none answers to it.
    param([Parameter(Mandatory = $true)]$Node)
    foreach ($key in @($Node.Address, $Node.NodeName)) {
        $m = @($script:View.serviceFabric.labMachines | Where-Object { $_.Address -eq $key -or $_.HostName -eq $key }) | Select-Object -First 1
        if ($null -ne $m) { return $m }
    }
    $null
}

function Test-CortexShimFirewallPort {
    # Whether enabled inbound allow rules admit TCP on a port ('Any', the port, or a range holding it).
    param($Rules, [int]$Port)
    foreach ($r in @($Rules)) {
        $t = [string]$r
        if ($t -eq 'Any' -or $t -eq [string]$Port) { return $true }
        if ($t -match '^(\d+)-(\d+)$' -and $Port -ge [int]$Matches[1] -and $Port -le [int]$Matches[2]) { return $true }
    }
    $false
}

function Invoke-CortexShimTestConfiguration {
    # What TestConfiguration.ps1 -ClusterConfigFilePath prints: the problems it found on the nodes, then its table.
    param([Parameter(Mandatory = $true)][string]$ConfigPath)
    $checks = [ordered]@{}
    foreach ($c in $script:FabricChecks) { $checks[$c] = $true }
    $problems = New-Object System.Collections.Generic.List[string]
    $fail = { param($check, $line) $checks[$check] = $false; if (-not $problems.Contains($line)) { $problems.Add($line) } }
    $config = Get-CortexShimClusterConfig -Path $ConfigPath
    if ($config -is [string]) { & $fail 'IsJsonValid' ('Cluster configuration: {0}.' -f $config) }
    else {
        $n = @($config.Nodes).Count
        if ($n -lt 3) {
            $s = 's'
            if ($n -eq 1) { $s = '' }
            & $fail 'IsJsonValid' ('Cluster configuration: {0} node{1}; a cluster needs at least 3 nodes (reliability Bronze).' -f $n, $s)
        } elseif ($n % 2 -eq 0) { & $fail 'IsJsonValid' ('Cluster configuration: {0} nodes; Cortex clusters have an odd number of nodes (3, 5, 7, 9), an even count adds no fault tolerance.' -f $n) }
        $names = @{}
        foreach ($node in $config.Nodes) {
            $key = $node.NodeName.ToLowerInvariant()
            if ($names.ContainsKey($key)) { & $fail 'IsJsonValid' ('Cluster configuration: node name {0} appears twice.' -f $node.NodeName) }
            $names[$key] = $true
        }
        $required = @(135, 445) + @($config.EndpointPorts)
        foreach ($node in $config.Nodes) {
            $at = 'Machine {0} ({1})' -f $node.NodeName, $node.Address
            $m = Find-CortexShimLabMachine -Node $node
            if ($null -eq $m -or -not $m.Up) {
                $line = '{0}: does not answer; cannot reach its registry, RPC or file shares.' -f $at
                foreach ($c in @('RequiredPortsOpen', 'RemoteRegistryAvailable', 'RpcCheckPassed')) { & $fail $c $line }
                continue
            }
            if (-not $m.RemoteRegistryRunning) { & $fail 'RemoteRegistryAvailable' ('{0}: the Remote Registry service is not running.' -f $at) }
            if (-not $m.FirewallServiceRunning) { & $fail 'FirewallAvailable' ('{0}: the Windows Firewall service (MpsSvc) is not running.' -f $at) }
            else {
                $closed = @($required | Where-Object { -not (Test-CortexShimFirewallPort -Rules $m.FirewallAllowedTcpPorts -Port $_) })
                if ($closed.Count -gt 0) {
                    $s = ''
                    if ($closed.Count -gt 1) { $s = 's' }
                    & $fail 'RequiredPortsOpen' ('{0}: inbound TCP port{1} {2} not open in Windows Firewall.' -f $at, $s, ($closed -join ', '))
                }
                if ($closed -contains 135) { & $fail 'RpcCheckPassed' ('{0}: RPC (TCP 135) is blocked.' -f $at) }
            }
            if ($m.FabricInstalled) { & $fail 'NoConflictingInstallations' ('{0}: Service Fabric is already installed (FabricHostSvc).' -f $at) }
            if ($m.DomainController) { & $fail 'FabricInstallable' ('{0}: a domain controller; Service Fabric cannot be installed on one.' -f $at) }
        }
    }
    $passed = @($script:FabricChecks | Where-Object { -not $checks[$_] }).Count -eq 0
    $lines = New-Object System.Collections.Generic.List[string]
    $lines.Add('Running Best Practices Analyzer...')
    foreach ($p in $problems) { $lines.Add($p) }
    if ($passed) { $lines.Add('Best Practices Analyzer completed successfully.') } else { $lines.Add('Best Practices Analyzer determined environment has an issue. Please see additional BPA log output in DeploymentTraces folder.') }
    $lines.Add('')
    $width = ($script:FabricChecks + @('Passed') | ForEach-Object { $_.Length } | Measure-Object -Maximum).Maximum
    foreach ($c in $script:FabricChecks) { $lines.Add(('{0} : {1}' -f $c.PadRight($width), $checks[$c])) }
    $lines.Add(('{0} : {1}' -f 'Passed'.PadRight($width), $passed))
    , $lines.ToArray()
}

function Invoke-CortexShimCreateCluster {
    # What CreateServiceFabricCluster.ps1 -ClusterConfigFilePath -AcceptEULA leaves: a node installed on each
    # machine of the configuration (FabricHostSvc running, the Service Fabric key), the cluster running.
    param([Parameter(Mandatory = $true)][string]$ConfigPath, [Parameter(Mandatory = $true)][string]$Runtime)
    $config = Get-CortexShimClusterConfig -Path $ConfigPath
    if ($config -is [string]) { throw (New-CortexNotEmulatedError -What ('CreateServiceFabricCluster.ps1 with a configuration TestConfiguration.ps1 refuses ({0})' -f $config)) }
    $machines = @($config.Nodes | ForEach-Object { Find-CortexShimLabMachine -Node $_ })
    if (@($machines | Where-Object { $null -eq $_ -or -not $_.Up }).Count -gt 0) { throw (New-CortexNotEmulatedError -What 'CreateServiceFabricCluster.ps1 with a node that does not answer') }
    $self = $false
    foreach ($m in $machines) {
        $m.FabricInstalled = $true
        if ($m.Self) { $self = $true }
    }
    if ($self) {
        # FabricHostSvc, running (Service Fabric's installer registers and starts it).
        $binary = '"C:\Program Files\Microsoft Service Fabric\bin\FabricHost.exe"'
        Remove-CortexShimServiceEntry -Name 'FabricHostSvc'
        $script:View.services = @(@($script:View.services) + @([pscustomobject]@{ Name = 'FabricHostSvc'; DisplayName = 'FabricHostSvc'; Status = 'Running'; StartType = 'Automatic'; ServicesDependedOn = [string[]]@() }))
        $script:View.cim.Win32_Service = @(@($script:View.cim.Win32_Service) + [pscustomobject]@{ Name = 'FabricHostSvc'; State = 'Running'; StartMode = 'Auto'; PathName = $binary })
        Set-CortexShimRegistryValue -Path 'SYSTEM\CurrentControlSet\Services\FabricHostSvc' -Name 'Start' -Value 2 -Kind 'DWord'
        Set-CortexShimRegistryValue -Path 'SYSTEM\CurrentControlSet\Services\FabricHostSvc' -Name 'ImagePath' -Value $binary -Kind 'ExpandString'
        Add-CortexShimFabricListener -Ports $config.EndpointPorts
        $key = 'SOFTWARE\Microsoft\Service Fabric'
        Set-CortexShimRegistryValue -Path $key -Name 'FabricVersion' -Value $Runtime -Kind 'String'
        Set-CortexShimRegistryValue -Path $key -Name 'FabricDataRoot' -Value $config.DataRoot -Kind 'String'
        Set-CortexShimRegistryValue -Path $key -Name 'FabricLogRoot' -Value $config.LogRoot -Kind 'String'
        Set-CortexShimRegistryValue -Path $key -Name 'FabricBinRoot' -Value 'C:\Program Files\Microsoft Service Fabric\bin' -Kind 'String'
        $nodes = @($config.Nodes | ForEach-Object {
                $ud = $_.UpgradeDomain
                if (-not $ud) { $ud = $_.NodeName }
                [pscustomobject]@{ NodeName = $_.NodeName; NodeStatus = 'Up'; HealthState = 'Ok'; UpgradeDomain = $ud }
            })
        $sf = $script:View.serviceFabric
        $sf.connectError = $null
        $sf.nodes = $nodes
        $sf.upgrade = [pscustomobject]@{ TargetCodeVersion = $Runtime; TargetConfigVersion = $config.ConfigVersion }
        $sf.clusterHealth = 'Ok'
        $sf.applicationTypes = @()
        $sf.applications = @()
    }
    , @('Creating Service Fabric Cluster...', 'Processing and validating cluster config.', 'Configuring nodes.', 'Starting nodes.', 'Your cluster is successfully created! You can connect and manage your cluster using Microsoft Azure Service Fabric Explorer or PowerShell.')
}

function Add-CortexShimFabricListener {
    # The node's endpoints listening on 0.0.0.0 (Get-NetTCPConnection), the client and HTTP gateway ones owned
    # by Fabric (Get-Process), in port order as the lab lists a machine's listeners (src/lab/state/listeners.ts).
    param([Parameter(Mandatory = $true)][int[]]$Ports)
    $rows = @($script:View.tcpConnections)
    foreach ($port in $Ports) {
        if (@($rows | Where-Object { $_.State -eq 'Listen' -and [int]$_.LocalPort -eq $port }).Count -gt 0) { continue }
        $rows += [pscustomobject]@{ LocalAddress = '0.0.0.0'; LocalPort = $port; RemoteAddress = '0.0.0.0'; RemotePort = 0; State = 'Listen'; OwningProcess = 1000 + $port }
        if (@(19000, 19080) -contains $port) { $script:View.processes = @(@($script:View.processes) + [pscustomobject]@{ Id = 1000 + $port; ProcessName = 'Fabric' }) }
    }
    $script:View.tcpConnections = @($rows | Sort-Object -Property { [int]$_.LocalPort })
    # Processes: System first, then in the order of the first port each listens on.
    $order = @(4) + @($script:View.tcpConnections | ForEach-Object { [int]$_.OwningProcess })
    $rank = { $i = [array]::IndexOf([int[]]$order, [int]$_.Id); if ($i -lt 0) { [int]::MaxValue } else { $i } }
    $script:View.processes = @($script:View.processes | Sort-Object -Property $rank -Stable)
}

function Invoke-CortexShimPackageScript {
    # Runs a package script call (Get-CortexShimPackageScriptCall) for a task: its effect, its log; returns the task's run.
    param([Parameter(Mandatory = $true)]$Call)
    $p = $Call.Parameters
    $config = $null
    if ($p.ContainsKey('ClusterConfigFilePath')) { $config = [string]$p['ClusterConfigFilePath'] }
    $lines = switch ($Call.Script) {
        'TestConfiguration.ps1' {
            if ($null -eq $config) { throw (New-CortexNotEmulatedError -What 'TestConfiguration.ps1 without -ClusterConfigFilePath') }
            Invoke-CortexShimTestConfiguration -ConfigPath $config
        }
        'CreateServiceFabricCluster.ps1' {
            if ($null -eq $config) { throw (New-CortexNotEmulatedError -What 'CreateServiceFabricCluster.ps1 without -ClusterConfigFilePath') }
            if (-not $p.ContainsKey('AcceptEULA')) { throw (New-CortexNotEmulatedError -What 'CreateServiceFabricCluster.ps1 without -AcceptEULA (it would prompt)') }
            Invoke-CortexShimCreateCluster -ConfigPath $config -Runtime $Call.Runtime
        }
        default { throw (New-CortexNotEmulatedError -What ('the package script {0}' -f $Call.Script)) }
    }
    if ($Call.Log) {
        # Out-File -Encoding utf8 in Windows PowerShell: a BOM, CRLF after every line.
        $text = [string][char]0xFEFF + ((@($lines) | ForEach-Object { $_ + "`r`n" }) -join '')
        Assert-CortexShimParentFolder -Path $Call.Log
        $bytes = [Text.Encoding]::UTF8.GetBytes($text)
        Set-CortexShimFile -Path $Call.Log -Bytes $bytes
        $sha = [System.Security.Cryptography.SHA256]::Create()
        try { $hex = -join ($sha.ComputeHash($bytes) | ForEach-Object { $_.ToString('x2') }) } finally { $sha.Dispose() }
        $script:ShimWrittenLines[$hex] = [string[]]@($lines)
    }
    [pscustomobject]@{ exitCode = 0; setsPendingReboot = $false; runSec = 0 }
}


# exec: the step's PowerShell (`run`, `unless`) would run in a runspace of its own, where the shim is not
# loaded: it would reach the Linux machine instead of the simulated host. Not emulated (docs/lab.md).

function Invoke-CortexIsolatedPowerShell {
    param([Parameter(Mandatory = $true)][string]$Text, [Parameter(Mandatory = $true)][string]$Resource)
    $null = $Text
    throw (New-CortexNotEmulatedError -What ("{0}: running a step's PowerShell in a runspace of its own" -f $Resource))
}
# ---- end lab-res-b (exec) ----

# Archives (Expand-Archive of the lab's synthetic zips; Get-ChildItem not modelled): the entries of a
# zip come from the view's labArtifacts.archives by the zip's SHA-256.

function Get-CortexShimSha256Text {
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string]$Text)
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try { -join ($sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($Text)) | ForEach-Object { $_.ToString('x2') }) } finally { $sha.Dispose() }
}

function Get-CortexShimKnownText {
    # The text of a file the lab can tell by its SHA-256: a marker holding a known zip's SHA-256; else $null.
    param([Parameter(Mandatory = $true)][string]$Sha256)
    foreach ($z in $script:View.labArtifacts.archives.PSObject.Properties) {
        if ((Get-CortexShimSha256Text -Text $z.Name) -eq $Sha256.ToLowerInvariant()) { return $z.Name }
    }
    $null
}

function Get-CortexShimExecutable {
    # The executable of a service command line: "C:\a b\x.exe" -arg, or C:\x.exe -arg.
    param([Parameter(Mandatory = $true)][string]$CommandLine)
    $t = $CommandLine.Trim()
    if ($t.StartsWith('"')) {
        $end = $t.IndexOf('"', 1)
        if ($end -gt 0) { return $t.Substring(1, $end - 1) }
        return $t.Substring(1)
    }
    $m = [regex]::Match($t, '^(.*?\.exe)(?=\s|$)', [System.Text.RegularExpressions.RegexOptions]::IgnoreCase)
    if ($m.Success) { return $m.Groups[1].Value }
    @($t -split '\s+')[0]
}

function Get-CortexShimRunningServiceProgram {
    # The programs the running services run, lower-case (src/lab/components/service-programs.ts): each one's
    # image (Win32_Service.PathName) and, for a service NSSM hosts, its Parameters\Application.
    $out = New-Object System.Collections.Generic.List[string]
    foreach ($svc in @($script:View.cim.Win32_Service)) {
        if ([string]$svc.State -ne 'Running') { continue }
        if ($svc.PathName) { $out.Add((ConvertTo-CortexShimPath -Path (Get-CortexShimExecutable -CommandLine ([string]$svc.PathName))).ToLowerInvariant()) }
        $app = Get-CortexRegistryValue -SubKey ('SYSTEM\CurrentControlSet\Services\{0}\Parameters' -f $svc.Name) -Name 'Application'
        if ($app) { $out.Add((ConvertTo-CortexShimPath -Path (Get-CortexShimExecutable -CommandLine ([string]$app))).ToLowerInvariant()) }
    }
    , $out.ToArray()
}

function Expand-Archive {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string]$Path, [string]$LiteralPath, [Parameter(Mandatory = $true)][string]$DestinationPath, [switch]$Force)
    Assert-CortexShimView
    $p = Resolve-CortexShimPathArgument -Path $Path -LiteralPath $LiteralPath
    $f = Find-CortexShimFile -Path $p
    if ($null -eq $f) { throw ("The path '{0}' either does not exist or is not a valid file system path." -f $p) }
    $entries = Get-CortexShimProperty -Object $script:View.labArtifacts.archives -Name ([string]$f.Value.sha256).ToLowerInvariant()
    if ($null -eq $entries) { throw (New-CortexNotEmulatedError -What ("Expand-Archive of {0} (a zip that is not one of the lab's synthetic artifacts: its entries are unknown)" -f $p)) }
    $inUse = Get-CortexShimRunningServiceProgram
    foreach ($e in $entries.PSObject.Properties) {
        $target = Join-Path $DestinationPath $e.Name
        # A running program's file is open: Windows refuses to overwrite it (the entries before it are written).
        if ($inUse -contains (ConvertTo-CortexShimPath -Path $target).ToLowerInvariant()) { throw ("The process cannot access the file '{0}' because it is being used by another process." -f $target) }
        $existing = Find-CortexShimFile -Path $target
        if ($null -ne $existing -and -not $Force) { throw ("Failed to create file '{0}' while expanding the archive file '{1}' contents as the file '{0}' already exists." -f $target, $p) }
        $name = ConvertTo-CortexShimPath -Path $target
        if ($null -ne $existing) { $name = $existing.Name }
        $script:View.files | Add-Member -MemberType NoteProperty -Name $name -Value ([pscustomobject]@{ length = [long]$e.Value.length; sha256 = [string]$e.Value.sha256; fileVersion = $null }) -Force
    }
}

function Get-ChildItem {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string]$Path, [string]$LiteralPath, [switch]$Force, [switch]$Recurse, [string]$Filter)
    $p = $LiteralPath
    if (-not $p) { $p = $Path }
    throw (New-CortexNotEmulatedError -What ('Get-ChildItem {0} (listing a folder)' -f $p))
}
# ---- end lab-res-b (archives) ----

# Native programs: Invoke-CortexNative (below, beside the other resource seams) records each call in
# the view's nativeCalls and hands it to the program's model in $script:NativePrograms (file name, lower
# case, with .exe -> scriptblock(string[] arguments) -> {exitCode, output, errorOutput}, as the program
# would answer). A program with no model is not emulated. Add a program: one entry in the table.

$script:NativePrograms['shutdown.exe'] = {
    param([string[]]$Arguments)
    Invoke-CortexShimShutdown -ArgumentList $Arguments
}

function Invoke-CortexShimShutdown {
    # shutdown.exe /r /t N /d p:4:1 /c "comment": a restart N seconds from now (the lab's handler models
    # the restart itself). Windows keeps one scheduled shutdown: another /r while one is recorded fails
    # with 1190. Only the restart form the scripts use is modelled.
    param([AllowEmptyCollection()][string[]]$ArgumentList = @())
    $restart = $false
    $i = 0
    while ($i -lt $ArgumentList.Count) {
        $a = $ArgumentList[$i].ToLowerInvariant()
        if ($a -eq '/r') { $restart = $true; $i++; continue }
        if (@('/t', '/d', '/c') -contains $a -and $i + 1 -lt $ArgumentList.Count) {
            if ($a -eq '/t' -and $ArgumentList[$i + 1] -notmatch '^\d{1,9}$') { throw (New-CortexNotEmulatedError -What ('shutdown.exe /t {0}' -f $ArgumentList[$i + 1])) }
            if ($a -eq '/c' -and $ArgumentList[$i + 1].Length -gt 512) { throw (New-CortexNotEmulatedError -What 'shutdown.exe /c with more than 512 characters') }
            $i += 2
            continue
        }
        throw (New-CortexNotEmulatedError -What ('shutdown.exe {0}' -f ($ArgumentList -join ' ')))
    }
    if (-not $restart) { throw (New-CortexNotEmulatedError -What ('shutdown.exe {0}' -f ($ArgumentList -join ' '))) }
    $earlier = @($script:View.nativeCalls | Where-Object { $_.filePath -match '(^|[\\/])shutdown(\.exe)?$' -and @($_.arguments) -contains '/r' })
    # This call is recorded already: an earlier one is a restart still scheduled.
    if ($earlier.Count -gt 1) {
        return [pscustomobject]@{ exitCode = 1190; output = @(); errorOutput = @('A system shutdown has already been scheduled.(1190)') }
    }
    [pscustomobject]@{ exitCode = 0; output = @(); errorOutput = @() }
}

# ---------------------------------------------------------------------------------------------------
# Service Fabric: the ServiceFabric module's read cmdlets, from the view's serviceFabric part (what the
# lab's model of the cluster answers on this node, src/lab/shim/service-fabric-view.ts). Only this
# node's own client endpoint is modelled; the cmdlets that change the cluster follow below.

function Get-CortexShimFabric {
    # The view's Service Fabric part once connected; a cmdlet before Connect-ServiceFabricCluster fails as the module does.
    Assert-CortexShimView
    if (-not $script:FabricConnected) { throw 'Cluster connection instance is null' }
    $script:View.serviceFabric
}

function Connect-ServiceFabricCluster {
    [CmdletBinding()]
    param([string[]]$ConnectionEndpoint = @('localhost:19000'), [switch]$WindowsCredential, [int]$TimeoutSec = 30)
    Assert-CortexShimView
    $endpoint = [string]@($ConnectionEndpoint)[0]
    $hostPart = ($endpoint -split ':')[0].ToLowerInvariant()
    if (@('localhost', '127.0.0.1', ([string]$script:View.env.COMPUTERNAME).ToLowerInvariant()) -notcontains $hostPart) {
        throw (New-CortexNotEmulatedError -What ('connecting to {0} (another machine''s endpoint)' -f $endpoint))
    }
    $script:FabricConnected = $false
    $failure = $script:View.serviceFabric.connectError
    if ($null -ne $failure) { throw ([string]$failure).Replace('{endpoint}', $endpoint) }
    $script:FabricConnected = $true
    $true
}

function Get-ServiceFabricNode {
    [CmdletBinding()]
    param([string]$NodeName)
    @((Get-CortexShimFabric).nodes | Where-Object { -not $NodeName -or $_.NodeName -eq $NodeName } | ForEach-Object { [pscustomobject]@{ NodeName = $_.NodeName; NodeStatus = $_.NodeStatus; HealthState = $_.HealthState; UpgradeDomain = $_.UpgradeDomain } })
}

# The deployed code packages of an application on a node, and their restart, are not in the view
# (the restart's record lives on every node's machine): the lab's service_fabric_restart model holds them.
function Get-ServiceFabricDeployedCodePackage {
    [CmdletBinding()]
    param([string]$NodeName, [uri]$ApplicationName)
    throw (New-CortexNotEmulatedError -What ('Get-ServiceFabricDeployedCodePackage -NodeName {0} (the deployed code packages are the lab model''s, not the shim''s)' -f $NodeName))
}

function Restart-ServiceFabricDeployedCodePackage {
    [CmdletBinding()]
    param([string]$NodeName, [uri]$ApplicationName, [string]$ServiceManifestName, [string]$CodePackageName, [string]$CommandCompletionMode, [int]$TimeoutSec)
    throw (New-CortexNotEmulatedError -What ('Restart-ServiceFabricDeployedCodePackage -NodeName {0}' -f $NodeName))
}

function Get-ServiceFabricClusterUpgrade {
    [CmdletBinding()]
    param()
    $upgrade = (Get-CortexShimFabric).upgrade
    if ($null -ne $script:FabricClusterUpgrade) { return $script:FabricClusterUpgrade }
    if ($null -ne $upgrade) { [pscustomobject]@{ TargetCodeVersion = $upgrade.TargetCodeVersion; TargetConfigVersion = $upgrade.TargetConfigVersion } }
}

function Get-ServiceFabricClusterHealth {
    [CmdletBinding()]
    param()
    [pscustomobject]@{ AggregatedHealthState = (Get-CortexShimFabric).clusterHealth }
}

function Get-ServiceFabricApplicationType {
    [CmdletBinding()]
    param([string]$ApplicationTypeName)
    @((Get-CortexShimFabric).applicationTypes | Where-Object { -not $ApplicationTypeName -or $_.ApplicationTypeName -eq $ApplicationTypeName } | ForEach-Object { [pscustomobject]@{ ApplicationTypeName = $_.ApplicationTypeName; ApplicationTypeVersion = $_.ApplicationTypeVersion } })
}

function Get-ServiceFabricApplication {
    [CmdletBinding()]
    param([uri]$ApplicationName)
    @((Get-CortexShimFabric).applications | Where-Object { $null -eq $ApplicationName -or $_.ApplicationName -eq [string]$ApplicationName } | ForEach-Object {
            [pscustomobject]@{ ApplicationName = [uri]$_.ApplicationName; ApplicationTypeName = $_.ApplicationTypeName; ApplicationTypeVersion = $_.ApplicationTypeVersion; ApplicationStatus = $_.ApplicationStatus; HealthState = $_.HealthState; ApplicationParameters = @($_.ApplicationParameters | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Value = $_.Value } }) }
        })
}

function Get-ServiceFabricApplicationHealth {
    [CmdletBinding()]
    param([uri]$ApplicationName)
    $app = @((Get-CortexShimFabric).applications | Where-Object { $_.ApplicationName -eq [string]$ApplicationName }) | Select-Object -First 1
    if ($null -eq $app) { throw ('Application not found: {0}' -f $ApplicationName) }
    [pscustomobject]@{ AggregatedHealthState = $app.HealthState }
}

# The ServiceFabric module's cmdlets that change the cluster, acting on the view's serviceFabric part as
# Service Fabric does (the script decides; these only do what it asks, or refuse as Service Fabric
# refuses). The image store, the registered code packages and the upgrades' progress live for one script
# run; the cluster's application types, applications and code version are the view's. A monitored upgrade
# walks the upgrade domains (Get-ServiceFabricNode's UpgradeDomain, in Service Fabric's order); a domain
# with a node the lab faults (serviceFabric.labUpgradeFaults) fails its health check and the upgrade rolls
# back (FailureAction Rollback), leaving the cluster as it was. Only the end state is modelled: an upgrade
# has ended by the first Get-ServiceFabric*Upgrade after its start.

function Reset-CortexShimFabricSession {
    # One script run's Service Fabric session; ShimWrittenLines: the lines of the logs the shim wrote in this
    # run (the package scripts' tasks), by SHA-256, which Get-Content reads back.
    $script:FabricConnected = $false
    $script:ShimWrittenLines = @{}
    $script:FabricImageStore = @{}
    $script:FabricCodeVersions = @()
    $script:FabricClusterUpgrade = $null
    $script:FabricApplicationUpgrades = @{}
}
Reset-CortexShimFabricSession

function Get-CortexShimFabricDomain {
    # The cluster's upgrade domains in walking order (UD0, UD1, ..., numbers compared as numbers), each with its nodes.
    $byName = [ordered]@{}
    foreach ($n in @((Get-CortexShimFabric).nodes)) {
        $ud = [string]$n.UpgradeDomain
        if (-not $ud) { $ud = [string]$n.NodeName }
        if (-not $byName.Contains($ud)) { $byName[$ud] = New-Object System.Collections.Generic.List[string] }
        $byName[$ud].Add([string]$n.NodeName)
    }
    $key = { [regex]::Replace(([string]$_.Name).ToLowerInvariant(), '\d+', { param($m) $m.Value.PadLeft(12, '0') }) }
    @($byName.GetEnumerator() | Sort-Object -Property $key | ForEach-Object { [pscustomobject]@{ Name = [string]$_.Key; Nodes = [string[]]$_.Value.ToArray() } })
}

function Invoke-CortexShimFabricRollingUpgrade {
    # A monitored upgrade with FailureAction Rollback: how it ends (UpgradeState, the domains' states, the failure).
    $faults = @($script:View.serviceFabric.labUpgradeFaults | ForEach-Object { [string]$_ })
    $status = New-Object System.Collections.Generic.List[object]
    $failedAt = $null
    foreach ($d in (Get-CortexShimFabricDomain)) {
        if ($null -ne $failedAt) { $status.Add([pscustomobject]@{ Name = $d.Name; State = 'Pending' }); continue }
        if (@($d.Nodes | Where-Object { $faults -contains $_ }).Count -gt 0) {
            $failedAt = $d.Name
            $status.Add([pscustomobject]@{ Name = $d.Name; State = 'Failed' })
        } else { $status.Add([pscustomobject]@{ Name = $d.Name; State = 'Completed' }) }
    }
    if ($null -eq $failedAt) { return [pscustomobject]@{ UpgradeState = 'RollingForwardCompleted'; UpgradeDomainsStatus = $status.ToArray(); UpgradeDomainProgressAtFailure = $null; FailureReason = 'None' } }
    [pscustomobject]@{ UpgradeState = 'RollingBackCompleted'; UpgradeDomainsStatus = $status.ToArray(); UpgradeDomainProgressAtFailure = [pscustomobject]@{ UpgradeDomainName = $failedAt }; FailureReason = 'HealthCheck' }
}

function Get-CortexShimImageStoreKey {
    param([Parameter(Mandatory = $true)][string]$Path)
    $Path.Replace('/', '\').Trim('\').ToLowerInvariant()
}

function Copy-ServiceFabricApplicationPackage {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ApplicationPackagePath, [string]$ApplicationPackagePathInImageStore, [string]$ImageStoreConnectionString, [int]$TimeoutSec = 600)
    $null = Get-CortexShimFabric
    $manifest = $ApplicationPackagePath.TrimEnd('\') + '\ApplicationManifest.xml'
    $f = Find-CortexShimFile -Path $manifest
    if ($null -eq $f) { throw ('The application package at {0} has no ApplicationManifest.xml' -f $ApplicationPackagePath) }
    $text = Get-CortexShimProperty -Object $script:View.serviceFabric.labPackageFiles.applicationManifests -Name ([string]$f.Value.sha256).ToLowerInvariant()
    if ($null -eq $text) { throw (New-CortexNotEmulatedError -What ('Copy-ServiceFabricApplicationPackage of {0} (an ApplicationManifest.xml the lab does not know: its content is unknown)' -f $ApplicationPackagePath)) }
    $inStore = $ApplicationPackagePathInImageStore
    if (-not $inStore) { $inStore = Split-Path -Path $ApplicationPackagePath.TrimEnd('\') -Leaf }
    $script:FabricImageStore[(Get-CortexShimImageStoreKey $inStore)] = [pscustomobject]@{ Kind = 'application'; ManifestText = [string]$text }
}

function Register-ServiceFabricApplicationType {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ApplicationPathInImageStore, [int]$TimeoutSec = 600)
    $sf = Get-CortexShimFabric
    $entry = $script:FabricImageStore[(Get-CortexShimImageStoreKey $ApplicationPathInImageStore)]
    if ($null -eq $entry -or $entry.Kind -ne 'application') { throw ('FABRIC_E_IMAGEBUILDER_VALIDATION_ERROR: {0} is not an application package in the image store' -f $ApplicationPathInImageStore) }
    # What Service Fabric reads from the manifest: its type and version attributes.
    $root = ([xml]$entry.ManifestText).DocumentElement
    $typeName = [string]$root.GetAttribute('ApplicationTypeName')
    $typeVersion = [string]$root.GetAttribute('ApplicationTypeVersion')
    if (-not $typeName -or -not $typeVersion) { throw ('FABRIC_E_IMAGEBUILDER_VALIDATION_ERROR: the ApplicationManifest.xml at {0} has no ApplicationTypeName or ApplicationTypeVersion' -f $ApplicationPathInImageStore) }
    if (@($sf.applicationTypes | Where-Object { $_.ApplicationTypeName -eq $typeName -and $_.ApplicationTypeVersion -eq $typeVersion }).Count -gt 0) {
        throw ('FABRIC_E_APPLICATION_TYPE_ALREADY_EXISTS: application type {0} version {1} is already registered' -f $typeName, $typeVersion)
    }
    $sf.applicationTypes = @($sf.applicationTypes) + @([pscustomobject]@{ ApplicationTypeName = $typeName; ApplicationTypeVersion = $typeVersion })
}

function Remove-ServiceFabricApplicationPackage {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ApplicationPackagePathInImageStore, [string]$ImageStoreConnectionString)
    $null = Get-CortexShimFabric
    $key = Get-CortexShimImageStoreKey $ApplicationPackagePathInImageStore
    if (-not $script:FabricImageStore.ContainsKey($key)) { throw ('{0} is not in the image store' -f $ApplicationPackagePathInImageStore) }
    $script:FabricImageStore.Remove($key)
}

function ConvertTo-CortexShimFabricParameter {
    # -ApplicationParameter as the application's ApplicationParameters rows (by name: service-fabric-view.ts lists them so).
    param([hashtable]$Parameters)
    if ($null -eq $Parameters) { return @() }
    $names = [string[]]@($Parameters.Keys | ForEach-Object { [string]$_ })
    [Array]::Sort($names, [StringComparer]::Ordinal)
    @($names | ForEach-Object { [pscustomobject]@{ Name = $_; Value = [string]$Parameters[$_] } })
}

function New-ServiceFabricApplication {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][uri]$ApplicationName, [Parameter(Mandatory = $true)][string]$ApplicationTypeName, [Parameter(Mandatory = $true)][string]$ApplicationTypeVersion, [hashtable]$ApplicationParameter, [int]$TimeoutSec = 600)
    $sf = Get-CortexShimFabric
    $name = [string]$ApplicationName
    if (@($sf.applicationTypes | Where-Object { $_.ApplicationTypeName -eq $ApplicationTypeName -and $_.ApplicationTypeVersion -eq $ApplicationTypeVersion }).Count -eq 0) {
        throw ('FABRIC_E_APPLICATION_TYPE_NOT_FOUND: application type {0} version {1} is not registered' -f $ApplicationTypeName, $ApplicationTypeVersion)
    }
    if (@($sf.applications | Where-Object { $_.ApplicationName -eq $name }).Count -gt 0) { throw ('FABRIC_E_APPLICATION_ALREADY_EXISTS: {0}' -f $name) }
    $sf.applications = @($sf.applications) + @([pscustomobject]@{ ApplicationName = $name; ApplicationTypeName = $ApplicationTypeName; ApplicationTypeVersion = $ApplicationTypeVersion; ApplicationStatus = 'Ready'; HealthState = [string]$sf.clusterHealth; ApplicationParameters = @(ConvertTo-CortexShimFabricParameter -Parameters $ApplicationParameter) })
    [pscustomobject]@{ ApplicationName = $ApplicationName; ApplicationTypeName = $ApplicationTypeName; ApplicationTypeVersion = $ApplicationTypeVersion }
}

function Start-ServiceFabricApplicationUpgrade {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][uri]$ApplicationName, [Parameter(Mandatory = $true)][string]$ApplicationTypeVersion, [hashtable]$ApplicationParameter, [switch]$Monitored, [string]$FailureAction, [int]$UpgradeTimeoutSec, [int]$TimeoutSec = 600)
    $sf = Get-CortexShimFabric
    $name = [string]$ApplicationName
    if (-not $Monitored -or $FailureAction -ne 'Rollback') { throw (New-CortexNotEmulatedError -What 'an application upgrade other than -Monitored -FailureAction Rollback') }
    $app = @($sf.applications | Where-Object { $_.ApplicationName -eq $name }) | Select-Object -First 1
    if ($null -eq $app) { throw ('FABRIC_E_APPLICATION_NOT_FOUND: {0}' -f $name) }
    if (@($sf.applicationTypes | Where-Object { $_.ApplicationTypeName -eq $app.ApplicationTypeName -and $_.ApplicationTypeVersion -eq $ApplicationTypeVersion }).Count -eq 0) {
        throw ('FABRIC_E_APPLICATION_TYPE_NOT_FOUND: application type {0} version {1} is not registered' -f $app.ApplicationTypeName, $ApplicationTypeVersion)
    }
    $outcome = Invoke-CortexShimFabricRollingUpgrade
    if ($outcome.UpgradeState -eq 'RollingForwardCompleted') {
        $app.ApplicationTypeVersion = $ApplicationTypeVersion
        $app.ApplicationParameters = @(ConvertTo-CortexShimFabricParameter -Parameters $ApplicationParameter)
    }
    $outcome | Add-Member -MemberType NoteProperty -Name ApplicationName -Value $ApplicationName
    $outcome | Add-Member -MemberType NoteProperty -Name TargetApplicationTypeVersion -Value $ApplicationTypeVersion
    $script:FabricApplicationUpgrades[$name] = $outcome
}

function Get-ServiceFabricApplicationUpgrade {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][uri]$ApplicationName)
    $sf = Get-CortexShimFabric
    $name = [string]$ApplicationName
    if ($script:FabricApplicationUpgrades.ContainsKey($name)) { return $script:FabricApplicationUpgrades[$name] }
    $app = @($sf.applications | Where-Object { $_.ApplicationName -eq $name }) | Select-Object -First 1
    if ($null -eq $app) { throw ('FABRIC_E_APPLICATION_NOT_FOUND: {0}' -f $name) }
    # No upgrade started in this run: the application as it was created (or last upgraded).
    [pscustomobject]@{ ApplicationName = $ApplicationName; TargetApplicationTypeVersion = $app.ApplicationTypeVersion; UpgradeState = 'RollingForwardCompleted'; UpgradeDomainsStatus = @(); UpgradeDomainProgressAtFailure = $null; FailureReason = 'None' }
}

function Copy-ServiceFabricClusterPackage {
    [CmdletBinding()]
    param([switch]$Code, [string]$CodePackagePath, [string]$CodePackagePathInImageStore, [string]$ImageStoreConnectionString, [int]$TimeoutSec = 600)
    $null = Get-CortexShimFabric
    if (-not $Code) { throw (New-CortexNotEmulatedError -What 'Copy-ServiceFabricClusterPackage without -Code (a configuration package)') }
    $f = Find-CortexShimFile -Path $CodePackagePath
    if ($null -eq $f) { throw ('Cannot find path ''{0}'' because it does not exist.' -f $CodePackagePath) }
    $version = Get-CortexShimProperty -Object $script:View.serviceFabric.labPackageFiles.runtimeCabs -Name ([string]$f.Value.sha256).ToLowerInvariant()
    if ($null -eq $version) { throw (New-CortexNotEmulatedError -What ('Copy-ServiceFabricClusterPackage of {0} (a runtime package the lab does not know: its version is unknown)' -f $CodePackagePath)) }
    $inStore = $CodePackagePathInImageStore
    if (-not $inStore) { $inStore = Split-Path -Path $CodePackagePath -Leaf }
    $script:FabricImageStore[(Get-CortexShimImageStoreKey $inStore)] = [pscustomobject]@{ Kind = 'code'; Version = [string]$version }
}

function Register-ServiceFabricClusterPackage {
    [CmdletBinding()]
    param([switch]$Code, [string]$CodePackagePath, [int]$TimeoutSec = 600)
    $null = Get-CortexShimFabric
    $entry = $script:FabricImageStore[(Get-CortexShimImageStoreKey $CodePackagePath)]
    if (-not $Code -or $null -eq $entry -or $entry.Kind -ne 'code') { throw ('FABRIC_E_IMAGEBUILDER_VALIDATION_ERROR: {0} is not a runtime package in the image store' -f $CodePackagePath) }
    if ($script:FabricCodeVersions -notcontains $entry.Version) { $script:FabricCodeVersions = @($script:FabricCodeVersions) + @($entry.Version) }
}

function Start-ServiceFabricClusterUpgrade {
    [CmdletBinding()]
    param([switch]$Code, [string]$CodePackageVersion, [switch]$Monitored, [string]$FailureAction, [int]$MaxPercentUnhealthyNodes, [int]$MaxPercentUnhealthyApplications, [int]$UpgradeTimeoutSec, [int]$TimeoutSec = 600)
    $sf = Get-CortexShimFabric
    if (-not $Code -or -not $Monitored -or $FailureAction -ne 'Rollback') { throw (New-CortexNotEmulatedError -What 'a cluster upgrade other than -Code -Monitored -FailureAction Rollback') }
    if ($script:FabricCodeVersions -notcontains $CodePackageVersion) { throw ('FABRIC_E_FABRIC_VERSION_NOT_FOUND: the code version {0} is not registered (Register-ServiceFabricClusterPackage)' -f $CodePackageVersion) }
    $outcome = Invoke-CortexShimFabricRollingUpgrade
    if ($outcome.UpgradeState -eq 'RollingForwardCompleted') {
        $sf.upgrade.TargetCodeVersion = $CodePackageVersion
        # This node's runtime is the new one: its Service Fabric key says so, as the installer writes it.
        Set-CortexShimRegistryValue -Path 'SOFTWARE\Microsoft\Service Fabric' -Name 'FabricVersion' -Value $CodePackageVersion -Kind 'String'
    }
    $outcome | Add-Member -MemberType NoteProperty -Name TargetCodeVersion -Value $CodePackageVersion
    $outcome | Add-Member -MemberType NoteProperty -Name TargetConfigVersion -Value $sf.upgrade.TargetConfigVersion
    $script:FabricClusterUpgrade = $outcome
}

# ---------------------------------------------------------------------------------------------------
# Identity and clock.

function Get-Date {
    # The host's clock: the lab's plus the profile's skew. Other forms (-Format, -Date, -UFormat) work as usual.
    [CmdletBinding()]
    param([Parameter(Position = 0)][datetime]$Date, [string]$Format, [string]$UFormat)
    Assert-CortexShimView
    if (-not $PSBoundParameters.ContainsKey('Date')) { $PSBoundParameters['Date'] = [datetime]::Now.AddSeconds([int]$script:View.clockSkewSec) }
    Microsoft.PowerShell.Utility\Get-Date @PSBoundParameters
}

function hostname {
    Assert-CortexShimView
    [string]$script:View.env.COMPUTERNAME
}

# ---------------------------------------------------------------------------------------------------
# Resource scripts, part A (service, env_var, registry_value, file, directory): the registry entry seams
# of ps1/lib/windows.ps1 (HKLM and HKCU), machine environment variables, sc.exe, Move-Item, and the
# helpers the file commands share. The lab models of the same: src/lab/handlers/resources/.

function ConvertTo-CortexShimHiveKeyPath {
    # A key of either hive as the registry table names it (HKCU\Software is one key in both views).
    param([Parameter(Mandatory = $true)][string]$Hive, [Parameter(Mandatory = $true)][string]$SubKey, [string]$View = '64')
    if ($Hive -eq 'CurrentUser') { return ($script:UserHivePrefix + (($SubKey.Trim('\')) -replace '\\{2,}', '\')) }
    ConvertTo-CortexShimKeyPath -SubKey $SubKey -View $View
}

function ConvertTo-CortexShimValueName {
    # The view names a key's default value (the empty name) "(default)", as regedit shows it.
    param([AllowEmptyString()][string]$Name)
    if ($Name -eq '') { return '(default)' }
    $Name
}

function Get-CortexRegistryEntry {
    param(
        [ValidateSet('LocalMachine', 'CurrentUser')][string]$Hive = 'LocalMachine',
        [Parameter(Mandatory = $true)][string]$SubKey,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Name,
        [ValidateSet('64', '32')][string]$View = '64'
    )
    Assert-CortexShimView
    $entry = [pscustomobject]@{ keyExists = $false; valueExists = $false; kind = $null; data = $null }
    $path = ConvertTo-CortexShimHiveKeyPath -Hive $Hive -SubKey $SubKey -View $View
    if (-not (Test-CortexShimKey -Path $path)) { return $entry }
    $entry.keyExists = $true
    $want = ConvertTo-CortexShimValueName -Name $Name
    $key = Get-CortexShimKeyEntry -Path $path
    if ($null -eq $key) { return $entry }
    foreach ($n in $key.Values.Keys) {
        if ($n -ne $want) { continue }
        $stored = $key.Values[$n]
        $entry.valueExists = $true
        $entry.kind = [string]$stored.kind
        # As stored: a REG_EXPAND_SZ unexpanded (DoNotExpandEnvironmentNames).
        if ($stored.kind -eq 'ExpandString') { $entry.data = [string]$stored.data } else { $entry.data = ConvertFrom-CortexShimRegistryValue -Value $stored }
    }
    $entry
}

function Set-CortexRegistryEntry {
    param(
        [ValidateSet('LocalMachine', 'CurrentUser')][string]$Hive = 'LocalMachine',
        [Parameter(Mandatory = $true)][string]$SubKey,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Name,
        [ValidateSet('64', '32')][string]$View = '64',
        [Parameter(Mandatory = $true)][ValidateSet('String', 'ExpandString', 'DWord', 'QWord', 'MultiString', 'Binary')][string]$Kind,
        [Parameter(Mandatory = $true)][AllowEmptyString()][AllowEmptyCollection()]$Data
    )
    Assert-CortexShimView
    # ValidateSet accepts any case; Windows stores the kind itself (REG_DWORD), so the view keeps its own name.
    $Kind = @('String', 'ExpandString', 'DWord', 'QWord', 'MultiString', 'Binary') | Where-Object { $_ -eq $Kind } | Select-Object -First 1
    $path = ConvertTo-CortexShimHiveKeyPath -Hive $Hive -SubKey $SubKey -View $View
    Set-CortexShimRegistryValue -Path $path -Name (ConvertTo-CortexShimValueName -Name $Name) -Value $Data -Kind $Kind
}

function Remove-CortexRegistryEntry {
    param(
        [ValidateSet('LocalMachine', 'CurrentUser')][string]$Hive = 'LocalMachine',
        [Parameter(Mandatory = $true)][string]$SubKey,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Name,
        [ValidateSet('64', '32')][string]$View = '64'
    )
    Assert-CortexShimView
    $key = Get-CortexShimKeyEntry -Path (ConvertTo-CortexShimHiveKeyPath -Hive $Hive -SubKey $SubKey -View $View)
    if ($null -eq $key) { return }
    $want = ConvertTo-CortexShimValueName -Name $Name
    foreach ($n in @($key.Values.Keys)) { if ($n -eq $want) { $key.Values.Remove($n) } }
}

function Set-CortexMachineEnvironmentVariable {
    # The registry value (REG_EXPAND_SZ when it refers to %OTHERS%, else REG_SZ; $null or '' deletes it),
    # and the environment a process started later gets (the view's env).
    param([Parameter(Mandatory = $true)][string]$Name, [AllowNull()][AllowEmptyString()][string]$Value)
    Assert-CortexShimView
    $envKey = 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
    $stored = @($script:View.env.PSObject.Properties | Where-Object { $_.Name -eq $Name })
    if ($null -eq $Value -or $Value -eq '') {
        Remove-CortexRegistryEntry -SubKey $envKey -Name $Name
        foreach ($s in $stored) { $script:View.env.PSObject.Properties.Remove($s.Name) }
        return
    }
    $kind = 'String'
    if ($Value -match '%[^%]+%') { $kind = 'ExpandString' }
    Set-CortexShimRegistryValue -Path $envKey -Name $Name -Value $Value -Kind $kind
    if ($stored.Count -gt 0) { $stored[0].Value = $Value } else { $script:View.env | Add-Member -MemberType NoteProperty -Name $Name -Value $Value }
}

function Invoke-CortexNative {
    # The programs the shim models (NativePrograms, by file name); every other one is not emulated.
    # Same contract as ps1/lib/envelope.ps1's: throws unless the exit code is one of SuccessCodes.
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [AllowEmptyCollection()][AllowEmptyString()][string[]]$ArgumentList = @(),
        [int[]]$SuccessCodes = @(0),
        [int]$TimeoutSeconds = 600,
        [int]$DrainMilliseconds = 2000,
        [string]$WorkingDirectory = '',
        [ValidateSet('', 'Unicode')][string]$OutputEncoding = '',
        [string]$InputText = ''
    )
    Assert-CortexShimView
    # The models give text already decoded: the encoding a real program writes is not a fact of the view.
    $null = $TimeoutSeconds, $DrainMilliseconds, $WorkingDirectory, $OutputEncoding
    # By file name, with or without .exe, in any case (Windows finds shutdown and SHUTDOWN.EXE alike).
    $program = ((Split-Path -Path $FilePath -Leaf) -replace '\.exe$', '').ToLowerInvariant() + '.exe'
    $known = $script:NativePrograms.ContainsKey($program)
    # lab-res-b: a program with no model may still be a synthetic installer, or an installed product's
    # quiet uninstaller, by its path (Invoke-CortexShimInstallerProgram); else it is not emulated.
    if (-not $known -and -not (Test-CortexShimInstallerProgram -FilePath $FilePath)) { throw (New-CortexNotEmulatedError -What ('the program {0}' -f $FilePath)) }
    # Each call is recorded in the view (nativeCalls), as asked, before the program's model runs.
    if ($null -eq $script:View.PSObject.Properties['nativeCalls']) { $script:View | Add-Member -NotePropertyName nativeCalls -NotePropertyValue @() }
    $script:View.nativeCalls = @($script:View.nativeCalls) + @([pscustomobject]@{ filePath = $FilePath; arguments = @($ArgumentList) })
    # A model may read what the program gets on stdin (-InputText); the view records only that there was some.
    $script:CortexShimNativeInput = $InputText
    if ($known) { $run = & $script:NativePrograms[$program] ([string[]]@($ArgumentList)) }
    else { $run = Invoke-CortexShimInstallerProgram -FilePath $FilePath -ArgumentList $ArgumentList }
    if ($SuccessCodes -notcontains $run.exitCode) {
        throw (New-Object System.InvalidOperationException ('{0} exited with code {1}: {2}' -f $FilePath, $run.exitCode, ((@($run.output) + @($run.errorOutput)) -join "`n")))
    }
    $run
}

$script:NativePrograms['sc.exe'] = {
    # sc.exe config NAME start= auto|delayed-auto|demand|disabled: the start type, and for the automatic
    # ones the delayed flag too (set or cleared).
    param([string[]]$Arguments)
    if ($Arguments.Count -ne 4 -or $Arguments[0] -ne 'config' -or $Arguments[2] -ne 'start=') { throw (New-CortexNotEmulatedError -What ('sc.exe {0}' -f ($Arguments -join ' '))) }
    $svc = Get-CortexShimService -Name $Arguments[1]
    if ($null -eq $svc) {
        return [pscustomobject]@{ exitCode = 1060; output = @('[SC] OpenService FAILED 1060:', '', 'The specified service does not exist as an installed service.', ''); errorOutput = @() }
    }
    $type = switch ($Arguments[3]) { 'auto' { 'Automatic' } 'delayed-auto' { 'Automatic' } 'demand' { 'Manual' } 'disabled' { 'Disabled' } default { $null } }
    if ($null -eq $type) { throw (New-CortexNotEmulatedError -What ('sc.exe config start= {0}' -f $Arguments[3])) }
    Set-CortexShimServiceState -Name $svc.Name -StartType $type
    if ($Arguments[3] -eq 'auto' -or $Arguments[3] -eq 'delayed-auto') {
        Set-CortexShimRegistryValue -Path ('SYSTEM\CurrentControlSet\Services\' + $svc.Name) -Name 'DelayedAutostart' -Value ([int]($Arguments[3] -eq 'delayed-auto')) -Kind 'DWord'
    }
    [pscustomobject]@{ exitCode = 0; output = @('[SC] ChangeServiceConfig SUCCESS'); errorOutput = @() }
}

function Assert-CortexShimDrive {
    # A path on a drive the host does not have: the FileSystem provider's error.
    param([Parameter(Mandatory = $true)][string]$Path)
    if ($Path -match '^([A-Za-z]):') {
        $letter = $Matches[1]
        if ($null -eq (@($script:View.cim.Win32_LogicalDisk) | Where-Object { $_.DeviceID -eq ($letter.ToUpperInvariant() + ':') })) {
            $ex = New-Object System.Management.Automation.DriveNotFoundException ("Cannot find drive. A drive with the name '{0}' does not exist." -f $letter)
            throw (New-Object System.Management.Automation.ErrorRecord ($ex, 'DriveNotFound', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $letter))
        }
    }
}

function Assert-CortexShimNotSystemPath {
    # The folders and files the profile implies (Windows, Program Files, IIS) stay: removing them is not emulated.
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][string]$What)
    $want = (ConvertTo-CortexShimPath -Path $Path).ToLowerInvariant()
    foreach ($s in @($script:View.systemPaths)) {
        $l = (ConvertTo-CortexShimPath -Path $s).ToLowerInvariant()
        if ($l -eq $want -or $l.StartsWith($want + '\')) { throw (New-CortexNotEmulatedError -What ('{0} of {1}, which holds {2} (the profile implies it)' -f $What, $Path, $s)) }
    }
}

function Add-CortexShimParentFolder {
    # A folder stays when the last item in it goes (the view would otherwise forget a folder it only implied).
    param([Parameter(Mandatory = $true)][string]$Path)
    $parent = Split-Path -Path (ConvertTo-CortexShimPath -Path $Path) -Parent
    if ($parent -and $parent -match '^[A-Za-z]:\\.') { $script:View.directories = @(@($script:View.directories) + $parent) }
}

function Move-Item {
    # Files only: Destination is the new full path (an existing file there is replaced with -Force); its folder must exist.
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    param([Parameter(ParameterSetName = 'Path', Position = 0)][string]$Path, [Parameter(ParameterSetName = 'LiteralPath')][string]$LiteralPath, [Parameter(Mandatory = $true, Position = 1)][string]$Destination, [switch]$Force)
    Assert-CortexShimView
    $p = Resolve-CortexShimPathArgument -Path $Path -LiteralPath $LiteralPath
    $dest = ConvertTo-CortexShimPath -Path (Resolve-CortexShimPathArgument -LiteralPath $Destination)
    $f = Find-CortexShimFile -Path $p
    if ($null -eq $f) {
        if (Test-CortexShimDirectory -Path $p) { throw (New-CortexNotEmulatedError -What ('Move-Item of the folder {0}' -f $p)) }
        $ex = New-Object System.Management.Automation.ItemNotFoundException ("Cannot find path '{0}' because it does not exist." -f $p)
        throw (New-Object System.Management.Automation.ErrorRecord ($ex, 'PathNotFound,Microsoft.PowerShell.Commands.MoveItemCommand', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $p))
    }
    if (Test-CortexShimDirectory -Path $dest) { throw (New-CortexNotEmulatedError -What ('Move-Item into the folder {0}' -f $dest)) }
    Assert-CortexShimNotSystemPath -Path $p -What 'Move-Item'
    Assert-CortexShimDrive -Path $dest
    Assert-CortexShimParentFolder -Path $dest
    $existing = Find-CortexShimFile -Path $dest
    if ($null -ne $existing -and -not $Force) { throw ('Cannot create a file when that file already exists.') }
    $content = $f.Value
    $script:View.files.PSObject.Properties.Remove($f.Name)
    if ($null -ne $existing) { $script:View.files.PSObject.Properties.Remove($existing.Name) }
    $script:View.files | Add-Member -MemberType NoteProperty -Name $dest -Value $content -Force
    Add-CortexShimParentFolder -Path $p
}

# ---- h6-lb-db: nssm.exe (the nssm_service resource; src/lab/components/nssm.ts models the same) ----
# install writes the service (stopped, automatic, LocalSystem, ImagePath this nssm.exe) and its first
# parameters; set/reset write or delete one value where NSSM keeps it; a number set to its default is
# deleted, as NSSM does.

$script:NssmNumericDefaults = @{ AppStdoutCreationDisposition = '4'; AppStderrCreationDisposition = '4'; AppRotateFiles = '0'; AppRotateOnline = '0'; AppRotateSeconds = '0'; AppRotateBytes = '0'; AppThrottle = '1500' }

function Set-CortexShimNssmValue {
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][string]$Name, [AllowNull()]$Value, [string]$Kind = 'String')
    if ($null -eq $Value) {
        $entry = Get-CortexShimKeyEntry -Path $Path
        if ($null -ne $entry) { foreach ($n in @($entry.Values.Keys)) { if ($n -eq $Name) { $entry.Values.Remove($n) } } }
        return
    }
    Set-CortexShimRegistryValue -Path $Path -Name $Name -Value $Value -Kind $Kind
}

$script:NativePrograms['nssm.exe'] = {
    param([string[]]$Arguments)
    $verb = $Arguments[0]
    $name = $Arguments[1]
    $key = 'SYSTEM\CurrentControlSet\Services\' + $name
    if ($verb -eq 'install' -and $Arguments.Count -eq 3) {
        if ($null -ne (Get-CortexShimService -Name $name)) { throw (New-CortexNotEmulatedError -What ('nssm install of {0}, which exists' -f $name)) }
        $script:View.services = @(@($script:View.services) + [pscustomobject]@{ Name = $name; DisplayName = $name; Status = 'Stopped'; StartType = 'Automatic'; ServicesDependedOn = @() })
        $script:View.cim.Win32_Service = @(@($script:View.cim.Win32_Service) + [pscustomobject]@{ Name = $name; State = 'Stopped'; StartMode = 'Auto'; PathName = $FilePath })
        Set-CortexShimRegistryValue -Path $key -Name 'Start' -Value 2 -Kind 'DWord'
        Set-CortexShimRegistryValue -Path $key -Name 'ImagePath' -Value $FilePath -Kind 'ExpandString'
        Set-CortexShimRegistryValue -Path $key -Name 'DisplayName' -Value $name -Kind 'String'
        Set-CortexShimRegistryValue -Path $key -Name 'ObjectName' -Value 'LocalSystem' -Kind 'String'
        $program = $Arguments[2]
        Set-CortexShimRegistryValue -Path ($key + '\Parameters') -Name 'Application' -Value $program -Kind 'ExpandString'
        Set-CortexShimRegistryValue -Path ($key + '\Parameters') -Name 'AppDirectory' -Value ($program -replace '\\[^\\]*$', '') -Kind 'ExpandString'
        Set-CortexShimRegistryValue -Path ($key + '\Parameters') -Name 'AppParameters' -Value '' -Kind 'ExpandString'
        Set-CortexShimRegistryValue -Path ($key + '\Parameters\AppExit') -Name '(default)' -Value 'Restart' -Kind 'String'
        return [pscustomobject]@{ exitCode = 0; output = @(('Service "{0}" installed successfully!' -f $name)); errorOutput = @() }
    }
    if (($verb -ne 'set' -and $verb -ne 'reset') -or $Arguments.Count -lt 3) { throw (New-CortexNotEmulatedError -What ('nssm.exe {0}' -f ($Arguments -join ' '))) }
    if ($null -eq (Get-CortexShimService -Name $name)) { return [pscustomobject]@{ exitCode = 3; output = @(("Can't open service!")); errorOutput = @() } }
    $parameter = $Arguments[2]
    $value = $null
    if ($verb -eq 'set') { $value = $Arguments[$Arguments.Count - 1] }
    switch -CaseSensitive ($parameter) {
        'Start' {
            if ($null -eq $value) { $value = 'SERVICE_AUTO_START' }
            $type = switch ($value) { 'SERVICE_DEMAND_START' { 'Manual' } 'SERVICE_DISABLED' { 'Disabled' } default { 'Automatic' } }
            Set-CortexShimServiceState -Name $name -StartType $type
            if ($type -eq 'Automatic') { Set-CortexShimRegistryValue -Path $key -Name 'DelayedAutostart' -Value ([int]($value -eq 'SERVICE_DELAYED_AUTO_START')) -Kind 'DWord' }
        }
        'AppExit' {
            $valueName = '(default)'
            if ($Arguments[3] -ne 'Default') { $valueName = $Arguments[3] }
            Set-CortexShimNssmValue -Path ($key + '\Parameters\AppExit') -Name $valueName -Value $value
        }
        { $_ -eq 'DisplayName' -or $_ -eq 'Description' } { Set-CortexShimNssmValue -Path $key -Name $parameter -Value $value }
        { $script:NssmNumericDefaults.ContainsKey($_) } {
            if ($null -ne $value -and $value -eq $script:NssmNumericDefaults[$parameter]) { $value = $null }
            if ($null -ne $value) { $value = [int]$value }
            Set-CortexShimNssmValue -Path ($key + '\Parameters') -Name $parameter -Value $value -Kind 'DWord'
        }
        default { Set-CortexShimNssmValue -Path ($key + '\Parameters') -Name $parameter -Value $value -Kind 'ExpandString' }
    }
    [pscustomobject]@{ exitCode = 0; output = @(('Set parameter "{0}" for service "{1}".' -f $parameter, $name)); errorOutput = @() }
}
# ---- end h6-lb-db (nssm.exe) ----

# ---- h6-lb-db: SQL Server (the sql_schema seams) and the NServiceBus broker tools ----
# The lab runs no SQL: it knows the Cortex database scripts by their file's SHA-256 (view.sql.scripts)
# and keeps each database's schema versions (view.sql.databases); src/lab/components/database.ts
# models the same. rabbitmqctl and rabbitmq-transport answer from view.amqpVhosts
# (src/lab/components/nservicebus.ts).

function Get-CortexShimSqlDatabase {
    param([Parameter(Mandatory = $true)][string]$Instance, [Parameter(Mandatory = $true)][string]$Name)
    if ($null -eq $script:View.PSObject.Properties['sql'] -or $null -eq $script:View.sql) { return $null }
    @($script:View.sql.databases) | Where-Object { $_.instance -eq $Instance -and $_.name -eq $Name } | Select-Object -First 1
}

function Get-CortexShimSqlScript {
    param([Parameter(Mandatory = $true)][string]$Sha256)
    if ($null -eq $script:View.PSObject.Properties['sql'] -or $null -eq $script:View.sql) { return $null }
    Get-CortexShimProperty -Object $script:View.sql.scripts -Name $Sha256.ToLowerInvariant()
}

function Get-CortexSqlSchemaRecord {
    param([Parameter(Mandatory = $true)][string]$Instance, [Parameter(Mandatory = $true)][string]$Database, [int]$TimeoutSec = 30)
    Assert-CortexShimView
    $null = $TimeoutSec
    $names = Get-CortexRegistryValueName -SubKey 'SOFTWARE\Microsoft\Microsoft SQL Server\Instance Names\SQL'
    if (@($names) -notcontains $Instance) { throw (New-CortexNotEmulatedError -What ("SQL Server instance {0}: its service runs but the profile's sql lists no such instance" -f $Instance)) }
    $db = Get-CortexShimSqlDatabase -Instance $Instance -Name $Database
    if ($null -eq $db) { return [pscustomobject]@{ databaseExists = $false; versions = [string[]]@() } }
    [pscustomobject]@{ databaseExists = $true; versions = [string[]]@($db.schemaVersions) }
}

function Read-CortexTextFile {
    param([Parameter(Mandatory = $true)][string]$Path)
    Assert-CortexShimView
    $f = Find-CortexShimFile -Path $Path
    if ($null -eq $f) { throw (New-Object System.IO.FileNotFoundException ("Could not find file '{0}'." -f $Path)) }
    $sha = ([string]$f.Value.sha256).ToLowerInvariant()
    $known = Get-CortexShimSqlScript -Sha256 $sha
    if ($null -eq $known) { throw (New-CortexNotEmulatedError -What ("running the SQL script {0} (SHA-256 {1}), which is not one of the lab's Cortex database scripts" -f $Path, $sha)) }
    [string]$known.text
}

function Invoke-CortexSqlSchemaScript {
    param(
        [Parameter(Mandatory = $true)][string]$Instance,
        [Parameter(Mandatory = $true)][string]$Database,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][string[]]$Batch,
        [Parameter(Mandatory = $true)][string]$Version,
        [Parameter(Mandatory = $true)][string]$ScriptName,
        [Parameter(Mandatory = $true)][string]$ScriptSha256,
        [int]$TimeoutSec = 600
    )
    Assert-CortexShimView
    $null = $TimeoutSec, $ScriptName
    $known = Get-CortexShimSqlScript -Sha256 $ScriptSha256
    if ($null -eq $known) { throw (New-CortexNotEmulatedError -What ("running a SQL script with SHA-256 {0}, which is not one of the lab's Cortex database scripts" -f $ScriptSha256)) }
    $db = Get-CortexShimSqlDatabase -Instance $Instance -Name $Database
    $at = $null
    if ($null -ne $db) { $at = Get-CortexSqlHighestVersion -Version ([string[]]@($db.schemaVersions)) }
    $from = $known.from
    $fits = ($null -eq $from -and $null -eq $at) -or ($null -ne $from -and $null -ne $at -and [string]$from -eq [string]$at)
    if (-not $fits) {
        $fromText = 'an empty database'
        if ($null -ne $from) { $fromText = 'schema version ' + $from }
        $dbText = 'new'
        if ($null -ne $db) { $dbText = 'without a recorded version' }
        if ($null -ne $at) { $dbText = 'at ' + $at }
        throw (New-Object System.InvalidOperationException ("batch 1 of {0} failed and nothing was kept: the lab's Cortex database script {1} starts from {2}, and the database is {3}" -f $Batch.Count, $known.fileName, $fromText, $dbText))
    }
    if ($null -eq $db) {
        $script:View.sql.databases = @(@($script:View.sql.databases) + [pscustomobject]@{ instance = $Instance; name = $Database; schemaVersions = @($Version) })
    } else {
        $db.schemaVersions = @(@($db.schemaVersions) + $Version)
    }
}

function Get-CortexShimAmqpVhost {
    param([Parameter(Mandatory = $true)][string]$Name)
    if ($null -eq $script:View.PSObject.Properties['amqpVhosts'] -or $null -eq $script:View.amqpVhosts) { return $null }
    Get-CortexShimProperty -Object $script:View.amqpVhosts -Name $Name
}

# rabbitmqctl's listings of a vhost's queues and exchanges, as the NServiceBus model keeps them (amqpVhosts);
# the rabbitmqctl.bat entry below hands these two commands here.
$script:CortexShimAmqpList = {
    # -q list_queues -p VHOST name type --formatter json | -q list_exchanges -p VHOST name --formatter json
    param([string[]]$Arguments)
    $rabbit = Get-CortexShimService -Name 'RabbitMQ'
    if ($null -eq $rabbit -or $rabbit.Status -ne 'Running') {
        return [pscustomobject]@{ exitCode = 69; output = @(("Error: unable to perform an operation on node 'rabbit@{0}'. Please see diagnostics information and suggestions below." -f $script:View.hostName)); errorOutput = @() }
    }
    $line = $Arguments -join ' '
    if ($line -notmatch '^-q (list_queues|list_exchanges) -p (\S+) name( type)?( messages)? --formatter json$') { throw (New-CortexNotEmulatedError -What ('rabbitmqctl {0}' -f $line)) }
    $what = $Matches[1]
    $vhostName = $Matches[2]
    $withMessages = [bool]$Matches[4]
    $vhost = Get-CortexShimAmqpVhost -Name $vhostName
    if ($null -eq $vhost) { throw (New-CortexNotEmulatedError -What ("rabbitmqctl list_queues -p {0} (the vhost's state belongs to the RabbitMQ model, which does not hold it here)" -f $vhostName)) }
    if ($what -eq 'list_queues' -and $withMessages) { $rows = @($vhost.queues.PSObject.Properties | ForEach-Object { [ordered]@{ name = $_.Name; type = [string]$_.Value; messages = (Get-CortexShimAmqpMessages -Vhost $vhost -Queue $_.Name) } }) }
    elseif ($what -eq 'list_queues') { $rows = @($vhost.queues.PSObject.Properties | ForEach-Object { [ordered]@{ name = $_.Name; type = [string]$_.Value } }) }
    else { $rows = @(@($vhost.exchanges) | ForEach-Object { [ordered]@{ name = [string]$_ } }) }
    [pscustomobject]@{ exitCode = 0; output = @((ConvertTo-Json -InputObject @($rows) -Depth 3 -Compress)); errorOutput = @() }
}

function Get-CortexShimAmqpMessages {
    # What waits in a queue (the view's messages; a queue not listed holds none).
    param($Vhost, [string]$Queue)
    if ($null -eq $Vhost.PSObject.Properties['messages'] -or $null -eq $Vhost.messages) { return 0 }
    $p = $Vhost.messages.PSObject.Properties[$Queue]
    if ($null -eq $p) { return 0 }
    [int]$p.Value
}

function Set-CortexShimAmqpMessages {
    param($Vhost, [string]$Queue, [int]$Count)
    if ($null -eq $Vhost.PSObject.Properties['messages'] -or $null -eq $Vhost.messages) { $Vhost | Add-Member -NotePropertyName 'messages' -NotePropertyValue ([pscustomobject]@{}) -Force }
    if ($null -eq $Vhost.messages.PSObject.Properties[$Queue]) { $Vhost.messages | Add-Member -NotePropertyName $Queue -NotePropertyValue $Count }
    else { $Vhost.messages.$Queue = $Count }
}

function Add-CortexShimAmqpQueue {
    param($Vhost, [string]$Name)
    if ($null -eq $Vhost.queues.PSObject.Properties[$Name]) { $Vhost.queues | Add-Member -NotePropertyName $Name -NotePropertyValue 'quorum' }
}

function Add-CortexShimAmqpExchange {
    param($Vhost, [string]$Name)
    if (@($Vhost.exchanges) -cnotcontains $Name) { $Vhost.exchanges = @(@($Vhost.exchanges) + $Name) }
}

$script:NativePrograms['rabbitmq-transport.exe'] = {
    # delays create | endpoint create NAME --queueType Quorum --routingTopology Conventional --errorQueueName E --auditQueueName A,
    # on the vhost of RabbitMQTransport_ConnectionString (what -c defaults to).
    param([string[]]$Arguments)
    $connection = [Environment]::GetEnvironmentVariable('RabbitMQTransport_ConnectionString')
    if (-not $connection) { return [pscustomobject]@{ exitCode = 1; output = @('A connection string is required: -c or RabbitMQTransport_ConnectionString'); errorOutput = @() } }
    $vhostName = [Uri]::UnescapeDataString($connection.Substring($connection.LastIndexOf('/') + 1))
    $vhost = Get-CortexShimAmqpVhost -Name $vhostName
    if ($null -eq $vhost) { throw (New-CortexNotEmulatedError -What ("rabbitmq-transport on the vhost {0} (the vhost's state belongs to the RabbitMQ model, which does not hold it here)" -f $vhostName)) }
    $line = $Arguments -join ' '
    if ($line -eq 'delays create') {
        for ($i = 0; $i -lt 28; $i++) {
            $level = 'nsb.v2.delay-level-{0:D2}' -f $i
            Add-CortexShimAmqpExchange -Vhost $vhost -Name $level
            Add-CortexShimAmqpQueue -Vhost $vhost -Name $level
        }
        Add-CortexShimAmqpExchange -Vhost $vhost -Name 'nsb.v2.delay-delivery'
    } elseif ($line -match '^queue migrate-to-quorum (\S+)$') {
        # the classic queue becomes a quorum queue of that name, its messages kept.
        $queue = $Matches[1]
        if ($null -eq $vhost.queues.PSObject.Properties[$queue]) { return [pscustomobject]@{ exitCode = 1; output = @(('Queue {0} does not exist' -f $queue)); errorOutput = @() } }
        $vhost.queues.$queue = 'quorum'
    } elseif ($line -eq 'delays migrate') {
        # each v1 level's messages to the v2 level of the same number.
        foreach ($q in @($vhost.queues.PSObject.Properties | ForEach-Object { $_.Name })) {
            if ($q -cnotmatch '^nsb\.delay-level-\d\d$') { continue }
            $n = Get-CortexShimAmqpMessages -Vhost $vhost -Queue $q
            if ($n -eq 0) { continue }
            $v2 = 'nsb.v2.' + $q.Substring(4)
            Set-CortexShimAmqpMessages -Vhost $vhost -Queue $v2 -Count ((Get-CortexShimAmqpMessages -Vhost $vhost -Queue $v2) + $n)
            Set-CortexShimAmqpMessages -Vhost $vhost -Queue $q -Count 0
        }
    } elseif ($line -match '^endpoint create (\S+) --queueType Quorum --routingTopology Conventional --errorQueueName (\S+) --auditQueueName (\S+)$') {
        $endpoint = $Matches[1]
        foreach ($q in @($endpoint, $Matches[2], $Matches[3])) { Add-CortexShimAmqpQueue -Vhost $vhost -Name $q }
        Add-CortexShimAmqpExchange -Vhost $vhost -Name $endpoint
    } else {
        throw (New-CortexNotEmulatedError -What ('rabbitmq-transport {0}' -f $line))
    }
    [pscustomobject]@{ exitCode = 0; output = @('Done'); errorOutput = @() }
}
# ---- end h6-lb-db (SQL Server, NServiceBus) ----
# ---- h5-iis: IIS (WebAdministration: the IIS:\ drive, the Web* cmdlets) and the machine certificate
# stores (Cert:\, Import-PfxCertificate), from the view's iis, certificates and labCertificates
# (src/lab/components/iis.ts holds the lab's side; docs/iis.md). ----

$script:NoWebAdministration = "The specified module 'WebAdministration' was not loaded because no valid module file was found in any module directory."

function Import-Module {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string[]]$Name, [switch]$Force)
    Assert-CortexShimView
    foreach ($n in $Name) {
        if ($n -ne 'WebAdministration') { throw (New-CortexNotEmulatedError -What ('Import-Module {0}' -f $n)) }
        if ($null -eq $script:View.iis) { throw $script:NoWebAdministration }
    }
}

function Get-CortexShimIis {
    Assert-CortexShimView
    if ($null -eq $script:View.iis) { throw $script:NoWebAdministration }
    $script:View.iis
}

function Find-CortexShimAppPool {
    param([Parameter(Mandatory = $true)][string]$Name)
    @(@((Get-CortexShimIis).appPools) | Where-Object { $_.name -eq $Name }) | Select-Object -First 1
}

function Find-CortexShimSite {
    param([Parameter(Mandatory = $true)][string]$Name)
    @(@((Get-CortexShimIis).sites) | Where-Object { $_.name -eq $Name }) | Select-Object -First 1
}

function Find-CortexShimCertificate {
    param([Parameter(Mandatory = $true)][string]$Store, [Parameter(Mandatory = $true)][string]$Thumbprint)
    @(@($script:View.certificates) | Where-Object { $_.store -eq $Store -and $_.Thumbprint -eq $Thumbprint }) | Select-Object -First 1
}

function Get-CortexShimProviderItem {
    # IIS:\AppPools\<name>, IIS:\Sites\<name>, Cert:\<location>\<store>\<thumbprint>: the item, or $null.
    param([Parameter(Mandatory = $true)][string]$Path)
    if ($Path -match '^IIS:\\AppPools\\([^\\]+)$') {
        $pool = Find-CortexShimAppPool -Name $Matches[1]
        if ($null -eq $pool) { return $null }
        return [pscustomobject]@{ name = $pool.name; managedRuntimeVersion = $pool.managedRuntimeVersion; managedPipelineMode = $pool.managedPipelineMode; processModel = [pscustomobject]@{ identityType = $pool.identityType; userName = $pool.userName }; state = $pool.state }
    }
    if ($Path -match '^IIS:\\Sites\\([^\\]+)$') { return (Find-CortexShimSite -Name $Matches[1]) }
    if ($Path -match '^Cert:\\(LocalMachine\\[^\\]+)\\([0-9A-Fa-f]+)$') {
        $c = Find-CortexShimCertificate -Store $Matches[1] -Thumbprint $Matches[2]
        if ($null -eq $c) { return $null }
        return [pscustomobject]@{ Thumbprint = $c.Thumbprint; Subject = $c.Subject; HasPrivateKey = [bool]$c.HasPrivateKey }
    }
    throw (New-CortexNotEmulatedError -What ('the path {0}' -f $Path))
}

function Set-CortexShimIisProperty {
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][string]$Name, $Value)
    if ($Path -match '^IIS:\\AppPools\\([^\\]+)$') {
        $pool = Find-CortexShimAppPool -Name $Matches[1]
        if ($null -eq $pool) { throw ("Cannot find path '{0}' because it does not exist." -f $Path) }
        switch ($Name) {
            'managedRuntimeVersion' { $pool.managedRuntimeVersion = [string]$Value }
            'managedPipelineMode' { $pool.managedPipelineMode = [string]$Value }
            'processModel' {
                $kinds = @('ApplicationPoolIdentity', 'NetworkService', 'LocalSystem', 'LocalService', 'SpecificUser')
                $kind = @($kinds | Where-Object { $_ -eq [string]$Value.identityType }) | Select-Object -First 1
                if ($null -eq $kind) { throw (New-CortexNotEmulatedError -What ('identityType: the value {0} is not one IIS knows' -f $Value.identityType)) }
                $pool.identityType = $kind
                $pool.userName = [string]$Value.userName
            }
            default { throw (New-CortexNotEmulatedError -What ('Set-ItemProperty {0} -Name {1}' -f $Path, $Name)) }
        }
        return
    }
    if ($Path -match '^IIS:\\Sites\\([^\\]+)$') {
        $site = Find-CortexShimSite -Name $Matches[1]
        if ($null -eq $site) { throw ("Cannot find path '{0}' because it does not exist." -f $Path) }
        switch ($Name) {
            'physicalPath' { $site.physicalPath = [string]$Value }
            'applicationPool' { $site.applicationPool = [string]$Value }
            default { throw (New-CortexNotEmulatedError -What ('Set-ItemProperty {0} -Name {1}' -f $Path, $Name)) }
        }
        return
    }
    throw (New-CortexNotEmulatedError -What ('Set-ItemProperty on {0}' -f $Path))
}

function New-WebAppPool {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Name, [switch]$Force)
    $iis = Get-CortexShimIis
    if ($null -ne (Find-CortexShimAppPool -Name $Name)) { throw (New-CortexNotEmulatedError -What ('New-WebAppPool of the existing pool {0}' -f $Name)) }
    # IIS 10's defaults for a new pool.
    $iis.appPools = @(@($iis.appPools) + @([pscustomobject]@{ name = $Name; managedRuntimeVersion = 'v4.0'; managedPipelineMode = 'Integrated'; identityType = 'ApplicationPoolIdentity'; userName = ''; state = 'Started' }))
    [pscustomobject]@{ name = $Name }
}

function Start-WebAppPool {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Name)
    $pool = Find-CortexShimAppPool -Name $Name
    if ($null -eq $pool) { throw ("Cannot find path 'IIS:\AppPools\{0}' because it does not exist." -f $Name) }
    $pool.state = 'Started'
}

function Stop-WebAppPool {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Name)
    $pool = Find-CortexShimAppPool -Name $Name
    if ($null -eq $pool) { throw ("Cannot find path 'IIS:\AppPools\{0}' because it does not exist." -f $Name) }
    $pool.state = 'Stopped'
}

function Get-Website {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string]$Name)
    foreach ($site in @((Get-CortexShimIis).sites)) {
        if ($Name -and $site.name -ne $Name) { continue }
        [pscustomobject]@{ name = $site.name; id = $site.id; physicalPath = $site.physicalPath; applicationPool = $site.applicationPool; state = $site.state }
    }
}

function New-CortexShimBindingObject {
    # A binding as Get-WebBinding gives it, whose certificate methods change the view's row.
    param([Parameter(Mandatory = $true)]$Row)
    $b = [pscustomobject]@{ protocol = $Row.protocol; bindingInformation = $Row.bindingInformation; certificateHash = $Row.certificateHash; sslFlags = $Row.sslFlags; Row = $Row }
    $b | Add-Member -MemberType ScriptMethod -Name AddSslCertificate -Value {
        param([string]$Thumbprint, [string]$StoreName)
        if ($StoreName -ne 'my' -or $null -eq (Find-CortexShimCertificate -Store 'LocalMachine\My' -Thumbprint $Thumbprint)) { throw (New-CortexNotEmulatedError -What ('AddSslCertificate({0}, {1}) of a certificate not in LocalMachine\My' -f $Thumbprint, $StoreName)) }
        $this.Row.certificateHash = $Thumbprint
    }
    $b | Add-Member -MemberType ScriptMethod -Name RemoveSslCertificate -Value { $this.Row.certificateHash = '' }
    $b
}

function Get-WebBinding {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string]$Name, [string]$Protocol, [int]$Port, [string]$HostHeader, [string]$IPAddress = '*')
    $site = Find-CortexShimSite -Name $Name
    if ($null -eq $site) { return }
    foreach ($row in @($site.bindings)) {
        if ($Protocol -and $row.protocol -ne $Protocol) { continue }
        if ($PSBoundParameters.ContainsKey('Port') -and $row.bindingInformation -ne ('{0}:{1}:{2}' -f $IPAddress, $Port, $HostHeader)) { continue }
        New-CortexShimBindingObject -Row $row
    }
}

function New-Website {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Name, [string]$PhysicalPath, [string]$ApplicationPool, [int]$Port = 80, [string]$IPAddress = '*', [string]$HostHeader = '', [switch]$Ssl, [int]$SslFlags = 0)
    $iis = Get-CortexShimIis
    if ($null -ne (Find-CortexShimSite -Name $Name)) { throw (New-CortexNotEmulatedError -What ('New-Website of the existing site {0}' -f $Name)) }
    $id = 1 + (@(@($iis.sites) | ForEach-Object { [int]$_.id }) + @(0) | Measure-Object -Maximum).Maximum
    $protocol = 'http'
    $flags = 0
    if ($Ssl) { $protocol = 'https'; $flags = $SslFlags }
    $binding = [pscustomobject]@{ protocol = $protocol; bindingInformation = ('{0}:{1}:{2}' -f $IPAddress, $Port, $HostHeader); certificateHash = ''; sslFlags = $flags }
    $iis.sites = @(@($iis.sites) + @([pscustomobject]@{ name = $Name; id = $id; physicalPath = $PhysicalPath; applicationPool = $ApplicationPool; state = 'Started'; bindings = @($binding) }))
    Get-Website -Name $Name
}

function New-WebBinding {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Name, [string]$Protocol = 'http', [int]$Port = 80, [string]$IPAddress = '*', [string]$HostHeader = '', [int]$SslFlags = 0)
    $site = Find-CortexShimSite -Name $Name
    if ($null -eq $site) { throw (New-CortexNotEmulatedError -What ('New-WebBinding on the missing site {0}' -f $Name)) }
    $site.bindings = @(@($site.bindings) + @([pscustomobject]@{ protocol = $Protocol; bindingInformation = ('{0}:{1}:{2}' -f $IPAddress, $Port, $HostHeader); certificateHash = ''; sslFlags = $SslFlags }))
}

function Remove-WebBinding {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Name, [string]$Protocol, [string]$BindingInformation)
    $site = Find-CortexShimSite -Name $Name
    if ($null -eq $site) { throw (New-CortexNotEmulatedError -What ('Remove-WebBinding on the missing site {0}' -f $Name)) }
    $site.bindings = @(@($site.bindings) | Where-Object { -not ($_.protocol -eq $Protocol -and $_.bindingInformation -eq $BindingInformation) })
}

function Set-WebBinding {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Name, [Parameter(Mandatory = $true)][string]$BindingInformation, [Parameter(Mandatory = $true)][string]$PropertyName, $Value)
    $site = Find-CortexShimSite -Name $Name
    $row = @(@($site.bindings) | Where-Object { $_.bindingInformation -eq $BindingInformation }) | Select-Object -First 1
    if ($null -eq $row -or $PropertyName -ne 'sslFlags') { throw (New-CortexNotEmulatedError -What ('Set-WebBinding {0} {1} -PropertyName {2}' -f $Name, $BindingInformation, $PropertyName)) }
    $row.sslFlags = [int]$Value
}

function Start-Website {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Name)
    (Find-CortexShimSite -Name $Name).state = 'Started'
}

function Stop-Website {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Name)
    (Find-CortexShimSite -Name $Name).state = 'Stopped'
}

function Import-PfxCertificate {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$FilePath, [Parameter(Mandatory = $true)][string]$CertStoreLocation, [securestring]$Password, [switch]$Exportable)
    Assert-CortexShimView
    $f = Find-CortexShimFile -Path $FilePath
    $known = $null
    if ($null -ne $f -and $null -ne $script:View.labCertificates.PSObject.Properties[$f.Value.sha256.ToLowerInvariant()]) { $known = $script:View.labCertificates.PSObject.Properties[$f.Value.sha256.ToLowerInvariant()].Value }
    if ($null -eq $known) { throw (New-CortexNotEmulatedError -What ("Import-PfxCertificate of {0} (a file that is not one of the lab's synthetic PFX files)" -f $FilePath)) }
    $plain = ''
    if ($null -ne $Password) { $plain = (New-Object System.Net.NetworkCredential ('', $Password)).Password }
    if ((Get-CortexShimSha256Text -Text $plain) -ne $known.passwordSha256) { throw 'The PFX file you are trying to import requires either a different password or membership in an Active Directory principal to which it is protected.' }
    $store = $CertStoreLocation -replace '^Cert:\\', ''
    $rows = @(@($script:View.certificates) | Where-Object { -not ($_.store -eq $store -and $_.Thumbprint -eq $known.thumbprint) })
    $script:View.certificates = @($rows + @([pscustomobject]@{ store = $store; Thumbprint = $known.thumbprint; Subject = $known.subject; HasPrivateKey = $true; Exportable = [bool]$Exportable }))
    [pscustomobject]@{ Thumbprint = $known.thumbprint; Subject = $known.subject; HasPrivateKey = $true }
}
# ---- end h5-iis ----

# ---- issue 12: RabbitMQ's CLI tools (rabbitmqctl.bat, rabbitmq-plugins.bat) on the view's
# rabbitmq section: this host's node (changed here) and the lab's other nodes (read only). The rules are
# src/lab/components/rabbitmq.ts's: a node runs while the RabbitMQ service is Running; a cluster is the
# nodes linked by joins; its data is the newest copy among its members; a change writes a new version
# on this node. The differential test holds the two together.

$script:CortexShimFeatureFlags = @('khepri_db', 'quorum_queue', 'stream_queue')

function New-CortexShimRun([int]$Code = 0, [string[]]$Output = @(), [string[]]$ErrorOutput = @()) {
    [pscustomobject]@{ exitCode = $Code; output = @($Output); errorOutput = @($ErrorOutput) }
}

function Get-CortexShimRabbitNodes {
    # This host's node (self) and the lab's others: {name, joinedTo, running, cookie, db, self}.
    $r = Get-CortexShimProperty -Object $script:View -Name 'rabbitmq'
    $nodes = New-Object System.Collections.Generic.List[object]
    if ($null -eq $r) { return , $nodes.ToArray() }
    if ($null -ne $r.self) {
        $svc = @(@($script:View.services) | Where-Object { $_.Name -eq 'RabbitMQ' }) | Select-Object -First 1
        $cookie = $null
        $f = Find-CortexShimFile -Path ([string]$script:View.env.windir + '\System32\config\systemprofile\.erlang.cookie')
        if ($null -ne $f) { $cookie = ([string]$f.Value.sha256).ToLowerInvariant() }
        $nodes.Add([pscustomobject]@{ name = [string]$r.self.nodeName; joinedTo = $r.self.joinedTo; running = ($null -ne $svc -and [string]$svc.Status -eq 'Running'); cookie = $cookie; db = $r.self.db; self = $true })
    }
    foreach ($p in @($r.peers)) { $nodes.Add([pscustomobject]@{ name = [string]$p.node.nodeName; joinedTo = $p.node.joinedTo; running = [bool]$p.running; cookie = $p.cookieSha256; db = $p.node.db; self = $false }) }
    , $nodes.ToArray()
}

function Get-CortexShimRabbitCluster {
    # The members of a node's cluster: the nodes linked to it by joins, either way, by name.
    param([object[]]$Nodes, [string]$Name)
    $seen = New-Object System.Collections.Generic.List[string]
    $seen.Add($Name)
    $queue = New-Object System.Collections.Generic.Queue[string]
    $queue.Enqueue($Name)
    while ($queue.Count -gt 0) {
        $at = $queue.Dequeue()
        foreach ($n in $Nodes) {
            $next = $null
            if ($n.name -ceq $at) { $next = $n.joinedTo } elseif ($null -ne $n.joinedTo -and [string]$n.joinedTo -ceq $at) { $next = $n.name }
            if ($null -eq $next) { continue }
            $next = [string]$next
            if ($seen.Contains($next) -or @($Nodes | Where-Object { $_.name -ceq $next }).Count -eq 0) { continue }
            $seen.Add($next)
            $queue.Enqueue($next)
        }
    }
    $members = @($Nodes | Where-Object { $seen.Contains($_.name) })
    , @($members | Sort-Object -Property name -Culture ([cultureinfo]::InvariantCulture))
}

function Get-CortexShimRabbitDb {
    # The data of this node's cluster (the newest copy), as a copy to change.
    $nodes = Get-CortexShimRabbitNodes
    $members = Get-CortexShimRabbitCluster -Nodes $nodes -Name ([string]$script:View.rabbitmq.self.nodeName)
    $best = $null
    foreach ($m in $members) { if ($null -eq $best -or [int]$m.db.version -gt [int]$best.version) { $best = $m.db } }
    ConvertFrom-Json -InputObject (ConvertTo-Json -InputObject $best -Depth 20 -Compress)
}

function Save-CortexShimRabbitDb($Db) {
    # A change writes a new version of the cluster's data on this node.
    $Db.version = [int]$Db.version + 1
    $script:View.rabbitmq.self.db = $Db
}

function Get-CortexShimRabbitNodeName {
    $name = Get-CortexShimProperty -Object $script:View.env -Name 'RABBITMQ_NODENAME'
    if ($name) { return [string]$name }
    'rabbit@' + ([string]$script:View.hostName -split '\.')[0]
}

function Invoke-CortexShimRabbitmqPlugins {
    param([string[]]$ArgumentList)
    $a = @($ArgumentList | Where-Object { $_ -ne '-q' })
    $r = $script:View.rabbitmq
    if ($null -eq $r -or $null -eq $r.self) { throw (New-CortexNotEmulatedError -What 'rabbitmq-plugins.bat without the RabbitMQ service') }
    $known = @($r.knownPlugins)
    if ($a.Count -eq 3 -and $a[0] -eq 'list' -and $a[1] -eq '--formatter' -and $a[2] -eq 'json') {
        $plugins = @($known | ForEach-Object { $state = 'not_enabled'; if (@($r.self.plugins) -ccontains $_) { $state = 'enabled' }; [ordered]@{ name = $_; enabled = $state } })
        return New-CortexShimRun -Output @((ConvertTo-Json -InputObject ([ordered]@{ status = 'running'; plugins = $plugins }) -Depth 5 -Compress))
    }
    if ($a.Count -eq 2 -and ($a[0] -eq 'enable' -or $a[0] -eq 'disable')) {
        if ($known -cnotcontains $a[1]) { return New-CortexShimRun 65 @() @('Error:', 'The following plugins could not be found:', ('  ' + $a[1])) }
        $now = @(@($r.self.plugins) | Where-Object { $_ -cne $a[1] })
        if ($a[0] -eq 'enable') { $now = @(@($r.self.plugins) | Where-Object { $_ }) ; if ($now -cnotcontains $a[1]) { $now += $a[1] } }
        $r.self.plugins = [string[]]$now
        return New-CortexShimRun
    }
    throw (New-CortexNotEmulatedError -What ('rabbitmq-plugins.bat {0}' -f ($ArgumentList -join ' ')))
}

function Invoke-CortexShimRabbitmqctl {
    param([string[]]$ArgumentList)
    $a = @($ArgumentList | Where-Object { $_ -ne '-q' })
    $r = $script:View.rabbitmq
    if ($null -eq $r -or $null -eq $r.self) { throw (New-CortexNotEmulatedError -What 'rabbitmqctl.bat without the RabbitMQ service') }
    $nodes = Get-CortexShimRabbitNodes
    $me = @($nodes | Where-Object { $_.self })[0]
    if (-not $me.running) {
        return New-CortexShimRun 69 @() @(("Error: unable to perform an operation on node '{0}'. Please see diagnostics information and suggestions below." -f (Get-CortexShimRabbitNodeName)), '', 'Most common reasons for this are:', '', ' * Target node is unreachable (e.g. due to hostname resolution, TCP connection or firewall issues)', " * CLI tool fails to authenticate with the server (e.g. due to CLI tool's Erlang cookie not matching that of the server)", ' * Target node is not running')
    }
    $json = { param($Value) New-CortexShimRun -Output @((ConvertTo-Json -InputObject $Value -Depth 10 -Compress)) }
    $verb = $a[0]
    $fmt = ($a.Count -ge 2 -and $a[-2] -eq '--formatter' -and $a[-1] -eq 'json')
    $vhostArg = $null
    if ($a.Count -ge 3 -and $a[1] -eq '-p') { $vhostArg = $a[2] }
    switch ($verb) {
        'cluster_status' {
            if (-not $fmt) { break }
            $members = Get-CortexShimRabbitCluster -Nodes $nodes -Name $me.name
            return & $json ([ordered]@{ disk_nodes = @($members | ForEach-Object { $_.name }); running_nodes = @($members | Where-Object { $_.running } | ForEach-Object { $_.name }) })
        }
        'join_cluster' {
            if ($a.Count -ne 2) { break }
            $seed = $a[1]
            $target = @($nodes | Where-Object { $_.name -ceq $seed }) | Select-Object -First 1
            if ($null -eq $target -or -not $target.running -or $null -eq $target.cookie -or $target.cookie -ne $me.cookie) {
                return New-CortexShimRun 70 @() @('Error:', "{:cannot_discover_cluster, 'The nodes provided are either offline or not running'}")
            }
            $cluster = Get-CortexShimRabbitCluster -Nodes $nodes -Name $seed
            if (@($cluster | Where-Object { $_.self }).Count -gt 0) { return New-CortexShimRun }
            $best = $null
            foreach ($m in $cluster) { if ($null -eq $best -or [int]$m.db.version -gt [int]$best.version) { $best = $m.db } }
            $r.self.joinedTo = $seed
            # Joining resets this node: its data becomes the cluster's.
            $r.self.db = ConvertFrom-Json -InputObject (ConvertTo-Json -InputObject $best -Depth 20 -Compress)
            return New-CortexShimRun
        }
        'list_feature_flags' {
            $db = Get-CortexShimRabbitDb
            $disabled = @($db.featureFlagsDisabled)
            $flags = @($disabled | ForEach-Object { [ordered]@{ name = $_; state = 'disabled' } }) + @($script:CortexShimFeatureFlags | Where-Object { $disabled -cnotcontains $_ } | ForEach-Object { [ordered]@{ name = $_; state = 'enabled' } })
            return & $json $flags
        }
        'enable_feature_flag' { if ($a.Count -eq 2 -and $a[1] -eq 'all') { $db = Get-CortexShimRabbitDb; $db.featureFlagsDisabled = @(); Save-CortexShimRabbitDb $db; return New-CortexShimRun } }
        'list_vhosts' { $db = Get-CortexShimRabbitDb; return & $json @(@($db.vhosts) | ForEach-Object { [ordered]@{ name = $_.name; default_queue_type = $_.defaultQueueType } }) }
        'add_vhost' {
            if ($a.Count -ne 4 -or $a[2] -ne '--default-queue-type') { break }
            $db = Get-CortexShimRabbitDb; $db.vhosts = @(@($db.vhosts) + [pscustomobject]@{ name = $a[1]; defaultQueueType = $a[3] }); Save-CortexShimRabbitDb $db; return New-CortexShimRun
        }
        'update_vhost_metadata' {
            if ($a.Count -ne 4 -or $a[2] -ne '--default-queue-type') { break }
            $db = Get-CortexShimRabbitDb; foreach ($v in @($db.vhosts)) { if ($v.name -ceq $a[1]) { $v.defaultQueueType = $a[3] } }; Save-CortexShimRabbitDb $db; return New-CortexShimRun
        }
        'list_users' { $db = Get-CortexShimRabbitDb; return & $json @(@($db.users) | ForEach-Object { [ordered]@{ user = $_.name; tags = @($_.tags) } }) }
        'add_user' {
            # The password comes on stdin (add_user with no password argument); the lab keeps its SHA-256.
            if ($a.Count -ne 2) { break }
            $sha = [System.Security.Cryptography.SHA256]::Create()
            try { $hex = -join ($sha.ComputeHash([Text.Encoding]::UTF8.GetBytes([string]$script:CortexShimNativeInput)) | ForEach-Object { $_.ToString('x2') }) } finally { $sha.Dispose() }
            $db = Get-CortexShimRabbitDb; $db.users = @(@($db.users) + [pscustomobject]@{ name = $a[1]; tags = @(); passwordSha256 = $hex }); Save-CortexShimRabbitDb $db; return New-CortexShimRun
        }
        'set_user_tags' {
            $db = Get-CortexShimRabbitDb; foreach ($u in @($db.users)) { if ($u.name -ceq $a[1]) { $u.tags = [string[]]@($a | Select-Object -Skip 2) } }; Save-CortexShimRabbitDb $db; return New-CortexShimRun
        }
        'delete_user' {
            $db = Get-CortexShimRabbitDb; $db.users = @(@($db.users) | Where-Object { $_.name -cne $a[1] }); $db.permissions = @(@($db.permissions) | Where-Object { $_.user -cne $a[1] }); Save-CortexShimRabbitDb $db; return New-CortexShimRun
        }
        'list_permissions' {
            if ($null -eq $vhostArg) { break }
            $db = Get-CortexShimRabbitDb; return & $json @(@($db.permissions) | Where-Object { $_.vhost -ceq $vhostArg } | ForEach-Object { [ordered]@{ user = $_.user; configure = $_.configure; write = $_.write; read = $_.read } })
        }
        'set_permissions' {
            if ($null -eq $vhostArg -or $a.Count -ne 7) { break }
            $db = Get-CortexShimRabbitDb
            $db.permissions = @(@($db.permissions) | Where-Object { -not ($_.vhost -ceq $vhostArg -and $_.user -ceq $a[3]) }) + @([pscustomobject]@{ vhost = $vhostArg; user = $a[3]; configure = $a[4]; write = $a[5]; read = $a[6] })
            Save-CortexShimRabbitDb $db; return New-CortexShimRun
        }
        'list_policies' {
            if ($null -eq $vhostArg) { break }
            $db = Get-CortexShimRabbitDb; return & $json @(@($db.policies) | Where-Object { $_.vhost -ceq $vhostArg } | ForEach-Object { [ordered]@{ vhost = $_.vhost; name = $_.name; pattern = $_.pattern; 'apply-to' = $_.applyTo; definition = $_.definition; priority = $_.priority } })
        }
        'set_policy' {
            # set_policy -p V --priority N --apply-to A NAME PATTERN DEFINITION
            if ($null -eq $vhostArg -or $a.Count -ne 10 -or $a[3] -ne '--priority' -or $a[5] -ne '--apply-to') { break }
            $db = Get-CortexShimRabbitDb
            $policy = [pscustomobject]@{ vhost = $vhostArg; name = $a[7]; pattern = $a[8]; applyTo = $a[6]; definition = (ConvertFrom-Json -InputObject $a[9]); priority = [int]$a[4] }
            $db.policies = @(@($db.policies) | Where-Object { -not ($_.vhost -ceq $vhostArg -and $_.name -ceq $a[7]) }) + @($policy)
            Save-CortexShimRabbitDb $db; return New-CortexShimRun
        }
    }
    throw (New-CortexNotEmulatedError -What ('rabbitmqctl.bat {0}' -f ($ArgumentList -join ' ')))
}

$script:NativePrograms['rabbitmqctl.bat.exe'] = {
    param([string[]]$Arguments)
    # Queue and exchange listings: the NServiceBus model's vhosts (amqpVhosts); the rest: the RabbitMQ node's.
    if (($Arguments -join ' ') -match '^-q (list_queues|list_exchanges) -p ') { return & $script:CortexShimAmqpList $Arguments }
    Invoke-CortexShimRabbitmqctl -ArgumentList $Arguments
}
$script:NativePrograms['rabbitmq-plugins.bat.exe'] = {
    param([string[]]$Arguments)
    Invoke-CortexShimRabbitmqPlugins -ArgumentList $Arguments
}
# ---- end issue 12 ----

function Write-CortexAsciiFile {
    # The file holds the text's ASCII bytes (the lab records their length and SHA-256); its folder must exist.
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Text)
    Assert-CortexShimView
    Assert-CortexShimDrive -Path $Path
    Assert-CortexShimParentFolder -Path $Path
    if (Test-CortexShimDirectory -Path $Path) { throw ("Access to the path '{0}' is denied." -f $Path) }
    Set-CortexShimFile -Path $Path -Bytes ([Text.Encoding]::ASCII.GetBytes($Text))
}

# ---- gobetween's REST API (the gobetween_backend resource, lib/gobetween.ps1) ----

function Get-CortexHttpJson {
    # gobetween's /servers/<name>/stats on this host's loopback, answered from the view's `gobetween`
    # (view-schema.ts): nothing answers unless the gobetween service runs; each backend is live when its
    # health check would pass, which a drain marker in drain\ of gobetween's folder (the service's NSSM
    # AppDirectory, else the install's default) turns to 0 as gobetween-healthcheck.ps1 does. The lab
    # carries no traffic: no connections. Any other request is not emulated.
    param([Parameter(Mandatory = $true)][string]$Uri, [int]$TimeoutSec = 5)
    Assert-CortexShimView
    # The lab answers at once: there is no wait for the timeout to bound.
    $null = $TimeoutSec
    $m = [regex]::Match($Uri, '^http://(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost):(\d{1,5})/servers/([A-Za-z0-9_]+)/stats$')
    if (-not $m.Success) { throw (New-CortexNotEmulatedError -What ('an HTTP request to {0} (only gobetween''s /servers/<name>/stats on loopback)' -f $Uri)) }
    $service = @($script:View.services) | Where-Object { $_.Name -eq 'gobetween' } | Select-Object -First 1
    if ($null -eq $service -or $service.Status -ne 'Running') {
        throw (New-Object System.Net.Http.HttpRequestException ('No connection could be made because the target machine actively refused it. ({0}:{1})' -f $m.Groups[1].Value, $m.Groups[2].Value))
    }
    $folder = Get-CortexShimValue -Path 'SYSTEM\CurrentControlSet\Services\gobetween\Parameters' -Name 'AppDirectory' -Default 'C:\Program Files\gobetween'
    $backends = New-Object System.Collections.Generic.List[object]
    foreach ($b in @($script:View.gobetween.backends)) {
        $name = '{0}_{1}' -f (([string]$b.host).Trim('[', ']') -replace '[^A-Za-z0-9.-]', '_'), $b.port
        $drained = $null -ne (Find-CortexShimFile -Path ('{0}\drain\{1}' -f ([string]$folder).TrimEnd('\'), $name))
        $stats = [ordered]@{ live = ([bool]$b.healthy -and -not $drained); discovered = $true; total_connections = 0; active_connections = 0; refused_connections = 0; rx = 0; tx = 0; rx_second = 0; tx_second = 0 }
        $backends.Add([ordered]@{ host = [string]$b.host; port = [string]$b.port; priority = 1; weight = 1; sni = ''; stats = $stats })
    }
    $answer = [ordered]@{ active_connections = 0; rx_total = 0; tx_total = 0; rx_second = 0; tx_second = 0; backends = $backends.ToArray() }
    # As Invoke-RestMethod hands a JSON answer back: objects parsed from the text.
    ConvertFrom-Json -InputObject (ConvertTo-Json -InputObject $answer -Depth 5 -Compress)
}

Set-Alias -Name 'hostname.exe' -Value hostname
Set-Alias -Name gwmi -Value Get-WmiObject
Set-Alias -Name gcim -Value Get-CimInstance

Export-ModuleMember -Function * -Alias *
