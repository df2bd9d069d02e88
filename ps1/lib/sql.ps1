# cortex-script: lib.sql
# What the sql_schema resource needs besides the SQL Server seams of windows.ps1 (src/resources/sql-schema.ts,
# docs/database.md): the instance's service and data source, batches split on GO, versions compared as
# numbers. Plain PowerShell: no Windows call here.

function Get-CortexSqlServiceName {
    # MSSQLSERVER for the default instance, MSSQL$NAME for a named one.
    param([Parameter(Mandatory = $true)][string]$Instance)
    if ($Instance -eq 'MSSQLSERVER') { return 'MSSQLSERVER' }
    'MSSQL$' + $Instance
}

function Get-CortexSqlConnectionString {
    # The local instance ('.' or '.\NAME') with the deploy account's Windows login (Integrated Security).
    param([Parameter(Mandatory = $true)][string]$Instance, [Parameter(Mandatory = $true)][string]$Database, [int]$ConnectTimeoutSec = 15)
    $source = '.'
    if ($Instance -ne 'MSSQLSERVER') { $source = '.\' + $Instance }
    'Data Source={0};Initial Catalog={1};Integrated Security=SSPI;Connect Timeout={2};Application Name=cortex-deploy' -f $source, $Database, $ConnectTimeoutSec
}

function ConvertTo-CortexSqlIdentifier {
    # A name as a bracketed T-SQL identifier (] doubled).
    param([Parameter(Mandatory = $true)][string]$Name)
    '[' + $Name.Replace(']', ']]') + ']'
}

function Split-CortexSqlBatch {
    # A script's batches: GO alone on a line (any case, blanks and a -- comment around it) ends one, as
    # sqlcmd reads it. Blank batches are dropped. `GO <count>` (repeat) is refused rather than run once.
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string]$Text)
    $batches = New-Object System.Collections.Generic.List[string]
    $current = New-Object System.Text.StringBuilder
    $lineNumber = 0
    foreach ($line in ($Text -split '\r?\n')) {
        $lineNumber++
        if ($line -match '^\s*GO\s*(--.*)?$') {
            $batch = $current.ToString()
            if ($batch.Trim()) { $batches.Add($batch.TrimEnd()) }
            $null = $current.Clear()
            continue
        }
        if ($line -match '^\s*GO\s+\d+\s*(--.*)?$') { throw ('sql_schema: line {0} repeats a batch (GO <count>), which cortex-deploy does not run; write the batch out' -f $lineNumber) }
        $null = $current.AppendLine($line)
    }
    $last = $current.ToString()
    if ($last.Trim()) { $batches.Add($last.TrimEnd()) }
    , $batches.ToArray()
}

function Compare-CortexSchemaVersion {
    # -1, 0 or 1: dotted versions part by part as numbers (1.10.0 is after 1.9.0); missing parts are 0.
    param([Parameter(Mandatory = $true)][string]$Left, [Parameter(Mandatory = $true)][string]$Right)
    $a = @($Left.Split('.') | ForEach-Object { [long]$_ })
    $b = @($Right.Split('.') | ForEach-Object { [long]$_ })
    $n = [math]::Max($a.Count, $b.Count)
    for ($i = 0; $i -lt $n; $i++) {
        $x = 0
        $y = 0
        if ($i -lt $a.Count) { $x = $a[$i] }
        if ($i -lt $b.Count) { $y = $b[$i] }
        if ($x -lt $y) { return -1 }
        if ($x -gt $y) { return 1 }
    }
    0
}

function Get-CortexSqlHighestVersion {
    # The highest of the recorded versions, or $null when none is.
    param([AllowEmptyCollection()][string[]]$Version = @())
    $highest = $null
    foreach ($v in @($Version)) {
        if ($null -eq $highest -or (Compare-CortexSchemaVersion -Left $v -Right $highest) -gt 0) { $highest = $v }
    }
    $highest
}

function Get-CortexSqlSchemaState {
    # The sql_schema Test: {service: absent | the state lower-cased, databaseExists, version}; the database
    # is asked only when the service runs.
    param([Parameter(Mandatory = $true)][string]$Instance, [Parameter(Mandatory = $true)][string]$Database, [int]$TimeoutSec = 30)
    $name = Get-CortexSqlServiceName -Instance $Instance
    $service = @(Get-Service -Name $name -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq $name }) | Select-Object -First 1
    if ($null -eq $service) { return [ordered]@{ service = 'absent'; databaseExists = $null; version = $null } }
    $state = ($service.Status.ToString() -creplace '(?<=[a-z])([A-Z])', '_$1').ToLowerInvariant()
    if ($state -ne 'running') { return [ordered]@{ service = $state; databaseExists = $null; version = $null } }
    $record = Get-CortexSqlSchemaRecord -Instance $Instance -Database $Database -TimeoutSec $TimeoutSec
    [ordered]@{ service = $state; databaseExists = [bool]$record.databaseExists; version = Get-CortexSqlHighestVersion -Version ([string[]]@($record.versions)) }
}
