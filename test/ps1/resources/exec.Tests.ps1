# Script under test: ps1/resources/exec.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The exec resource: its guard (Test: creates / unless) and its run (Set: real PowerShell in a runspace of
# its own, so `exit N`, errors and native exit codes behave as they do on a host).
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $dir = Join-Path ([IO.Path]::GetTempPath()) ('cortex-exec-' + [guid]::NewGuid().ToString('n'))
    $null = New-Item -ItemType Directory -Path $dir
    $marker = Join-Path $dir 'done.txt'
}
AfterAll { Remove-Item -LiteralPath $dir -Recurse -Force }

Describe 'exec' {
    BeforeEach {
        $m = New-CortexTestMachine
        Register-CortexTestRegistryMock $m
        if (Test-Path -LiteralPath $marker) { Remove-Item -LiteralPath $marker }
    }

    Context 'the guard (Test)' {
        It 'creates: a missing path is not done; runs nothing' {
            $r = Invoke-CortexResourceTest -Resource 'exec' -Params @{ run = "Set-Content -LiteralPath '$marker' -Value x"; creates = $marker }
            $r.State.done | Should -BeFalse
            Test-Path -LiteralPath $marker | Should -BeFalse
        }
        It 'creates: an existing path is done' {
            [IO.File]::WriteAllText($marker, 'x')
            (Invoke-CortexResourceTest -Resource 'exec' -Params @{ run = 'x'; creates = $marker }).State.done | Should -BeTrue
        }
        It 'unless: its last output true is done, false is not' {
            (Invoke-CortexResourceTest -Resource 'exec' -Params @{ run = 'x'; unless = "'checking'; 1 -eq 1" }).State.done | Should -BeTrue
            (Invoke-CortexResourceTest -Resource 'exec' -Params @{ run = 'x'; unless = "Test-Path -LiteralPath '$marker'" }).State.done | Should -BeFalse
            (Invoke-CortexResourceTest -Resource 'exec' -Params @{ run = 'x'; unless = '$null' }).State.done | Should -BeFalse
        }
        It 'unless that throws: that step fails with its message, the batch answers' {
            (Invoke-CortexResourceTest -Resource 'exec' -Params @{ run = 'x'; unless = "throw 'cannot tell'" }).StepError | Should -Be 'exec: unless failed: cannot tell'
        }
        It 'unless with exit: ends the guard alone (the batch still answers); exit 0 after true is done, exit 1 is not' {
            (Invoke-CortexResourceTest -Resource 'exec' -Params @{ run = 'x'; unless = '$true; exit 0' }).State.done | Should -BeTrue
            (Invoke-CortexResourceTest -Resource 'exec' -Params @{ run = 'x'; unless = '$true; exit 1' }).State.done | Should -BeFalse
        }
        It "unless runs in its own runspace: the batch's variables are out of its reach" {
            (Invoke-CortexResourceTest -Resource 'exec' -Params @{ run = 'x'; unless = '$null -eq $CortexParams' }).State.done | Should -BeTrue
        }
        It 'no guard (a handler): never done' {
            (Invoke-CortexResourceTest -Resource 'exec' -Params @{ run = 'x' }).State.done | Should -BeFalse
        }
    }

    Context 'the run (Set)' {
        It 'does what it says; exit code 0' {
            $r = Invoke-CortexResourceSet -Resource 'exec' -Params @{ run = "Set-Content -LiteralPath '$marker' -Value ran"; successExitCodes = @(0) }
            $r.Result.ok | Should -BeTrue
            $r.Data.exitCode | Should -Be 0
            $r.Data.rebootRequired | Should -BeFalse
            (Get-Content -LiteralPath $marker) | Should -Be 'ran'
            (Invoke-CortexResourceTest -Resource 'exec' -Params @{ run = 'x'; creates = $marker }).State.done | Should -BeTrue
        }
        It 'exit N ends the run alone with code N; not a success code: an error' {
            $r = Invoke-CortexResourceSet -Resource 'exec' -Params @{ run = "'before'; exit 3; Set-Content -LiteralPath '$marker' -Value after" }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be 'exec: exit code 3: before'
            Test-Path -LiteralPath $marker | Should -BeFalse
        }
        It 'exit N among successExitCodes: success with that code' {
            $r = Invoke-CortexResourceSet -Resource 'exec' -Params @{ run = 'exit 3'; successExitCodes = @(0, 3) }
            $r.Result.ok | Should -BeTrue
            $r.Data.exitCode | Should -Be 3
        }
        It 'exit 3010 accepted: a reboot is required' {
            $r = Invoke-CortexResourceSet -Resource 'exec' -Params @{ run = 'exit 3010'; successExitCodes = @(0, 3010) }
            $r.Data.rebootRequired | Should -BeTrue
            $r.Data.message | Should -Be 'exit code 3010, reboot required'
        }
        It 'a throw: exit code 1 with its message' {
            (Invoke-CortexResourceSet -Resource 'exec' -Params @{ run = "throw 'RabbitMQ did not start'" }).Error.message | Should -Be 'exec: exit code 1: RabbitMQ did not start'
        }
        It 'a cmdlet error stops the run (ErrorActionPreference Stop)' {
            $r = Invoke-CortexResourceSet -Resource 'exec' -Params @{ run = "Get-Item -LiteralPath '$dir/none'; Set-Content -LiteralPath '$marker' -Value after" }
            $r.Error.message | Should -BeLike "exec: exit code 1: Cannot find path*"
            Test-Path -LiteralPath $marker | Should -BeFalse
        }
        It "a native program's exit code is the run's" {
            $r = Invoke-CortexResourceSet -Resource 'exec' -Params @{ run = "& /bin/sh -c 'exit 4'" }
            $r.Error.message | Should -Be 'exec: exit code 4'
        }
        It 'its variables stay its own: $CortexParams of the script is untouched' {
            $r = Invoke-CortexResourceSet -Resource 'exec' -Params @{ run = '$CortexParams = $null; $ErrorActionPreference = ''Continue''' }
            $r.Result.ok | Should -BeTrue
        }
        It 'text that does not parse: an error saying so, nothing run' {
            (Invoke-CortexResourceSet -Resource 'exec' -Params @{ run = 'if (' }).Error.message | Should -BeLike 'exec: the PowerShell does not parse: *'
        }
        It 'no run: the parameter named' { (Invoke-CortexResourceSet -Resource 'exec' -Params @{}).Error.message | Should -Be 'exec: parameter run is missing' }
    }
}
