# Pester helpers for the IIS and certificate resources (ps1/resources/iis-app-pool.ps1, iis-site.ps1,
# certificate.ps1; their Tests in test-batch.ps1): stubs for the WebAdministration and PKI cmdlets absent
# from pwsh on Linux, and one in-memory IIS (pools, sites with bindings) and LocalMachine\My behind
# Mocks of the cmdlets the scripts call, so a Set and the Test after it see the same machine.
#   BeforeAll { . (Join-Path $PSScriptRoot '../helpers/CortexIisTest.ps1') }   (after CortexResourceTest.ps1)

$global:CortexIisCommandStubs = [ordered]@{
    'New-WebAppPool'        = 'param([string]$Name)'
    'Start-WebAppPool'      = 'param([string]$Name)'
    'Stop-WebAppPool'       = 'param([string]$Name)'
    'Get-Website'           = 'param([string]$Name)'
    'New-Website'           = 'param([string]$Name, [string]$PhysicalPath, [string]$ApplicationPool, [int]$Port, [string]$IPAddress, [string]$HostHeader, [switch]$Ssl, [int]$SslFlags)'
    'Start-Website'         = 'param([string]$Name)'
    'Stop-Website'          = 'param([string]$Name)'
    'Get-WebBinding'        = 'param([string]$Name, [string]$Protocol, [int]$Port, [string]$HostHeader)'
    'New-WebBinding'        = 'param([string]$Name, [string]$Protocol, [int]$Port, [string]$IPAddress, [string]$HostHeader, [int]$SslFlags)'
    'Remove-WebBinding'     = 'param([string]$Name, [string]$Protocol, [string]$BindingInformation)'
    'Set-WebBinding'        = 'param([string]$Name, [string]$BindingInformation, [string]$PropertyName, $Value)'
    'Import-PfxCertificate' = 'param([string]$FilePath, [string]$CertStoreLocation, [securestring]$Password, [switch]$Exportable)'
}
foreach ($stub in $global:CortexIisCommandStubs.GetEnumerator()) {
    if (Get-Command -Name $stub.Key -ErrorAction Ignore) { continue }
    $body = "[CmdletBinding()] $($stub.Value) throw '$($stub.Key) was called but not mocked in this test'"
    $null = New-Item -Path ('function:global:' + $stub.Key) -Value ([scriptblock]::Create($body)) -Force
}

$global:CortexIisWriteCommands = @('New-WebAppPool', 'Start-WebAppPool', 'Stop-WebAppPool', 'Set-ItemProperty', 'New-Website', 'Start-Website', 'Stop-Website', 'New-WebBinding', 'Remove-WebBinding', 'Set-WebBinding', 'Import-PfxCertificate')

function New-CortexTestPool {
    param([string]$Runtime = 'v4.0', [string]$Pipeline = 'Integrated', [string]$Identity = 'ApplicationPoolIdentity', [string]$User = '', [string]$State = 'Started')
    [pscustomobject]@{ managedRuntimeVersion = $Runtime; managedPipelineMode = $Pipeline; processModel = [pscustomobject]@{ identityType = $Identity; userName = $User }; state = $State }
}

function New-CortexTestBinding {
    param([string]$Protocol, [string]$Info, [string]$Hash = '', [int]$Flags = 0)
    $b = [pscustomobject]@{ protocol = $Protocol; bindingInformation = $Info; certificateHash = $Hash; sslFlags = $Flags }
    $b | Add-Member -MemberType ScriptMethod -Name AddSslCertificate -Value { param($thumb, $store) $this.certificateHash = $thumb; $global:CortexTestSslCalls.Add(('add {0} {1} {2}' -f $this.bindingInformation, $thumb, $store)) }
    $b | Add-Member -MemberType ScriptMethod -Name RemoveSslCertificate -Value { $global:CortexTestSslCalls.Add(('remove {0} {1}' -f $this.bindingInformation, $this.certificateHash)); $this.certificateHash = '' }
    $b
}

function Register-CortexTestIis {
    # A machine with IIS (unless -NoIis), these pools and sites, these folders, and these certificates in
    # LocalMachine\My (thumbprint -> $true with its private key, $false without). Returns the machine.
    param([hashtable]$Pools = @{}, [hashtable]$Sites = @{}, [string[]]$Folders = @(), [hashtable]$Certificates = @{}, [string[]]$Files = @(), [switch]$NoIis)
    $m = New-CortexTestMachine
    if ($NoIis) { $m.Registry['64'].Remove('SOFTWARE\Microsoft\InetStp') }
    Register-CortexTestRegistryMock $m
    $global:CortexTestPools = [ordered]@{}
    foreach ($k in $Pools.Keys) { $global:CortexTestPools[$k] = $Pools[$k] }
    $global:CortexTestSites = [ordered]@{}
    foreach ($k in $Sites.Keys) { $global:CortexTestSites[$k] = $Sites[$k] }
    $global:CortexTestFolders = $Folders
    $global:CortexTestFiles = $Files
    $global:CortexTestCerts = [ordered]@{}
    foreach ($k in $Certificates.Keys) { $global:CortexTestCerts[$k] = [pscustomobject]@{ Thumbprint = $k; Subject = 'CN=gateway.corp.example.com'; HasPrivateKey = $Certificates[$k] } }
    $global:CortexTestSslCalls = New-Object System.Collections.Generic.List[string]

    Mock Import-Module { } -ParameterFilter { $Name -eq 'WebAdministration' }
    Mock Test-Path {
        if ($LiteralPath -like 'IIS:\AppPools\*') { return $global:CortexTestPools.Contains($LiteralPath.Substring(14)) }
        if ($PathType -eq 'Leaf') { return $global:CortexTestFiles -contains $LiteralPath }
        $global:CortexTestFolders -contains $LiteralPath
    }
    Mock Get-Item {
        if ($LiteralPath -like 'IIS:\AppPools\*') { return $global:CortexTestPools[$LiteralPath.Substring(14)] }
        if ($LiteralPath -like 'Cert:\LocalMachine\My\*') {
            $thumb = $LiteralPath.Substring(22)
            if ($global:CortexTestCerts.Contains($thumb)) { return $global:CortexTestCerts[$thumb] }
            return $null
        }
        throw "Get-Item $LiteralPath is not part of this test's machine"
    }
    Mock New-WebAppPool { $global:CortexTestPools[$Name] = New-CortexTestPool; [pscustomobject]@{ Name = $Name } }
    Mock Start-WebAppPool { $global:CortexTestPools[$Name].state = 'Started' }
    Mock Stop-WebAppPool { $global:CortexTestPools[$Name].state = 'Stopped' }
    Mock Set-ItemProperty {
        if ($LiteralPath -like 'IIS:\AppPools\*') {
            $pool = $global:CortexTestPools[$LiteralPath.Substring(14)]
            if ($Name -eq 'processModel') { $pool.processModel = [pscustomobject]@{ identityType = $Value.identityType; userName = $Value.userName } }
            else { $pool.$Name = $Value }
            return
        }
        if ($LiteralPath -like 'IIS:\Sites\*') { $global:CortexTestSites[$LiteralPath.Substring(11)].$Name = $Value; return }
        throw "Set-ItemProperty $LiteralPath is not part of this test's machine"
    }
    Mock Get-Website { foreach ($k in $global:CortexTestSites.Keys) { $global:CortexTestSites[$k] } }
    Mock Get-WebBinding {
        $site = $global:CortexTestSites[$Name]
        $all = @($site.bindings)
        if ($Protocol) { $all = @($all | Where-Object { $_.protocol -eq $Protocol -and $_.bindingInformation -eq ('*:{0}:{1}' -f $Port, $HostHeader) }) }
        $all
    }
    Mock New-Website {
        $flags = 0; if ($Ssl) { $flags = $SslFlags }
        $protocol = 'http'; if ($Ssl) { $protocol = 'https' }
        $global:CortexTestSites[$Name] = [pscustomobject]@{ Name = $Name; physicalPath = $PhysicalPath; applicationPool = $ApplicationPool; state = 'Started'; bindings = @(New-CortexTestBinding $protocol ('{0}:{1}:{2}' -f $IPAddress, $Port, $HostHeader) '' $flags) }
    }
    Mock New-WebBinding { $s = $global:CortexTestSites[$Name]; $s.bindings = @($s.bindings) + @(New-CortexTestBinding $Protocol ('{0}:{1}:{2}' -f $IPAddress, $Port, $HostHeader) '' $SslFlags) }
    Mock Remove-WebBinding { $s = $global:CortexTestSites[$Name]; $s.bindings = @($s.bindings | Where-Object { -not ($_.protocol -eq $Protocol -and $_.bindingInformation -eq $BindingInformation) }) }
    Mock Set-WebBinding { $b = @($global:CortexTestSites[$Name].bindings | Where-Object { $_.bindingInformation -eq $BindingInformation })[0]; $b.$PropertyName = $Value }
    Mock Import-PfxCertificate { throw 'Import-PfxCertificate: this test gave no PFX' }
    Mock Start-Website { $global:CortexTestSites[$Name].state = 'Started' }
    Mock Stop-Website { $global:CortexTestSites[$Name].state = 'Stopped' }
    $m
}

function New-CortexTestSite {
    param([string]$Name, [string]$Path, [string]$Pool, [object[]]$Bindings, [string]$State = 'Started')
    [pscustomobject]@{ Name = $Name; physicalPath = $Path; applicationPool = $Pool; state = $State; bindings = @($Bindings) }
}
