# cortex-script: resources.rabbitmq-config
# Set of the rabbitmq_config resource (src/resources/rabbitmq-config.ts): the cluster-wide settings,
# through rabbitmqctl on this node, each only where it differs (Get-CortexRabbitmqConfigState): every
# stable feature flag, the vhost and its default queue type, users (a new user's password piped to
# add_user on stdin, never on the command line; it is not read back), tags, permissions on the vhost,
# guest deleted, policies. The passwords arrive in the parameters (on stdin) and are never echoed.
#   params: {featureFlags: all|unchanged, vhost: {name, defaultQueueType}, users: [{name, password, tags,
#            permissions: {configure, write, read}}], guest: remove|keep, policies: [{name, pattern,
#            applyTo, definition, priority}]}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $R = 'rabbitmq_config'
    $p = $CortexParams
    $vhostParam = Get-CortexResourceParam -Params $p -Resource $R -Name 'vhost' -Required
    $vhost = [string](Get-CortexResourceParam -Params $vhostParam -Resource $R -Name 'name' -Required)
    $queueType = [string](Get-CortexResourceParam -Params $vhostParam -Resource $R -Name 'defaultQueueType' -Default 'quorum')
    $featureFlags = [string](Get-CortexResourceParam -Params $p -Resource $R -Name 'featureFlags' -Default 'all')
    $guest = [string](Get-CortexResourceParam -Params $p -Resource $R -Name 'guest' -Default 'remove')
    $userList = Get-CortexResourceParam -Params $p -Resource $R -Name 'users' -Default @()
    $policyList = Get-CortexResourceParam -Params $p -Resource $R -Name 'policies' -Default @()
    $install = Get-CortexRabbitmqInstall
    if ($null -eq $install) { throw 'rabbitmq_config: RabbitMQ is not installed (no RabbitMQ uninstall entry); install it in an earlier step' }
    $now = Get-CortexRabbitmqConfigState -Vhost $vhost
    if (-not $now.running) { throw 'rabbitmq_config: the RabbitMQ node is not running; start the RabbitMQ service first' }
    $done = New-Object System.Collections.Generic.List[string]
    function Invoke-Ctl([string[]]$Arguments, [string]$InputText = '') { $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmqctl' -ArgumentList $Arguments -InputText $InputText }

    if ($featureFlags -eq 'all' -and @($now.featureFlagsDisabled).Count -gt 0) {
        Invoke-Ctl @('enable_feature_flag', 'all')
        $done.Add('feature flags enabled')
    }
    if (-not $now.vhost.exists) {
        Invoke-Ctl @('add_vhost', $vhost, '--default-queue-type', $queueType)
        $done.Add(('vhost {0} added' -f $vhost))
    } elseif ($now.vhost.defaultQueueType -ne $queueType) {
        Invoke-Ctl @('update_vhost_metadata', $vhost, '--default-queue-type', $queueType)
        $done.Add(('vhost {0} default queue type {1}' -f $vhost, $queueType))
    }
    foreach ($u in @($userList)) {
        $name = [string](Get-CortexResourceParam -Params $u -Resource $R -Name 'name' -Required)
        $tagList = Get-CortexResourceParam -Params $u -Resource $R -Name 'tags' -Default @()
        $tags = [string[]]@(@($tagList) | Where-Object { $_ } | ForEach-Object { [string]$_ })
        $have = @(@($now.users) | Where-Object { $_.name -ceq $name }) | Select-Object -First 1
        if ($null -eq $have) {
            $password = [string](Get-CortexResourceParam -Params $u -Resource $R -Name 'password' -Required)
            Invoke-Ctl @('add_user', $name) $password
            $done.Add(('user {0} added' -f $name))
        }
        if ($null -eq $have -or ((@($have.tags) | Sort-Object) -join ',') -cne ((@($tags) | Sort-Object) -join ',')) {
            if ($null -ne $have -or $tags.Count -gt 0) {
                Invoke-Ctl (@('set_user_tags', $name) + $tags)
                $done.Add(('tags of {0}' -f $name))
            }
        }
        $permParam = Get-CortexResourceParam -Params $u -Resource $R -Name 'permissions' -Default $null
        $perm = [ordered]@{ configure = '.*'; write = '.*'; read = '.*' }
        foreach ($k in @('configure', 'write', 'read')) { $perm[$k] = [string](Get-CortexResourceParam -Params $permParam -Resource $R -Name $k -Default '.*') }
        $havePerm = @(@($now.permissions) | Where-Object { $_.user -ceq $name }) | Select-Object -First 1
        if ($null -eq $havePerm -or $havePerm.configure -cne $perm.configure -or $havePerm.write -cne $perm.write -or $havePerm.read -cne $perm.read) {
            Invoke-Ctl @('set_permissions', '-p', $vhost, $name, $perm.configure, $perm.write, $perm.read)
            $done.Add(('permissions of {0} on {1}' -f $name, $vhost))
        }
    }
    if ($guest -eq 'remove' -and @(@($now.users) | Where-Object { $_.name -ceq 'guest' }).Count -gt 0) {
        Invoke-Ctl @('delete_user', 'guest')
        $done.Add('guest deleted')
    }
    foreach ($pol in @($policyList)) {
        $name = [string](Get-CortexResourceParam -Params $pol -Resource $R -Name 'name' -Required)
        $pattern = [string](Get-CortexResourceParam -Params $pol -Resource $R -Name 'pattern' -Required)
        $applyTo = [string](Get-CortexResourceParam -Params $pol -Resource $R -Name 'applyTo' -Default 'queues')
        $priority = [int](Get-CortexResourceParam -Params $pol -Resource $R -Name 'priority' -Default 0)
        $definition = ConvertTo-Json -InputObject (Get-CortexResourceParam -Params $pol -Resource $R -Name 'definition' -Required) -Compress -Depth 5
        $have = @(@($now.policies) | Where-Object { $_.name -ceq $name }) | Select-Object -First 1
        if ($null -ne $have -and $have.pattern -ceq $pattern -and $have.applyTo -ceq $applyTo -and $have.priority -eq $priority -and (ConvertTo-Json -InputObject $have.definition -Compress -Depth 5) -ceq $definition) { continue }
        Invoke-Ctl @('set_policy', '-p', $vhost, '--priority', [string]$priority, '--apply-to', $applyTo, $name, $pattern, $definition)
        $done.Add(('policy {0}' -f $name))
    }
    $text = 'nothing to change'
    if ($done.Count -gt 0) { $text = $done.ToArray() -join '; ' }
    New-CortexSetResult -Message $text
}
