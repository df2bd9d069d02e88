# ps1/bootstrap/resident.ps1: its pure helpers, taken from the file's syntax tree (dot-sourcing the file
# would start its request loop). The loop itself runs for real in test/runner/real-pwsh-*.test.ts.
BeforeAll {
    $path = Join-Path $PSScriptRoot '../../../ps1/bootstrap/resident.ps1'
    $ast = [Management.Automation.Language.Parser]::ParseFile((Resolve-Path $path), [ref]$null, [ref]$null)
    $wanted = @('Edit-CortexExit', 'ConvertTo-CortexJsonText', 'ConvertTo-CortexJsonArray', 'Format-CortexResult', 'Get-CortexFailureText', 'Resolve-CortexLibrary', 'Resolve-CortexScript', 'Send-CortexResult', 'Expand-CortexGzipText', 'Expand-CortexRequest', 'Enter-CortexHostLock', 'Exit-CortexHostLock', 'Get-CortexTimeoutMs')
    foreach ($f in $ast.FindAll({ param($a) $a -is [Management.Automation.Language.FunctionDefinitionAst] }, $false)) {
        if ($wanted -contains $f.Name) { . ([scriptblock]::Create($f.Extent.Text)) }
    }
    # The escape evaluator the JSON helpers use is a script variable of the file.
    $escape = $ast.FindAll({ param($a) $a -is [Management.Automation.Language.AssignmentStatementAst] -and $a.Left.Extent.Text -eq '$CortexEscape' }, $false) | Select-Object -First 1
    . ([scriptblock]::Create($escape.Extent.Text))
    # So are the library and the scripts the process keeps.
    foreach ($name in @('$CortexLibrary', '$CortexScripts', '$CortexHeld')) {
        $kept = $ast.FindAll({ param($a) $a -is [Management.Automation.Language.AssignmentStatementAst] -and $a.Left.Extent.Text -eq $name }, $false) | Select-Object -First 1
        . ([scriptblock]::Create($kept.Extent.Text))
    }
    function New-Request([hashtable]$Fields) { [pscustomobject]$Fields }
    # What the runner sends as scriptGz / libGz (script-frames.ts gzipText): base64 of gzip of UTF-8.
    function ConvertTo-Gzip64([string]$Text) {
        $out = New-Object System.IO.MemoryStream
        $gzip = New-Object System.IO.Compression.GZipStream($out, ([IO.Compression.CompressionMode]::Compress))
        $bytes = [Text.Encoding]::UTF8.GetBytes($Text)
        $gzip.Write($bytes, 0, $bytes.Length)
        $gzip.Dispose()
        [Convert]::ToBase64String($out.ToArray())
    }
    # A request as the bootstrap reads it: JSON through ConvertFrom-Json.
    function Read-Request([hashtable]$Fields) { ConvertTo-Json -InputObject $Fields -Depth 5 | ConvertFrom-Json }
}

Describe 'Edit-CortexExit' {
    It 'stores the code before each exit, on the same line: <Text>' -ForEach @(
        @{ Text = 'exit 3'; Want = '$global:CortexExitCode = [int](3); exit $global:CortexExitCode' }
        @{ Text = 'exit'; Want = '$global:CortexExitCode = [int](0); exit $global:CortexExitCode' }
        @{ Text = "function f { exit `$x }`nf"; Want = "function f { `$global:CortexExitCode = [int](`$x); exit `$global:CortexExitCode }`nf" }
    ) {
        Edit-CortexExit $Text | Should -BeExactly $Want
    }
    It 'leaves the word exit in strings and comments alone' {
        $text = "'exit 5' # exit 6`n`"exit`""
        Edit-CortexExit $text | Should -BeExactly $text
    }
    It 'leaves a script with parse errors as it is (running it reports the parse error)' {
        Edit-CortexExit 'if ( exit 3' | Should -BeExactly 'if ( exit 3'
    }
}

Describe 'result frame JSON' {
    It 'escapes quotes, backslashes and control characters, and keeps non-ASCII text' {
        $json = ConvertTo-CortexJsonText ("a`"b\c`n`t" + [char]1 + 'Zürich – 東京')
        $json | Should -BeExactly '"a\"b\\c\u000a\u0009\u0001Zürich – 東京"'
        ($json | ConvertFrom-Json) | Should -BeExactly ("a`"b\c`n`t" + [char]1 + 'Zürich – 東京')
    }
    It 'writes a frame that parses, with bootstrapError only when there is one' {
        $ok = Format-CortexResult -Id 'r1' -ExitCode 0 -Output @('x') -InformationLines @('i') -VerboseLines @() -TimedOut $false -DurationMs 5 | ConvertFrom-Json
        $ok.id | Should -Be 'r1'
        @($ok.output) | Should -Be @('x')
        @($ok.information) | Should -Be @('i')
        $ok.PSObject.Properties['bootstrapError'] | Should -BeNullOrEmpty
        $bad = Format-CortexResult -Id $null -ExitCode 1 -TimedOut $false -DurationMs 1 -BootstrapStage 'request' -BootstrapMessage 'FormatException: x' | ConvertFrom-Json
        $bad.id | Should -BeNullOrEmpty
        $bad.bootstrapError.stage | Should -Be 'request'
        @($bad.errors).Count | Should -Be 0
    }
    It 'names the real failure inside PowerShell''s method-call wrapper' {
        $text = $null
        try { $null = [Convert]::FromBase64String('###') } catch { $text = Get-CortexFailureText $_ }
        $text | Should -Match '^FormatException: '
    }
}

Describe 'Resolve-CortexLibrary' {
    BeforeEach {
        # A new process keeps no library.
        $CortexLibrary.hash = $null
        $CortexLibrary.text = $null
    }
    It 'keeps a library carried with its name, and runs it for a later request that only names it' {
        Resolve-CortexLibrary (New-Request @{ lib = 'function Get-A { 1 }'; libHash = 'h1' }) | Should -BeExactly 'function Get-A { 1 }'
        Resolve-CortexLibrary (New-Request @{ libHash = 'h1' }) | Should -BeExactly 'function Get-A { 1 }'
    }
    It 'refuses a name it does not keep (a new process), naming it' {
        { Resolve-CortexLibrary (New-Request @{ libHash = 'h1' }) } | Should -Throw -ExpectedMessage '*keeps no library named h1*'
    }
    It 'keeps one library: another one carried replaces it' {
        $null = Resolve-CortexLibrary (New-Request @{ lib = 'one'; libHash = 'h1' })
        $null = Resolve-CortexLibrary (New-Request @{ lib = 'two'; libHash = 'h2' })
        Resolve-CortexLibrary (New-Request @{ libHash = 'h2' }) | Should -BeExactly 'two'
        { Resolve-CortexLibrary (New-Request @{ libHash = 'h1' }) } | Should -Throw -ExpectedMessage '*keeps no library named h1*'
    }
    It 'runs a library carried without a name without keeping it, and no library when there is none' {
        $null = Resolve-CortexLibrary (New-Request @{ lib = 'one'; libHash = 'h1' })
        Resolve-CortexLibrary (New-Request @{ lib = 'unnamed' }) | Should -BeExactly 'unnamed'
        Resolve-CortexLibrary (New-Request @{ libHash = 'h1' }) | Should -BeExactly 'one'
        Resolve-CortexLibrary (New-Request @{ script = 'x' }) | Should -BeNullOrEmpty
    }
}

Describe 'Resolve-CortexScript' {
    BeforeEach {
        $CortexScripts.Clear()
    }
    It 'keeps a script carried with its name, exits rewritten once, and runs it for a request that only names it' {
        $want = '"a"; $global:CortexExitCode = [int](3); exit $global:CortexExitCode'
        Resolve-CortexScript (New-Request @{ script = '"a"; exit 3'; scriptHash = 's1' }) | Should -BeExactly $want
        Resolve-CortexScript (New-Request @{ scriptHash = 's1' }) | Should -BeExactly $want
    }
    It 'keeps several scripts, each under its own name' {
        $null = Resolve-CortexScript (New-Request @{ script = '"one"'; scriptHash = 's1' })
        $null = Resolve-CortexScript (New-Request @{ script = '"two"'; scriptHash = 's2' })
        Resolve-CortexScript (New-Request @{ scriptHash = 's1' }) | Should -BeExactly '"one"'
        Resolve-CortexScript (New-Request @{ scriptHash = 's2' }) | Should -BeExactly '"two"'
    }
    It 'refuses a name it does not keep, naming it' {
        { Resolve-CortexScript (New-Request @{ scriptHash = 's9' }) } | Should -Throw -ExpectedMessage '*keeps no script named s9*'
    }
    It 'runs ad-hoc text without keeping it, and gives nothing for a request without a script' {
        Resolve-CortexScript (New-Request @{ script = 'hostname' }) | Should -BeExactly 'hostname'
        $CortexScripts.Count | Should -Be 0
        Resolve-CortexScript (New-Request @{ params = @{} }) | Should -BeNullOrEmpty
    }
}

Describe 'Expand-CortexGzipText' {
    It 'gives the UTF-8 text of base64 of gzip, non-ASCII text included' {
        Expand-CortexGzipText (ConvertTo-Gzip64 'Zürich – 東京') | Should -BeExactly 'Zürich – 東京'
    }
    It 'reads what Node''s zlib.gzipSync wrote (the runner''s form, level 9), empty text included' {
        # gzipText('"gz"; exit 3') and gzipText('') from src/protocol/script-frames.ts
        Expand-CortexGzipText 'H4sIAAAAAAACA1NKr1KyVkityCxRMAYAJsFfAgwAAAA=' | Should -BeExactly '"gz"; exit 3'
        Expand-CortexGzipText 'H4sIAAAAAAACAwMAAAAAAAAAAAA=' | Should -BeExactly ''
    }
    It 'refuses what is not base64, not gzip, or gzip cut short' {
        { Expand-CortexGzipText '###' } | Should -Throw
        { Expand-CortexGzipText ([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('plain text, not gzip at all'))) } | Should -Throw
        $whole = [Convert]::FromBase64String((ConvertTo-Gzip64 ('abc' * 1000)))
        $cut = New-Object byte[] ($whole.Length - 6)
        [Array]::Copy($whole, $cut, $cut.Length)
        { Expand-CortexGzipText ([Convert]::ToBase64String($cut)) } | Should -Throw
    }
}

Describe 'Expand-CortexRequest' {
    BeforeEach {
        $CortexLibrary.hash = $null
        $CortexLibrary.text = $null
        $CortexScripts.Clear()
    }
    It 'a gz script and a gz lib become script and lib: the script is kept by its hash, the lib kept and reused by hash' {
        $request = Read-Request @{ type = 'run'; id = 'a'; scriptGz = (ConvertTo-Gzip64 '"gz"; exit 3'); scriptHash = 's1'; libGz = (ConvertTo-Gzip64 'function Get-A { 1 }'); libHash = 'h1' }
        Expand-CortexRequest $request
        Resolve-CortexLibrary $request | Should -BeExactly 'function Get-A { 1 }'
        Resolve-CortexScript $request | Should -BeExactly '"gz"; $global:CortexExitCode = [int](3); exit $global:CortexExitCode'
        $named = Read-Request @{ type = 'run'; id = 'b'; scriptHash = 's1'; libHash = 'h1' }
        Expand-CortexRequest $named
        Resolve-CortexLibrary $named | Should -BeExactly 'function Get-A { 1 }'
        Resolve-CortexScript $named | Should -BeExactly '"gz"; $global:CortexExitCode = [int](3); exit $global:CortexExitCode'
    }
    It 'leaves plain script and lib as they are' {
        $request = Read-Request @{ type = 'run'; id = 'a'; script = 'hostname'; lib = 'function Get-B { 2 }'; libHash = 'h2' }
        Expand-CortexRequest $request
        $request.script | Should -BeExactly 'hostname'
        Resolve-CortexLibrary $request | Should -BeExactly 'function Get-B { 2 }'
    }
    It 'a corrupt <Name>Gz makes the request unreadable (FormatException, named)' -ForEach @(
        @{ Name = 'script'; Value = 'not base64!' }
        @{ Name = 'lib'; Value = 'bm90IGd6aXAgYXQgYWxsLCBqdXN0IHRleHQ=' }
    ) {
        $request = Read-Request @{ type = 'run'; id = 'a'; ($Name + 'Gz') = $Value; params = @{} }
        $failure = $null
        try { Expand-CortexRequest $request } catch { $failure = $_ }
        $failure | Should -Not -BeNullOrEmpty
        Get-CortexFailureText $failure | Should -BeLike ('FormatException: the request''s ' + $Name + 'Gz is not base64 of gzip (*')
    }
}

Describe 'Send-CortexResult' {
    BeforeEach {
        $CortexHeld.Clear()
        # Each call of Write-CortexFrame is one write on stdout: recorded as the frames it carried.
        $script:writes = New-Object 'System.Collections.Generic.List[object]'
        function Write-CortexFrame([string[]]$Json) { $script:writes.Add(@($Json)) }
    }
    It 'writes a result at once when it is not kept' {
        Send-CortexResult '{"id":"a"}' $false
        $writes.Count | Should -Be 1
        $writes[0] | Should -Be @('{"id":"a"}')
    }
    It 'keeps a result for the next one, and writes both, in order, in one write' {
        Send-CortexResult '{"id":"set"}' $true
        $writes.Count | Should -Be 0
        Send-CortexResult '{"id":"test"}' $false
        $writes.Count | Should -Be 1
        $writes[0] | Should -Be @('{"id":"set"}', '{"id":"test"}')
        $CortexHeld.Count | Should -Be 0
    }
    It 'keeps several in a row; the next write starts empty' {
        Send-CortexResult 'a' $true
        Send-CortexResult 'b' $true
        Send-CortexResult 'c' $false
        Send-CortexResult 'd' $false
        $writes.Count | Should -Be 2
        $writes[0] | Should -Be @('a', 'b', 'c')
        $writes[1] | Should -Be @('d')
    }
}

Describe 'Enter-CortexHostLock' {
    BeforeEach {
        # A name of this test's own (the real one, Global\cortex-deploy-host, may be in use on this machine).
        $script:CortexHostLockName = 'Global\cortex-test-' + [guid]::NewGuid().ToString('N')
        $script:holders = New-Object 'System.Collections.Generic.List[object]'
        # Another thread of this process holds the lock for $HoldMs (a mutex belongs to its thread).
        function Start-Holder([int]$HoldMs) {
            $ps = [powershell]::Create().AddScript({
                    param($Name, $HoldMs)
                    $m = New-Object System.Threading.Mutex($false, $Name)
                    $null = $m.WaitOne()
                    Start-Sleep -Milliseconds $HoldMs
                    $m.ReleaseMutex()
                    $m.Dispose()
                }).AddArgument($script:CortexHostLockName).AddArgument($HoldMs)
            $script:holders.Add(@{ ps = $ps; async = $ps.BeginInvoke() })
            # Until the holder owns it.
            $probe = New-Object System.Threading.Mutex($false, $script:CortexHostLockName)
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ([DateTime]::UtcNow -lt $deadline) {
                if (-not $probe.WaitOne(0)) { break }
                $probe.ReleaseMutex()
                Start-Sleep -Milliseconds 10
            }
            $probe.Dispose()
        }
    }
    AfterEach {
        foreach ($h in $script:holders) { $null = $h.ps.EndInvoke($h.async); $h.ps.Dispose() }
    }
    It 'takes a free lock at once, and gives it back: the next request takes it again' {
        $lock = Enter-CortexHostLock 1000
        $lock | Should -BeOfType System.Threading.Mutex
        Exit-CortexHostLock $lock
        $again = Enter-CortexHostLock 0
        Exit-CortexHostLock $again
        Exit-CortexHostLock $null
    }
    It 'waits while another process of the host holds it, and runs once it is released' {
        Start-Holder 600
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $lock = Enter-CortexHostLock 10000
        $watch.ElapsedMilliseconds | Should -BeGreaterThan 300
        Exit-CortexHostLock $lock
    }
    It 'gives up after the request''s timeout, naming the wait (TimeoutException), and runs nothing' {
        Start-Holder 2000
        $caught = $null
        try { Enter-CortexHostLock 200 } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        Get-CortexFailureText $caught | Should -Be 'TimeoutException: another cortex-deploy process on this host held its lock for 200 ms (a run stopped during a change, still finishing it?); nothing was run'
    }
    It 'takes a lock whose holder died without releasing it (abandoned)' {
        $pwsh = (Get-Process -Id $PID).Path
        & $pwsh -NoProfile -NonInteractive -Command "`$m = New-Object System.Threading.Mutex(`$false, '$($script:CortexHostLockName)'); `$null = `$m.WaitOne(); exit 0"
        $LASTEXITCODE | Should -Be 0
        $lock = Enter-CortexHostLock 5000
        $lock | Should -BeOfType System.Threading.Mutex
        Exit-CortexHostLock $lock
    }
}

Describe 'Get-CortexTimeoutMs' {
    It 'is the request''s timeoutMs, 300000 without one, and refuses one that is not positive' {
        Get-CortexTimeoutMs (New-Request @{ timeoutMs = 1500 }) | Should -Be 1500
        Get-CortexTimeoutMs (New-Request @{}) | Should -Be 300000
        { Get-CortexTimeoutMs (New-Request @{ timeoutMs = 0 }) } | Should -Throw '*timeoutMs must be positive (got 0)*'
    }
}
