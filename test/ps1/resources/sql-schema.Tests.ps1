# The sql_schema resource: its Test (resources.test-batch) and Set (ps1/resources/sql-schema.ps1), one
# Context per state of the instance and database; the SQL Server seams (Get-CortexSqlSchemaRecord,
# Invoke-CortexSqlSchemaScript) and the script file (Read-CortexTextFile) mocked. Then lib.sql's pure parts.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    . (Join-Path $PSScriptRoot '../../../ps1/lib/sql.ps1')
    $global:SqlParams = @{ instance = 'MSSQLSERVER'; database = 'Cortex'; version = '1.1.0'; script = 'C:\ProgramData\CortexInstall\db\CortexDb-1.1.0.sql' }
    $global:SqlScriptText = "CREATE TABLE dbo.Flow (Id int NOT NULL PRIMARY KEY)`r`nGO`r`nCREATE INDEX IX_Flow ON dbo.Flow (Id)`r`ngo -- second`r`n"
    function Register-Sql {
        param([string]$Status = 'Running', [switch]$NoService, [switch]$NoDatabase, [string[]]$Versions = @())
        $global:SqlService = $null
        if (-not $NoService) { $global:SqlService = [pscustomobject]@{ Name = 'MSSQLSERVER'; Status = $Status; StartType = 'Automatic' } }
        $global:SqlRecord = [pscustomobject]@{ databaseExists = -not $NoDatabase; versions = [string[]]$Versions }
        Mock Get-Service { if ($null -ne $global:SqlService -and $Name -contains $global:SqlService.Name) { $global:SqlService } else { Write-Error "Cannot find any service with service name '$Name'." } }
        Mock Get-CortexSqlSchemaRecord { $global:SqlRecord }
        Mock Invoke-CortexSqlSchemaScript { }
        Mock Read-CortexTextFile { $global:SqlScriptText }
        Mock Test-Path { $true } -ParameterFilter { $LiteralPath -eq $global:SqlParams.script }
        Mock Get-FileHash { [pscustomobject]@{ Hash = 'AB' * 32 } }
    }
}

Describe 'sql_schema' {
    Context 'a running instance without the database' {
        BeforeEach { Register-Sql -NoDatabase }
        It 'Test: running, no database, no version' {
            $r = Invoke-CortexResourceTest -Resource 'sql_schema' -Params $global:SqlParams
            $r.StepError | Should -BeNullOrEmpty
            $r.State.service | Should -BeExactly 'running'
            $r.State.databaseExists | Should -BeFalse
            $r.State.version | Should -BeNullOrEmpty
            Should -Invoke Get-CortexSqlSchemaRecord -Times 1 -Exactly -ParameterFilter { $Instance -eq 'MSSQLSERVER' -and $Database -eq 'Cortex' }
            Assert-CortexNotInvoked @('Invoke-CortexSqlSchemaScript')
        }
        It 'Set: runs the script split on GO, with its version, name and SHA-256' {
            $r = Invoke-CortexResourceSet -Resource 'sql_schema' -Params $global:SqlParams
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'Cortex: schema version 1.1.0 from a new database (2 batches)'
            Should -Invoke Invoke-CortexSqlSchemaScript -Times 1 -Exactly -ParameterFilter {
                $Database -eq 'Cortex' -and $Version -eq '1.1.0' -and $ScriptName -eq 'CortexDb-1.1.0.sql' -and $ScriptSha256 -eq ('ab' * 32) -and
                $Batch.Count -eq 2 -and $Batch[0] -eq 'CREATE TABLE dbo.Flow (Id int NOT NULL PRIMARY KEY)' -and $Batch[1] -eq 'CREATE INDEX IX_Flow ON dbo.Flow (Id)'
            }
        }
        It 'Set: a script that is not there is refused before anything runs' {
            Mock Test-Path { $false } -ParameterFilter { $LiteralPath -eq $global:SqlParams.script }
            $r = Invoke-CortexResourceSet -Resource 'sql_schema' -Params $global:SqlParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeExactly 'sql_schema: the script C:\ProgramData\CortexInstall\db\CortexDb-1.1.0.sql does not exist; stage it in an earlier step'
            Assert-CortexNotInvoked @('Invoke-CortexSqlSchemaScript')
        }
        It 'Set: a script with no SQL is refused' {
            $global:SqlScriptText = "GO`r`n  `r`n"
            $r = Invoke-CortexResourceSet -Resource 'sql_schema' -Params $global:SqlParams
            $r.Error.message | Should -Match 'holds no SQL'
            Assert-CortexNotInvoked @('Invoke-CortexSqlSchemaScript')
            $global:SqlScriptText = "SELECT 1`r`nGO`r`n"
        }
        It 'Set: a failing batch is the step error (the seam rolled back)' {
            Mock Invoke-CortexSqlSchemaScript { throw 'batch 2 of 2 failed and nothing was kept: Incorrect syntax near ''INDX''.' }
            $r = Invoke-CortexResourceSet -Resource 'sql_schema' -Params $global:SqlParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeExactly 'batch 2 of 2 failed and nothing was kept: Incorrect syntax near ''INDX''.'
        }
    }

    Context 'a database at an older version' {
        BeforeEach { Register-Sql -Versions @('1.0.0', '1.0.9') }
        It 'Test: the highest recorded version' {
            (Invoke-CortexResourceTest -Resource 'sql_schema' -Params $global:SqlParams).State.version | Should -BeExactly '1.0.9'
        }
        It 'Set: upgrades, naming the version it came from' {
            $r = Invoke-CortexResourceSet -Resource 'sql_schema' -Params $global:SqlParams
            $r.Data.message | Should -Match '^Cortex: schema version 1\.1\.0 from version 1\.0\.9 '
            Should -Invoke Invoke-CortexSqlSchemaScript -Times 1 -Exactly
        }
    }

    Context 'a database at the same or a newer version' {
        It 'Set at the same version: nothing runs' {
            Register-Sql -Versions @('1.1.0')
            $r = Invoke-CortexResourceSet -Resource 'sql_schema' -Params $global:SqlParams
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'Cortex is already at schema version 1.1.0'
            Assert-CortexNotInvoked @('Invoke-CortexSqlSchemaScript', 'Read-CortexTextFile')
        }
        It 'Set at a newer version (1.10.0 > 1.9.0 > 1.1.0): a downgrade is refused' {
            Register-Sql -Versions @('1.9.0', '1.10.0')
            $r = Invoke-CortexResourceSet -Resource 'sql_schema' -Params $global:SqlParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeExactly 'sql_schema: database Cortex is at schema version 1.10.0, newer than 1.1.0: a downgrade is refused'
            Assert-CortexNotInvoked @('Invoke-CortexSqlSchemaScript')
        }
    }

    Context 'the instance is stopped or not installed' {
        It 'Test stopped: the service state, the database not asked' {
            Register-Sql -Status 'Stopped'
            $r = Invoke-CortexResourceTest -Resource 'sql_schema' -Params $global:SqlParams
            $r.State.service | Should -BeExactly 'stopped'
            $r.State.databaseExists | Should -BeNullOrEmpty
            Assert-CortexNotInvoked @('Get-CortexSqlSchemaRecord')
        }
        It 'Set stopped: refused with the fix' {
            Register-Sql -Status 'Stopped'
            $r = Invoke-CortexResourceSet -Resource 'sql_schema' -Params $global:SqlParams
            $r.Error.message | Should -BeExactly 'sql_schema: SQL Server instance MSSQLSERVER is not running (service MSSQLSERVER is stopped); start it and run again'
            Assert-CortexNotInvoked @('Invoke-CortexSqlSchemaScript', 'Get-CortexSqlSchemaRecord')
        }
        It 'Test and Set of a named instance that is not installed: absent, refused (service MSSQL$NAME)' {
            Register-Sql
            $p = $global:SqlParams.Clone()
            $p.instance = 'CORTEX'
            (Invoke-CortexResourceTest -Resource 'sql_schema' -Params $p).State.service | Should -BeExactly 'absent'
            $r = Invoke-CortexResourceSet -Resource 'sql_schema' -Params $p
            $r.Error.message | Should -BeExactly 'sql_schema: SQL Server instance CORTEX is not installed on this host (no service MSSQL$CORTEX)'
        }
        It 'Test: a connection error is the step error' {
            Register-Sql
            Mock Get-CortexSqlSchemaRecord { throw 'Login failed for user ''CORP\svc-cortex''.' }
            (Invoke-CortexResourceTest -Resource 'sql_schema' -Params $global:SqlParams).StepError | Should -BeExactly 'Login failed for user ''CORP\svc-cortex''.'
        }
    }

    Context 'lib.sql' {
        It 'Split-CortexSqlBatch: GO alone on a line (any case, comment) ends a batch; GO inside a line does not' {
            $b = Split-CortexSqlBatch -Text "SELECT 'GO'`nGO`n  go  `nSELECT 2 -- GO`nGO -- end`n`nGO`nSELECT 3"
            $b.Count | Should -Be 3
            $b[0] | Should -BeExactly "SELECT 'GO'"
            $b[1] | Should -BeExactly 'SELECT 2 -- GO'
            $b[2] | Should -BeExactly 'SELECT 3'
        }
        It 'Split-CortexSqlBatch: GO <count> is refused with its line' {
            { Split-CortexSqlBatch -Text "SELECT 1`nGO 5" } | Should -Throw 'sql_schema: line 2 repeats a batch (GO <count>), which cortex-deploy does not run; write the batch out'
        }
        It 'Compare-CortexSchemaVersion: numeric parts, missing parts 0' {
            Compare-CortexSchemaVersion -Left '1.10.0' -Right '1.9.0' | Should -Be 1
            Compare-CortexSchemaVersion -Left '1.0' -Right '1.0.0' | Should -Be 0
            Compare-CortexSchemaVersion -Left '1.0.0' -Right '1.0.1' | Should -Be -1
        }
        It 'Get-CortexSqlConnectionString: the local default or named instance with Integrated Security' {
            Get-CortexSqlConnectionString -Instance 'MSSQLSERVER' -Database 'master' | Should -BeExactly 'Data Source=.;Initial Catalog=master;Integrated Security=SSPI;Connect Timeout=15;Application Name=cortex-deploy'
            Get-CortexSqlConnectionString -Instance 'CORTEX' -Database 'Cortex' | Should -Match '^Data Source=\.\\CORTEX;Initial Catalog=Cortex;'
        }
        It 'ConvertTo-CortexSqlIdentifier: brackets, ] doubled' {
            ConvertTo-CortexSqlIdentifier -Name 'a]b' | Should -BeExactly '[a]]b]'
        }
    }
}
