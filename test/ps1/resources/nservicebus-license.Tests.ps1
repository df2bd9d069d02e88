# Scripts under test: ps1/resources/nservicebus-license.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The nservicebus_license resource against real files in a temporary folder: Write-CortexFileBytes writes
# through [IO.File] as on Windows, so the bytes are checked for real (UTF-8, no BOM). The licence must
# never appear in what the scripts print.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $license = "<?xml version=`"1.0`" encoding=`"utf-8`"?>`n<license id=`"lab`" type=`"Lab`"><name>Cortex Lab Løsning</name></license>"
    $licenseBytes = (New-Object System.Text.UTF8Encoding $false).GetBytes($license)
    $licenseHash = (Get-FileHash -InputStream ([IO.MemoryStream]::new($licenseBytes)) -Algorithm SHA256).Hash.ToLowerInvariant()
}

Describe 'nservicebus_license' {
    BeforeEach {
        $dir = Join-Path ([IO.Path]::GetTempPath()) ('cortex-nsb-license-' + [guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $dir
        # ParticularSoftware does not exist on a fresh host: the Set makes it.
        $path = Join-Path (Join-Path $dir 'ParticularSoftware') 'license.xml'
        $testParams = @{ license = 'file:/srv/site/license.xml'; path = $path; licenseSha256 = $licenseHash }
    }
    AfterEach { Remove-Item -LiteralPath $dir -Recurse -Force }

    Context 'no licence yet (no ParticularSoftware folder)' {
        It 'Test: no file, no SHA-256' {
            $r = Invoke-CortexResourceTest -Resource 'nservicebus_license' -Params $testParams
            $r.StepError | Should -BeNullOrEmpty
            $r.State.exists | Should -BeFalse
            $r.State.sha256 | Should -BeNullOrEmpty
        }
        It 'Set: makes the folder, writes the UTF-8 bytes without a BOM; the output never holds the licence' {
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_license' -Params @{ license = $license; path = $path; licenseSha256 = $licenseHash }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly ('wrote the NServiceBus licence ({0} bytes) to {1}; endpoints read it when they start' -f $licenseBytes.Length, $path)
            $bytes = [IO.File]::ReadAllBytes($path)
            $bytes.Length | Should -Be $licenseBytes.Length
            $bytes[0] | Should -Be 0x3C
            $r.Json | Should -Not -BeLike '*<license*'
            $r.Json | Should -Not -BeLike '*Cortex Lab*'
            $t = Invoke-CortexResourceTest -Resource 'nservicebus_license' -Params $testParams
            $t.State.exists | Should -BeTrue
            $t.State.sha256 | Should -BeExactly $licenseHash
        }
        It 'Set: refuses text that is not XML, naming only its length' {
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_license' -Params @{ license = 'not-a-licence-secret'; path = $path }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeExactly "nservicebus_license: the licence received is not XML (it has 20 characters and does not start with <); name Particular's license.xml in components.nservicebus.license"
            $r.Json | Should -Not -BeLike '*not-a-licence-secret*'
            Test-Path -LiteralPath $path | Should -BeFalse
        }
        It 'Set: refuses a licence other than the one the plan compared, writing nothing' {
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_license' -Params @{ license = $license; path = $path; licenseSha256 = ('0' * 64) }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeExactly 'nservicebus_license: the licence received is not the one whose SHA-256 the plan compared; run apply again'
            Test-Path -LiteralPath $path | Should -BeFalse
        }
    }

    Context 'an older licence is there' {
        BeforeEach {
            $null = New-Item -ItemType Directory -Path (Split-Path -Path $path -Parent)
            [IO.File]::WriteAllText($path, '<license id="old"/>', [Text.Encoding]::ASCII)
        }
        It 'Test: its SHA-256, not the wanted one' {
            $r = Invoke-CortexResourceTest -Resource 'nservicebus_license' -Params $testParams
            $r.State.exists | Should -BeTrue
            $r.State.sha256 | Should -Not -Be $licenseHash
        }
        It 'Set: replaces it through the seam' {
            Mock Write-CortexFileBytes { [IO.File]::WriteAllBytes($Path, $Bytes) }
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_license' -Params @{ license = $license; path = $path }
            $r.Result.ok | Should -BeTrue
            Should -Invoke Write-CortexFileBytes -Times 1 -Exactly -ParameterFilter { $Path -eq $path }
            (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash.ToLowerInvariant() | Should -BeExactly $licenseHash
        }
    }

    Context 'the licence is already there' {
        BeforeEach {
            $null = New-Item -ItemType Directory -Path (Split-Path -Path $path -Parent)
            [IO.File]::WriteAllBytes($path, $licenseBytes)
        }
        It 'Set: writes nothing' {
            Mock Write-CortexFileBytes { throw 'not expected' }
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_license' -Params @{ license = $license; path = $path; licenseSha256 = $licenseHash }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly ('the NServiceBus licence at {0} is already the one given' -f $path)
            Should -Invoke Write-CortexFileBytes -Times 0
        }
    }

    Context 'the path is a folder' {
        BeforeEach { $null = New-Item -ItemType Directory -Path $path }
        It 'Set: refused, naming the path' {
            $r = Invoke-CortexResourceSet -Resource 'nservicebus_license' -Params @{ license = $license; path = $path }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeExactly ('nservicebus_license: {0} is a folder, not a licence file' -f $path)
        }
    }
}
