# A Windows machine as data, and Mocks that answer facts.ps1's commands and seams from it: the test
# changes one thing (a Context per machine state) and the script runs against the rest.
#   BeforeAll { . (Join-Path $PSScriptRoot '../helpers/CortexTestMachine.ps1') }
#   BeforeEach { $m = New-CortexTestMachine; $m.ComputerSystem.PartOfDomain = $false; Register-CortexTestMachineMock $m }
# Registry: $m.Registry['64' or '32'][subkey][value name]; subkeys and value names are case-insensitive
# as on Windows; a value under WOW6432Node is one in the '32' view.

. (Join-Path $PSScriptRoot 'CortexScriptTest.ps1')

$global:CortexGB = [double]1073741824

function New-CortexTestMachine {
    # A healthy member server with every role's software: IIS 10 with URL Rewrite, SQL Server 2019
    # Standard, .NET 4.8, PowerShell 5.1, NTFS drives with room, a static IPv4 address.
    $sqlRoot = 'SOFTWARE\Microsoft\Microsoft SQL Server'
    [ordered]@{
        Environment       = @{ SystemDrive = 'C:'; ProgramData = 'C:\ProgramData'; windir = 'C:\Windows'; COMPUTERNAME = 'APP1' }
        Os                = [ordered]@{ Caption = 'Microsoft Windows Server 2019 Standard'; BuildNumber = '17763'; ProductType = [uint32]3 }
        ComputerSystem    = [ordered]@{ PartOfDomain = $true; Domain = 'corp.example'; DomainRole = [uint16]3; NumberOfLogicalProcessors = [uint32]8; TotalPhysicalMemory = [uint64](16 * $global:CortexGB) }
        Processors        = @([ordered]@{ NumberOfCores = [uint32]4 }, [ordered]@{ NumberOfCores = [uint32]4 })
        LogicalDisks      = [ordered]@{
            'C:' = [ordered]@{ FileSystem = 'NTFS'; Size = [uint64](120 * $global:CortexGB); FreeSpace = [uint64](80 * $global:CortexGB) }
            'D:' = [ordered]@{ FileSystem = 'NTFS'; Size = [uint64](500 * $global:CortexGB); FreeSpace = [uint64](400 * $global:CortexGB) }
        }
        # $null: Get-NetIPAddress does not exist on this machine (no NetTCPIP module).
        NetIPAddresses    = @(
            [ordered]@{ IPAddress = '10.0.0.11'; InterfaceAlias = 'Ethernet'; AddressState = 'Preferred'; PrefixOrigin = 'Manual' },
            [ordered]@{ IPAddress = '127.0.0.1'; InterfaceAlias = 'Loopback Pseudo-Interface 1'; AddressState = 'Preferred'; PrefixOrigin = 'WellKnown' }
        )
        NetworkAdapters   = @([ordered]@{ Description = 'Intel(R) 82574L Gigabit Network Connection'; IPAddress = @('10.0.0.11', 'fe80::1c2d:3e4f:5a6b:7c8d') })
        Files             = [ordered]@{
            'C:\Windows\System32\inetsrv\w3wp.exe'    = [ordered]@{ FileVersion = '10.0.17763.1 (WinBuild.160101.0800)' }
            'C:\Windows\System32\inetsrv\rewrite.dll' = [ordered]@{ FileVersion = '7.1.1993.2351' }
        }
        TcpListeners      = @([ordered]@{ LocalPort = [uint16]5985; LocalAddress = '0.0.0.0'; OwningProcess = [uint32]4 })
        Processes         = @{ 4 = 'System' }
        PowerShellVersion = '5.1.17763.1'
        Is64Bit           = $true
        Registry          = @{
            '64' = [ordered]@{
                'SOFTWARE\Microsoft\Windows NT\CurrentVersion'                       = [ordered]@{ EditionID = 'ServerStandard'; InstallationType = 'Server' }
                'SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full'                 = [ordered]@{ Release = 528049; Version = '4.8.03761' }
                'SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine'                   = [ordered]@{ PowerShellVersion = '5.1.17763.1' }
                'SOFTWARE\Microsoft\InetStp'                                         = [ordered]@{ MajorVersion = 10; MinorVersion = 0; VersionString = 'Version 10.0' }
                'SOFTWARE\Microsoft\IIS Extensions\URL Rewrite'                      = [ordered]@{ Version = '7.2.1993' }
                "$sqlRoot\Instance Names\SQL"                                        = [ordered]@{ MSSQLSERVER = 'MSSQL15.MSSQLSERVER' }
                "$sqlRoot\MSSQL15.MSSQLSERVER\Setup"                                 = [ordered]@{ Version = '15.0.2000.5'; Edition = 'Standard Edition (64-bit)' }
                'SYSTEM\CurrentControlSet\Control\Session Manager'                   = [ordered]@{ BootExecute = [string[]]@('autocheck autochk *') }
                'SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName'   = [ordered]@{ ComputerName = 'APP1' }
                'SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName'         = [ordered]@{ ComputerName = 'APP1' }
                'SYSTEM\CurrentControlSet\Services\Netlogon'                         = [ordered]@{ DisplayName = 'Netlogon'; Start = 3 }
                'SOFTWARE\Microsoft\ServerManager\ServicingStorage\ServerComponentCache' = [ordered]@{ RestartRequired = 0 }
            }
            '32' = [ordered]@{}
        }
    }
}

function New-CortexTestRegistryKey {
    # What Open-CortexRegistryKey returns: GetValue(name, default), GetValueNames(), Close().
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Values)
    $key = [pscustomobject]@{ Values = $Values }
    # The comma returns arrays whole, as the .NET methods do (a script method's output is unrolled).
    $key | Add-Member -MemberType ScriptMethod -Name GetValue -Value { param($name, $default) if ($this.Values.Contains($name)) { , $this.Values[$name] } else { , $default } }
    $key | Add-Member -MemberType ScriptMethod -Name GetValueNames -Value { , [string[]]@($this.Values.Keys) }
    $key | Add-Member -MemberType ScriptMethod -Name Close -Value { }
    $key
}

function Register-CortexTestMachineMock {
    # Mocks every command and seam facts.ps1 calls, answering from $Machine (kept in a global so the
    # Mock bodies, which run later, see the test's changes).
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Machine)
    $global:CortexTestMachine = $Machine

    Mock Open-CortexRegistryKey {
        $keys = $global:CortexTestMachine.Registry[$View]
        if ($null -eq $keys -or -not $keys.Contains($SubKey)) { return $null }
        New-CortexTestRegistryKey -Values $keys[$SubKey]
    }
    Mock Get-CortexPowerShellVersion { $global:CortexTestMachine.PowerShellVersion }
    Mock Test-Cortex64BitOperatingSystem { $global:CortexTestMachine.Is64Bit }
    Mock Get-CimInstance {
        $m = $global:CortexTestMachine
        switch ($ClassName) {
            'Win32_OperatingSystem' { [pscustomobject]$m.Os }
            'Win32_ComputerSystem' { [pscustomobject]$m.ComputerSystem }
            'Win32_Processor' { foreach ($p in $m.Processors) { [pscustomobject]$p } }
            'Win32_LogicalDisk' {
                if ($Filter -notmatch "^DeviceID='([A-Z]:)'$") { throw "unexpected Win32_LogicalDisk filter: $Filter" }
                if ($m.LogicalDisks.Contains($Matches[1])) { [pscustomobject]$m.LogicalDisks[$Matches[1]] }
            }
            'Win32_NetworkAdapterConfiguration' {
                if ($Filter -ne 'IPEnabled=TRUE') { throw "unexpected Win32_NetworkAdapterConfiguration filter: $Filter" }
                foreach ($a in $m.NetworkAdapters) { [pscustomobject]$a }
            }
            default { throw "Get-CimInstance -ClassName $ClassName is not part of the test machine" }
        }
    }
    # NetIPAddresses $null: the machine has no Get-NetIPAddress (no NetTCPIP module); the test removes the stub.
    if ($null -ne $Machine.NetIPAddresses) { Mock Get-NetIPAddress {
        if ($AddressFamily -ne 'IPv4') { throw "unexpected -AddressFamily $AddressFamily" }
        foreach ($a in $global:CortexTestMachine.NetIPAddresses) { [pscustomobject]$a }
    } }
    Mock Get-NetTCPConnection {
        if ($State -ne 'Listen') { throw "unexpected -State $State" }
        foreach ($c in $global:CortexTestMachine.TcpListeners) {
            if ($LocalPort -contains $c.LocalPort) { [pscustomobject]$c }
        }
    }
    Mock Get-Process -ParameterFilter { $null -ne $Id } {
        foreach ($i in $Id) {
            if ($global:CortexTestMachine.Processes.ContainsKey([int]$i)) { [pscustomobject]@{ Id = $i; ProcessName = $global:CortexTestMachine.Processes[[int]$i] } }
        }
    }
    # Only Windows paths: the test's own Test-Path and Get-Item calls stay real.
    Mock Test-Path -ParameterFilter { $LiteralPath -match '^[A-Za-z]:\\' } { $global:CortexTestMachine.Files.Contains([string]$LiteralPath) }
    Mock Get-Item -ParameterFilter { $LiteralPath -match '^[A-Za-z]:\\' } {
        $f = $global:CortexTestMachine.Files[[string]$LiteralPath]
        if ($null -eq $f) { throw "Cannot find path '$LiteralPath' because it does not exist." }
        [pscustomobject]@{ FullName = [string]$LiteralPath; VersionInfo = [pscustomobject]@{ FileVersion = $f.FileVersion } }
    }
}

function Invoke-CortexTestFacts {
    # facts.ps1 against the registered machine, with its environment variables.
    param([hashtable]$Params = @{ roles = @('web', 'app', 'db', 'lb'); installPath = 'D:\Cortex'; ports = @(5985, 4369) }, [hashtable]$Expect, [string]$Case)
    Invoke-CortexTestScript -Script 'ps1/probes/facts.ps1' -Params $Params -Environment $global:CortexTestMachine.Environment -Expect $Expect -Case $Case
}
