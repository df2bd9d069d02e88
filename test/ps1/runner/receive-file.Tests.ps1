# ps1/runner/receive-file.ps1 for real: its own pwsh process, started the way the runner starts it
# (-EncodedCommand of the text with comment lines stripped, src/runner/bootstrap.ts), with a header
# frame and raw bytes piped into stdin, writing into a temporary folder.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexScriptTest.ps1')
    $dir = Join-Path ([IO.Path]::GetTempPath()) ('cortex-receive-file-' + [guid]::NewGuid().ToString('n'))
    $null = New-Item -ItemType Directory -Path $dir
    $pwsh = (Get-Process -Id $PID).Path

    # As stripForCommandLine (src/runner/bootstrap.ts): the header line, then the other lines trimmed,
    # without empty and comment lines.
    $text = [IO.File]::ReadAllText((Join-Path $CortexTestRepoRoot 'ps1/runner/receive-file.ps1'))
    $lines = $text -split "`r?`n"
    $body = @($lines | Select-Object -Skip 1 | ForEach-Object { $_.Trim() } | Where-Object { $_ -ne '' -and -not $_.StartsWith('#') })
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes((@($lines[0]) + $body) -join "`n"))

    function Invoke-ReceiveFile {
        # Sends the frame for {path, length} and then $Bytes (which may be fewer than length), closes stdin.
        param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][long]$Length, [byte[]]$Bytes = @(), [string]$Case)
        $request = ConvertTo-Json -Compress -Depth 5 -InputObject ([ordered]@{ type = 'run'; id = 'upload'; scriptId = 'runner.receive-file'; script = ''; params = [ordered]@{ path = $Path; length = $Length }; timeoutMs = 60000 })
        $frame = 'CORTEX1 ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($request)) + "`n"
        $psi = New-Object System.Diagnostics.ProcessStartInfo $pwsh
        foreach ($a in @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $p = [System.Diagnostics.Process]::Start($psi)
        $stdout = $p.StandardOutput.ReadToEndAsync()
        $stderr = $p.StandardError.ReadToEndAsync()
        $in = $p.StandardInput.BaseStream
        $header = [Text.Encoding]::ASCII.GetBytes($frame)
        $in.Write($header, 0, $header.Length)
        if ($Bytes.Length -gt 0) { $in.Write($Bytes, 0, $Bytes.Length) }
        $in.Close()
        if (-not $p.WaitForExit(120000)) { $p.Kill(); throw 'receive-file did not exit within 120 s' }
        $lines = @($stdout.Result -split "`r?`n" | Where-Object { $_ -ne '' })
        if ($lines.Count -ne 1) { throw ('receive-file printed {0} lines instead of one JSON line: {1} (stderr: {2})' -f $lines.Count, $stdout.Result, $stderr.Result) }
        Save-CortexTestSample -ScriptId 'runner.receive-file' -Json $lines[0] -Case $Case -Params @{ path = $Path; length = $Length }
        $result = $lines[0] | ConvertFrom-Json
        [pscustomobject]@{ Result = $result; Data = $result.data; Error = $result.error; ExitCode = $p.ExitCode; Stderr = $stderr.Result }
    }
    function Get-TestBytes { param([int]$Count) $b = New-Object byte[] $Count; (New-Object System.Random 7).NextBytes($b); $b }
}
AfterAll { Remove-Item -LiteralPath $dir -Recurse -Force }

Describe 'runner.receive-file' {
    It 'fits on the command line: the script is run as -EncodedCommand' {
        ($pwsh.Length + $encoded.Length + 60) | Should -BeLessThan 8191
    }

    It 'writes a new file byte for byte (every byte value, CR LF and Ctrl-Z included), in a new folder' {
        $bytes = [byte[]]((0..255) + (Get-TestBytes 300000) + @(13, 10, 26, 0))
        $path = Join-Path $dir 'new/sub/payload.bin'
        $r = Invoke-ReceiveFile -Path $path -Length $bytes.Length -Bytes $bytes
        $r.ExitCode | Should -Be 0
        $r.Result.ok | Should -BeTrue
        $r.Data.path | Should -Be $path
        $r.Data.bytes | Should -Be $bytes.Length
        [Convert]::ToBase64String([IO.File]::ReadAllBytes($path)) | Should -BeExactly ([Convert]::ToBase64String($bytes))
        Test-Path -LiteralPath "$path.cortex-partial" | Should -BeFalse
    }

    It 'replaces an existing file, leaving no partial file' {
        $path = Join-Path $dir 'replace.txt'
        [IO.File]::WriteAllText($path, 'the old content, longer than the new one')
        $bytes = [Text.Encoding]::ASCII.GetBytes('new')
        $r = Invoke-ReceiveFile -Path $path -Length 3 -Bytes $bytes
        $r.Result.ok | Should -BeTrue
        [IO.File]::ReadAllText($path) | Should -BeExactly 'new'
        Test-Path -LiteralPath "$path.cortex-partial" | Should -BeFalse
    }

    It 'an empty file' {
        $path = Join-Path $dir 'empty.bin'
        $r = Invoke-ReceiveFile -Path $path -Length 0
        $r.Result.ok | Should -BeTrue
        (Get-Item -LiteralPath $path).Length | Should -Be 0
    }

    It 'stdin ends early: fails, deletes the partial file and leaves the old file as it was' {
        $path = Join-Path $dir 'short.txt'
        [IO.File]::WriteAllText($path, 'old')
        $r = Invoke-ReceiveFile -Path $path -Length 100000 -Bytes (Get-TestBytes 70000)
        $r.ExitCode | Should -Be 1
        $r.Result.ok | Should -BeFalse
        $r.Error.message | Should -Be 'stdin ended after 70000 of 100000 bytes'
        [IO.File]::ReadAllText($path) | Should -BeExactly 'old'
        Test-Path -LiteralPath "$path.cortex-partial" | Should -BeFalse
    }

    It 'stdin ends early for a new file: no file and no partial file' {
        $path = Join-Path $dir 'never.bin'
        $r = Invoke-ReceiveFile -Path $path -Length 10 -Bytes ([byte[]]@(1, 2, 3))
        $r.Result.ok | Should -BeFalse
        Test-Path -LiteralPath $path | Should -BeFalse
        Test-Path -LiteralPath "$path.cortex-partial" | Should -BeFalse
    }

    It 'the target cannot be replaced (it is a folder): fails and deletes the partial file' {
        $path = Join-Path $dir 'a-folder'
        $null = New-Item -ItemType Directory -Path $path
        $r = Invoke-ReceiveFile -Path $path -Length 3 -Bytes ([byte[]]@(1, 2, 3))
        $r.ExitCode | Should -Be 1
        $r.Result.ok | Should -BeFalse
        $r.Error.message | Should -Not -BeNullOrEmpty
        Test-Path -LiteralPath $path -PathType Container | Should -BeTrue
        Test-Path -LiteralPath "$path.cortex-partial" | Should -BeFalse
    }

    It 'the partial file cannot be written (its folder is a file): fails with the reason' {
        $blocker = Join-Path $dir 'blocker'
        [IO.File]::WriteAllText($blocker, 'x')
        $r = Invoke-ReceiveFile -Path (Join-Path $blocker 'inside.bin') -Length 1 -Bytes ([byte[]]@(1))
        $r.Result.ok | Should -BeFalse
        $r.Error.message | Should -Not -BeNullOrEmpty
        [IO.File]::ReadAllText($blocker) | Should -BeExactly 'x'
    }

    It 'a relative path is refused before anything is written' {
        $r = Invoke-ReceiveFile -Path 'relative.bin' -Length 1 -Bytes ([byte[]]@(1))
        $r.Result.ok | Should -BeFalse
        $r.Error.message | Should -Be 'path must be a full path, not relative.bin'
    }
}
