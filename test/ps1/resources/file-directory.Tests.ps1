# Scripts under test: ps1/resources/file.ps1 and ps1/resources/directory.ps1 (Set), with their Test in ps1/resources/test-batch.ps1.
# The file and directory resources against real files in a temporary folder (Test-Path, Get-FileHash,
# New-Item, Move-Item and Remove-Item behave the same on Linux for these cases): one Context per state
# of the path on the machine.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $abcHash = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    function New-Staged([string]$Text = 'abc') {
        $p = Join-Path $dir ('staged-' + [guid]::NewGuid().ToString('n'))
        [IO.File]::WriteAllText($p, $Text)
        $p
    }
    function Get-Listing { @(Get-ChildItem -LiteralPath $dir -Recurse -Force | ForEach-Object { $_.FullName + ':' + $_.LastWriteTimeUtc.Ticks }) -join "`n" }
}

Describe 'file' {
    BeforeEach {
        $dir = Join-Path ([IO.Path]::GetTempPath()) ('cortex-file-' + [guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $dir
    }
    AfterEach { Remove-Item -LiteralPath $dir -Recurse -Force }
    Context 'the file has the wanted content' {
        BeforeEach { $path = Join-Path $dir 'cortex.toml'; [IO.File]::WriteAllText($path, 'abc') }
        It 'Test: exists, its SHA-256 in lower-case hex; nothing changes' {
            $before = Get-Listing
            $r = Invoke-CortexResourceTest -Resource 'file' -Params @{ path = $path; sha256 = $abcHash; source = 'cortex.toml' }
            $r.State.exists | Should -BeTrue
            $r.State.sha256 | Should -BeExactly $abcHash
            Get-Listing | Should -Be $before
        }
        It 'Set absent: deleted' {
            $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; state = 'absent' }
            $r.Result.ok | Should -BeTrue
            Test-Path -LiteralPath $path | Should -BeFalse
            (Invoke-CortexResourceTest -Resource 'file' -Params @{ path = $path }).State.exists | Should -BeFalse
        }
    }

    Context 'the file has other content' {
        BeforeEach { $path = Join-Path $dir 'cortex.toml'; [IO.File]::WriteAllText($path, 'old') }
        It 'Set: the staged copy replaces it and is gone; Test then sees the new hash' {
            $staged = New-Staged 'abc'
            $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; sha256 = $abcHash.ToUpperInvariant(); stagedPath = $staged; state = 'present' }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be "placed $path"
            [IO.File]::ReadAllText($path) | Should -BeExactly 'abc'
            Test-Path -LiteralPath $staged | Should -BeFalse
            (Invoke-CortexResourceTest -Resource 'file' -Params @{ path = $path }).State.sha256 | Should -BeExactly $abcHash
        }
        It 'Set with a staged copy of other content: refused naming the host, the file and both hashes; the file is untouched' {
            Mock Get-CortexHostName { 'app1' }
            $staged = New-Staged 'abd'
            $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; sha256 = $abcHash; stagedPath = $staged }
            $r.Result.ok | Should -BeFalse
            $abdHash = (Get-FileHash -LiteralPath $staged -Algorithm SHA256).Hash.ToLowerInvariant()
            $r.Error.message | Should -BeExactly "file: on app1, the staged copy $staged has SHA-256 $abdHash, not the $abcHash the step wants; check the artifact"
            [IO.File]::ReadAllText($path) | Should -BeExactly 'old'
        }
    }

    Context 'pulled: the Set downloads the file from the pull server' {
        BeforeEach {
            $path = Join-Path $dir 'artifacts/erlang/otp.exe'
            $download = @{ url = 'https://127.0.0.1:4443/artifacts/erlang/27.3.4'; token = 'tok-123456'; thumbprint = ('ab' * 32) }
            Mock Get-CortexHostName { 'app1' }
        }
        It 'Set: downloads to <path>.cortex-download (parent created first) with the URL, token and pin, then moves it into place' {
            Mock Save-CortexPinnedDownload { [IO.File]::WriteAllText($OutFile, 'abc'); 3 }
            $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; sha256 = $abcHash; download = $download }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be "placed $path"
            [IO.File]::ReadAllText($path) | Should -BeExactly 'abc'
            Test-Path -LiteralPath "$path.cortex-download" | Should -BeFalse
            Should -Invoke Save-CortexPinnedDownload -Times 1 -Exactly -ParameterFilter {
                $Url -eq 'https://127.0.0.1:4443/artifacts/erlang/27.3.4' -and $Token -eq 'tok-123456' -and $Thumbprint -eq ('ab' * 32) -and $OutFile -eq "$path.cortex-download"
            }
        }
        It 'Set: a download with other content is deleted and refused, naming the host, the file, the URL and both hashes' {
            $null = New-Item -ItemType Directory -Path (Split-Path $path -Parent) -Force
            [IO.File]::WriteAllText($path, 'old')
            Mock Save-CortexPinnedDownload { [IO.File]::WriteAllText($OutFile, 'abd'); 3 }
            $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; sha256 = $abcHash; download = $download }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeExactly "file: on app1, the copy of $path downloaded from $($download.url) has SHA-256 a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9, not the $abcHash the step wants (changed in the store or in transit); $path was not changed"
            [IO.File]::ReadAllText($path) | Should -BeExactly 'old'
            Test-Path -LiteralPath "$path.cortex-download" | Should -BeFalse
        }
        It 'Set: a download that fails is the step error, without the token; nothing is placed' {
            Mock Save-CortexPinnedDownload { throw ('the pull server answered HTTP 401 for {0}' -f $Url) }
            $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; sha256 = $abcHash; download = $download }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeExactly "the pull server answered HTTP 401 for $($download.url)"
            $r.Error.message | Should -Not -Match 'tok-123456'
            Test-Path -LiteralPath $path | Should -BeFalse
        }
        It 'Set: a download without its URL, token or thumbprint is refused before any request' {
            Mock Save-CortexPinnedDownload { throw 'not expected' }
            foreach ($name in 'url', 'token', 'thumbprint') {
                $partial = @{} + $download
                $partial.Remove($name)
                $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; sha256 = $abcHash; download = $partial }
                $r.Error.message | Should -BeExactly "file download: parameter $name is missing"
            }
            Should -Invoke Save-CortexPinnedDownload -Times 0 -Exactly
        }
    }

    Context 'no file, no parent folder' {
        BeforeEach { $path = Join-Path $dir 'conf/sub/cortex.toml' }
        It 'Test: exists false, no hash' {
            $r = Invoke-CortexResourceTest -Resource 'file' -Params @{ path = $path }
            $r.State.exists | Should -BeFalse
            $r.State.sha256 | Should -BeNullOrEmpty
            Test-Path -LiteralPath (Join-Path $dir 'conf') | Should -BeFalse
        }
        It 'Set: the parent folders are created' {
            $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; sha256 = $abcHash; stagedPath = (New-Staged) }
            $r.Result.ok | Should -BeTrue
            [IO.File]::ReadAllText($path) | Should -BeExactly 'abc'
        }
        It 'Set without the staged copy: an error saying where it was expected' {
            $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; sha256 = $abcHash; stagedPath = (Join-Path $dir 'nope') }
            $r.Error.message | Should -BeLike 'file: the staged copy * is missing; the source is uploaded there before this step runs'
        }
        It 'Set absent: nothing to do' { (Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; state = 'absent' }).Result.ok | Should -BeTrue }
    }

    Context 'content given as text (no staged copy)' {
        BeforeAll {
            # Non-ASCII, CRLF and LF inside, no newline at the end: all must arrive exactly.
            $text = "name = `"caf" + [char]0x00E9 + "`"`r`nport = 8443`nend"
            $utf8 = (New-Object System.Text.UTF8Encoding ($false)).GetBytes($text)
            $hasher = [System.Security.Cryptography.SHA256]::Create()
            $textHash = -join ($hasher.ComputeHash($utf8) | ForEach-Object { $_.ToString('x2') })
            $hasher.Dispose()
        }
        It 'Set: the bytes are the text in UTF-8 without BOM, nothing added; no temporary file stays; Test sees its hash' {
            $path = Join-Path $dir 'conf/sub/gobetween.toml'
            $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; sha256 = $textHash; content = $text }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be ("wrote {0} ({1} bytes)" -f $path, $utf8.Length)
            $bytes = [IO.File]::ReadAllBytes($path)
            $bytes.Length | Should -Be $utf8.Length
            [Convert]::ToBase64String($bytes) | Should -BeExactly ([Convert]::ToBase64String($utf8))
            $bytes[0] | Should -Not -Be 0xEF
            Test-Path -LiteralPath ($path + '.cortex-content') | Should -BeFalse
            (Invoke-CortexResourceTest -Resource 'file' -Params @{ path = $path }).State.sha256 | Should -BeExactly $textHash
        }
        It 'Set: replaces a file of other content' {
            $path = Join-Path $dir 'cortex.toml'
            [IO.File]::WriteAllText($path, 'old')
            (Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; sha256 = $textHash.ToUpperInvariant(); content = $text }).Result.ok | Should -BeTrue
            [IO.File]::ReadAllText($path) | Should -BeExactly $text
        }
        It 'Set: an empty text makes an empty file' {
            $path = Join-Path $dir 'empty.txt'
            $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'; content = '' }
            $r.Result.ok | Should -BeTrue
            (Get-Item -LiteralPath $path).Length | Should -Be 0
        }
        It 'Set: a text whose SHA-256 is not the step''s is refused before anything is written' {
            $path = Join-Path $dir 'cortex.toml'
            [IO.File]::WriteAllText($path, 'old')
            $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $path; sha256 = $abcHash; content = $text }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be ("file: the content has SHA-256 {0}, not the {1} the step wants; the params were changed on the way" -f $textHash, $abcHash)
            [IO.File]::ReadAllText($path) | Should -BeExactly 'old'
            Test-Path -LiteralPath ($path + '.cortex-content') | Should -BeFalse
        }
        It 'Set: the write goes through Write-CortexFileBytes (the seam the lab answers), then into place' {
            $target = Join-Path $dir 'seam.txt'
            Mock Write-CortexFileBytes { [IO.File]::WriteAllBytes($Path, $Bytes) }
            (Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $target; sha256 = $textHash; content = $text }).Result.ok | Should -BeTrue
            Should -Invoke Write-CortexFileBytes -Times 1 -Exactly -ParameterFilter { $Path -eq ($target + '.cortex-content') -and $Bytes.Length -eq $utf8.Length }
            [IO.File]::ReadAllText($target) | Should -BeExactly $text
        }
    }

    Context 'a folder at the path' {
        It 'Test: not a file' { (Invoke-CortexResourceTest -Resource 'file' -Params @{ path = $dir }).State.exists | Should -BeFalse }
        It 'Set: refused, the folder stays' {
            $r = Invoke-CortexResourceSet -Resource 'file' -Params @{ path = $dir; state = 'absent' }
            $r.Error.message | Should -BeLike 'file: * is a folder; a file resource does not replace or delete folders'
            Test-Path -LiteralPath $dir -PathType Container | Should -BeTrue
        }
    }

    Context 'bad parameters' {
        It 'no path' { (Invoke-CortexResourceTest -Resource 'file' -Params @{}).StepError | Should -Be 'file: parameter path is missing' }
        It 'present without sha256' { (Invoke-CortexResourceSet -Resource 'file' -Params @{ path = (Join-Path $dir 'x'); stagedPath = 'y' }).Error.message | Should -Be 'file: parameter sha256 is missing' }
        It 'present without stagedPath' { (Invoke-CortexResourceSet -Resource 'file' -Params @{ path = (Join-Path $dir 'x'); sha256 = $abcHash }).Error.message | Should -Be 'file: parameter stagedPath is missing' }
    }
}

Describe 'directory' {
    BeforeEach {
        $dir = Join-Path ([IO.Path]::GetTempPath()) ('cortex-file-' + [guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $dir
    }
    AfterEach { Remove-Item -LiteralPath $dir -Recurse -Force }
    Context 'the folder exists' {
        BeforeEach { $path = Join-Path $dir 'Cortex'; $null = New-Item -ItemType Directory -Path (Join-Path $path 'bin') }
        It 'Test: exists and is a folder; nothing changes' {
            $before = Get-Listing
            $r = Invoke-CortexResourceTest -Resource 'directory' -Params @{ path = $path }
            $r.State.exists | Should -BeTrue
            $r.State.isDirectory | Should -BeTrue
            Get-Listing | Should -Be $before
        }
        It 'Set present again: fine, content kept' {
            (Invoke-CortexResourceSet -Resource 'directory' -Params @{ path = $path; state = 'present' }).Result.ok | Should -BeTrue
            Test-Path -LiteralPath (Join-Path $path 'bin') | Should -BeTrue
        }
        It 'Set absent: deleted with its content' {
            $r = Invoke-CortexResourceSet -Resource 'directory' -Params @{ path = $path; state = 'absent' }
            $r.Result.ok | Should -BeTrue
            Test-Path -LiteralPath $path | Should -BeFalse
        }
    }

    Context 'no folder' {
        BeforeEach { $path = Join-Path $dir 'a/b/Cortex [1]' }
        It 'Test: exists false' {
            $r = Invoke-CortexResourceTest -Resource 'directory' -Params @{ path = $path }
            $r.State.exists | Should -BeFalse
            $r.State.isDirectory | Should -BeFalse
        }
        It 'Set: created with its parents (a name with brackets taken literally); Test then agrees' {
            $r = Invoke-CortexResourceSet -Resource 'directory' -Params @{ path = $path }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be "created $path"
            Test-Path -LiteralPath $path -PathType Container | Should -BeTrue
            (Invoke-CortexResourceTest -Resource 'directory' -Params @{ path = $path }).State.isDirectory | Should -BeTrue
        }
    }

    Context 'a file at the path' {
        BeforeEach { $path = Join-Path $dir 'Cortex'; [IO.File]::WriteAllText($path, 'x') }
        It 'Test: exists, not a folder' {
            $r = Invoke-CortexResourceTest -Resource 'directory' -Params @{ path = $path }
            $r.State.exists | Should -BeTrue
            $r.State.isDirectory | Should -BeFalse
        }
        It 'Set: refused, the file stays' {
            $r = Invoke-CortexResourceSet -Resource 'directory' -Params @{ path = $path }
            $r.Error.message | Should -BeLike 'directory: * is a file; remove it *'
            [IO.File]::ReadAllText($path) | Should -Be 'x'
        }
    }

    Context 'bad parameters' {
        It 'no path' { (Invoke-CortexResourceSet -Resource 'directory' -Params @{}).Error.message | Should -Be 'directory: parameter path is missing' }
        It 'an unknown state' { (Invoke-CortexResourceSet -Resource 'directory' -Params @{ path = $dir; state = 'gone' }).Error.message | Should -Be 'directory: parameter state must be present or absent, not gone' }
    }
}
