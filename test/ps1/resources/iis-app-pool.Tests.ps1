# Script under test: ps1/resources/iis-app-pool.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The iis_app_pool resource on an in-memory IIS (test/ps1/helpers/CortexIisTest.ps1): one Context per
# state of IIS and the pool.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    . (Join-Path $PSScriptRoot '../helpers/CortexIisTest.ps1')
    $pool = @{ name = 'CortexGateway'; runtime = 'v4.0'; pipeline = 'integrated'; identity = 'ApplicationPoolIdentity'; state = 'started' }
    $secret = 'P00l-S3cret!'
}

Describe 'iis_app_pool' {
    Context 'IIS is not installed' {
        BeforeEach { $null = Register-CortexTestIis -NoIis }
        It 'Test: iisInstalled false, nothing else read' {
            $r = Invoke-CortexResourceTest -Resource 'iis_app_pool' -Params $pool
            $r.StepError | Should -BeNullOrEmpty
            $r.State.iisInstalled | Should -BeFalse
            $r.State.exists | Should -BeFalse
            Should -Invoke Import-Module -Times 0 -Exactly
        }
        It 'Set: refuses, naming the Web-Server feature; creates nothing' {
            $r = Invoke-CortexResourceSet -Resource 'iis_app_pool' -Params $pool
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be 'iis_app_pool: IIS is not installed on this host (no HKLM\SOFTWARE\Microsoft\InetStp); install the Web-Server feature in an earlier step'
            Assert-CortexNotInvoked $global:CortexIisWriteCommands
        }
    }

    Context 'IIS without the pool' {
        BeforeEach { $null = Register-CortexTestIis -Pools @{ DefaultAppPool = (New-CortexTestPool) } }
        It 'Test: iisInstalled, the pool does not exist; changes nothing' {
            $r = Invoke-CortexResourceTest -Resource 'iis_app_pool' -Params $pool
            $r.State.iisInstalled | Should -BeTrue
            $r.State.exists | Should -BeFalse
            $r.State.runtime | Should -BeNullOrEmpty
            Assert-CortexNotInvoked $global:CortexIisWriteCommands
        }
        It 'Set: New-WebAppPool, and nothing else where IIS defaults already match; the Test then sees it' {
            $r = Invoke-CortexResourceSet -Resource 'iis_app_pool' -Params $pool
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'app pool CortexGateway: created'
            $r.Data.rebootRequired | Should -BeFalse
            Should -Invoke New-WebAppPool -Times 1 -Exactly -ParameterFilter { $Name -eq 'CortexGateway' }
            Assert-CortexNotInvoked @('Set-ItemProperty', 'Start-WebAppPool', 'Stop-WebAppPool')
            $s = (Invoke-CortexResourceTest -Resource 'iis_app_pool' -Params $pool).State
            $s.exists | Should -BeTrue
            $s.runtime | Should -Be 'v4.0'
            $s.pipeline | Should -Be 'integrated'
            $s.identity | Should -Be 'ApplicationPoolIdentity'
            $s.user | Should -Be ''
            $s.state | Should -Be 'started'
        }
        It 'Set: No Managed Code, classic, NetworkService, stopped: each property set, then stopped' {
            $p = @{ name = 'Legacy'; runtime = ''; pipeline = 'classic'; identity = 'NetworkService'; state = 'stopped' }
            $r = Invoke-CortexResourceSet -Resource 'iis_app_pool' -Params $p
            $r.Data.message | Should -Be 'app pool Legacy: created, runtime , pipeline classic, identity NetworkService, stopped'
            Should -Invoke Set-ItemProperty -Times 1 -Exactly -ParameterFilter { $LiteralPath -eq 'IIS:\AppPools\Legacy' -and $Name -eq 'managedRuntimeVersion' -and $Value -eq '' }
            Should -Invoke Set-ItemProperty -Times 1 -Exactly -ParameterFilter { $Name -eq 'managedPipelineMode' -and $Value -eq 'Classic' }
            Should -Invoke Set-ItemProperty -Times 1 -Exactly -ParameterFilter { $Name -eq 'processModel' -and $Value.identityType -eq 'NetworkService' -and $Value.userName -eq '' -and $Value.password -eq '' }
            Should -Invoke Stop-WebAppPool -Times 1 -Exactly -ParameterFilter { $Name -eq 'Legacy' }
            $s = (Invoke-CortexResourceTest -Resource 'iis_app_pool' -Params $p).State
            $s.runtime | Should -Be ''
            $s.pipeline | Should -Be 'classic'
            $s.state | Should -Be 'stopped'
        }
        It 'Set: a SpecificUser gets its user and password (never printed)' {
            $p = @{ name = 'CortexGateway'; identity = 'SpecificUser'; user = 'CORP\svc-gateway'; password = $secret }
            $r = Invoke-CortexResourceSet -Resource 'iis_app_pool' -Params $p
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'app pool CortexGateway: created, identity SpecificUser'
            Should -Invoke Set-ItemProperty -Times 1 -Exactly -ParameterFilter { $Name -eq 'processModel' -and $Value.identityType -eq 'SpecificUser' -and $Value.userName -eq 'CORP\svc-gateway' -and $Value.password -eq $secret }
            $r.Json | Should -Not -BeLike "*$secret*"
            (Invoke-CortexResourceTest -Resource 'iis_app_pool' -Params @{ name = 'CortexGateway' }).State.user | Should -Be 'CORP\svc-gateway'
        }
    }

    Context 'the pool exists' {
        It 'Set: matching already: changes nothing (a Set the diff would not have asked for)' {
            $null = Register-CortexTestIis -Pools @{ CortexGateway = (New-CortexTestPool) }
            $r = Invoke-CortexResourceSet -Resource 'iis_app_pool' -Params $pool
            $r.Data.message | Should -Be 'app pool CortexGateway: nothing to change'
            Assert-CortexNotInvoked $global:CortexIisWriteCommands
        }
        It 'Set: stopped and classic: only the pipeline is set, then it is started' {
            $null = Register-CortexTestIis -Pools @{ CortexGateway = (New-CortexTestPool -Pipeline 'Classic' -State 'Stopped') }
            $r = Invoke-CortexResourceSet -Resource 'iis_app_pool' -Params $pool
            $r.Data.message | Should -Be 'app pool CortexGateway: pipeline integrated, started'
            Should -Invoke Set-ItemProperty -Times 1 -Exactly -ParameterFilter { $Name -eq 'managedPipelineMode' -and $Value -eq 'Integrated' }
            Should -Invoke Start-WebAppPool -Times 1 -Exactly
            Assert-CortexNotInvoked @('New-WebAppPool', 'Stop-WebAppPool')
        }
        It 'Set: a SpecificUser pool back to ApplicationPoolIdentity clears the user' {
            $null = Register-CortexTestIis -Pools @{ CortexGateway = (New-CortexTestPool -Identity 'SpecificUser' -User 'CORP\old') }
            $r = Invoke-CortexResourceSet -Resource 'iis_app_pool' -Params $pool
            $r.Data.message | Should -Be 'app pool CortexGateway: identity ApplicationPoolIdentity'
            Should -Invoke Set-ItemProperty -Times 1 -Exactly -ParameterFilter { $Name -eq 'processModel' -and $Value.identityType -eq 'ApplicationPoolIdentity' -and $Value.userName -eq '' }
        }
    }

    Context 'bad parameters' {
        BeforeEach { $null = Register-CortexTestIis }
        It 'Set: refuses <case> before touching IIS' -ForEach @(
            @{ case = 'a pipeline'; params = @{ name = 'P'; pipeline = 'fast' }; message = 'iis_app_pool: parameter pipeline must be integrated or classic, not fast' }
            @{ case = 'a state'; params = @{ name = 'P'; state = 'paused' }; message = 'iis_app_pool: parameter state must be started or stopped, not paused' }
            @{ case = 'a SpecificUser without password'; params = @{ name = 'P'; identity = 'SpecificUser'; user = 'CORP\x' }; message = 'iis_app_pool: parameter password is missing' }
            @{ case = 'no name'; params = @{}; message = 'iis_app_pool: parameter name is missing' }
        ) {
            $r = Invoke-CortexResourceSet -Resource 'iis_app_pool' -Params $params
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be $message
            Assert-CortexNotInvoked $global:CortexIisWriteCommands
        }
    }
}
