# Scripts under test: ps1/resources/erlang-cookie.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The erlang_cookie resource against real files in a temporary folder: the seam Write-CortexAsciiFile
# writes through [IO.File] as on Windows, so the bytes are checked for real (ASCII, no BOM, no newline).
# The cookie must never appear in what the scripts print.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $cookie = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'
    $cookieHash = (Get-FileHash -InputStream ([IO.MemoryStream]::new([Text.Encoding]::ASCII.GetBytes($cookie))) -Algorithm SHA256).Hash.ToLowerInvariant()
    $otherHash = (Get-FileHash -InputStream ([IO.MemoryStream]::new([Text.Encoding]::ASCII.GetBytes('OTHERCOOKIE0123456789'))) -Algorithm SHA256).Hash.ToLowerInvariant()
}

Describe 'erlang_cookie' {
    BeforeEach {
        $dir = Join-Path ([IO.Path]::GetTempPath()) ('cortex-cookie-' + [guid]::NewGuid().ToString('n'))
        $sys = Join-Path $dir 'systemprofile'
        $user = Join-Path $dir 'install'
        $null = New-Item -ItemType Directory -Path $sys
        $null = New-Item -ItemType Directory -Path $user
        $paths = @((Join-Path $sys '.erlang.cookie'), (Join-Path $user '.erlang.cookie'))
    }
    AfterEach { Remove-Item -LiteralPath $dir -Recurse -Force }

    Context 'no cookie files yet' {
        It 'Test: each path with a null SHA-256, in order' {
            $r = Invoke-CortexResourceTest -Resource 'erlang_cookie' -Params @{ cookie = 'env:CORTEX_COOKIE'; paths = $paths }
            $r.StepError | Should -BeNullOrEmpty
            @($r.State.files).Count | Should -Be 2
            $r.State.files[0].path | Should -BeExactly $paths[0]
            $r.State.files[0].sha256 | Should -BeNullOrEmpty
            $r.State.files[1].sha256 | Should -BeNullOrEmpty
        }
        It 'Set: writes exactly the ASCII bytes to both files; the output never holds the cookie' {
            $r = Invoke-CortexResourceSet -Resource 'erlang_cookie' -Params @{ cookie = $cookie; paths = $paths; cookieSha256 = $cookieHash }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly ('wrote the Erlang cookie to 2 of 2 files: {0}, {1}' -f $paths[0], $paths[1])
            foreach ($p in $paths) {
                $bytes = [IO.File]::ReadAllBytes($p)
                $bytes.Length | Should -Be 32
                [Text.Encoding]::ASCII.GetString($bytes) | Should -BeExactly $cookie
            }
            $r.Json | Should -Not -BeLike "*$cookie*"
            $t = Invoke-CortexResourceTest -Resource 'erlang_cookie' -Params @{ cookie = 'env:CORTEX_COOKIE'; paths = $paths }
            @($t.State.files | ForEach-Object { $_.sha256 }) | Should -Be @($cookieHash, $cookieHash)
        }
        It 'Set: a missing profile folder is refused, naming it; nothing is created' {
            $missing = Join-Path $dir 'nobody'
            $r = Invoke-CortexResourceSet -Resource 'erlang_cookie' -Params @{ cookie = $cookie; paths = @($paths[0], (Join-Path $missing '.erlang.cookie')) }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeLike "erlang_cookie: the folder $missing does not exist*log on once*"
            Test-Path -LiteralPath $missing | Should -BeFalse
            $r.Json | Should -Not -BeLike "*$cookie*"
        }
    }

    Context 'one file holds the cookie, the other another one' {
        BeforeEach {
            [IO.File]::WriteAllText($paths[0], $cookie, [Text.Encoding]::ASCII)
            # What PowerShell 5.1's Set-Content would leave: the cookie and a CRLF.
            [IO.File]::WriteAllText($paths[1], $cookie + "`r`n", [Text.Encoding]::ASCII)
        }
        It 'Test: the two hashes differ; the one with a newline is not the cookie' {
            $r = Invoke-CortexResourceTest -Resource 'erlang_cookie' -Params @{ cookie = 'env:CORTEX_COOKIE'; paths = $paths }
            $r.State.files[0].sha256 | Should -BeExactly $cookieHash
            $r.State.files[1].sha256 | Should -Not -Be $cookieHash
        }
        It 'Set: rewrites only the wrong file, through the seam' {
            Mock Write-CortexAsciiFile { [IO.File]::WriteAllText($Path, $Text, [Text.Encoding]::ASCII) }
            $before = [IO.File]::GetLastWriteTimeUtc($paths[0])
            $r = Invoke-CortexResourceSet -Resource 'erlang_cookie' -Params @{ cookie = $cookie; paths = $paths }
            $r.Data.message | Should -BeExactly ('wrote the Erlang cookie to 1 of 2 files: {0}' -f $paths[1])
            Should -Invoke Write-CortexAsciiFile -Times 1 -Exactly -ParameterFilter { $Path -eq $paths[1] }
            [IO.File]::GetLastWriteTimeUtc($paths[0]) | Should -Be $before
            [IO.File]::ReadAllBytes($paths[1]).Length | Should -Be 32
        }
    }

    Context 'both files hold the cookie' {
        BeforeEach { foreach ($p in $paths) { [IO.File]::WriteAllText($p, $cookie, [Text.Encoding]::ASCII) } }
        It 'Set: writes nothing' {
            Mock Write-CortexAsciiFile { throw 'not expected' }
            $r = Invoke-CortexResourceSet -Resource 'erlang_cookie' -Params @{ cookie = $cookie; paths = $paths }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'wrote the Erlang cookie to 0 of 2 files: '
            Should -Invoke Write-CortexAsciiFile -Times 0 -Exactly
        }
    }

    Context 'refusals' {
        It 'a cookie that is not 20 to 255 letters and digits: its length only, never its text' {
            $r = Invoke-CortexResourceSet -Resource 'erlang_cookie' -Params @{ cookie = 'short-cookie!'; paths = $paths }
            $r.Error.message | Should -BeExactly 'erlang_cookie: the cookie must be 20 to 255 ASCII letters and digits; the one received has 13 characters'
            $r.Json | Should -Not -BeLike '*short-cookie!*'
            Test-Path -LiteralPath $paths[0] | Should -BeFalse
        }
        It 'a cookie whose SHA-256 is not the one the plan compared' {
            $r = Invoke-CortexResourceSet -Resource 'erlang_cookie' -Params @{ cookie = $cookie; paths = $paths; cookieSha256 = $otherHash }
            $r.Error.message | Should -BeLike 'erlang_cookie: the cookie received is not the one whose SHA-256 the plan compared*'
            Test-Path -LiteralPath $paths[0] | Should -BeFalse
        }
        It 'a path that is a folder' {
            $r = Invoke-CortexResourceSet -Resource 'erlang_cookie' -Params @{ cookie = $cookie; paths = @($sys) }
            $r.Error.message | Should -BeExactly "erlang_cookie: $sys is a folder, not a cookie file"
        }
        It 'no paths, no cookie' {
            (Invoke-CortexResourceSet -Resource 'erlang_cookie' -Params @{ cookie = $cookie }).Error.message | Should -BeExactly 'erlang_cookie: parameter paths is missing'
            (Invoke-CortexResourceSet -Resource 'erlang_cookie' -Params @{ paths = $paths }).Error.message | Should -BeExactly 'erlang_cookie: parameter cookie is missing'
            (Invoke-CortexResourceTest -Resource 'erlang_cookie' -Params @{}).StepError | Should -BeExactly 'erlang_cookie: parameter paths is missing'
        }
    }
}
