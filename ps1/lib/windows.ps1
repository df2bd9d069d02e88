# cortex-script: lib.windows
# The Windows calls that are .NET static methods, named so they can be replaced: scripts call these,
# never [Microsoft.Win32.Registry*], [Environment], [System.Net.Dns] or sockets directly. Pester mocks
# them like any cmdlet, and the lab's Windows shim answers them from a simulated machine's state
# (docs/scripts.md, "Testing the scripts").
#
# The seams (what a shim implements; every other function here is built on them):
#   Open-CortexRegistryKey -SubKey -View   an HKLM key (GetValue(name, default), GetValueNames(), Close()) or $null
#   Get-CortexPowerShellVersion            the running engine's version, as text
#   Test-Cortex64BitOperatingSystem        whether Windows is 64-bit
#   Get-CortexHostName                     the host's DNS name (probes.ping)
#   Resolve-CortexHostAddress -Name        the IPv4 addresses a name resolves to; throws the resolver's message
#   Test-CortexTcpConnection -Endpoint -TimeoutMs
#                                          TCP connects to many {address, port} at once under one deadline;
#                                          one outcome each: Connected, NoAnswer, or a SocketError name
#   Get-CortexRegistryEntry -Hive -SubKey -Name -View
#                                          one value of an HKLM or HKCU key as stored: {keyExists, valueExists,
#                                          kind (RegistryValueKind name), data (REG_EXPAND_SZ not expanded)}
#   Set-CortexRegistryEntry -Hive -SubKey -Name -View -Kind -Data
#                                          writes one value (creating the key); Data as .NET stores it
#                                          (DWord an Int32, QWord an Int64, MultiString string[], Binary byte[])
#   Remove-CortexRegistryEntry -Hive -SubKey -Name -View
#                                          deletes one value; an absent key or value is not an error
#   Set-CortexMachineEnvironmentVariable -Name -Value
#                                          a machine-scope variable ($null removes it), announced to running
#                                          programs; a value with %VAR% references stays REG_EXPAND_SZ
#   New-CortexFileSystemAccessRule -Identity -Rights -Inherit -Type
#                                          a FileSystemAccessRule (its constructor resolves Windows accounts)
#   Write-CortexAsciiFile -Path -Text      writes Text as ASCII bytes exactly: no BOM, no newline (the
#                                          Erlang cookie: Out-File and Set-Content would add either)
#   Write-CortexFileBytes -Path -Bytes     writes exactly these bytes to a file (replacing it); its folder exists
#   Save-CortexPinnedDownload -Url -Token -Thumbprint -OutFile
#                                          an HTTPS GET with a bearer token from a server whose certificate has
#                                          the given SHA-256 (pinned, not trusted by the store), into OutFile
#   Get-CortexHttpJson -Uri -TimeoutSec   an HTTP GET of a local service's REST API (gobetween's), the JSON
#                                          answer parsed; throws when nothing answers or on an HTTP error
# Built on them: Get-CortexRegistryValue, Get-CortexRegistryValueName, Test-CortexRegistryKey,
# Get-CortexRegistryValueBothViews, Get-CortexMachineEnvironmentVariable.
# Everything else a script needs from Windows is a cmdlet (Get-CimInstance, Get-NetIPAddress,
# Get-NetTCPConnection, Get-Process, Test-Path, Get-Item, Get-FileHash, ...), replaced as it is.

function Open-CortexRegistryKey {
    # An HKLM key in one registry view ('64' or '32'), or $null when absent. The caller closes it.
    # The view is explicit whatever the bitness of the shell (an SSH session may start a 32-bit one).
    param([Parameter(Mandatory = $true)][string]$SubKey, [ValidateSet('64', '32')][string]$View = '64')
    $registryView = [Microsoft.Win32.RegistryView]::Registry64
    if ($View -eq '32') { $registryView = [Microsoft.Win32.RegistryView]::Registry32 }
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, $registryView)
    $base.OpenSubKey($SubKey)
}

function Get-CortexRegistryValue {
    # A value of an HKLM key in one view, or $null when the key or the value is absent.
    # REG_DWORD arrives as Int32 (0xFFFFFFFF is -1), REG_MULTI_SZ as string[].
    param([Parameter(Mandatory = $true)][string]$SubKey, [Parameter(Mandatory = $true)][string]$Name, [ValidateSet('64', '32')][string]$View = '64')
    $key = Open-CortexRegistryKey -SubKey $SubKey -View $View
    if ($null -eq $key) { return $null }
    # The comma keeps a REG_MULTI_SZ an array even with one element.
    try { , $key.GetValue($Name, $null) } finally { $key.Close() }
}

function Get-CortexRegistryValueName {
    # The value names of an HKLM key in one view (an empty array for a key without values), or $null when the key is absent.
    param([Parameter(Mandatory = $true)][string]$SubKey, [ValidateSet('64', '32')][string]$View = '64')
    $key = Open-CortexRegistryKey -SubKey $SubKey -View $View
    if ($null -eq $key) { return $null }
    try { , [string[]]@($key.GetValueNames()) } finally { $key.Close() }
}

function Test-CortexRegistryKey {
    # Whether an HKLM key exists in one view.
    param([Parameter(Mandatory = $true)][string]$SubKey, [ValidateSet('64', '32')][string]$View = '64')
    $key = Open-CortexRegistryKey -SubKey $SubKey -View $View
    if ($null -eq $key) { return $false }
    $key.Close()
    $true
}

function Get-CortexRegistryValueBothViews {
    # The 64-bit view's value, else the 32-bit view's (WOW6432Node), else $null: 32-bit installers register there.
    param([Parameter(Mandatory = $true)][string]$SubKey, [Parameter(Mandatory = $true)][string]$Name)
    $value = Get-CortexRegistryValue -SubKey $SubKey -Name $Name -View '64'
    if ($null -eq $value) { $value = Get-CortexRegistryValue -SubKey $SubKey -Name $Name -View '32' }
    , $value
}

function Get-CortexPowerShellVersion {
    # The running engine's version as text ($PSVersionTable cannot be replaced in a test).
    $PSVersionTable.PSVersion.ToString()
}

function Test-Cortex64BitOperatingSystem {
    # Whether Windows itself is 64-bit (also true in a 32-bit shell on a 64-bit OS).
    [Environment]::Is64BitOperatingSystem
}

function Get-CortexHostName {
    # The host's DNS host name (not the NetBIOS $env:COMPUTERNAME, which is upper case and 15 characters at most).
    [System.Net.Dns]::GetHostName()
}

function Resolve-CortexHostAddress {
    # The IPv4 addresses a name resolves to (hosts file and DNS, as every program on the host sees them).
    # Throws the resolver's own message ("No such host is known") when it does not resolve.
    param([Parameter(Mandatory = $true)][string]$Name)
    try {
        $addresses = [System.Net.Dns]::GetHostAddresses($Name)
    } catch {
        # PowerShell wraps the .NET exception in a MethodInvocationException; its message is the one to report.
        $inner = $_.Exception
        if ($null -ne $inner.InnerException) { $inner = $inner.InnerException }
        throw (New-Object System.InvalidOperationException ($inner.Message))
    }
    $ipv4 = New-Object System.Collections.Generic.List[string]
    foreach ($ip in $addresses) {
        if ($ip.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetwork) { $ipv4.Add($ip.IPAddressToString) }
    }
    , $ipv4.ToArray()
}

function Test-CortexTcpConnection {
    # TCP connects to every endpoint ({address, port}) at once; all share one deadline of TimeoutMs.
    # One outcome per endpoint, in order: [pscustomobject]@{ address; port; outcome } where outcome is
    # 'Connected', 'NoAnswer' (still waiting at the deadline), a SocketError name ('ConnectionRefused',
    # 'TimedOut', 'HostUnreachable', ...) or 'Failed' (any other exception). Each socket is closed.
    param([Parameter(Mandatory = $true)][AllowEmptyCollection()][object[]]$Endpoint, [Parameter(Mandatory = $true)][int]$TimeoutMs)
    $attempts = New-Object System.Collections.Generic.List[object]
    $tasks = New-Object System.Collections.Generic.List[System.Threading.Tasks.Task]
    foreach ($e in $Endpoint) {
        $client = New-Object System.Net.Sockets.TcpClient
        $task = $client.ConnectAsync([string]$e.address, [int]$e.port)
        $attempts.Add([pscustomobject]@{ address = [string]$e.address; port = [int]$e.port; client = $client; task = $task })
        $tasks.Add($task)
    }
    if ($tasks.Count -gt 0) {
        try {
            $null = [System.Threading.Tasks.Task]::WhenAll($tasks.ToArray()).Wait($TimeoutMs)
        } catch {
            # Faulted attempts (refused, unreachable) are read one by one below.
            $null = $_
        }
    }
    $outcomes = New-Object System.Collections.Generic.List[object]
    foreach ($a in $attempts) {
        $outcome = 'NoAnswer'
        if ($a.task.IsCompleted) {
            if ($a.task.Status -eq [System.Threading.Tasks.TaskStatus]::RanToCompletion) {
                $outcome = 'Connected'
            } else {
                $outcome = 'Failed'
                $inner = $null
                if ($null -ne $a.task.Exception) { $inner = $a.task.Exception.GetBaseException() }
                if ($inner -is [System.Net.Sockets.SocketException]) { $outcome = $inner.SocketErrorCode.ToString() }
            }
        }
        $a.client.Close()
        $outcomes.Add([pscustomobject]@{ address = $a.address; port = $a.port; outcome = $outcome })
    }
    , $outcomes.ToArray()
}

function Open-CortexRegistryBaseKey {
    # The root of a hive in one view; not a seam (the seams below are what a shim replaces).
    param([ValidateSet('LocalMachine', 'CurrentUser')][string]$Hive, [ValidateSet('64', '32')][string]$View)
    $registryView = [Microsoft.Win32.RegistryView]::Registry64
    if ($View -eq '32') { $registryView = [Microsoft.Win32.RegistryView]::Registry32 }
    $registryHive = [Microsoft.Win32.RegistryHive]::LocalMachine
    if ($Hive -eq 'CurrentUser') { $registryHive = [Microsoft.Win32.RegistryHive]::CurrentUser }
    [Microsoft.Win32.RegistryKey]::OpenBaseKey($registryHive, $registryView)
}

function Get-CortexRegistryEntry {
    # One value as stored: its kind by name (String, ExpandString, DWord, QWord, MultiString, Binary, ...)
    # and its data unexpanded (a REG_EXPAND_SZ compares as written, %SystemRoot% and all).
    # DWord arrives as Int32 and QWord as Int64 (negative above 0x7FFFFFFF...), as .NET reads them.
    param(
        [ValidateSet('LocalMachine', 'CurrentUser')][string]$Hive = 'LocalMachine',
        [Parameter(Mandatory = $true)][string]$SubKey,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Name,
        [ValidateSet('64', '32')][string]$View = '64'
    )
    $entry = [pscustomobject]@{ keyExists = $false; valueExists = $false; kind = $null; data = $null }
    $key = (Open-CortexRegistryBaseKey -Hive $Hive -View $View).OpenSubKey($SubKey)
    if ($null -eq $key) { return $entry }
    try {
        $entry.keyExists = $true
        if (@($key.GetValueNames()) -contains $Name) {
            $entry.valueExists = $true
            $entry.kind = $key.GetValueKind($Name).ToString()
            $entry.data = $key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
        }
    } finally { $key.Close() }
    $entry
}

function Set-CortexRegistryEntry {
    # Writes one value, creating the key (and its parents) when missing.
    param(
        [ValidateSet('LocalMachine', 'CurrentUser')][string]$Hive = 'LocalMachine',
        [Parameter(Mandatory = $true)][string]$SubKey,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Name,
        [ValidateSet('64', '32')][string]$View = '64',
        [Parameter(Mandatory = $true)][ValidateSet('String', 'ExpandString', 'DWord', 'QWord', 'MultiString', 'Binary')][string]$Kind,
        [Parameter(Mandatory = $true)][AllowEmptyString()][AllowEmptyCollection()]$Data
    )
    $key = (Open-CortexRegistryBaseKey -Hive $Hive -View $View).CreateSubKey($SubKey)
    try { $key.SetValue($Name, $Data, [Microsoft.Win32.RegistryValueKind]$Kind) } finally { $key.Close() }
}

function Remove-CortexRegistryEntry {
    # Deletes one value; an absent key or value is already the wanted state.
    param(
        [ValidateSet('LocalMachine', 'CurrentUser')][string]$Hive = 'LocalMachine',
        [Parameter(Mandatory = $true)][string]$SubKey,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Name,
        [ValidateSet('64', '32')][string]$View = '64'
    )
    $key = (Open-CortexRegistryBaseKey -Hive $Hive -View $View).OpenSubKey($SubKey, $true)
    if ($null -eq $key) { return }
    try { $key.DeleteValue($Name, $false) } finally { $key.Close() }
}

function Get-CortexMachineEnvironmentVariable {
    # A machine-scope variable as stored (unexpanded), or $null. Built on Get-CortexRegistryEntry:
    # [Environment]::GetEnvironmentVariable(..., 'Machine') expands %VAR% references, so a PATH would never compare equal.
    param([Parameter(Mandatory = $true)][string]$Name)
    $entry = Get-CortexRegistryEntry -SubKey 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment' -Name $Name
    if (-not $entry.valueExists) { return $null }
    [string]$entry.data
}

function Set-CortexMachineEnvironmentVariable {
    # Sets (or with $null removes) a machine-scope variable through [Environment], which also announces the
    # change to running programs (WM_SETTINGCHANGE). [Environment] writes REG_SZ; a value with %VAR%
    # references is rewritten as REG_EXPAND_SZ so Windows keeps expanding it. The current process's
    # $env: is the caller's business.
    param([Parameter(Mandatory = $true)][string]$Name, [AllowNull()][AllowEmptyString()][string]$Value)
    if ($null -eq $Value -or $Value -eq '') { $Value = $null }
    [Environment]::SetEnvironmentVariable($Name, $Value, [EnvironmentVariableTarget]::Machine)
    if ($null -ne $Value -and $Value -match '%[^%]+%') {
        $key = (Open-CortexRegistryBaseKey -Hive 'LocalMachine' -View '64').OpenSubKey('SYSTEM\CurrentControlSet\Control\Session Manager\Environment', $true)
        try { $key.SetValue($Name, $Value, [Microsoft.Win32.RegistryValueKind]::ExpandString) } finally { $key.Close() }
    }
}

function Write-CortexFileBytes {
    # Exactly these bytes: Set-Content and Out-File in 5.1 add a BOM or a newline and use the ANSI code page.
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][AllowEmptyCollection()][byte[]]$Bytes)
    [System.IO.File]::WriteAllBytes($Path, $Bytes)
}

function New-CortexFileSystemAccessRule {
    # An allow or deny rule for a file or folder; Inherit: to subfolders and files (container and object inherit).
    param(
        [Parameter(Mandatory = $true)][string]$Identity,
        [Parameter(Mandatory = $true)][string]$Rights,
        [bool]$Inherit = $true,
        [ValidateSet('allow', 'deny')][string]$Type = 'allow'
    )
    $flags = [System.Security.AccessControl.InheritanceFlags]::None
    if ($Inherit) { $flags = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit' }
    $control = [System.Security.AccessControl.AccessControlType]::Allow
    if ($Type -eq 'deny') { $control = [System.Security.AccessControl.AccessControlType]::Deny }
    New-Object System.Security.AccessControl.FileSystemAccessRule($Identity, [System.Security.AccessControl.FileSystemRights]$Rights, $flags, [System.Security.AccessControl.PropagationFlags]::None, $control)
}

# ---- SQL Server and text files (sql_schema, docs/database.md): seams over System.Data.SqlClient and [IO.File] ----

function Read-CortexTextFile {
    # A text file's content: UTF-8 unless a BOM says otherwise (UTF-16 or UTF-8 with a BOM), as sqlcmd reads scripts.
    param([Parameter(Mandatory = $true)][string]$Path)
    [System.IO.File]::ReadAllText($Path, (New-Object System.Text.UTF8Encoding $false))
}

function Get-CortexSqlSchemaRecord {
    # Whether a database exists on a local instance, and the versions recorded in its
    # dbo.CortexSchemaVersion (none without the table): {databaseExists, versions}. Integrated Security.
    param([Parameter(Mandatory = $true)][string]$Instance, [Parameter(Mandatory = $true)][string]$Database, [int]$TimeoutSec = 30)
    $connection = New-Object System.Data.SqlClient.SqlConnection (Get-CortexSqlConnectionString -Instance $Instance -Database 'master')
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandTimeout = $TimeoutSec
        $command.CommandText = 'SELECT DB_ID(@name)'
        $null = $command.Parameters.AddWithValue('@name', $Database)
        $id = $command.ExecuteScalar()
        if ($null -eq $id -or $id -is [System.DBNull]) { return [pscustomobject]@{ databaseExists = $false; versions = [string[]]@() } }
        $db = ConvertTo-CortexSqlIdentifier -Name $Database
        $command.Parameters.Clear()
        $command.CommandText = "IF OBJECT_ID(N'$db.dbo.CortexSchemaVersion', N'U') IS NOT NULL SELECT Version FROM $db.dbo.CortexSchemaVersion"
        $versions = New-Object System.Collections.Generic.List[string]
        $reader = $command.ExecuteReader()
        try { while ($reader.Read()) { $versions.Add([string]$reader.GetValue(0)) } } finally { $reader.Close() }
        [pscustomobject]@{ databaseExists = $true; versions = $versions.ToArray() }
    } finally { $connection.Dispose() }
}

function Invoke-CortexSqlSchemaScript {
    # Creates the database when missing (CREATE DATABASE cannot run in a transaction), then in one
    # transaction: dbo.CortexSchemaVersion when missing, each batch, and the version's row. Any error rolls
    # it all back and names the batch (1-based).
    param(
        [Parameter(Mandatory = $true)][string]$Instance,
        [Parameter(Mandatory = $true)][string]$Database,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][string[]]$Batch,
        [Parameter(Mandatory = $true)][string]$Version,
        [Parameter(Mandatory = $true)][string]$ScriptName,
        [Parameter(Mandatory = $true)][string]$ScriptSha256,
        [int]$TimeoutSec = 600
    )
    $db = ConvertTo-CortexSqlIdentifier -Name $Database
    $master = New-Object System.Data.SqlClient.SqlConnection (Get-CortexSqlConnectionString -Instance $Instance -Database 'master')
    try {
        $master.Open()
        $create = $master.CreateCommand()
        $create.CommandTimeout = $TimeoutSec
        $create.CommandText = "IF DB_ID(@name) IS NULL CREATE DATABASE $db"
        $null = $create.Parameters.AddWithValue('@name', $Database)
        $null = $create.ExecuteNonQuery()
    } finally { $master.Dispose() }
    $connection = New-Object System.Data.SqlClient.SqlConnection (Get-CortexSqlConnectionString -Instance $Instance -Database $Database)
    try {
        $connection.Open()
        $transaction = $connection.BeginTransaction()
        $command = $connection.CreateCommand()
        $command.Transaction = $transaction
        $command.CommandTimeout = $TimeoutSec
        $what = 'creating dbo.CortexSchemaVersion'
        try {
            $command.CommandText = "IF OBJECT_ID(N'dbo.CortexSchemaVersion', N'U') IS NULL CREATE TABLE dbo.CortexSchemaVersion (Version nvarchar(32) NOT NULL PRIMARY KEY, AppliedAtUtc datetime2 NOT NULL, Script nvarchar(260) NOT NULL, ScriptSha256 char(64) NOT NULL, AppliedBy nvarchar(128) NOT NULL)"
            $null = $command.ExecuteNonQuery()
            for ($i = 0; $i -lt $Batch.Count; $i++) {
                $what = 'batch {0} of {1}' -f ($i + 1), $Batch.Count
                $command.CommandText = $Batch[$i]
                $null = $command.ExecuteNonQuery()
            }
            $what = 'recording the version'
            $command.CommandText = 'INSERT dbo.CortexSchemaVersion (Version, AppliedAtUtc, Script, ScriptSha256, AppliedBy) VALUES (@version, SYSUTCDATETIME(), @script, @sha, SUSER_SNAME())'
            $null = $command.Parameters.AddWithValue('@version', $Version)
            $null = $command.Parameters.AddWithValue('@script', $ScriptName)
            $null = $command.Parameters.AddWithValue('@sha', $ScriptSha256)
            $null = $command.ExecuteNonQuery()
            $transaction.Commit()
        } catch {
            $transaction.Rollback()
            throw (New-Object System.InvalidOperationException ('{0} failed and nothing was kept: {1}' -f $what, (Get-CortexExceptionMessage $_.Exception)))
        }
    } finally { $connection.Dispose() }
}

function Write-CortexAsciiFile {
    # The file holds exactly Text's ASCII bytes: [IO.File]::WriteAllText with the ASCII encoding writes no
    # BOM and no newline (PowerShell 5.1's Out-File writes UTF-16 with a BOM, Set-Content appends CRLF).
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Text)
    [IO.File]::WriteAllText($Path, $Text, [Text.Encoding]::ASCII)
}

function Save-CortexPinnedDownload {
    # An HTTPS GET of Url with "Authorization: Bearer <Token>", written to OutFile; returns the bytes written.
    # The server (apply's artifact pull server, docs/artifacts.md) has a certificate made for the run that no
    # store trusts: it is accepted only when the SHA-256 of its DER bytes is Thumbprint, and nothing else is
    # checked. The callback is compiled C#: a script block as a .NET callback can run on a thread without a
    # runspace. The token is never part of a message.
    param(
        [Parameter(Mandatory = $true)][string]$Url,
        [Parameter(Mandatory = $true)][string]$Token,
        [Parameter(Mandatory = $true)][string]$Thumbprint,
        [Parameter(Mandatory = $true)][string]$OutFile,
        [int]$TimeoutMs = 1800000
    )
    if (-not ('CortexPinnedCertificate' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
public static class CortexPinnedCertificate {
    public static string Sha256(X509Certificate cert) {
        using (SHA256 h = SHA256.Create()) { return BitConverter.ToString(h.ComputeHash(cert.GetRawCertData())).Replace("-", "").ToLowerInvariant(); }
    }
    public static RemoteCertificateValidationCallback For(string sha256) {
        string pin = sha256.ToLowerInvariant();
        return delegate(object sender, X509Certificate cert, X509Chain chain, SslPolicyErrors errors) {
            return cert != null && Sha256(cert) == pin;
        };
    }
}
'@
    }
    # 5.1 on older Windows offers TLS 1.0 only unless asked; the pull server requires 1.2.
    [System.Net.ServicePointManager]::SecurityProtocol = [System.Net.ServicePointManager]::SecurityProtocol -bor [System.Net.SecurityProtocolType]::Tls12
    $request = [System.Net.HttpWebRequest]::Create($Url)
    $request.Method = 'GET'
    $request.AllowAutoRedirect = $false
    $request.Timeout = $TimeoutMs
    $request.ReadWriteTimeout = $TimeoutMs
    $request.Headers.Add('Authorization', ('Bearer {0}' -f $Token))
    $request.ServerCertificateValidationCallback = [CortexPinnedCertificate]::For($Thumbprint)
    try {
        $response = $request.GetResponse()
    } catch {
        $ex = $_.Exception
        while ($null -ne $ex.InnerException -and -not ($ex -is [System.Net.WebException])) { $ex = $ex.InnerException }
        if ($ex -is [System.Net.WebException] -and $null -ne $ex.Response) {
            $code = [int]$ex.Response.StatusCode
            $ex.Response.Close()
            throw (New-Object System.InvalidOperationException ('the pull server answered HTTP {0} for {1}' -f $code, $Url))
        }
        $inner = $_.Exception
        while ($null -ne $inner.InnerException) { $inner = $inner.InnerException }
        throw (New-Object System.InvalidOperationException ('cannot download {0}: {1} (the server must present the certificate with SHA-256 {2})' -f $Url, $inner.Message, $Thumbprint))
    }
    try {
        $in = $response.GetResponseStream()
        $out = [System.IO.File]::Create($OutFile)
        try {
            $in.CopyTo($out)
            $out.Length
        } finally {
            $out.Dispose()
            $in.Dispose()
        }
    } finally {
        $response.Close()
    }
}

function Get-CortexHttpJson {
    # A GET of a REST API on this host's loopback (gobetween's, lib/gobetween.ps1), its JSON answer as
    # objects. Throws as Invoke-RestMethod does: nothing listening, a timeout, an HTTP error status.
    param([Parameter(Mandatory = $true)][string]$Uri, [int]$TimeoutSec = 5)
    Invoke-RestMethod -Method Get -UseBasicParsing -TimeoutSec $TimeoutSec -Uri $Uri
}
