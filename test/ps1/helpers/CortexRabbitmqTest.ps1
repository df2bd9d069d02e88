# A RabbitMQ node as data, and a Mock of Invoke-CortexNative that answers its CLI tools
# (rabbitmqctl.bat, rabbitmq-plugins.bat) from it, for the Tests and Sets of rabbitmq_plugin,
# rabbitmq_cluster and rabbitmq_config. The JSON shapes are those of `--formatter json`.
#   BeforeAll { . (Join-Path $PSScriptRoot '../helpers/CortexRabbitmqTest.ps1') }
#   BeforeEach { $n = New-CortexTestRabbitmq; Register-CortexTestRabbitmq $n }
# $global:CortexTestRabbitmqCalls records each call: {tool, arguments (without -q), input}.

. (Join-Path $PSScriptRoot 'CortexResourceTest.ps1')

$global:CortexTestRabbitmqSbin = 'C:\Program Files\RabbitMQ Server\rabbitmq_server-4.1.4\sbin'

function New-CortexTestRabbitmq {
    # A fresh, running, unclustered RabbitMQ 4.1.4 node rabbit@app02, as installed.
    [ordered]@{
        Installed   = $true
        Version     = '4.1.4'
        NodeName    = 'rabbit@app02'
        Running     = $true
        Members     = [System.Collections.Generic.List[string]]@('rabbit@app02')
        RunningNodes = [System.Collections.Generic.List[string]]@('rabbit@app02')
        # Seeds the node can reach (join_cluster to any other fails as RabbitMQ does).
        ReachableSeeds = @('rabbit@app01')
        Plugins     = [System.Collections.Generic.List[string]]@()
        FlagsDisabled = [System.Collections.Generic.List[string]]@()
        Vhosts      = [ordered]@{ '/' = 'classic' }
        Users       = [ordered]@{ guest = @('administrator') }
        Passwords   = @{}
        Permissions = [ordered]@{ '/|guest' = @('.*', '.*', '.*') }
        Policies    = [ordered]@{}
    }
}

function Register-CortexTestRabbitmq {
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Node)
    $m = New-CortexTestMachine
    $uninstall = 'SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\RabbitMQ'
    if ($Node.Installed) {
        $m.Registry['32'][$uninstall] = [ordered]@{ DisplayName = ('RabbitMQ Server {0}' -f $Node.Version); DisplayVersion = $Node.Version; UninstallString = '"C:\Program Files\RabbitMQ Server\uninstall.exe"' }
    }
    $m.Registry['64']['SYSTEM\CurrentControlSet\Control\Session Manager\Environment'] = [ordered]@{ RABBITMQ_NODENAME = $Node.NodeName; RABBITMQ_BASE = 'C:\ProgramData\RabbitMQ'; ERLANG_HOME = 'C:\Program Files\Erlang OTP' }
    Register-CortexTestRegistryMock $m
    $global:CortexTestRabbitmq = $Node
    $global:CortexTestRabbitmqCalls = New-Object System.Collections.Generic.List[object]
    $global:CortexTestRabbitmqSbin = 'C:\Program Files\RabbitMQ Server\rabbitmq_server-{0}\sbin' -f $Node.Version
    Mock Invoke-CortexNative {
        $r = Invoke-CortexTestRabbitmqCli -FilePath $FilePath -Arguments @($ArgumentList) -InputText $InputText
        if ($SuccessCodes -notcontains $r.exitCode) { throw ('{0} exited with code {1}: {2}' -f $FilePath, $r.exitCode, ((@($r.output) + @($r.errorOutput)) -join "`n")) }
        $r
    }
}

function New-CortexTestRun([int]$Code = 0, $Output = @(), $ErrorOutput = @()) {
    [pscustomobject]@{ exitCode = $Code; output = @($Output); errorOutput = @($ErrorOutput) }
}

function ConvertTo-CortexTestJson($Value) { New-CortexTestRun -Output @((ConvertTo-Json -InputObject $Value -Depth 6 -Compress)) }

function Invoke-CortexTestRabbitmqCli {
    param([string]$FilePath, [string[]]$Arguments, [string]$InputText)
    $n = $global:CortexTestRabbitmq
    $tool = [IO.Path]::GetFileNameWithoutExtension(($FilePath -split '\\')[-1])
    $sbin = $FilePath.Substring(0, $FilePath.LastIndexOf('\'))
    if ($sbin -ne $global:CortexTestRabbitmqSbin) { throw "the CLI was called from $sbin, not from sbin" }
    if ($Arguments[0] -ne '-q') { throw 'the CLI was called without -q' }
    $a = @($Arguments | Select-Object -Skip 1)
    $global:CortexTestRabbitmqCalls.Add([pscustomobject]@{ tool = $tool; arguments = $a; input = $InputText })
    if ($tool -eq 'rabbitmq-plugins') {
        switch ($a[0]) {
            'list' { return ConvertTo-CortexTestJson @{ status = 'running'; plugins = @(@('rabbitmq_management', 'rabbitmq_management_agent', 'rabbitmq_prometheus') | ForEach-Object { $state = 'not_enabled'; if ($n.Plugins -contains $_) { $state = 'enabled' } elseif ($_ -eq 'rabbitmq_management_agent' -and $n.Plugins -contains 'rabbitmq_management') { $state = 'implicit' }; [ordered]@{ name = $_; enabled = $state; running = $n.Running -and $state -ne 'not_enabled'; version = $n.Version } }) } }
            'enable' { $n.Plugins.Add($a[1]); return New-CortexTestRun }
            'disable' { $null = $n.Plugins.Remove($a[1]); return New-CortexTestRun }
        }
        throw "rabbitmq-plugins $($a -join ' ') is not in this fake"
    }
    if (-not $n.Running) { return New-CortexTestRun 69 @() @(("Error: unable to perform an operation on node '{0}'. Please see diagnostics information and suggestions below." -f $n.NodeName), ' * Target node is not running') }
    switch ($a[0]) {
        'cluster_status' { return ConvertTo-CortexTestJson ([ordered]@{ cluster_name = $n.NodeName; disk_nodes = @($n.Members); running_nodes = @($n.RunningNodes); alarms = @() }) }
        'join_cluster' {
            if ($n.ReachableSeeds -cnotcontains $a[1]) { return New-CortexTestRun 70 @() @('Error:', "{:cannot_discover_cluster, 'The nodes provided are either offline or not running'}") }
            $n.Members.Add($a[1]); $n.RunningNodes.Add($a[1]); return New-CortexTestRun
        }
        { $_ -in @('stop_app', 'reset', 'start_app') } { return New-CortexTestRun }
        'list_feature_flags' { return ConvertTo-CortexTestJson @(@('khepri_db', 'quorum_queue') | ForEach-Object { $s = 'enabled'; if ($n.FlagsDisabled -contains $_) { $s = 'disabled' }; [ordered]@{ name = $_; state = $s } }) }
        'enable_feature_flag' { $n.FlagsDisabled.Clear(); return New-CortexTestRun }
        'list_vhosts' { return ConvertTo-CortexTestJson @($n.Vhosts.Keys | ForEach-Object { [ordered]@{ name = $_; default_queue_type = $n.Vhosts[$_] } }) }
        'add_vhost' { $n.Vhosts[$a[1]] = $a[3]; return New-CortexTestRun }
        'update_vhost_metadata' { $n.Vhosts[$a[1]] = $a[3]; return New-CortexTestRun }
        'list_users' { return ConvertTo-CortexTestJson @($n.Users.Keys | ForEach-Object { [ordered]@{ user = $_; tags = @($n.Users[$_]) } }) }
        'add_user' {
            if ($a.Count -ne 2) { throw 'add_user got the password on the command line' }
            $n.Users[$a[1]] = @(); $n.Passwords[$a[1]] = $InputText; return New-CortexTestRun
        }
        'set_user_tags' { $n.Users[$a[1]] = @($a | Select-Object -Skip 2); return New-CortexTestRun }
        'delete_user' { $n.Users.Remove($a[1]); foreach ($k in @($n.Permissions.Keys)) { if ($k.EndsWith('|' + $a[1])) { $n.Permissions.Remove($k) } }; return New-CortexTestRun }
        'list_permissions' { $v = $a[2]; return ConvertTo-CortexTestJson @($n.Permissions.Keys | Where-Object { $_.StartsWith($v + '|') } | ForEach-Object { $p = $n.Permissions[$_]; [ordered]@{ user = $_.Substring($v.Length + 1); configure = $p[0]; write = $p[1]; read = $p[2] } }) }
        'set_permissions' { $n.Permissions[$a[2] + '|' + $a[3]] = @($a[4], $a[5], $a[6]); return New-CortexTestRun }
        'list_policies' { $v = $a[2]; return ConvertTo-CortexTestJson @($n.Policies.Keys | ForEach-Object { $p = $n.Policies[$_]; [ordered]@{ vhost = $v; name = $_; pattern = $p.pattern; 'apply-to' = $p.applyTo; definition = (ConvertFrom-Json $p.definition); priority = $p.priority } }) }
        'set_policy' { $n.Policies[$a[7]] = [ordered]@{ pattern = $a[8]; applyTo = $a[6]; definition = $a[9]; priority = [int]$a[4] }; return New-CortexTestRun }
    }
    throw "rabbitmqctl $($a -join ' ') is not in this fake"
}
