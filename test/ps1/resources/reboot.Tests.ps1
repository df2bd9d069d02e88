# Script under test: ps1/resources/reboot.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The reboot resource: pending-reboot markers and the boot time (Test), and the delayed restart (Set).
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    function Register-Boot {
        $m = New-CortexTestMachine
        Register-CortexTestRegistryMock $m
        $m.Os.LastBootUpTime = [datetime]::new(2026, 3, 1, 6, 30, 0, [DateTimeKind]::Utc)
        Mock Get-CimInstance { [pscustomobject]$global:CortexTestMachine.Os } -ParameterFilter { $ClassName -eq 'Win32_OperatingSystem' }
        Mock Invoke-CortexNative { [pscustomobject]@{ exitCode = 0; output = @() } }
        $m
    }
}

Describe 'reboot' {
    Context 'nothing pending' {
        BeforeEach { $null = Register-Boot }
        It 'Test: not pending; the boot time in ISO 8601 UTC; restarts nothing' {
            $r = Invoke-CortexResourceTest -Resource 'reboot' -Params @{ reason = 'cortex-deploy' }
            $r.StepError | Should -BeNullOrEmpty
            $r.State.pending | Should -BeFalse
            $r.State.bootTime | Should -BeExactly '2026-03-01T06:30:00.0000000Z'
            Assert-CortexNotInvoked @('Invoke-CortexNative')
        }
    }

    foreach ($case in @(
            @{ Marker = 'Component Based Servicing'; Set = { param($m) $m.Registry['64']['SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'] = [ordered]@{} } },
            @{ Marker = 'Windows Update'; Set = { param($m) $m.Registry['64']['SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'] = [ordered]@{} } },
            @{ Marker = 'PendingFileRenameOperations'; Set = { param($m) $m.Registry['64']['SYSTEM\CurrentControlSet\Control\Session Manager'].PendingFileRenameOperations = [string[]]@('\??\C:\a.tmp', '') } },
            @{ Marker = 'Server Manager'; Set = { param($m) $m.Registry['64']['SOFTWARE\Microsoft\ServerManager\ServicingStorage\ServerComponentCache'].RestartRequired = 1 } },
            @{ Marker = 'a computer rename'; Set = { param($m) $m.Registry['64']['SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName'].ComputerName = 'APP2' } },
            @{ Marker = 'a domain join'; Set = { param($m) $m.Registry['64']['SYSTEM\CurrentControlSet\Services\Netlogon'].JoinDomain = 1 } }
        )) {
        Context "pending: $($case.Marker)" -ForEach @($case) {
            BeforeEach { $m = Register-Boot; & $Set $m }
            It 'Test: pending' { (Invoke-CortexResourceTest -Resource 'reboot' -Params @{}).State.pending | Should -BeTrue }
        }
    }

    Context 'the restart (Set)' {
        BeforeEach { $null = Register-Boot }
        It 'shutdown.exe /r after a few seconds, planned maintenance, with the reason' {
            $r = Invoke-CortexResourceSet -Resource 'reboot' -Params @{ reason = 'step erlang requires a reboot' }
            $r.Result.ok | Should -BeTrue
            $r.Data.rebootRequired | Should -BeFalse
            $r.Data.message | Should -Be 'restart in 5 s (step erlang requires a reboot)'
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { $FilePath -eq 'shutdown.exe' -and ($ArgumentList -join '|') -eq '/r|/t|5|/d|p:4:1|/c|cortex-deploy: step erlang requires a reboot' }
        }
        It 'a restart already scheduled (shutdown.exe exits 1190): that restart goes ahead, no error' {
            Mock Invoke-CortexNative {
                if ($SuccessCodes -notcontains 1190) { throw 'shutdown.exe exited with code 1190: A system shutdown has already been scheduled.(1190)' }
                [pscustomobject]@{ exitCode = 1190; output = @() }
            }
            $r = Invoke-CortexResourceSet -Resource 'reboot' -Params @{ reason = 'resumed' }
            $r.Result.ok | Should -BeTrue
            $r.Data.exitCode | Should -Be 1190
            $r.Data.message | Should -Be 'a restart was already scheduled; it goes ahead (resumed)'
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly
        }
        It 'a delay out of range: refused' {
            (Invoke-CortexResourceSet -Resource 'reboot' -Params @{ delaySeconds = 3600 }).Error.message | Should -Be 'reboot: parameter delaySeconds must be 0 to 600, not 3600'
            Assert-CortexNotInvoked @('Invoke-CortexNative')
        }
    }
}
