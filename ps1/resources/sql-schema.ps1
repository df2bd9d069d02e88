# cortex-script: resources.sql-schema
# Set of the sql_schema resource (src/resources/sql-schema.ts, docs/database.md): on a running local
# instance, creates the database when missing, then runs the script (batches split on GO lines) and
# records its version in dbo.CortexSchemaVersion, in one transaction. Refused: an instance that is not
# installed or not running, a script that is not there, and a database already at a newer version.
#   params: {instance, database, version, script, timeoutSec?}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $instance = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'sql_schema' -Name 'instance' -Default 'MSSQLSERVER')
    $database = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'sql_schema' -Name 'database' -Required)
    $version = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'sql_schema' -Name 'version' -Required)
    $scriptPath = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'sql_schema' -Name 'script' -Required)
    $timeout = [int](Get-CortexResourceParam -Params $CortexParams -Resource 'sql_schema' -Name 'timeoutSec' -Default 600)
    if ($version -notmatch '^\d{1,9}(\.\d{1,9}){1,3}$') { throw ('sql_schema: parameter version must be a dotted version like 1.0.0, not {0}' -f $version) }

    $state = Get-CortexSqlSchemaState -Instance $instance -Database $database -TimeoutSec $timeout
    $service = Get-CortexSqlServiceName -Instance $instance
    if ($state.service -eq 'absent') { throw ('sql_schema: SQL Server instance {0} is not installed on this host (no service {1})' -f $instance, $service) }
    if ($state.service -ne 'running') { throw ('sql_schema: SQL Server instance {0} is not running (service {1} is {2}); start it and run again' -f $instance, $service, $state.service) }
    if ($null -ne $state.version) {
        $order = Compare-CortexSchemaVersion -Left $state.version -Right $version
        if ($order -eq 0) { return (New-CortexSetResult -Message ('{0} is already at schema version {1}' -f $database, $version)) }
        if ($order -gt 0) { throw ('sql_schema: database {0} is at schema version {1}, newer than {2}: a downgrade is refused' -f $database, $state.version, $version) }
    }
    if (-not (Test-Path -LiteralPath $scriptPath -PathType Leaf)) { throw ('sql_schema: the script {0} does not exist; stage it in an earlier step' -f $scriptPath) }
    $sha = (Get-FileHash -LiteralPath $scriptPath -Algorithm SHA256).Hash.ToLowerInvariant()
    $batches = Split-CortexSqlBatch -Text (Read-CortexTextFile -Path $scriptPath)
    if ($batches.Count -eq 0) { throw ('sql_schema: the script {0} holds no SQL' -f $scriptPath) }
    $change = @{ Instance = $instance; Database = $database; Batch = $batches; Version = $version; ScriptName = (Split-Path -Path $scriptPath -Leaf); ScriptSha256 = $sha; TimeoutSec = $timeout }
    Invoke-CortexSqlSchemaScript @change
    $from = 'a new database'
    if ($state.databaseExists) { $from = 'no recorded version' }
    if ($null -ne $state.version) { $from = 'version ' + $state.version }
    New-CortexSetResult -Message ('{0}: schema version {1} from {2} ({3} batches)' -f $database, $version, $from, $batches.Count)
}
