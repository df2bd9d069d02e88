# Script under test: ps1/resources/package.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The package resource: detection by product code or uninstall key in both registry views (Test), and
# the installer run through Invoke-CortexNative with its exit codes (Set). One Context per machine state.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $uninstall = 'SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\'
    $code = '{11111111-2222-3333-4444-555555555555}'
    $setCommands = @('Invoke-CortexNative')
    function Register-Machine {
        $m = New-CortexTestMachine
        Register-CortexTestRegistryMock $m
        $global:CortexTestInstallerExit = 0
        $global:CortexTestInstallerSets = $null
        # The installer: returns the exit code the test chose (throwing, as Invoke-CortexNative does, outside -SuccessCodes);
        # on success it may register the package (CortexTestInstallerSets: view, subkey, values).
        Mock Invoke-CortexNative {
            $exit = $global:CortexTestInstallerExit
            if ($SuccessCodes -notcontains $exit) { throw ('{0} exited with code {1}: ' -f $FilePath, $exit) }
            $s = $global:CortexTestInstallerSets
            if ($null -ne $s) { $global:CortexTestMachine.Registry[$s.View][$s.SubKey] = $s.Values }
            [pscustomobject]@{ exitCode = $exit; output = @() }
        }
        Mock Test-Path -ParameterFilter { $LiteralPath -like 'C:\cortex\*' } { $true }
        $m
    }
    function With([hashtable]$Base, [hashtable]$Changes) { $c = $Base.Clone(); foreach ($k in $Changes.Keys) { $c[$k] = $Changes[$k] }; $c }
    $logs = Join-Path ([IO.Path]::GetTempPath()) ('cortex-pkg-' + [guid]::NewGuid().ToString('n'))
    $envVars = @{ ProgramData = $logs }
    $msi = @{ name = 'URL Rewrite'; path = 'C:\cortex\artifacts\rewrite_amd64.msi'; productCode = $code; version = '7.2.1993'; arguments = @('ALLUSERS=1'); state = 'present'; successExitCodes = @(0, 3010, 1641) }
}
AfterAll { if (Test-Path -LiteralPath $logs) { Remove-Item -LiteralPath $logs -Recurse -Force } }

Describe 'package' {
    Context 'an MSI installed in the 64-bit view' {
        BeforeEach {
            $m = Register-Machine
            $m.Registry['64'][$uninstall + $code] = [ordered]@{ DisplayName = 'IIS URL Rewrite Module 2'; DisplayVersion = '7.2.1993'; UninstallString = "MsiExec.exe /X$code" }
        }
        It 'Test by product code: installed, version, view, display name; runs nothing' {
            $r = Invoke-CortexResourceTest -Resource 'package' -Params $msi
            $r.StepError | Should -BeNullOrEmpty
            $r.State.installed | Should -BeTrue
            $r.State.version | Should -BeExactly '7.2.1993'
            $r.State.view | Should -BeExactly '64'
            $r.State.displayName | Should -BeExactly 'IIS URL Rewrite Module 2'
            Assert-CortexNotInvoked $setCommands
        }
        It 'Set absent: msiexec /x (the product code) /qn /norestart with a log' {
            $r = Invoke-CortexResourceSet -Resource 'package' -Params (With $msi @{ state = 'absent' }) -Environment $envVars
            $r.Result.ok | Should -BeTrue
            $r.Data.exitCode | Should -Be 0
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { $FilePath -eq 'msiexec.exe' -and ($ArgumentList[0..3] -join ' ') -eq "/x $code /qn /norestart" -and $ArgumentList[4] -eq '/l*v' -and $ArgumentList[5] -like (Join-Path $logs 'cortex-deploy/logs/package-URL-Rewrite-uninstall-*.log') }
        }
    }

    Context 'an EXE installed in the 32-bit view only (WOW6432Node)' {
        BeforeEach {
            $m = Register-Machine
            $m.Registry['32'][$uninstall + 'Erlang OTP'] = [ordered]@{ DisplayName = 'Erlang OTP 26.2.5'; DisplayVersion = '14.2.5'; UninstallString = '"C:\Program Files\Erlang OTP\Uninstall.exe"'; QuietUninstallString = 'C:\Program Files\Erlang OTP\Uninstall.exe /S /D="C:\Program Files\Erlang OTP"' }
        }
        It 'Test by uninstall key: found in view 32' {
            $r = Invoke-CortexResourceTest -Resource 'package' -Params @{ name = 'Erlang'; path = 'C:\cortex\otp.exe'; uninstallKey = 'Erlang OTP' }
            $r.State.installed | Should -BeTrue
            $r.State.view | Should -BeExactly '32'
            $r.State.version | Should -BeExactly '14.2.5'
        }
        It 'Set present (an upgrade): the EXE with its own silent arguments, no msiexec, no log' {
            $global:CortexTestInstallerExit = 0
            $r = Invoke-CortexResourceSet -Resource 'package' -Params @{ name = 'Erlang'; path = 'C:\cortex\otp_win64_27.3.exe'; uninstallKey = 'Erlang OTP'; arguments = @('/S'); successExitCodes = @(0) } -Environment $envVars
            $r.Result.ok | Should -BeTrue
            $r.Data.rebootRequired | Should -BeFalse
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { $FilePath -eq 'C:\cortex\otp_win64_27.3.exe' -and ($ArgumentList -join '|') -eq '/S' -and ($SuccessCodes -join ',') -eq '0,1618' }
        }
        It 'Set absent: the QuietUninstallString, an unquoted path with spaces read up to .exe' {
            $r = Invoke-CortexResourceSet -Resource 'package' -Params @{ name = 'Erlang'; path = 'C:\cortex\otp.exe'; uninstallKey = 'Erlang OTP'; state = 'absent' } -Environment $envVars
            $r.Result.ok | Should -BeTrue
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { $FilePath -eq 'C:\Program Files\Erlang OTP\Uninstall.exe' -and ($ArgumentList -join '|') -eq '/S|/D=C:\Program Files\Erlang OTP' }
        }
    }

    Context 'an EXE entry without a quiet uninstall command' {
        BeforeEach {
            $m = Register-Machine
            $m.Registry['64'][$uninstall + 'Tool'] = [ordered]@{ DisplayName = 'Tool'; UninstallString = 'C:\Tool\uninst.exe' }
        }
        It 'Test: installed with no DisplayVersion: version null' {
            $r = Invoke-CortexResourceTest -Resource 'package' -Params @{ name = 'Tool'; path = 'C:\cortex\tool.exe'; uninstallKey = 'Tool' }
            $r.State.installed | Should -BeTrue
            $r.State.version | Should -BeNullOrEmpty
        }
        It 'Set absent: refused with what to do instead; nothing run' {
            $r = Invoke-CortexResourceSet -Resource 'package' -Params @{ name = 'Tool'; path = 'C:\cortex\tool.exe'; uninstallKey = 'Tool'; state = 'absent' }
            $r.Error.message | Should -BeLike 'package: Tool has no QuietUninstallString under *Uninstall\Tool (view 64); remove it with an exec step*'
            Assert-CortexNotInvoked $setCommands
        }
    }

    Context 'not installed' {
        BeforeEach { $m = Register-Machine }
        It 'Test: not installed in either view' {
            $r = Invoke-CortexResourceTest -Resource 'package' -Params $msi
            $r.State.installed | Should -BeFalse
            $r.State.version | Should -BeNullOrEmpty
            $r.State.view | Should -BeNullOrEmpty
            Assert-CortexNotInvoked $setCommands
        }
        It 'Set: msiexec /i (path) /qn /norestart /l*v (log) then the step arguments; Test then finds it' {
            $global:CortexTestInstallerSets = @{ View = '64'; SubKey = $uninstall + $code; Values = [ordered]@{ DisplayName = 'IIS URL Rewrite Module 2'; DisplayVersion = '7.2.1993' } }
            $r = Invoke-CortexResourceSet -Resource 'package' -Params $msi -Environment $envVars
            $r.Result.ok | Should -BeTrue
            $r.Data.rebootRequired | Should -BeFalse
            $r.Data.exitCode | Should -Be 0
            $r.Data.message | Should -Be 'installing URL Rewrite: exit code 0'
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter {
                $FilePath -eq 'msiexec.exe' -and ($ArgumentList[0..3] -join '|') -eq '/i|C:\cortex\artifacts\rewrite_amd64.msi|/qn|/norestart' -and $ArgumentList[4] -eq '/l*v' -and $ArgumentList[6] -eq 'ALLUSERS=1' -and ($SuccessCodes -join ',') -eq '0,3010,1641,1618'
            }
            Test-Path -LiteralPath (Join-Path $logs 'cortex-deploy/logs') -PathType Container | Should -BeTrue
            (Invoke-CortexResourceTest -Resource 'package' -Params $msi).State.installed | Should -BeTrue
        }
        It 'Set, exit code 3010: success, reboot required' {
            $global:CortexTestInstallerExit = 3010
            $r = Invoke-CortexResourceSet -Resource 'package' -Params $msi -Environment $envVars
            $r.Result.ok | Should -BeTrue
            $r.Data.rebootRequired | Should -BeTrue
            $r.Data.exitCode | Should -Be 3010
            $r.Data.message | Should -Be 'installing URL Rewrite: exit code 3010, reboot required'
        }
        It 'Set, exit code 1641: reboot required' {
            $global:CortexTestInstallerExit = 1641
            (Invoke-CortexResourceSet -Resource 'package' -Params $msi -Environment $envVars).Data.rebootRequired | Should -BeTrue
        }
        It 'Set, exit code 0 but the installer left a pending file rename: reboot required' {
            $global:CortexTestInstallerSets = @{ View = '64'; SubKey = 'SYSTEM\CurrentControlSet\Control\Session Manager'; Values = [ordered]@{ PendingFileRenameOperations = [string[]]@('\??\C:\x.tmp', '') } }
            (Invoke-CortexResourceSet -Resource 'package' -Params $msi -Environment $envVars).Data.rebootRequired | Should -BeTrue
        }
        It 'Set, exit code 1618: ResourceBusy, another installation is running (the retries try again)' {
            $global:CortexTestInstallerExit = 1618
            $r = Invoke-CortexResourceSet -Resource 'package' -Params $msi -Environment $envVars
            $r.Result.ok | Should -BeFalse
            $r.Error.category | Should -Be 'ResourceBusy'
            $r.Error.message | Should -Be 'package: installing URL Rewrite: another installation is in progress (exit code 1618); retry the step when it has finished'
        }
        It 'Set, exit code 1603: fails with the code and the log file' {
            $global:CortexTestInstallerExit = 1603
            $r = Invoke-CortexResourceSet -Resource 'package' -Params $msi -Environment $envVars
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeLike 'package: installing URL Rewrite failed: msiexec.exe exited with code 1603*; the log is *package-URL-Rewrite-install-*.log'
        }
        It 'Set, exit code 3010 when the step does not accept it: a failure' {
            $global:CortexTestInstallerExit = 3010
            $r = Invoke-CortexResourceSet -Resource 'package' -Params (With $msi @{ successExitCodes = @(0) }) -Environment $envVars
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeLike '*exited with code 3010*'
        }
        It 'Set absent: nothing installed, nothing run' {
            $r = Invoke-CortexResourceSet -Resource 'package' -Params (With $msi @{ state = 'absent' })
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'URL Rewrite is not installed'
            Assert-CortexNotInvoked $setCommands
        }
    }

    Context 'erlang: true: one Erlang release at a time (the ERTS keys and OTP_VERSION)' {
        BeforeEach {
            $m = Register-Machine
            $m.Registry['32'][$uninstall + 'Erlang OTP'] = [ordered]@{ DisplayName = 'Erlang OTP 27.3.4 (15.2.7)'; DisplayVersion = '27.3.4' }
            $m.Registry['32']['SOFTWARE\Ericsson\Erlang\15.2.7'] = [ordered]@{ '' = 'C:\Program Files\Erlang OTP' }
            $m.Registry['32']['SOFTWARE\Ericsson\Erlang\ErlSrv\1.1'] = [ordered]@{ RabbitMQ = 'erlsrv' }
            # Ericsson\Erlang lists its subkeys (the shared registry mock opens keys with values only).
            Mock Open-CortexRegistryKey -ParameterFilter { $SubKey -eq 'SOFTWARE\Ericsson\Erlang' } {
                $prefix = 'SOFTWARE\Ericsson\Erlang\'
                $names = @($global:CortexTestMachine.Registry[$View].Keys | Where-Object { $_.StartsWith($prefix) } | ForEach-Object { $_.Substring($prefix.Length).Split('\')[0] } | Select-Object -Unique)
                if ($names.Count -eq 0) { return $null }
                $key = [pscustomobject]@{ Names = [string[]]$names }
                $key | Add-Member -MemberType ScriptMethod -Name GetSubKeyNames -Value { , $this.Names }
                $key | Add-Member -MemberType ScriptMethod -Name Close -Value { }
                $key
            }
            $otp = 'C:\Program Files\Erlang OTP\releases\27\OTP_VERSION'
            $otpHash = (Get-FileHash -InputStream ([IO.MemoryStream]::new([Text.Encoding]::ASCII.GetBytes("27.3.4`n"))) -Algorithm SHA256).Hash
            Mock Test-Path -ParameterFilter { $LiteralPath -eq $otp } { $true }
            Mock Get-FileHash -ParameterFilter { $LiteralPath -eq $otp } { [pscustomobject]@{ Hash = $otpHash } }
            $erlang = @{ name = 'Erlang OTP'; path = 'C:\cortex\otp_win64_27.3.4.exe'; uninstallKey = 'Erlang OTP'; version = '27.3.4'; erlang = $true }
        }
        It 'Test: the one ERTS key (ErlSrv left out) and the SHA-256 of releases\27\OTP_VERSION under its folder' {
            $r = Invoke-CortexResourceTest -Resource 'package' -Params $erlang
            $r.StepError | Should -BeNullOrEmpty
            $r.State.installed | Should -BeTrue
            @($r.State.erlang.ertsKeys) | Should -Be @('15.2.7')
            $r.State.erlang.otpVersionSha256 | Should -BeExactly $otpHash.ToLowerInvariant()
        }
        It 'Test: a second release beside it: both keys, sorted, and no OTP_VERSION read' {
            $m.Registry['32']['SOFTWARE\Ericsson\Erlang\14.2.5'] = [ordered]@{ '' = 'C:\Program Files\erl-26' }
            $r = Invoke-CortexResourceTest -Resource 'package' -Params $erlang
            @($r.State.erlang.ertsKeys) | Should -Be @('14.2.5', '15.2.7')
            $r.State.erlang.otpVersionSha256 | Should -BeNullOrEmpty
            Should -Invoke Get-FileHash -Times 0 -ParameterFilter { $LiteralPath -eq $otp }
        }
        It 'Test without erlang: true: no erlang part' {
            $erlang.Remove('erlang')
            $r = Invoke-CortexResourceTest -Resource 'package' -Params $erlang
            $r.State.PSObject.Properties.Name | Should -Not -Contain 'erlang'
        }
    }

    Context 'the installer is missing' {
        BeforeEach { $null = Register-Machine; Mock Test-Path -ParameterFilter { $LiteralPath -like 'C:\cortex\*' } { $false } }
        It 'Set: an error naming the path' {
            $r = Invoke-CortexResourceSet -Resource 'package' -Params $msi
            $r.Error.message | Should -Be 'package: the installer C:\cortex\artifacts\rewrite_amd64.msi is not on the host; upload it in an earlier step'
            Assert-CortexNotInvoked $setCommands
        }
    }

    Context 'bad parameters' {
        BeforeEach { $null = Register-Machine }
        It 'neither productCode nor uninstallKey: the Test step fails saying what to set' {
            (Invoke-CortexResourceTest -Resource 'package' -Params @{ name = 'x'; path = 'C:\cortex\x.msi' }).StepError | Should -BeLike 'package: set productCode (MSI) or uninstallKey (EXE)*'
            (Invoke-CortexResourceSet -Resource 'package' -Params @{ name = 'x'; path = 'C:\cortex\x.msi' }).Error.message | Should -BeLike 'package: parameter productCode (MSI) or uninstallKey (EXE) is missing*'
        }
        It 'no path for a present package' { (Invoke-CortexResourceSet -Resource 'package' -Params @{ name = 'x'; productCode = $code }).Error.message | Should -Be 'package: parameter path is missing' }
        It 'no name' { (Invoke-CortexResourceSet -Resource 'package' -Params @{ path = 'C:\cortex\x.msi'; productCode = $code }).Error.message | Should -Be 'package: parameter name is missing' }
    }
}
