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
# Built on them: Get-CortexRegistryValue, Get-CortexRegistryValueName, Test-CortexRegistryKey,
# Get-CortexRegistryValueBothViews.
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
