# cortex-script: probes.facts
# Every fact preflight judges, in one round trip, read-only (docs/preflight.md lists them).
# Parameters: roles (informational), installPath (a drive-letter path), ports (TCP ports whose
# listeners to report). The data is validated by src/preflight/facts.ts; all decisions are there.
# Registry values are read through ps1/lib/windows.ps1, in an explicit view (64-bit or 32-bit).
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function ConvertTo-CortexNullableInt {
    param($Value)
    if ($null -eq $Value) { return $null }
    [int]$Value
}

function Get-CortexDriveOf {
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][string]$What)
    if ($Path -notmatch '^[A-Za-z]:') { throw ('{0} must be a path on a drive letter (like D:\Cortex), not {1}' -f $What, $Path) }
    $Path.Substring(0, 2).ToUpperInvariant()
}

Invoke-CortexScript {
    $installPath = Get-CortexParam -Name 'installPath' -Default $null
    $ports = New-Object System.Collections.Generic.List[int]
    $portValues = @(Get-CortexParam -Name 'ports' -Default @())
    for ($i = 0; $i -lt $portValues.Count; $i++) {
        $port = 0
        if (-not [int]::TryParse([string]$portValues[$i], [ref]$port) -or $port -lt 1 -or $port -gt 65535) {
            throw ('ports[{0}] must be a TCP port from 1 to 65535, not {1}' -f $i, $portValues[$i])
        }
        $ports.Add($port)
    }

    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $cs = Get-CimInstance -ClassName Win32_ComputerSystem
    $currentVersion = 'SOFTWARE\Microsoft\Windows NT\CurrentVersion'

    # Drives: the system drive, the %ProgramData% drive and the install drive.
    $systemDrive = $env:SystemDrive.ToUpperInvariant()
    $programDataPath = $env:ProgramData
    $programDataDrive = Get-CortexDriveOf -Path $programDataPath -What '%ProgramData%'
    $install = $null
    $drives = New-Object System.Collections.Generic.List[string]
    $drives.Add($systemDrive)
    if (-not $drives.Contains($programDataDrive)) { $drives.Add($programDataDrive) }
    if ($installPath) {
        $installDrive = Get-CortexDriveOf -Path $installPath -What 'installPath'
        $install = [ordered]@{ path = $installPath; drive = $installDrive }
        if (-not $drives.Contains($installDrive)) { $drives.Add($installDrive) }
    }
    $volumes = New-Object System.Collections.Generic.List[object]
    foreach ($drive in $drives) {
        $disk = Get-CimInstance -ClassName Win32_LogicalDisk -Filter ("DeviceID='{0}'" -f $drive)
        if ($null -eq $disk) {
            $volumes.Add([ordered]@{ drive = $drive; fileSystem = $null; sizeBytes = $null; freeBytes = $null })
        } else {
            $volumes.Add([ordered]@{ drive = $drive; fileSystem = $disk.FileSystem; sizeBytes = $disk.Size; freeBytes = $disk.FreeSpace })
        }
    }

    # IPv4 addresses, all of them: which are usable is decided in TypeScript.
    $ipv4 = New-Object System.Collections.Generic.List[object]
    # -ErrorAction does not cover a command that does not exist (no NetTCPIP module): that is caught here.
    $addresses = @()
    try {
        $addresses = @(Get-NetIPAddress -AddressFamily IPv4 -ErrorAction SilentlyContinue)
    } catch [System.Management.Automation.CommandNotFoundException] {
        $addresses = @()
    }
    foreach ($a in $addresses) {
        $ipv4.Add([ordered]@{ address = $a.IPAddress; interfaceAlias = $a.InterfaceAlias; addressState = $a.AddressState.ToString(); prefixOrigin = $a.PrefixOrigin.ToString() })
    }
    if ($addresses.Count -eq 0) {
        # Fallback where the NetTCPIP module is unavailable or answers nothing.
        foreach ($adapter in @(Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -Filter 'IPEnabled=TRUE')) {
            foreach ($ip in @($adapter.IPAddress)) {
                if ($ip -match '^\d{1,3}(\.\d{1,3}){3}$') {
                    $ipv4.Add([ordered]@{ address = $ip; interfaceAlias = $adapter.Description; addressState = 'Preferred'; prefixOrigin = 'Unknown' })
                }
            }
        }
    }

    $cores = (Get-CimInstance -ClassName Win32_Processor | Measure-Object -Property NumberOfCores -Sum).Sum

    $dotnetRelease = ConvertTo-CortexNullableInt (Get-CortexRegistryValueBothViews -SubKey 'SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full' -Name 'Release')
    $psEngine = Get-CortexRegistryValueBothViews -SubKey 'SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine' -Name 'PowerShellVersion'

    # IIS (web): InetStp and w3wp.exe's file version. Windows paths are joined as text: Join-Path would
    # require the drive to exist where the script runs (the lab and the tests run it elsewhere).
    $windir = $env:windir.TrimEnd('\')
    $iis = $null
    $iisMajor = Get-CortexRegistryValue -SubKey 'SOFTWARE\Microsoft\InetStp' -Name 'MajorVersion'
    if ($null -ne $iisMajor) {
        $w3wp = $windir + '\System32\inetsrv\w3wp.exe'
        $w3wpVersion = $null
        if (Test-Path -LiteralPath $w3wp) { $w3wpVersion = (Get-Item -LiteralPath $w3wp).VersionInfo.FileVersion }
        $iis = [ordered]@{
            majorVersion    = [int]$iisMajor
            minorVersion    = ConvertTo-CortexNullableInt (Get-CortexRegistryValue -SubKey 'SOFTWARE\Microsoft\InetStp' -Name 'MinorVersion')
            versionString   = Get-CortexRegistryValue -SubKey 'SOFTWARE\Microsoft\InetStp' -Name 'VersionString'
            w3wpFileVersion = $w3wpVersion
        }
    }
    $urlRewrite = [ordered]@{
        version    = Get-CortexRegistryValueBothViews -SubKey 'SOFTWARE\Microsoft\IIS Extensions\URL Rewrite' -Name 'Version'
        dllPresent = Test-Path -LiteralPath ($windir + '\System32\inetsrv\rewrite.dll')
    }

    # SQL Server instances (db), both registry views: a 32-bit instance registers under WOW6432Node.
    $sql = New-Object System.Collections.Generic.List[object]
    $seen = @{}
    foreach ($view in @('64', '32')) {
        $namesKey = 'SOFTWARE\Microsoft\Microsoft SQL Server\Instance Names\SQL'
        $names = Get-CortexRegistryValueName -SubKey $namesKey -View $view
        if ($null -eq $names) { continue }
        foreach ($instance in $names) {
            $id = [string](Get-CortexRegistryValue -SubKey $namesKey -Name $instance -View $view)
            if ($seen.ContainsKey($id)) { continue }
            $seen[$id] = $true
            $setup = 'SOFTWARE\Microsoft\Microsoft SQL Server\{0}\Setup' -f $id
            $sql.Add([ordered]@{
                    instance = $instance
                    id       = $id
                    version  = Get-CortexRegistryValue -SubKey $setup -Name 'Version' -View $view
                    edition  = Get-CortexRegistryValue -SubKey $setup -Name 'Edition' -View $view
                })
        }
    }

    # Pending reboot: every marker Windows keeps (ps1/lib/resource.ps1, shared with the Set scripts).
    $pendingReboot = Get-CortexPendingReboot

    $schannel = 'SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2'
    $tls12 = [ordered]@{
        clientEnabled           = ConvertTo-CortexNullableInt (Get-CortexRegistryValue -SubKey "$schannel\Client" -Name 'Enabled')
        clientDisabledByDefault = ConvertTo-CortexNullableInt (Get-CortexRegistryValue -SubKey "$schannel\Client" -Name 'DisabledByDefault')
        serverEnabled           = ConvertTo-CortexNullableInt (Get-CortexRegistryValue -SubKey "$schannel\Server" -Name 'Enabled')
        serverDisabledByDefault = ConvertTo-CortexNullableInt (Get-CortexRegistryValue -SubKey "$schannel\Server" -Name 'DisabledByDefault')
    }

    $listeners = New-Object System.Collections.Generic.List[object]
    if ($ports.Count -gt 0) {
        $wanted = [uint16[]]$ports.ToArray()
        foreach ($c in @(Get-NetTCPConnection -State Listen -LocalPort $wanted -ErrorAction SilentlyContinue)) {
            $process = Get-Process -Id $c.OwningProcess -ErrorAction SilentlyContinue
            $processName = $null
            if ($null -ne $process) { $processName = $process.ProcessName }
            $listeners.Add([ordered]@{ port = [int]$c.LocalPort; address = $c.LocalAddress; processId = [int]$c.OwningProcess; processName = $processName })
        }
    }

    [ordered]@{
        factsVersion  = 1
        computerName  = $env:COMPUTERNAME
        os            = [ordered]@{
            caption          = $os.Caption
            editionId        = Get-CortexRegistryValue -SubKey $currentVersion -Name 'EditionID'
            installationType = Get-CortexRegistryValue -SubKey $currentVersion -Name 'InstallationType'
            build            = [int]$os.BuildNumber
            productType      = [int]$os.ProductType
            is64Bit          = Test-Cortex64BitOperatingSystem
        }
        drives        = [ordered]@{ system = $systemDrive; programData = [ordered]@{ path = $programDataPath; drive = $programDataDrive }; install = $install }
        volumes       = $volumes.ToArray()
        ipv4          = $ipv4.ToArray()
        domain        = [ordered]@{ partOfDomain = [bool]$cs.PartOfDomain; name = $cs.Domain; role = [int]$cs.DomainRole }
        cpu           = [ordered]@{ cores = [int]$cores; logicalProcessors = [int]$cs.NumberOfLogicalProcessors }
        memory        = [ordered]@{ totalPhysicalBytes = [double]$cs.TotalPhysicalMemory }
        dotnetRelease = $dotnetRelease
        powershell    = [ordered]@{ engineVersion = $psEngine; runtimeVersion = Get-CortexPowerShellVersion }
        iis           = $iis
        urlRewrite    = $urlRewrite
        sql           = $sql.ToArray()
        pendingReboot = $pendingReboot
        tls12         = $tls12
        listeners     = $listeners.ToArray()
        # Read last, as close as possible to the reply: the orchestrator compares it with the middle of the round trip.
        utcNow        = ConvertTo-CortexDate (Get-Date)
    }
}
