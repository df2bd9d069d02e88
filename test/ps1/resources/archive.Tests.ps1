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

    Context 'stopServices: the services that run files of the destination' {
        BeforeEach {
            $global:CortexTestServices = @(
                [pscustomobject]@{ Name = 'gobetween'; Status = 'Running' },
                [pscustomobject]@{ Name = 'idle'; Status = 'Stopped' }
            )
            Mock Get-Service { @($global:CortexTestServices | Where-Object { $_.Name -eq $Name }) | ForEach-Object { $_ }; if (-not @($global:CortexTestServices | Where-Object { $_.Name -eq $Name })) { Write-Error "Cannot find any service with service name '$Name'." } }
            Mock Stop-Service { @($global:CortexTestServices | Where-Object { $_.Name -eq $Name }) | ForEach-Object { $_.Status = 'Stopped' } }
        }
        AfterEach { Remove-Variable -Name CortexTestServices -Scope Global -ErrorAction SilentlyContinue }
        It 'Set: a running one stopped (without -Force) before the extraction; a stopped or missing one left alone' {
            $r = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256; stopServices = @('gobetween', 'idle', 'absent') }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be "extracted $($zip.Path) into $dest (stopped gobetween first)"
            Should -Invoke Stop-Service -Times 1 -Exactly
            Should -Invoke Stop-Service -Times 1 -Exactly -ParameterFilter { $Name -eq 'gobetween' -and -not $Force }
            $global:CortexTestServices[0].Status | Should -Be 'Stopped'
            [IO.File]::ReadAllText((Join-Path $dest 'gobetween.exe')) | Should -Be 'v0.8'
        }
        It 'Set with none running: nothing stopped, the message says nothing of it' {
            $global:CortexTestServices[0].Status = 'Stopped'
            $r = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = $zip.Sha256; stopServices = @('gobetween') }
            $r.Data.message | Should -Be "extracted $($zip.Path) into $dest"
            Should -Invoke Stop-Service -Times 0 -Exactly
        }
        It 'Set refused before anything is stopped: a zip that is not the one wanted' {
            $r = Invoke-CortexResourceSet -Resource 'archive' -Params @{ source = $zip.Path; destination = $dest; sha256 = ('0' * 64); stopServices = @('gobetween') }
            $r.Result.ok | Should -BeFalse
            Should -Invoke Stop-Service -Times 0 -Exactly
            $global:CortexTestServices[0].Status | Should -Be 'Running'
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
