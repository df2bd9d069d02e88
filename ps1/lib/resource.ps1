# cortex-script: lib.resource
# What the resource scripts share (docs/scripts.md, "Resource scripts"): reading a step's parameters
# with errors that name them, the pending-reboot keys, registry paths as playbooks write them, finding an
# installed package in both registry views, and the one result shape every Set script prints.
# Windows is reached only through cmdlets and the seams of windows.ps1.

function Get-CortexResourceParam {
    # A parameter of a resource step ($Params: a PSCustomObject decoded from JSON). -Required fails with a
    # message naming the resource and the parameter; otherwise a missing or null value gives -Default.
    param(
        [Parameter(Mandatory = $true)][AllowNull()]$Params,
        [Parameter(Mandatory = $true)][string]$Resource,
        [Parameter(Mandatory = $true)][string]$Name,
        $Default = $null,
        [switch]$Required
    )
    $value = $null
    if ($null -ne $Params) {
        $property = $Params.PSObject.Properties[$Name]
        if ($null -ne $property) { $value = $property.Value }
    }
    if ($null -eq $value -or ($Required -and $value -is [string] -and $value.Trim() -eq '')) {
        if ($Required) { throw ('{0}: parameter {1} is missing' -f $Resource, $Name) }
        return , $Default
    }
    , $value
}

function Get-CortexPendingReboot {
    # Which of Windows' pending-reboot markers are set (preflight's facts report them; Set scripts compare
    # before and after). PendingFileRenameOperations is a value, not a key (Test-Path on it is always false).
    $renames = Get-CortexRegistryValue -SubKey 'SYSTEM\CurrentControlSet\Control\Session Manager' -Name 'PendingFileRenameOperations'
    $serverManager = Get-CortexRegistryValue -SubKey 'SOFTWARE\Microsoft\ServerManager\ServicingStorage\ServerComponentCache' -Name 'RestartRequired'
    # A rename waits for the reboot: the active name differs from the one that will be active.
    $activeName = Get-CortexRegistryValue -SubKey 'SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName' -Name 'ComputerName'
    $pendingName = Get-CortexRegistryValue -SubKey 'SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName' -Name 'ComputerName'
    # A domain join waits for the reboot while Netlogon holds the JoinDomain or AvoidSpnSet value (values, not keys).
    $netlogon = Get-CortexRegistryValueName -SubKey 'SYSTEM\CurrentControlSet\Services\Netlogon'
    if ($null -eq $netlogon) { $netlogon = [string[]]@() }
    [ordered]@{
        componentBasedServicing     = Test-CortexRegistryKey -SubKey 'SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
        windowsUpdate               = Test-CortexRegistryKey -SubKey 'SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
        pendingFileRenameOperations = ($null -ne $renames) -and (@($renames | Where-Object { $_ }).Count -gt 0)
        serverManager               = ($null -ne $serverManager) -and ([int]$serverManager -ne 0)
        computerRename              = ($null -ne $activeName) -and ($null -ne $pendingName) -and ([string]$activeName -ne [string]$pendingName)
        domainJoin                  = ($netlogon -contains 'JoinDomain') -or ($netlogon -contains 'AvoidSpnSet')
    }
}

function Test-CortexRebootPending {
    # Whether any pending-reboot marker is set.
    $markers = Get-CortexPendingReboot
    @($markers.Values | Where-Object { $_ }).Count -gt 0
}

function New-CortexSetResult {
    # What every Set script prints (SetResultData in src/resources/script-results.ts): whether the change needs a reboot, the
    # installer's exit code when there was one, and one line on what was done.
    param([bool]$RebootRequired = $false, $ExitCode = $null, [string]$Message = '')
    $code = $null
    if ($null -ne $ExitCode) { $code = [int]$ExitCode }
    $text = $null
    if ($Message) { $text = $Message }
    [ordered]@{ rebootRequired = $RebootRequired; exitCode = $code; message = $text }
}

function ConvertFrom-CortexRegistryPath {
    # 'HKLM:\SOFTWARE\X', 'HKLM\SOFTWARE\X' or 'HKEY_LOCAL_MACHINE\SOFTWARE\X' (and HKCU) -> {hive, subKey}.
    param([Parameter(Mandatory = $true)][string]$Path)
    if ($Path -notmatch '^(?<hive>HKLM|HKCU|HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER):?\\+(?<sub>.*)$') {
        throw ('registry_value: key must start with HKLM:\ or HKCU:\, not {0}' -f $Path)
    }
    $sub = $Matches['sub'].TrimEnd('\')
    $hive = 'LocalMachine'
    if (@('HKCU', 'HKEY_CURRENT_USER') -contains $Matches['hive']) { $hive = 'CurrentUser' }
    if ($sub -eq '') { throw ('registry_value: key {0} names a hive, not a key under it' -f $Path) }
    [pscustomobject]@{ hive = $hive; subKey = $sub }
}

function Find-CortexInstalledPackage {
    # The uninstall entry of a package by MSI product code or uninstall key name, in the 64-bit view and
    # then the 32-bit one (WOW6432Node, where 32-bit installers register). $null when it is in neither.
    param([string]$ProductCode, [string]$UninstallKey)
    $name = $ProductCode
    if (-not $name) { $name = $UninstallKey }
    if (-not $name) { throw 'package: set productCode (MSI) or uninstallKey (EXE) so the package can be detected' }
    $subKey = 'SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\' + $name
    foreach ($view in @('64', '32')) {
        $key = Open-CortexRegistryKey -SubKey $subKey -View $view
        if ($null -eq $key) { continue }
        try {
            $entry = [ordered]@{ view = $view; subKey = $subKey }
            foreach ($value in @('DisplayName', 'DisplayVersion', 'UninstallString', 'QuietUninstallString')) {
                $data = $key.GetValue($value, $null)
                if ($null -ne $data) { $data = [string]$data }
                $entry[$value] = $data
            }
            return [pscustomobject]$entry
        } finally { $key.Close() }
    }
    $null
}

function ConvertTo-CortexAclRight {
    # The rights of an access rule by the name a playbook uses (FullControl, Modify, ReadAndExecute, Read,
    # Write, ListDirectory). Synchronize is left out of the comparison: Windows adds it to every allow rule.
    # Other combinations keep their enum text, so they differ from any listed rule.
    param([Parameter(Mandatory = $true)]$Rights)
    $sync = 0x100000
    $value = ([int]$Rights) -band (-bnot $sync)
    foreach ($name in @('FullControl', 'Modify', 'ReadAndExecute', 'Read', 'Write', 'ListDirectory')) {
        if ((([int][System.Security.AccessControl.FileSystemRights]$name) -band (-bnot $sync)) -eq $value) { return $name }
    }
    ([System.Security.AccessControl.FileSystemRights]$value).ToString()
}

function ConvertTo-CortexAclRule {
    # An access rule as the acl resource compares it: {identity, rights, type (allow|deny), inherit}.
    param([Parameter(Mandatory = $true)]$Rule)
    [ordered]@{
        identity = [string]$Rule.IdentityReference
        rights   = ConvertTo-CortexAclRight -Rights $Rule.FileSystemRights
        type     = $Rule.AccessControlType.ToString().ToLowerInvariant()
        inherit  = ([int]$Rule.InheritanceFlags) -ne 0
    }
}

function Get-CortexExceptionMessage {
    # The first non-empty message of an exception and its inner ones (some .NET exceptions, such as a
    # corrupt zip's FileFormatException, carry theirs only inside), else the exception's type name.
    param([Parameter(Mandatory = $true)][Exception]$Exception)
    $e = $Exception
    while ($null -ne $e) {
        if ($e.Message -and $e.Message.Trim()) { return $e.Message.Trim() }
        $e = $e.InnerException
    }
    $Exception.GetType().Name
}

function Invoke-CortexIsolatedPowerShell {
    # Runs a playbook's PowerShell text (exec's `run` and `unless`) in a runspace of its own in this process,
    # as the resident bootstrap runs a script: its variables stay its own, $ErrorActionPreference is Stop,
    # and `exit N` ends it alone. Returns {output, errors (messages), failure (the exception that stopped
    # it, or $null), exitCode}: `exit N` -> N; else 1 after a failure; else the last native program's
    # $LASTEXITCODE; else 0.
    param([Parameter(Mandatory = $true)][string]$Text, [Parameter(Mandatory = $true)][string]$Resource)
    # Each `exit N` first stores N in the runspace's $global:CortexExitCode, so the code survives the
    # pipeline's end: the bootstrap's rewrite (ps1/bootstrap/resident.ps1), on the same line.
    $tokens = $null
    $parseErrors = $null
    $ast = [Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$parseErrors)
    if (@($parseErrors).Count -gt 0) { throw ('{0}: the PowerShell does not parse: {1}' -f $Resource, @($parseErrors)[0].Message) }
    $exits = @($ast.FindAll({ param($a) $a -is [Management.Automation.Language.ExitStatementAst] }, $true)) | Sort-Object -Property { $_.Extent.StartOffset } -Descending
    foreach ($x in $exits) {
        $value = '0'
        if ($x.Pipeline) { $value = $x.Pipeline.Extent.Text }
        $Text = $Text.Substring(0, $x.Extent.StartOffset) + '$global:CortexExitCode = [int](' + $value + '); exit $global:CortexExitCode' + $Text.Substring($x.Extent.EndOffset)
    }
    $runspace = [runspacefactory]::CreateRunspace()
    $runspace.Open()
    $ps = [powershell]::Create()
    $failure = $null
    $output = @()
    try {
        $ps.Runspace = $runspace
        $null = $ps.AddScript('$ErrorActionPreference = ''Stop''').AddStatement().AddScript($Text)
        try {
            $output = @($ps.Invoke())
        } catch {
            $failure = $_.Exception
            while ($null -ne $failure.InnerException -and $failure -is [Management.Automation.MethodInvocationException]) { $failure = $failure.InnerException }
        }
        $reason = $ps.InvocationStateInfo.Reason
        if ($null -ne $reason -and $null -eq $failure) { $failure = $reason }
        if ($null -ne $failure -and $failure.GetType().Name -eq 'ExitException') { $failure = $null }
        # "The running command stopped because the preference variable ... is set to Stop: X": X is the news.
        if ($failure -is [Management.Automation.ActionPreferenceStopException] -and $null -ne $failure.ErrorRecord) { $failure = $failure.ErrorRecord.Exception }
        $exitVar = $runspace.SessionStateProxy.GetVariable('CortexExitCode')
        $nativeVar = $runspace.SessionStateProxy.GetVariable('LASTEXITCODE')
        $errors = [string[]]@($ps.Streams.Error | ForEach-Object { Get-CortexExceptionMessage $_.Exception })
    } finally {
        $ps.Dispose()
        $runspace.Dispose()
    }
    if ($null -ne $exitVar) { $exit = [int]$exitVar }
    elseif ($null -ne $failure) { $exit = 1 }
    elseif ($null -ne $nativeVar) { $exit = [int]$nativeVar }
    else { $exit = 0 }
    [pscustomobject]@{ output = $output; errors = $errors; failure = $failure; exitCode = $exit }
}

# Task Scheduler's "still running" and "has not run yet" results (SCHED_S_TASK_RUNNING, SCHED_S_TASK_HAS_NOT_RUN).
$CortexTaskRunning = 267009
$CortexTaskNotRun = 267011
$CortexTaskPollSeconds = 2

function Invoke-CortexOneShotTask {
    # Runs a program once as another account through a scheduled task and returns its exit code: for what the
    # WinRM session's delegated token cannot do (the double hop: Service Fabric's scripts reach every node).
    # The task is registered under \cortex-deploy\cortex-<Name> with the account's password (logon type
    # Password, highest privileges), started, polled every 2 s, and unregistered whatever happens. A run
    # still going after -TimeoutSeconds is stopped and throws. The password is never echoed.
    param(
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][string]$Command,
        [string]$Arguments = '',
        [string]$WorkingDirectory = '',
        [Parameter(Mandatory = $true)][string]$User,
        [Parameter(Mandatory = $true)][string]$Password,
        [Parameter(Mandatory = $true)][int]$TimeoutSeconds,
        [string]$Resource = 'scheduled_task'
    )
    $taskName = 'cortex-' + $Name
    $taskPath = '\cortex-deploy\'
    $actionArgs = @{ Execute = $Command }
    if ($Arguments) { $actionArgs.Argument = $Arguments }
    if ($WorkingDirectory) { $actionArgs.WorkingDirectory = $WorkingDirectory }
    $action = New-ScheduledTaskAction @actionArgs
    $settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit (New-TimeSpan -Seconds $TimeoutSeconds)
    $null = Register-ScheduledTask -TaskName $taskName -TaskPath $taskPath -Action $action -User $User -Password $Password -RunLevel Highest -Settings $settings -Force
    $exit = $null
    try {
        Start-ScheduledTask -TaskName $taskName -TaskPath $taskPath
        # Counted polls rather than a clock: the limit holds however long each poll takes to answer.
        $polls = [math]::Ceiling($TimeoutSeconds / $CortexTaskPollSeconds) + 1
        for ($i = 0; $i -lt $polls; $i++) {
            Start-Sleep -Seconds $CortexTaskPollSeconds
            $task = Get-ScheduledTask -TaskName $taskName -TaskPath $taskPath
            $info = Get-ScheduledTaskInfo -TaskName $taskName -TaskPath $taskPath
            $result = [int]$info.LastTaskResult
            if ($task.State.ToString() -ne 'Running' -and $result -ne $CortexTaskRunning -and $result -ne $CortexTaskNotRun) { $exit = $result; break }
        }
        if ($null -eq $exit) {
            Stop-ScheduledTask -TaskName $taskName -TaskPath $taskPath
            throw ('{0}: {1} (as {2}) did not finish within {3} s; it was stopped' -f $Resource, $Name, $User, $TimeoutSeconds)
        }
    } finally {
        Unregister-ScheduledTask -TaskName $taskName -TaskPath $taskPath -Confirm:$false
    }
    [int]$exit
}

function Connect-CortexServiceFabricCluster {
    # Connects this session to the Service Fabric cluster through a node's client endpoint (the deploy
    # node's own, localhost:19000 by default: Windows security with the session's account, on the same
    # machine, so no double hop). $null when connected, else the error's message.
    param([Parameter(Mandatory = $true)][string]$Endpoint, [int]$TimeoutSec = 30)
    try {
        $null = Connect-ServiceFabricCluster -ConnectionEndpoint $Endpoint -WindowsCredential -TimeoutSec $TimeoutSec
        $null
    } catch {
        Get-CortexExceptionMessage $_.Exception
    }
}

function Get-CortexFabricPackageVersion {
    # The runtime version a Service Fabric standalone package installs: the FileVersion of its
    # DeploymentComponentsAutoextractor.exe; $null when the file or its version is not there.
    param([Parameter(Mandatory = $true)][string]$PackagePath)
    $item = Get-Item -LiteralPath ($PackagePath.TrimEnd('\') + '\DeploymentComponentsAutoextractor.exe') -ErrorAction SilentlyContinue
    if ($null -eq $item -or -not $item.VersionInfo.FileVersion) { return $null }
    [string]$item.VersionInfo.FileVersion
}

function Get-CortexUpgradeDomainState {
    # Get-ServiceFabricClusterUpgrade's UpgradeDomainsStatus as {name, state} items (a dictionary or a list of Name/State pairs).
    param($Status)
    if ($null -eq $Status) { return @() }
    if ($Status -is [System.Collections.IDictionary]) {
        return @($Status.Keys | ForEach-Object { [pscustomobject]@{ name = [string]$_; state = [string]$Status[$_] } })
    }
    @($Status | ForEach-Object {
            if ($_.PSObject.Properties['Name']) { [pscustomobject]@{ name = [string]$_.Name; state = [string]$_.State } }
            else { [pscustomobject]@{ name = [string]$_.Key; state = [string]$_.Value } }
        })
}

function Get-CortexFabricUpgradeDomain {
    # A Get-ServiceFabricNode node's upgrade domain, or $null when it names none (what plan orders an upgrade by).
    param([Parameter(Mandatory = $true)]$Node)
    $prop = $Node.PSObject.Properties['UpgradeDomain']
    if ($null -eq $prop -or -not [string]$prop.Value) { return $null }
    [string]$prop.Value
}

function Get-CortexFabricNodesByDomain {
    # Get-ServiceFabricNode's nodes as upgrade domain -> 'node, node' (what an upgrade's report names).
    param([AllowEmptyCollection()][object[]]$Nodes)
    $byDomain = @{}
    foreach ($n in $Nodes) {
        $ud = [string]$n.UpgradeDomain
        if ($byDomain.ContainsKey($ud)) { $byDomain[$ud] = $byDomain[$ud] + ', ' + [string]$n.NodeName } else { $byDomain[$ud] = [string]$n.NodeName }
    }
    $byDomain
}

function Get-CortexRabbitmqInstall {
    # RabbitMQ as its installer registered it (uninstall key RabbitMQ, 32-bit view): the version and the
    # sbin folder, <folder of UninstallString>\rabbitmq_server-<DisplayVersion>\sbin (sbin is not on
    # PATH); $null when it is not installed.
    $found = Find-CortexInstalledPackage -UninstallKey 'RabbitMQ'
    if ($null -eq $found) { return $null }
    $command = [string]$found.UninstallString
    if (-not $command -or -not $found.DisplayVersion) { throw 'RabbitMQ: its uninstall entry has no UninstallString or DisplayVersion, so its sbin folder cannot be found; reinstall RabbitMQ' }
    $file = $command.Trim()
    if ($file.StartsWith('"')) { $file = $file.Substring(1, $file.IndexOf('"', 1) - 1) }
    elseif ($file -match '^(.+?\.exe)(\s|$)') { $file = $Matches[1] }
    # Windows paths as text (the folder of the uninstaller), not through the FileSystem provider.
    $root = $file.Substring(0, [Math]::Max(0, $file.LastIndexOf('\')))
    [pscustomobject]@{ version = [string]$found.DisplayVersion; sbin = ('{0}\rabbitmq_server-{1}\sbin' -f $root, $found.DisplayVersion) }
}

function Invoke-CortexRabbitmqTool {
    # One of RabbitMQ's CLI tools (rabbitmqctl, rabbitmq-plugins, rabbitmq-diagnostics, rabbitmq-upgrade,
    # rabbitmq-queues, rabbitmq-service) from sbin, quiet (-q). The CLI reads ERLANG_HOME, RABBITMQ_BASE and RABBITMQ_NODENAME from its environment: this
    # process started before the installer and the env_var steps set them, so the machine's values are
    # put into it first. -InputText goes to stdin (a password), never onto the command line.
    param(
        [Parameter(Mandatory = $true)]$Install,
        [Parameter(Mandatory = $true)][ValidateSet('rabbitmqctl', 'rabbitmq-plugins', 'rabbitmq-diagnostics', 'rabbitmq-upgrade', 'rabbitmq-queues', 'rabbitmq-service')][string]$Tool,
        [AllowEmptyCollection()][string[]]$ArgumentList = @(),
        [string]$InputText = '',
        [int[]]$SuccessCodes = @(0)
    )
    foreach ($name in @('ERLANG_HOME', 'RABBITMQ_BASE', 'RABBITMQ_NODENAME')) {
        $value = Get-CortexMachineEnvironmentVariable -Name $name
        if ($value) { Set-Item -LiteralPath ('Env:' + $name) -Value $value }
    }
    $path = $Install.sbin + '\' + $Tool + '.bat'
    Invoke-CortexNative -FilePath $path -ArgumentList (@('-q') + @($ArgumentList)) -InputText $InputText -SuccessCodes $SuccessCodes -TimeoutSeconds 300
}

function ConvertFrom-CortexRabbitmqJson {
    # A CLI's --formatter json output as objects; what is not JSON is an error that shows it.
    param([Parameter(Mandatory = $true)]$Run, [Parameter(Mandatory = $true)][string]$What)
    $text = (@($Run.output) -join "`n").Trim()
    try { return , (ConvertFrom-Json -InputObject $text) } catch { throw ('{0}: the output is not JSON: {1}' -f $What, $text) }
}

function Get-CortexRabbitmqNodeName {
    # The node the CLI talks to: RABBITMQ_NODENAME (machine), else rabbit@<short host name>, as RabbitMQ names it.
    $name = Get-CortexMachineEnvironmentVariable -Name 'RABBITMQ_NODENAME'
    if ($name) { return [string]$name }
    'rabbit@' + ((Get-CortexHostName) -split '\.')[0]
}

function Get-CortexRabbitmqConfigState {
    # The cluster-wide settings rabbitmq_config compares, read through rabbitmqctl on this node:
    # feature flags, the vhost, users with tags, permissions and policies on the vhost.
    param([Parameter(Mandatory = $true)][string]$Vhost)
    $state = [ordered]@{ installed = $false; running = $false; featureFlagsDisabled = @(); vhost = [ordered]@{ exists = $false; defaultQueueType = $null }; users = @(); permissions = @(); policies = @() }
    $install = Get-CortexRabbitmqInstall
    if ($null -eq $install) { return $state }
    $state.installed = $true
    # 69: rabbitmqctl cannot reach the node (EX_UNAVAILABLE): it is not running, an answer rather than an error.
    $ok = @(0, 69)
    $flags = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('list_feature_flags', 'name', 'state', '--formatter', 'json') -SuccessCodes $ok
    if ($flags.exitCode -eq 69) { return $state }
    $state.running = $true
    $flagList = ConvertFrom-CortexRabbitmqJson -Run $flags -What 'rabbitmqctl list_feature_flags'
    $state.featureFlagsDisabled = [string[]]@(@($flagList) | Where-Object { [string]$_.state -ne 'enabled' } | ForEach-Object { [string]$_.name })
    $vhosts = ConvertFrom-CortexRabbitmqJson -Run (Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('list_vhosts', 'name', 'default_queue_type', '--formatter', 'json')) -What 'rabbitmqctl list_vhosts'
    $v = @(@($vhosts) | Where-Object { [string]$_.name -ceq $Vhost }) | Select-Object -First 1
    if ($null -ne $v) { $state.vhost = [ordered]@{ exists = $true; defaultQueueType = [string]$v.default_queue_type } }
    $users = ConvertFrom-CortexRabbitmqJson -Run (Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('list_users', '--formatter', 'json')) -What 'rabbitmqctl list_users'
    $state.users = @(@($users) | Where-Object { $null -ne $_ } | ForEach-Object { [ordered]@{ name = [string]$_.user; tags = [string[]]@(@($_.tags) | Where-Object { $_ } | ForEach-Object { [string]$_ }) } })
    if ($state.vhost.exists) {
        $perms = ConvertFrom-CortexRabbitmqJson -Run (Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('list_permissions', '-p', $Vhost, '--formatter', 'json')) -What 'rabbitmqctl list_permissions'
        $state.permissions = @(@($perms) | Where-Object { $null -ne $_ } | ForEach-Object { [ordered]@{ user = [string]$_.user; configure = [string]$_.configure; write = [string]$_.write; read = [string]$_.read } })
        $policies = ConvertFrom-CortexRabbitmqJson -Run (Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList @('list_policies', '-p', $Vhost, '--formatter', 'json')) -What 'rabbitmqctl list_policies'
        $state.policies = @(@($policies) | Where-Object { $null -ne $_ } | ForEach-Object {
                $definition = $_.definition
                # Older CLIs print the definition as JSON text.
                if ($definition -is [string]) { $definition = ConvertFrom-Json -InputObject $definition }
                [ordered]@{ name = [string]$_.name; pattern = [string]$_.pattern; applyTo = [string]$_.'apply-to'; definition = $definition; priority = [int]$_.priority }
            })
    }
    $state
}
