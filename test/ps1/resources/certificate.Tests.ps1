# Script under test: ps1/resources/certificate.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The certificate resource: the store read by thumbprint (Test), Import-PfxCertificate with the password
# as a SecureString only (Set). One Context per state of the store and the PFX.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    . (Join-Path $PSScriptRoot '../helpers/CortexIisTest.ps1')
    $thumb = '916909FF7E3500C69B3B1E8184640F8E907D679C'
    $pfx = 'C:\ProgramData\CortexInstall\artifacts\certificates\cortex-gateway.pfx'
    $secret = 'Pfx-S3cret!'
    $cert = @{ path = $pfx; password = $secret; thumbprint = $thumb.ToLowerInvariant() }
    function Register-Pfx([string]$Holds = $thumb, [bool]$WithKey = $true, [string]$Password = $secret) {
        # The PFX on the host, holding $Holds; Import-PfxCertificate adds it to the store with the right password.
        $null = Register-CortexTestIis -Files @($pfx)
        $global:CortexTestPfx = @{ Thumbprint = $Holds; WithKey = $WithKey; Password = $Password }
        Mock Import-PfxCertificate {
            $given = [Runtime.InteropServices.Marshal]::PtrToStringUni([Runtime.InteropServices.Marshal]::SecureStringToGlobalAllocUnicode($Password))
            if ($given -ne $global:CortexTestPfx.Password) { throw 'The PFX file you are trying to import requires either a different password or membership in an Active Directory principal to which it is protected.' }
            $c = [pscustomobject]@{ Thumbprint = $global:CortexTestPfx.Thumbprint; Subject = 'CN=gateway.corp.example.com'; HasPrivateKey = $global:CortexTestPfx.WithKey }
            $global:CortexTestCerts[$c.Thumbprint] = $c
            $c
        }
    }
}

Describe 'certificate' {
    Context 'not in the store' {
        BeforeEach { Register-Pfx }
        It 'Test: absent (read by the upper-case thumbprint); imports nothing' {
            $r = Invoke-CortexResourceTest -Resource 'certificate' -Params $cert
            $r.StepError | Should -BeNullOrEmpty
            $r.State.present | Should -BeFalse
            $r.State.hasPrivateKey | Should -BeFalse
            Should -Invoke Get-Item -Times 1 -Exactly -ParameterFilter { $LiteralPath -ceq "Cert:\LocalMachine\My\$thumb" }
            Assert-CortexNotInvoked @('Import-PfxCertificate')
        }
        It 'Set: Import-PfxCertificate into Cert:\LocalMachine\My with a SecureString, not exportable; the Test then sees it with its key' {
            $r = Invoke-CortexResourceSet -Resource 'certificate' -Params $cert
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be "imported $thumb (CN=gateway.corp.example.com) into Cert:\LocalMachine\My"
            $r.Data.rebootRequired | Should -BeFalse
            Should -Invoke Import-PfxCertificate -Times 1 -Exactly -ParameterFilter { $FilePath -eq $pfx -and $CertStoreLocation -eq 'Cert:\LocalMachine\My' -and $Password -is [securestring] -and -not $Exportable }
            $r.Json | Should -Not -BeLike "*$secret*"
            $s = (Invoke-CortexResourceTest -Resource 'certificate' -Params $cert).State
            $s.present | Should -BeTrue
            $s.hasPrivateKey | Should -BeTrue
        }
        It 'Set: exportable and another store when asked' {
            $p = $cert.Clone(); $p.exportable = $true; $p.store = 'LocalMachine\WebHosting'
            $r = Invoke-CortexResourceSet -Resource 'certificate' -Params $p
            $r.Result.ok | Should -BeTrue
            Should -Invoke Import-PfxCertificate -Times 1 -Exactly -ParameterFilter { $CertStoreLocation -eq 'Cert:\LocalMachine\WebHosting' -and $Exportable }
        }
    }

    Context 'refusals' {
        It 'Set: the PFX is not on the host' {
            $null = Register-CortexTestIis
            $r = Invoke-CortexResourceSet -Resource 'certificate' -Params $cert
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be "certificate: the PFX $pfx is not on the host; stage it with a file step first"
            Assert-CortexNotInvoked @('Import-PfxCertificate')
        }
        It "Set: a wrong password, with Windows' text and never the password" {
            Register-Pfx -Password 'the-right-one'
            $r = Invoke-CortexResourceSet -Resource 'certificate' -Params $cert
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be "certificate: importing $pfx into Cert:\LocalMachine\My failed: The PFX file you are trying to import requires either a different password or membership in an Active Directory principal to which it is protected."
            $r.Json | Should -Not -BeLike "*$secret*"
        }
        It 'Set: the PFX holds another certificate than the step expects' {
            Register-Pfx -Holds '1020DD39520EE071380924C693D20186B6F4DE89'
            $r = Invoke-CortexResourceSet -Resource 'certificate' -Params $cert
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be "certificate: $pfx holds 1020DD39520EE071380924C693D20186B6F4DE89, not the expected $thumb; check the step's thumbprint or the file"
        }
        It 'Set: imported without its private key' {
            Register-Pfx -WithKey $false
            $r = Invoke-CortexResourceSet -Resource 'certificate' -Params $cert
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be "certificate: $thumb was imported without its private key; an https binding needs it (export the PFX with its key)"
        }
        It 'Set: no password parameter' {
            Register-Pfx
            $p = $cert.Clone(); $p.Remove('password')
            $r = Invoke-CortexResourceSet -Resource 'certificate' -Params $p
            $r.Error.message | Should -Be 'certificate: parameter password is missing'
            Assert-CortexNotInvoked @('Import-PfxCertificate')
        }
    }

    Context 'in the store' {
        It 'Test: present with its private key' {
            $null = Register-CortexTestIis -Certificates @{ $thumb = $true }
            $s = (Invoke-CortexResourceTest -Resource 'certificate' -Params $cert).State
            $s.present | Should -BeTrue
            $s.hasPrivateKey | Should -BeTrue
        }
        It 'Test: present without its private key' {
            $null = Register-CortexTestIis -Certificates @{ $thumb = $false }
            $s = (Invoke-CortexResourceTest -Resource 'certificate' -Params $cert).State
            $s.present | Should -BeTrue
            $s.hasPrivateKey | Should -BeFalse
        }
    }
}
