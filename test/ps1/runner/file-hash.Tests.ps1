# ps1/runner/file-hash.ps1 against real files in a temporary folder (Test-Path, Get-Item and
# Get-FileHash behave the same on Linux for these cases).
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexScriptTest.ps1')
    $dir = Join-Path ([IO.Path]::GetTempPath()) ('cortex-file-hash-' + [guid]::NewGuid().ToString('n'))
    $null = New-Item -ItemType Directory -Path $dir
    function Invoke-FileHash { param([hashtable]$Params) Invoke-CortexTestScript -Script 'ps1/runner/file-hash.ps1' -Params $Params }
}
AfterAll { Remove-Item -LiteralPath $dir -Recurse -Force }

Describe 'runner.file-hash' {
    It 'a file: exists, its length and its SHA-256 in lower-case hex' {
        $path = Join-Path $dir 'a.bin'
        [IO.File]::WriteAllBytes($path, [Text.Encoding]::ASCII.GetBytes('abc'))
        $r = Invoke-FileHash @{ path = $path }
        $r.Result.ok | Should -BeTrue
        $r.Data.path | Should -Be $path
        $r.Data.exists | Should -BeTrue
        $r.Data.length | Should -Be 3
        $r.Data.sha256 | Should -BeExactly 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    }
    It 'an empty file' {
        $path = Join-Path $dir 'empty.bin'
        [IO.File]::WriteAllBytes($path, [byte[]]@())
        $r = Invoke-FileHash @{ path = $path }
        $r.Data.length | Should -Be 0
        $r.Data.sha256 | Should -BeExactly 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    }
    It 'a name with spaces, brackets and non-ASCII letters is taken literally' {
        $path = Join-Path $dir 'Größe [1] *.txt'
        [IO.File]::WriteAllBytes($path, [byte[]]@(1, 2, 3))
        $r = Invoke-FileHash @{ path = $path }
        $r.Data.exists | Should -BeTrue
        $r.Data.length | Should -Be 3
    }
    It 'a missing file: exists false, length 0, no hash' {
        $r = Invoke-FileHash @{ path = (Join-Path $dir 'missing.bin') }
        $r.Result.ok | Should -BeTrue
        $r.Data.exists | Should -BeFalse
        $r.Data.length | Should -Be 0
        $r.Data.sha256 | Should -BeNullOrEmpty
    }
    It 'a folder is not a file' {
        $r = Invoke-FileHash @{ path = $dir }
        $r.Result.ok | Should -BeTrue
        $r.Data.exists | Should -BeFalse
        $r.Data.length | Should -Be 0
    }
    It 'no path: a clear error' {
        $r = Invoke-FileHash @{}
        $r.Result.ok | Should -BeFalse
        $r.ExitCode | Should -Be 1
        $r.Error.message | Should -Be 'path is missing: runner.file-hash needs the full path of the file on the host'
    }
    It 'an empty path: the same error' {
        (Invoke-FileHash @{ path = '' }).Error.message | Should -BeLike 'path is missing*'
    }
}
