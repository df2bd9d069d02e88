# ps1/lib/envelope.ps1: the native-program runner (Invoke-CortexNative) and its command-line quoting,
# with real processes (/bin/sh scripts stand in for Windows programs: .NET parses a command line into
# argv with the same CommandLineToArgvW rules on Linux as Windows programs do).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../ps1/lib/envelope.ps1')
    $script:sh = '/bin/sh'
    function Get-Argv([string[]]$ArgumentList) {
        # sh prints each argument it received between brackets, one a line.
        $r = Invoke-CortexNative -FilePath $sh -ArgumentList (@('-c', 'for a in "$@"; do printf "[%s]\n" "$a"; done', 'sh') + $ArgumentList)
        @($r.output)
    }
}

Describe 'ConvertTo-CortexNativeArgument' {
    It 'quotes <In> as <Out>' -ForEach @(
        @{ In = 'plain'; Out = 'plain' }
        @{ In = ''; Out = '""' }
        @{ In = 'two words'; Out = '"two words"' }
        @{ In = 'say "hi"'; Out = '"say \"hi\""' }
        @{ In = 'C:\Program Files\'; Out = '"C:\Program Files\\"' }
        @{ In = 'C:\dir\'; Out = 'C:\dir\' }
        @{ In = 'a\"b'; Out = '"a\\\"b"' }
        @{ In = 'a\\b c'; Out = '"a\\b c"' }
        @{ In = "tab`there"; Out = "`"tab`there`"" }
    ) {
        ConvertTo-CortexNativeArgument $In | Should -BeExactly $Out
    }
}

Describe 'Invoke-CortexNative' {
    It 'passes every argument through unchanged: empty ones, quotes, spaces, trailing backslashes' {
        $argv = @('', 'two words', 'say "hi"', 'C:\Program Files\', 'a\"b', 'end\\', "tab`there", '"', '\', 'x')
        Get-Argv $argv | Should -Be @($argv | ForEach-Object { "[$_]" })
    }

    It 'passes non-ASCII text' {
        Get-Argv @('Zürich – 東京') | Should -Be @('[Zürich – 東京]')
    }

    It 'gives the program a closed stdin (it reads EOF at once instead of our stdin)' {
        $r = Invoke-CortexNative -FilePath $sh -ArgumentList @('-c', 'n=$(cat | wc -c); echo "read $n bytes"')
        $r.output | Should -Be @('read 0 bytes')
    }

    It 'keeps stdout and stderr apart, line by line' {
        $r = Invoke-CortexNative -FilePath $sh -ArgumentList @('-c', 'echo out1; echo err1 >&2; echo; echo out2')
        $r.exitCode | Should -Be 0
        $r.output | Should -Be @('out1', '', 'out2')
        $r.errorOutput | Should -Be @('err1')
    }

    It '-OutputEncoding Unicode decodes a program that writes UTF-16LE (nssm.exe), without NUL characters' {
        # "Set parameter" then a newline, UTF-16LE, as nssm.exe writes when its output is redirected.
        $r = Invoke-CortexNative -FilePath $sh -ArgumentList @('-c', 'printf ''S\000e\000t\000 \000p\000\351\000\r\000\n\000''') -OutputEncoding 'Unicode'
        $r.output | Should -Be @(('Set p' + [char]0xE9))
        $plain = Invoke-CortexNative -FilePath $sh -ArgumentList @('-c', 'printf ''S\000e\000t\000''')
        $plain.output[0] | Should -Match "`0"
    }

    It 'throws on a non-zero exit code, with the code and the output' {
        { Invoke-CortexNative -FilePath $sh -ArgumentList @('-c', 'echo "about to fail"; echo "why" >&2; exit 3') } |
            Should -Throw -ExpectedMessage '*exited with code 3: about to fail*why*'
    }

    It 'returns a non-zero code listed in -SuccessCodes' {
        $r = Invoke-CortexNative -FilePath $sh -ArgumentList @('-c', 'exit 194') -SuccessCodes @(0, 194)
        $r.exitCode | Should -Be 194
    }

    It 'returns once the program exits even though a daemon it started holds its output pipes' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-CortexNative -FilePath $sh -ArgumentList @('-c', 'sleep 30 & echo started') -DrainMilliseconds 500
        $watch.Stop()
        $r.output | Should -Be @('started')
        # The daemon lives 30 s; waiting for EOF would take that long.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 25
    }

    It 'ends the whole process tree at its timeout and throws with what it printed' {
        $pidFile = Join-Path ([IO.Path]::GetTempPath()) ("cortex-native-{0}.pid" -f [guid]::NewGuid())
        try {
            { Invoke-CortexNative -FilePath $sh -ArgumentList @('-c', "echo begin; sleep 60 & echo `$! > '$pidFile'; wait") -TimeoutSeconds 1 -DrainMilliseconds 200 } |
                Should -Throw -ExceptionType ([TimeoutException]) -ExpectedMessage '*did not finish within 1 s*begin*'
            $child = [int](Get-Content -LiteralPath $pidFile)
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ((Test-Path "/proc/$child") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Test-Path "/proc/$child" | Should -BeFalse
        } finally {
            Remove-Item -LiteralPath $pidFile -ErrorAction SilentlyContinue
        }
    }

    It 'fails clearly when the program does not exist' {
        { Invoke-CortexNative -FilePath '/nonexistent/prog' } | Should -Throw
    }
}
