# Script under test: ps1/resources/archive.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The archive resource against real zips in a temporary folder (Expand-Archive, Get-FileHash and the
# file cmdlets behave the same on Linux): one Context per state of the destination.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    function New-Zip([string]$Name, [hashtable]$Files) {
        $src = Join-Path $root ('content-' + [guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $src
        foreach ($f in $Files.Keys) {
            $p = Join-Path $src $f
            $null = New-Item -ItemType Directory -Path (Split-Path $p -Parent) -Force
            [IO.File]::WriteAllText($p, $Files[$f])
        }
        $zip = Join-Path $root $Name
        Compress-Archive -Path (Join-Path $src '*') -DestinationPath $zip
        [pscustomobject]@{ Path = $zip; Sha256 = (Get-FileHash -LiteralPath $zip -Algorithm SHA256).Hash.ToLowerInvariant() }
    }
}

Describe 'archive' {
    BeforeEach {
        $root = Join-Path ([IO.Path]::GetTempPath()) ('cortex-archive-' + [guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $root
        $zip = New-Zip 'gobetween-0.8.zip' @{ 'gobetween.exe' = 'v0.8'; 'conf/gobetween.toml' = 'bind' }
        $dest = Join-Path $root 'gobetween'
    }
    AfterEach { Remove-Item -LiteralPath $root -Recurse -Force }

    Context 'no destination yet' {
        It 'Test: no destination, no marker; creates nothing' {
            $r = Invoke-CortexResourceTest -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256 }
            $r.State.destinationExists | Should -BeFalse
            $r.State.markerSha256 | Should -BeNullOrEmpty
            Test-Path -LiteralPath $dest | Should -BeFalse
        }
        It 'Set: extracted, then the marker; Test then reads the zip''s SHA-256 from it' {
            $r = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256.ToUpperInvariant(); clean = $false }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be "extracted $($zip.Path) into $dest"
            [IO.File]::ReadAllText((Join-Path $dest 'conf/gobetween.toml')) | Should -Be 'bind'
            [IO.File]::ReadAllText((Join-Path $dest '.cortex-archive.sha256')) | Should -BeExactly $zip.Sha256
            $t = Invoke-CortexResourceTest -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256 }
            $t.State.destinationExists | Should -BeTrue
            $t.State.markerSha256 | Should -BeExactly $zip.Sha256
        }
        It 'Set with a zip of other content than the step says: refused, nothing extracted' {
            $r = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = ('0' * 64) }
            $r.Error.message | Should -BeLike "archive: $($zip.Path) has SHA-256 $($zip.Sha256), not the 000* the step wants; check the artifact"
            Test-Path -LiteralPath $dest | Should -BeFalse
        }
    }

    Context 'an older version extracted, with a file of its own' {
        BeforeEach {
            $old = New-Zip 'gobetween-0.7.zip' @{ 'gobetween.exe' = 'v0.7'; 'old.dll' = 'x' }
            $null = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $old.Path; destination = $dest; sha256 = $old.Sha256 }
        }
        It 'Test: the old marker' {
            (Invoke-CortexResourceTest -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256 }).State.markerSha256 | Should -BeExactly $old.Sha256
        }
        It 'Set: files overwritten, the old file kept' {
            $null = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256 }
            [IO.File]::ReadAllText((Join-Path $dest 'gobetween.exe')) | Should -Be 'v0.8'
            Test-Path -LiteralPath (Join-Path $dest 'old.dll') | Should -BeTrue
        }
        It 'Set clean: the destination emptied first' {
            $r = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256; clean = $true }
            $r.Data.message | Should -BeLike '* (emptied first)'
            Test-Path -LiteralPath (Join-Path $dest 'old.dll') | Should -BeFalse
            [IO.File]::ReadAllText((Join-Path $dest '.cortex-archive.sha256')) | Should -BeExactly $zip.Sha256
        }
        It 'Set that fails mid-way (a corrupt zip with the right hash) leaves no marker, so the next apply extracts again' {
            $bad = Join-Path $root 'bad.zip'
            [IO.File]::WriteAllText($bad, 'not a zip')
            $sha = (Get-FileHash -LiteralPath $bad -Algorithm SHA256).Hash
            $r = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $bad; destination = $dest; sha256 = $sha }
            $r.Result.ok | Should -BeFalse
            # .NET keeps the reason in an inner exception ("Central Directory corrupt."); the message carries it.
            $r.Error.message | Should -BeLike "archive: extracting $bad into $dest failed: ?*"
            (Invoke-CortexResourceTest -Resource 'archive' -Params @{ source = $bad; destination = $dest; sha256 = $sha }).State.markerSha256 | Should -BeNullOrEmpty
        }
    }

    Context 'a running service runs gobetween.exe from the destination' {
        BeforeEach {
            $old = New-Zip 'gobetween-0.7.zip' @{ 'gobetween.exe' = 'v0.7' }
            $null = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $old.Path; destination = $dest; sha256 = $old.Sha256 }
            # The fake SCM: gobetween, running; Windows will not overwrite the exe of a running process.
            $global:Svc = @{ gobetween = 'Running'; other = 'Running' }
            $global:ScmCalls = New-Object System.Collections.ArrayList
            Mock Get-Service { foreach ($n in $Name) { if ($global:Svc.ContainsKey($n)) { [pscustomobject]@{ Name = $n; Status = $global:Svc[$n] } } } }
            Mock Stop-Service { $null = $global:ScmCalls.Add("stop $Name"); $global:Svc[[string]$Name] = 'Stopped' }
            Mock Start-Service { $null = $global:ScmCalls.Add("start $Name"); $global:Svc[[string]$Name] = 'Running' }
            Mock Expand-Archive {
                $null = $global:ScmCalls.Add('extract')
                if ($global:Svc.gobetween -eq 'Running') { throw ("The process cannot access the file '{0}' because it is being used by another process." -f (Join-Path $DestinationPath 'gobetween.exe')) }
                # (Not the real cmdlet: inside its own mock that name is the mock again.)
                [System.IO.Compression.ZipFile]::ExtractToDirectory($LiteralPath, $DestinationPath, $true)
            }
        }
        AfterEach { Remove-Variable -Name Svc, ScmCalls -Scope Global -ErrorAction SilentlyContinue }
        It 'without stopServices: the extraction fails (file in use), no marker, so the next apply tries again' {
            $r = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256 }
            $r.Error.message | Should -BeLike "archive: extracting $($zip.Path) into $dest failed: The process cannot access the file*gobetween.exe' because it is being used by another process."
            (Invoke-CortexResourceTest -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256 }).State.markerSha256 | Should -BeNullOrEmpty
            Should -Invoke Stop-Service -Times 0 -Exactly
        }
        It 'stopServices: stops the running service, extracts, starts it again; says so' {
            $r = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256; stopServices = @('gobetween', 'absent') }
            $r.Error | Should -BeNullOrEmpty
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be "extracted $($zip.Path) into $dest (gobetween stopped while extracting, started again)"
            @($global:ScmCalls) -join ', ' | Should -Be 'stop gobetween, extract, start gobetween'
            [IO.File]::ReadAllText((Join-Path $dest 'gobetween.exe')) | Should -Be 'v0.8'
            $global:Svc.gobetween | Should -Be 'Running'
            $global:Svc.other | Should -Be 'Running'
        }
        It 'stopServices with the service stopped: not started (it was not running)' {
            $global:Svc.gobetween = 'Stopped'
            $r = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256; stopServices = @('gobetween') }
            $r.Data.message | Should -Be "extracted $($zip.Path) into $dest"
            @($global:ScmCalls) -join ', ' | Should -Be 'extract'
            $global:Svc.gobetween | Should -Be 'Stopped'
        }
        It 'stopServices, the extraction failing: the service is started again and the error names both' {
            Mock Expand-Archive { throw 'Central Directory corrupt.' }
            Mock Start-Service { throw "Cannot start service gobetween on computer '.'." }
            $r = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256; stopServices = 'gobetween' }
            $r.Error.message | Should -BeLike "archive: extracting * failed: Central Directory corrupt.; starting again failed: gobetween: Cannot start service gobetween*"
            Should -Invoke Start-Service -Times 1 -Exactly
        }
    }

    Context 'bad parameters' {
        It 'no destination' { (Invoke-CortexResourceTest -Resource 'archive' -Params @{ source = 'x' }).StepError | Should -Be 'archive: parameter destination is missing' }
        It 'a missing zip' {
            (Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = (Join-Path $root 'none.zip'); destination = $dest; sha256 = ('0' * 64) }).Error.message | Should -BeLike 'archive: the zip * is not on the host; upload it in an earlier step'
        }
        It 'no sha256' { (Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest }).Error.message | Should -Be 'archive: parameter sha256 is missing' }
    }
}
