# ps1/probes/facts.ps1 under Mocks of the Windows commands and seams, one Context per machine state.
# Every output is saved as a sample; -Expect names the preflight statuses the TypeScript rules must
# conclude from it (test/ps1/samples-schema.test.ts checks them).
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexTestMachine.ps1')
    $sqlRoot = 'SOFTWARE\Microsoft\Microsoft SQL Server'
}

Describe 'probes.facts' {
    Context 'a healthy member server with every role' {
        BeforeEach { Register-CortexTestMachineMock (New-CortexTestMachine) }

        It 'reports the machine as it is, and every check passes' {
            $r = Invoke-CortexTestFacts -Expect @{
                'os.version' = 'pass'; 'os.edition' = 'pass'; 'os.arch' = 'pass'; 'fs.ntfs' = 'pass'; 'disk.size' = 'pass'
                'disk.programdata-free' = 'pass'; 'disk.install-free' = 'pass'; 'cpu.cores' = 'pass'; 'ram.size' = 'pass'
                'dotnet.version' = 'pass'; 'powershell.version' = 'pass'; 'tls.12' = 'pass'; 'iis.version' = 'pass'; 'iis.urlrewrite' = 'pass'
                'sql.version' = 'pass'; 'sql.edition' = 'pass'; 'domain.joined' = 'pass'; 'reboot.pending' = 'pass'; 'net.ipv4' = 'pass'; 'net.ports' = 'pass'
            }
            $r.ExitCode | Should -Be 0
            $r.Result.ok | Should -BeTrue
            $d = $r.Data
            $d.factsVersion | Should -Be 1
            $d.computerName | Should -Be 'APP1'
            $d.os.build | Should -Be 17763
            # Numbers stay numbers in the JSON (Should -Be alone would accept the text "17763").
            $r.Json | Should -Match '"build":17763,'
            $r.Json | Should -Match '"freeBytes":85899345920\b'
            $d.os.editionId | Should -Be 'ServerStandard'
            $d.os.productType | Should -Be 3
            $d.os.is64Bit | Should -BeTrue
            $d.drives.system | Should -Be 'C:'
            $d.drives.programData.drive | Should -Be 'C:'
            $d.drives.install.drive | Should -Be 'D:'
            @($d.volumes).Count | Should -Be 2
            $d.volumes[0].freeBytes | Should -Be (80 * $CortexGB)
            $d.volumes[0].sizeBytes | Should -Be (120 * $CortexGB)
            $d.volumes[1].drive | Should -Be 'D:'
            $d.ipv4[0].address | Should -Be '10.0.0.11'
            $d.ipv4[0].prefixOrigin | Should -Be 'Manual'
            $d.cpu.cores | Should -Be 8
            $d.cpu.logicalProcessors | Should -Be 8
            $d.memory.totalPhysicalBytes | Should -Be (16 * $CortexGB)
            $d.dotnetRelease | Should -Be 528049
            $d.powershell.engineVersion | Should -Be '5.1.17763.1'
            $d.iis.majorVersion | Should -Be 10
            $d.iis.w3wpFileVersion | Should -Match '^10\.0\.17763'
            $d.urlRewrite.version | Should -Be '7.2.1993'
            $d.urlRewrite.dllPresent | Should -BeTrue
            @($d.sql).Count | Should -Be 1
            $d.sql[0].id | Should -Be 'MSSQL15.MSSQLSERVER'
            $d.tls12.clientEnabled | Should -BeNullOrEmpty
            @($d.listeners).Count | Should -Be 1
            $d.listeners[0].processName | Should -Be 'System'
            $d.utcNow | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$'
        }

        It 'reads every registry value through the seams, in an explicit view' {
            $null = Invoke-CortexTestFacts
            Should -Invoke Open-CortexRegistryKey -ParameterFilter { $SubKey -eq 'SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full' -and $View -eq '64' }
            Should -Invoke Open-CortexRegistryKey -ParameterFilter { $SubKey -like '*Instance Names\SQL' -and $View -eq '32' } -Times 1 -Exactly
            Should -Invoke Get-CimInstance -ParameterFilter { $ClassName -eq 'Win32_LogicalDisk' } -Times 2 -Exactly
            Should -Invoke Get-NetTCPConnection -ParameterFilter { $State -eq 'Listen' -and ($LocalPort -join ',') -eq '5985,4369' } -Times 1 -Exactly
            # Get-NetIPAddress answered, so the WMI fallback did not run.
            Should -Invoke Get-CimInstance -ParameterFilter { $ClassName -eq 'Win32_NetworkAdapterConfiguration' } -Times 0 -Exactly
        }

        It 'reports no install drive when no install path is asked for' {
            $r = Invoke-CortexTestFacts -Params @{ roles = @('app'); installPath = $null; ports = @() }
            $r.Data.drives.install | Should -BeNullOrEmpty
            @($r.Data.volumes).Count | Should -Be 1
            @($r.Data.listeners).Count | Should -Be 0
            Should -Invoke Get-NetTCPConnection -Times 0 -Exactly
        }
    }

    Context 'an unsupported operating system' {
        It 'Windows Server 2012 R2 (build 9600)' {
            $m = New-CortexTestMachine; $m.Os.BuildNumber = '9600'; $m.Os.Caption = 'Microsoft Windows Server 2012 R2 Standard'
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'os.version' = 'fail'; 'os.edition' = 'pass' }
            $r.Data.os.build | Should -Be 9600
        }
        It 'an evaluation edition' {
            $m = New-CortexTestMachine; $m.Registry['64']['SOFTWARE\Microsoft\Windows NT\CurrentVersion'].EditionID = 'ServerStandardEval'
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'os.edition' = 'fail'; 'os.version' = 'pass' }).Data.os.editionId | Should -Be 'ServerStandardEval'
        }
        It 'a client edition (ProductType 1)' {
            $m = New-CortexTestMachine; $m.Os.ProductType = [uint32]1; $m.Registry['64']['SOFTWARE\Microsoft\Windows NT\CurrentVersion'].EditionID = 'Enterprise'
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'os.edition' = 'fail' }).Data.os.productType | Should -Be 1
        }
        It 'a 32-bit operating system' {
            $m = New-CortexTestMachine; $m.Is64Bit = $false
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'os.arch' = 'fail' }).Data.os.is64Bit | Should -BeFalse
        }
        It 'no CurrentVersion key: editionId and installationType are null' {
            $m = New-CortexTestMachine; $m.Registry['64'].Remove('SOFTWARE\Microsoft\Windows NT\CurrentVersion')
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'os.edition' = 'fail' }
            $r.Data.os.editionId | Should -BeNullOrEmpty
            $r.Data.os.installationType | Should -BeNullOrEmpty
        }
    }

    Context 'drives' {
        It '%ProgramData% on a FAT32 drive' {
            $m = New-CortexTestMachine; $m.Environment.ProgramData = 'E:\ProgramData'
            $m.LogicalDisks['E:'] = [ordered]@{ FileSystem = 'FAT32'; Size = [uint64](64 * $CortexGB); FreeSpace = [uint64](60 * $CortexGB) }
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'fs.ntfs' = 'fail' }
            $r.Data.drives.programData.drive | Should -Be 'E:'
            ($r.Data.volumes | Where-Object { $_.drive -eq 'E:' }).fileSystem | Should -Be 'FAT32'
            @($r.Data.volumes.drive) | Should -Be @('C:', 'E:', 'D:')
        }
        It '%ProgramData% on a ReFS drive' {
            $m = New-CortexTestMachine; $m.Environment.ProgramData = 'D:\ProgramData'; $m.LogicalDisks['D:'].FileSystem = 'ReFS'
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'fs.ntfs' = 'fail' }
            ($r.Data.volumes | Where-Object { $_.drive -eq 'D:' }).fileSystem | Should -Be 'ReFS'
            @($r.Data.volumes).Count | Should -Be 2
        }
        It 'a small system drive with little free space' {
            $m = New-CortexTestMachine; $m.LogicalDisks['C:'].Size = [uint64](40 * $CortexGB); $m.LogicalDisks['C:'].FreeSpace = [uint64](10 * $CortexGB)
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'disk.size' = 'fail'; 'disk.programdata-free' = 'fail' }
            $r.Data.volumes[0].freeBytes | Should -Be (10 * $CortexGB)
        }
        It 'an install drive that does not exist' {
            Register-CortexTestMachineMock (New-CortexTestMachine)
            $r = Invoke-CortexTestFacts -Params @{ roles = @('db'); installPath = 'F:\Cortex'; ports = @() } -Expect @{ 'disk.install-free' = 'fail' }
            $f = $r.Data.volumes | Where-Object { $_.drive -eq 'F:' }
            $f.fileSystem | Should -BeNullOrEmpty
            $f.freeBytes | Should -BeNullOrEmpty
        }
        It 'a lower-case install drive is reported upper case' {
            Register-CortexTestMachineMock (New-CortexTestMachine)
            (Invoke-CortexTestFacts -Params @{ roles = @('db'); installPath = 'd:\cortex'; ports = @() }).Data.drives.install.drive | Should -Be 'D:'
        }
    }

    Context 'IPv4' {
        It 'only loopback and APIPA addresses' {
            $m = New-CortexTestMachine
            $m.NetIPAddresses = @(
                [ordered]@{ IPAddress = '169.254.10.20'; InterfaceAlias = 'Ethernet'; AddressState = 'Preferred'; PrefixOrigin = 'WellKnown' },
                [ordered]@{ IPAddress = '127.0.0.1'; InterfaceAlias = 'Loopback Pseudo-Interface 1'; AddressState = 'Preferred'; PrefixOrigin = 'WellKnown' })
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'net.ipv4' = 'fail' }
            @($r.Data.ipv4).Count | Should -Be 2
        }
        It 'Get-NetIPAddress answers nothing: the addresses come from Win32_NetworkAdapterConfiguration' {
            $m = New-CortexTestMachine; $m.NetIPAddresses = @()
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'net.ipv4' = 'pass' }
            @($r.Data.ipv4).Count | Should -Be 1
            $r.Data.ipv4[0].address | Should -Be '10.0.0.11'
            $r.Data.ipv4[0].interfaceAlias | Should -Be 'Intel(R) 82574L Gigabit Network Connection'
            Should -Invoke Get-CimInstance -ParameterFilter { $ClassName -eq 'Win32_NetworkAdapterConfiguration' } -Times 1 -Exactly
        }
        It 'no addresses at all' {
            $m = New-CortexTestMachine; $m.NetIPAddresses = @(); $m.NetworkAdapters = @()
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'net.ipv4' = 'fail' }
            @($r.Data.ipv4).Count | Should -Be 0
        }
    }

    Context 'Get-NetIPAddress does not exist (no NetTCPIP module)' {
        BeforeEach {
            $m = New-CortexTestMachine; $m.NetIPAddresses = $null
            Register-CortexTestMachineMock $m
            Remove-Item -Path function:Get-NetIPAddress
        }
        AfterEach { Initialize-CortexCommandStub }
        It 'falls back to Win32_NetworkAdapterConfiguration instead of failing' {
            Get-Command -Name Get-NetIPAddress -ErrorAction Ignore | Should -BeNullOrEmpty
            $r = Invoke-CortexTestFacts -Expect @{ 'net.ipv4' = 'pass' }
            $r.Result.ok | Should -BeTrue
            $r.Data.ipv4[0].address | Should -Be '10.0.0.11'
            @($r.Data.ipv4).Count | Should -Be 1
        }
    }

    Context 'software' {
        It '.NET Framework 4.7 (Release 460798, below 461308)' {
            $m = New-CortexTestMachine; $m.Registry['64']['SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full'].Release = 460798
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'dotnet.version' = 'fail' }).Data.dotnetRelease | Should -Be 460798
        }
        It 'no .NET Framework 4.5+ at all' {
            $m = New-CortexTestMachine; $m.Registry['64'].Remove('SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full')
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'dotnet.version' = 'fail' }).Data.dotnetRelease | Should -BeNullOrEmpty
        }
        It 'the .NET Release only in the 32-bit view (WOW6432Node)' {
            $m = New-CortexTestMachine
            $m.Registry['32']['SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full'] = $m.Registry['64']['SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full']
            $m.Registry['64'].Remove('SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full')
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'dotnet.version' = 'pass' }).Data.dotnetRelease | Should -Be 528049
        }
        It 'PowerShell 4.0' {
            $m = New-CortexTestMachine; $m.Registry['64']['SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine'].PowerShellVersion = '4.0'; $m.PowerShellVersion = '4.0'
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'powershell.version' = 'fail' }
            $r.Data.powershell.engineVersion | Should -Be '4.0'
            $r.Data.powershell.runtimeVersion | Should -Be '4.0'
        }
        It 'TLS 1.2 turned off in SCHANNEL' {
            $m = New-CortexTestMachine
            $schannel = 'SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2'
            $m.Registry['64']["$schannel\Client"] = [ordered]@{ Enabled = 0; DisabledByDefault = 1 }
            $m.Registry['64']["$schannel\Server"] = [ordered]@{ Enabled = 0; DisabledByDefault = 1 }
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'tls.12' = 'fail' }
            $r.Data.tls12.clientEnabled | Should -Be 0
            $r.Data.tls12.serverDisabledByDefault | Should -Be 1
        }
        It 'DisabledByDefault stored as 0xFFFFFFFF arrives as -1 and counts as disabled by default' {
            $m = New-CortexTestMachine
            $schannel = 'SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2'
            # A REG_DWORD above 0x7FFFFFFF reaches .NET as a negative Int32.
            $m.Registry['64']["$schannel\Client"] = [ordered]@{ Enabled = -1; DisabledByDefault = -1 }
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'tls.12' = 'warn' }
            $r.Data.tls12.clientEnabled | Should -Be -1
            $r.Data.tls12.clientDisabledByDefault | Should -Be -1
            $r.Data.tls12.serverEnabled | Should -BeNullOrEmpty
        }
    }

    Context 'domain and hardware' {
        It 'not joined to a domain' {
            $m = New-CortexTestMachine; $m.ComputerSystem.PartOfDomain = $false; $m.ComputerSystem.Domain = 'WORKGROUP'; $m.ComputerSystem.DomainRole = [uint16]2
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'domain.joined' = 'fail' }
            $r.Data.domain.partOfDomain | Should -BeFalse
            $r.Data.domain.name | Should -Be 'WORKGROUP'
            $r.Data.domain.role | Should -Be 2
        }
        It 'a domain controller' {
            $m = New-CortexTestMachine; $m.ComputerSystem.DomainRole = [uint16]5; $m.Os.ProductType = [uint32]2
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'domain.joined' = 'fail'; 'os.edition' = 'fail' }).Data.domain.role | Should -Be 5
        }
        It 'one core' {
            $m = New-CortexTestMachine; $m.Processors = @([ordered]@{ NumberOfCores = [uint32]1 }); $m.ComputerSystem.NumberOfLogicalProcessors = [uint32]2
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'cpu.cores' = 'fail' }
            $r.Data.cpu.cores | Should -Be 1
            $r.Data.cpu.logicalProcessors | Should -Be 2
        }
        It 'cores summed over sockets' {
            $m = New-CortexTestMachine; $m.Processors = @([ordered]@{ NumberOfCores = [uint32]1 }, [ordered]@{ NumberOfCores = [uint32]2 })
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'cpu.cores' = 'warn' }).Data.cpu.cores | Should -Be 3
        }
        It '3 GB of memory' {
            $m = New-CortexTestMachine; $m.ComputerSystem.TotalPhysicalMemory = [uint64](3 * $CortexGB)
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'ram.size' = 'fail' }).Data.memory.totalPhysicalBytes | Should -Be (3 * $CortexGB)
        }
    }

    Context 'IIS and URL Rewrite' {
        It 'no IIS' {
            $m = New-CortexTestMachine; $m.Registry['64'].Remove('SOFTWARE\Microsoft\InetStp'); $m.Files.Clear()
            $m.Registry['64'].Remove('SOFTWARE\Microsoft\IIS Extensions\URL Rewrite')
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Params @{ roles = @('web'); installPath = 'D:\Cortex'; ports = @(80, 443) } -Expect @{ 'iis.version' = 'pass'; 'iis.urlrewrite' = 'pass' }
            $r.Data.iis | Should -BeNullOrEmpty
            $r.Data.urlRewrite.version | Should -BeNullOrEmpty
            $r.Data.urlRewrite.dllPresent | Should -BeFalse
            # Without InetStp, w3wp.exe is not looked at.
            Should -Invoke Get-Item -Times 0 -Exactly
        }
        It 'IIS 8.5 (an older IIS)' {
            $m = New-CortexTestMachine; $m.Registry['64']['SOFTWARE\Microsoft\InetStp'] = [ordered]@{ MajorVersion = 8; MinorVersion = 5; VersionString = 'Version 8.5' }
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'iis.version' = 'fail' }
            $r.Data.iis.majorVersion | Should -Be 8
            $r.Data.iis.minorVersion | Should -Be 5
        }
        It 'IIS without URL Rewrite' {
            $m = New-CortexTestMachine; $m.Registry['64'].Remove('SOFTWARE\Microsoft\IIS Extensions\URL Rewrite'); $m.Files.Remove('C:\Windows\System32\inetsrv\rewrite.dll')
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'iis.version' = 'pass'; 'iis.urlrewrite' = 'pass' }
            $r.Data.urlRewrite.version | Should -BeNullOrEmpty
            $r.Data.urlRewrite.dllPresent | Should -BeFalse
        }
        It 'URL Rewrite registered only in the 32-bit view' {
            $m = New-CortexTestMachine
            $m.Registry['32']['SOFTWARE\Microsoft\IIS Extensions\URL Rewrite'] = [ordered]@{ Version = '7.2.2' }
            $m.Registry['64'].Remove('SOFTWARE\Microsoft\IIS Extensions\URL Rewrite')
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts).Data.urlRewrite.version | Should -Be '7.2.2'
        }
        It 'w3wp.exe missing: IIS without a file version' {
            $m = New-CortexTestMachine; $m.Files.Remove('C:\Windows\System32\inetsrv\w3wp.exe')
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts
            $r.Data.iis.majorVersion | Should -Be 10
            $r.Data.iis.w3wpFileVersion | Should -BeNullOrEmpty
        }
    }

    Context 'SQL Server' {
        It 'no SQL Server' {
            $m = New-CortexTestMachine; $m.Registry['64'].Remove("$sqlRoot\Instance Names\SQL")
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Params @{ roles = @('db'); installPath = 'D:\Cortex'; ports = @() } -Expect @{ 'sql.version' = 'fail'; 'sql.edition' = 'fail' }
            @($r.Data.sql).Count | Should -Be 0
        }
        It 'several instances, one of them 32-bit (WOW6432Node), each once' {
            $m = New-CortexTestMachine
            $m.Registry['64']["$sqlRoot\Instance Names\SQL"] = [ordered]@{ MSSQLSERVER = 'MSSQL15.MSSQLSERVER'; REPORTING = 'MSSQL13.REPORTING' }
            $m.Registry['64']["$sqlRoot\MSSQL13.REPORTING\Setup"] = [ordered]@{ Version = '13.0.5026.0'; Edition = 'Enterprise Edition (64-bit)' }
            # The 32-bit view also lists the 64-bit default instance on some hosts: it is reported once.
            $m.Registry['32']["$sqlRoot\Instance Names\SQL"] = [ordered]@{ SQLEXPRESS = 'MSSQL12.SQLEXPRESS'; MSSQLSERVER = 'MSSQL15.MSSQLSERVER' }
            $m.Registry['32']["$sqlRoot\MSSQL12.SQLEXPRESS\Setup"] = [ordered]@{ Version = '12.0.6024.0'; Edition = 'Express Edition' }
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'sql.version' = 'pass'; 'sql.edition' = 'pass' }
            @($r.Data.sql.instance) | Should -Be @('MSSQLSERVER', 'REPORTING', 'SQLEXPRESS')
            ($r.Data.sql | Where-Object { $_.instance -eq 'SQLEXPRESS' }).version | Should -Be '12.0.6024.0'
            ($r.Data.sql | Where-Object { $_.instance -eq 'REPORTING' }).edition | Should -Be 'Enterprise Edition (64-bit)'
        }
        It 'only a SQL Server 2017 Express instance' {
            $m = New-CortexTestMachine
            $m.Registry['64']["$sqlRoot\Instance Names\SQL"] = [ordered]@{ SQLEXPRESS = 'MSSQL14.SQLEXPRESS' }
            $m.Registry['64']["$sqlRoot\MSSQL14.SQLEXPRESS\Setup"] = [ordered]@{ Version = '14.0.1000.169'; Edition = 'Express Edition (64-bit)' }
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'sql.version' = 'fail'; 'sql.edition' = 'fail' }).Data.sql[0].version | Should -Be '14.0.1000.169'
        }
        It 'an instance whose Setup key is missing' {
            $m = New-CortexTestMachine; $m.Registry['64'].Remove("$sqlRoot\MSSQL15.MSSQLSERVER\Setup")
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'sql.version' = 'fail' }
            $r.Data.sql[0].id | Should -Be 'MSSQL15.MSSQLSERVER'
            $r.Data.sql[0].version | Should -BeNullOrEmpty
        }
    }

    Context 'a reboot is pending' {
        BeforeEach { $m = New-CortexTestMachine }
        It 'Component Based Servicing' {
            $m.Registry['64']['SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'] = [ordered]@{}
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'reboot.pending' = 'warn' }).Data.pendingReboot.componentBasedServicing | Should -BeTrue
        }
        It 'Windows Update' {
            $m.Registry['64']['SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'] = [ordered]@{ '{guid}' = 1 }
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'reboot.pending' = 'warn' }).Data.pendingReboot.windowsUpdate | Should -BeTrue
        }
        It 'PendingFileRenameOperations (a value, one rename)' {
            $m.Registry['64']['SYSTEM\CurrentControlSet\Control\Session Manager'].PendingFileRenameOperations = [string[]]@('\??\C:\Temp\a.dll')
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'reboot.pending' = 'warn' }).Data.pendingReboot.pendingFileRenameOperations | Should -BeTrue
        }
        It 'PendingFileRenameOperations present but empty is no reboot' {
            $m.Registry['64']['SYSTEM\CurrentControlSet\Control\Session Manager'].PendingFileRenameOperations = [string[]]@('', '')
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'reboot.pending' = 'pass' }).Data.pendingReboot.pendingFileRenameOperations | Should -BeFalse
        }
        It 'Server Manager' {
            $m.Registry['64']['SOFTWARE\Microsoft\ServerManager\ServicingStorage\ServerComponentCache'].RestartRequired = 1
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'reboot.pending' = 'warn' }).Data.pendingReboot.serverManager | Should -BeTrue
        }
        It 'a computer rename' {
            $m.Registry['64']['SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName'].ComputerName = 'APP1-NEW'
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'reboot.pending' = 'warn' }
            $r.Data.pendingReboot.computerRename | Should -BeTrue
            $r.Data.pendingReboot.domainJoin | Should -BeFalse
        }
        It 'the same name in another case is no rename' {
            $m.Registry['64']['SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName'].ComputerName = 'app1'
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'reboot.pending' = 'pass' }).Data.pendingReboot.computerRename | Should -BeFalse
        }
        It 'a domain join (Netlogon JoinDomain)' {
            $m.Registry['64']['SYSTEM\CurrentControlSet\Services\Netlogon'].JoinDomain = 1
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'reboot.pending' = 'warn' }
            $r.Data.pendingReboot.domainJoin | Should -BeTrue
            $r.Data.pendingReboot.computerRename | Should -BeFalse
        }
        It 'a domain join (Netlogon AvoidSpnSet)' {
            $m.Registry['64']['SYSTEM\CurrentControlSet\Services\Netlogon'].AvoidSpnSet = 1
            Register-CortexTestMachineMock $m
            (Invoke-CortexTestFacts -Expect @{ 'reboot.pending' = 'warn' }).Data.pendingReboot.domainJoin | Should -BeTrue
        }
        It 'none of the keys exist: nothing pending' {
            foreach ($k in @('SYSTEM\CurrentControlSet\Control\Session Manager', 'SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName', 'SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName', 'SYSTEM\CurrentControlSet\Services\Netlogon', 'SOFTWARE\Microsoft\ServerManager\ServicingStorage\ServerComponentCache')) {
                $m.Registry['64'].Remove($k)
            }
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Expect @{ 'reboot.pending' = 'pass' }
            @($r.Data.pendingReboot.PSObject.Properties.Value | Where-Object { $_ }) | Should -BeNullOrEmpty
            @($r.Data.pendingReboot.PSObject.Properties).Count | Should -Be 6
        }
    }

    Context 'listeners' {
        It 'a port held by another program, named by its process' {
            $m = New-CortexTestMachine
            $m.TcpListeners += [ordered]@{ LocalPort = [uint16]4369; LocalAddress = '0.0.0.0'; OwningProcess = [uint32]3100 }
            $m.Processes[3100] = 'java'
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Params @{ roles = @('app'); installPath = 'D:\Cortex'; ports = @(4369, 5672) } -Expect @{ 'net.ports' = 'fail' }
            @($r.Data.listeners).Count | Should -Be 1
            $r.Data.listeners[0].port | Should -Be 4369
            $r.Data.listeners[0].processName | Should -Be 'java'
        }
        It 'a listener whose process has exited has no process name' {
            $m = New-CortexTestMachine
            $m.TcpListeners = @([ordered]@{ LocalPort = [uint16]5672; LocalAddress = '::'; OwningProcess = [uint32]4242 })
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts -Params @{ roles = @('app'); installPath = 'D:\Cortex'; ports = @(5672) }
            $r.Data.listeners[0].processId | Should -Be 4242
            $r.Data.listeners[0].processName | Should -BeNullOrEmpty
        }
    }

    Context 'bad parameters' {
        BeforeEach { Register-CortexTestMachineMock (New-CortexTestMachine) }
        It 'an installPath that is not on a drive letter fails with a message naming it' {
            $r = Invoke-CortexTestFacts -Params @{ roles = @('app'); installPath = '\\server\share\Cortex'; ports = @() }
            $r.Result.ok | Should -BeFalse
            $r.ExitCode | Should -Be 1
            $r.Error.message | Should -BeLike 'installPath must be a path on a drive letter*\\server\share\Cortex'
        }
        It 'a relative installPath fails' {
            $r = Invoke-CortexTestFacts -Params @{ roles = @('app'); installPath = 'Cortex'; ports = @() }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeLike 'installPath must be a path on a drive letter*'
        }
        It 'a port that is not a TCP port fails naming its position' {
            $r = Invoke-CortexTestFacts -Params @{ roles = @('app'); installPath = 'D:\Cortex'; ports = @(80, 70000) }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be 'ports[1] must be a TCP port from 1 to 65535, not 70000'
        }
        It 'a %ProgramData% that is not on a drive letter fails' {
            $m = New-CortexTestMachine; $m.Environment.ProgramData = '/var/lib'
            Register-CortexTestMachineMock $m
            $r = Invoke-CortexTestFacts
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeLike '%ProgramData% must be a path on a drive letter*'
        }
    }
}
