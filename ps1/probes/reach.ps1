# cortex-script: probes.reach
# Cross-host reachability from this host, in one round trip: for each target, does its name resolve,
# and can a TCP connection reach each port. All connection attempts run at once and share one deadline.
# Parameters: targets [{name, address, ports[]}], timeoutMs. Read-only: it opens and closes sockets.
# States: open (connected), closed (refused: the path is open, nothing listens), filtered (no answer
# before the deadline), error (another socket error). src/preflight/rules/reach.ts judges them.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $targets = @(Get-CortexParam -Name 'targets' -Default @())
    $timeoutMs = [int](Get-CortexParam -Name 'timeoutMs' -Default 2000)

    $attempts = New-Object System.Collections.Generic.List[object]
    $tasks = New-Object System.Collections.Generic.List[System.Threading.Tasks.Task]
    $results = New-Object System.Collections.Generic.List[object]

    foreach ($t in $targets) {
        $resolved = New-Object System.Collections.Generic.List[string]
        $resolveError = $null
        try {
            foreach ($ip in [System.Net.Dns]::GetHostAddresses([string]$t.name)) {
                if ($ip.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetwork) { $resolved.Add($ip.IPAddressToString) }
            }
        } catch {
            # The .NET exception (e.g. "No such host is known") is wrapped in a MethodInvocationException.
            $resolveError = $_.Exception.Message
            if ($null -ne $_.Exception.InnerException) { $resolveError = $_.Exception.InnerException.Message }
        }
        $entry = [ordered]@{ name = [string]$t.name; address = [string]$t.address; resolved = $resolved; resolveError = $resolveError; ports = (New-Object System.Collections.Generic.List[object]) }
        $results.Add($entry)
        foreach ($port in @($t.ports)) {
            $client = New-Object System.Net.Sockets.TcpClient
            $task = $client.ConnectAsync([string]$t.address, [int]$port)
            $attempts.Add([pscustomobject]@{ entry = $entry; port = [int]$port; client = $client; task = $task })
            $tasks.Add($task)
        }
    }

    if ($tasks.Count -gt 0) {
        try {
            $null = [System.Threading.Tasks.Task]::WhenAll($tasks.ToArray()).Wait($timeoutMs)
        } catch {
            # Faulted attempts (refused, unreachable) are read one by one below.
            $null = $_
        }
    }

    foreach ($a in $attempts) {
        $state = 'filtered'
        if ($a.task.IsCompleted) {
            if ($a.task.Status -eq [System.Threading.Tasks.TaskStatus]::RanToCompletion) {
                $state = 'open'
            } else {
                $state = 'error'
                $inner = $null
                if ($null -ne $a.task.Exception) { $inner = $a.task.Exception.GetBaseException() }
                if ($inner -is [System.Net.Sockets.SocketException]) {
                    switch ($inner.SocketErrorCode.ToString()) {
                        'ConnectionRefused' { $state = 'closed' }
                        'TimedOut' { $state = 'filtered' }
                        default { $state = 'error' }
                    }
                }
            }
        }
        $a.client.Close()
        $a.entry.ports.Add([ordered]@{ port = $a.port; state = $state })
    }

    $out = New-Object System.Collections.Generic.List[object]
    foreach ($r in $results) {
        $out.Add([ordered]@{ name = $r.name; address = $r.address; resolved = $r.resolved.ToArray(); resolveError = $r.resolveError; ports = $r.ports.ToArray() })
    }
    [ordered]@{ targets = $out.ToArray() }
}
