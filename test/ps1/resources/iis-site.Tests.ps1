# Script under test: ps1/resources/iis-site.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The iis_site resource on an in-memory IIS (test/ps1/helpers/CortexIisTest.ps1): its refusals, then one
# Context per state of the site: absent, and present with differing path, pool, bindings, certificate.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    . (Join-Path $PSScriptRoot '../helpers/CortexIisTest.ps1')
    $thumb = '916909FF7E3500C69B3B1E8184640F8E907D679C'
    $renewed = '1020DD39520EE071380924C693D20186B6F4DE89'
    $v1 = 'C:\inetpub\cortex-gateway\1.0.0'
    $v2 = 'C:\inetpub\cortex-gateway\1.1.0'
    $https = @{ protocol = 'https'; port = 443; host = 'gateway.corp.example.com'; thumbprint = $thumb; sni = $true }
    $site = @{ name = 'CortexGateway'; physicalPath = $v1; appPool = 'CortexGateway'; bindings = @($https); state = 'started' }
    $defaultSite = New-CortexTestSite 'Default Web Site' '%SystemDrive%\inetpub\wwwroot' 'DefaultAppPool' @(New-CortexTestBinding 'http' '*:80:')
    function Register-Web([hashtable]$Sites = @{}, [hashtable]$Certificates = @{ $thumb = $true }, [string[]]$Folders = @($v1, $v2)) {
        $all = @{ 'Default Web Site' = $defaultSite }
        foreach ($k in $Sites.Keys) { $all[$k] = $Sites[$k] }
        $null = Register-CortexTestIis -Pools @{ DefaultAppPool = (New-CortexTestPool); CortexGateway = (New-CortexTestPool) } -Sites $all -Folders $Folders -Certificates $Certificates
    }
    function Get-Live { New-CortexTestSite 'CortexGateway' $v1 'CortexGateway' @(New-CortexTestBinding 'https' '*:443:gateway.corp.example.com' $thumb 1) }
}

Describe 'iis_site' {
    Context 'IIS is not installed' {
        BeforeEach { $null = Register-CortexTestIis -NoIis }
        It 'Test: iisInstalled false, no bindings' {
            $r = Invoke-CortexResourceTest -Resource 'iis_site' -Params $site
            $r.State.iisInstalled | Should -BeFalse
            $r.State.exists | Should -BeFalse
            @($r.State.bindings).Count | Should -Be 0
            $r.Json | Should -BeLike '*"bindings":`[`]*'
        }
        It 'Set: refuses, naming the Web-Server feature' {
            $r = Invoke-CortexResourceSet -Resource 'iis_site' -Params $site
            $r.Error.message | Should -Be 'iis_site: IIS is not installed on this host (no HKLM\SOFTWARE\Microsoft\InetStp); install the Web-Server feature in an earlier step'
            Assert-CortexNotInvoked $global:CortexIisWriteCommands
        }
    }

    Context 'refusals before any change' {
        It 'Set: <case>' -ForEach @(
            @{ case = 'the physical path does not exist'; folders = @(); certs = @{ '916909FF7E3500C69B3B1E8184640F8E907D679C' = $true }; params = $null; message = 'iis_site: the physical path C:\inetpub\cortex-gateway\1.0.0 does not exist; create it in an earlier step (archive or directory)' }
            @{ case = 'the pool does not exist'; folders = $null; certs = @{ '916909FF7E3500C69B3B1E8184640F8E907D679C' = $true }; params = @{ appPool = 'Nope' }; message = 'iis_site: the application pool Nope does not exist; create it in an earlier step (iis_app_pool)' }
            @{ case = 'the certificate is not in LocalMachine\My (the site before its certificate)'; folders = $null; certs = @{}; params = $null; message = 'iis_site: the certificate 916909FF7E3500C69B3B1E8184640F8E907D679C of binding https *:443:gateway.corp.example.com is not in Cert:\LocalMachine\My; import it in an earlier step (certificate)' }
            @{ case = 'another site holds the binding'; folders = $null; certs = @{}; params = @{ bindings = @(@{ protocol = 'http'; port = 80 }) }; message = 'iis_site: binding http *:80: is already used by the site Default Web Site; two sites cannot listen on the same binding' }
            @{ case = 'no bindings'; folders = $null; certs = @{}; params = @{ bindings = @() }; message = 'iis_site: parameter bindings is empty; a site needs at least one binding' }
            @{ case = 'a binding protocol'; folders = $null; certs = @{}; params = @{ bindings = @(@{ protocol = 'ftp'; port = 21 }) }; message = "iis_site: a binding's protocol must be http or https, not ftp" }
            @{ case = 'an https binding without thumbprint'; folders = $null; certs = @{}; params = @{ bindings = @(@{ protocol = 'https'; port = 443 }) }; message = 'iis_site: parameter thumbprint is missing' }
            @{ case = 'a state'; folders = $null; certs = @{}; params = @{ state = 'paused' }; message = 'iis_site: parameter state must be started or stopped, not paused' }
        ) {
            $f = @($v1, $v2); if ($null -ne $folders) { $f = $folders }
            Register-Web -Certificates $certs -Folders $f
            $p = $site.Clone(); if ($params) { foreach ($k in $params.Keys) { $p[$k] = $params[$k] } }
            $r = Invoke-CortexResourceSet -Resource 'iis_site' -Params $p
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be $message
            Assert-CortexNotInvoked $global:CortexIisWriteCommands
        }
    }

    Context 'the site does not exist' {
        BeforeEach { Register-Web }
        It 'Test: iisInstalled, absent' {
            $s = (Invoke-CortexResourceTest -Resource 'iis_site' -Params $site).State
            $s.iisInstalled | Should -BeTrue
            $s.exists | Should -BeFalse
        }
        It 'Set: New-Website from the https binding (SNI), then its certificate; the Test then sees it' {
            $r = Invoke-CortexResourceSet -Resource 'iis_site' -Params $site
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be "site CortexGateway: created, certificate $thumb on https *:443:gateway.corp.example.com"
            Should -Invoke New-Website -Times 1 -Exactly -ParameterFilter { $Name -eq 'CortexGateway' -and $PhysicalPath -eq $v1 -and $ApplicationPool -eq 'CortexGateway' -and $Port -eq 443 -and $IPAddress -eq '*' -and $HostHeader -eq 'gateway.corp.example.com' -and $Ssl -and $SslFlags -eq 1 }
            Assert-CortexNotInvoked @('New-WebBinding', 'Remove-WebBinding', 'Set-WebBinding', 'Start-Website', 'Stop-Website')
            @($global:CortexTestSslCalls) | Should -Be @("add *:443:gateway.corp.example.com $thumb my")
            $s = (Invoke-CortexResourceTest -Resource 'iis_site' -Params $site).State
            $s.exists | Should -BeTrue
            $s.physicalPath | Should -Be $v1
            $s.appPool | Should -Be 'CortexGateway'
            $s.state | Should -Be 'started'
            @($s.bindings).Count | Should -Be 1
            $s.bindings[0].protocol | Should -Be 'https'
            $s.bindings[0].bindingInformation | Should -Be '*:443:gateway.corp.example.com'
            $s.bindings[0].certificateHash | Should -Be $thumb
            $s.bindings[0].sslFlags | Should -Be 1
        }
        It 'Set: an http binding first, then the https one added with New-WebBinding; stopped when asked' {
            $p = $site.Clone(); $p.bindings = @(@{ protocol = 'http'; port = 8080; host = '' }, $https); $p.state = 'stopped'
            $r = Invoke-CortexResourceSet -Resource 'iis_site' -Params $p
            $r.Data.message | Should -Be "site CortexGateway: created, added https *:443:gateway.corp.example.com, certificate $thumb on https *:443:gateway.corp.example.com, stopped"
            Should -Invoke New-Website -Times 1 -Exactly -ParameterFilter { $Port -eq 8080 -and -not $Ssl }
            Should -Invoke New-WebBinding -Times 1 -Exactly -ParameterFilter { $Protocol -eq 'https' -and $Port -eq 443 -and $HostHeader -eq 'gateway.corp.example.com' -and $SslFlags -eq 1 }
            Should -Invoke Stop-Website -Times 1 -Exactly
            $s = (Invoke-CortexResourceTest -Resource 'iis_site' -Params $p).State
            $s.state | Should -Be 'stopped'
            ($s.bindings | Where-Object { $_.protocol -eq 'http' }).certificateHash | Should -BeNullOrEmpty
        }
    }

    Context 'the site exists' {
        It 'Set: everything matches: nothing changes' {
            Register-Web -Sites @{ CortexGateway = (Get-Live) }
            $r = Invoke-CortexResourceSet -Resource 'iis_site' -Params $site
            $r.Data.message | Should -Be 'site CortexGateway: nothing to change'
            Assert-CortexNotInvoked $global:CortexIisWriteCommands
            @($global:CortexTestSslCalls).Count | Should -Be 0
        }
        It 'Set: the cut-over to a new version folder is the physicalPath alone' {
            Register-Web -Sites @{ CortexGateway = (Get-Live) }
            $p = $site.Clone(); $p.physicalPath = $v2
            $r = Invoke-CortexResourceSet -Resource 'iis_site' -Params $p
            $r.Data.message | Should -Be "site CortexGateway: physicalPath $v2"
            Should -Invoke Set-ItemProperty -Times 1 -Exactly -ParameterFilter { $LiteralPath -eq 'IIS:\Sites\CortexGateway' -and $Name -eq 'physicalPath' -and $Value -eq $v2 }
            Assert-CortexNotInvoked @('New-WebBinding', 'Remove-WebBinding', 'New-Website')
            (Invoke-CortexResourceTest -Resource 'iis_site' -Params $p).State.physicalPath | Should -Be $v2
        }
        It 'Set: another pool, and a stopped site started' {
            $live = Get-Live; $live.applicationPool = 'DefaultAppPool'; $live.state = 'Stopped'
            Register-Web -Sites @{ CortexGateway = $live }
            $r = Invoke-CortexResourceSet -Resource 'iis_site' -Params $site
            $r.Data.message | Should -Be 'site CortexGateway: appPool CortexGateway, started'
            Should -Invoke Set-ItemProperty -Times 1 -Exactly -ParameterFilter { $Name -eq 'applicationPool' -and $Value -eq 'CortexGateway' }
            Should -Invoke Start-Website -Times 1 -Exactly
        }
        It 'Set: a renewed certificate re-binds that binding only (old one removed first); the others stay' {
            $live = Get-Live; $live.bindings = @($live.bindings) + @(New-CortexTestBinding 'http' '*:80:gateway.corp.example.com')
            Register-Web -Sites @{ CortexGateway = $live } -Certificates @{ $thumb = $true; $renewed = $true }
            $p = $site.Clone(); $p.bindings = @(@{ protocol = 'https'; port = 443; host = 'gateway.corp.example.com'; thumbprint = $renewed; sni = $true }, @{ protocol = 'http'; port = 80; host = 'gateway.corp.example.com' })
            $r = Invoke-CortexResourceSet -Resource 'iis_site' -Params $p
            $r.Data.message | Should -Be "site CortexGateway: certificate $renewed on https *:443:gateway.corp.example.com"
            @($global:CortexTestSslCalls) | Should -Be @("remove *:443:gateway.corp.example.com $thumb", "add *:443:gateway.corp.example.com $renewed my")
            Assert-CortexNotInvoked @('New-WebBinding', 'Remove-WebBinding', 'Set-WebBinding')
        }
        It 'Set: a binding not wanted is removed, a wanted one added' {
            $live = Get-Live; $live.bindings = @($live.bindings) + @(New-CortexTestBinding 'http' '*:8080:')
            Register-Web -Sites @{ CortexGateway = $live }
            $p = $site.Clone(); $p.bindings = @($https, @{ protocol = 'http'; port = 80; host = 'gateway.corp.example.com' })
            $r = Invoke-CortexResourceSet -Resource 'iis_site' -Params $p
            $r.Data.message | Should -Be 'site CortexGateway: removed http *:8080:, added http *:80:gateway.corp.example.com'
            Should -Invoke Remove-WebBinding -Times 1 -Exactly -ParameterFilter { $Protocol -eq 'http' -and $BindingInformation -eq '*:8080:' }
            Should -Invoke New-WebBinding -Times 1 -Exactly -ParameterFilter { $Protocol -eq 'http' -and $Port -eq 80 -and $SslFlags -eq 0 }
        }
        It 'Set: SNI turned on: the flag set on the binding, its certificate bound again' {
            $live = Get-Live; $live.bindings[0].sslFlags = 0
            Register-Web -Sites @{ CortexGateway = $live }
            $r = Invoke-CortexResourceSet -Resource 'iis_site' -Params $site
            $r.Data.message | Should -Be "site CortexGateway: certificate $thumb on https *:443:gateway.corp.example.com"
            Should -Invoke Set-WebBinding -Times 1 -Exactly -ParameterFilter { $BindingInformation -eq '*:443:gateway.corp.example.com' -and $PropertyName -eq 'sslFlags' -and $Value -eq 1 }
            (Invoke-CortexResourceTest -Resource 'iis_site' -Params $site).State.bindings[0].sslFlags | Should -Be 1
        }
    }
}
