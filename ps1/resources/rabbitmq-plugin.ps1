# cortex-script: resources.rabbitmq-plugin
# Set of the rabbitmq_plugin resource (src/resources/rabbitmq-plugin.ts): rabbitmq-plugins.bat enable or
# disable one plugin on this node (enabled_plugins is per node). The tool is found in the sbin folder of
# the RabbitMQ uninstall entry (Get-CortexRabbitmqInstall); it is not on PATH.
#   params: {name, state: enabled|disabled}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $name = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'rabbitmq_plugin' -Name 'name' -Required)
    $state = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'rabbitmq_plugin' -Name 'state' -Default 'enabled')
    if (@('enabled', 'disabled') -cnotcontains $state) { throw ('rabbitmq_plugin: parameter state must be enabled or disabled, not {0}' -f $state) }
    $install = Get-CortexRabbitmqInstall
    if ($null -eq $install) { throw 'rabbitmq_plugin: RabbitMQ is not installed (no RabbitMQ uninstall entry); install it in an earlier step' }
    $verb = 'enable'
    if ($state -eq 'disabled') { $verb = 'disable' }
    $null = Invoke-CortexRabbitmqTool -Install $install -Tool 'rabbitmq-plugins' -ArgumentList @($verb, $name)
    New-CortexSetResult -Message ('{0}d {1} on RabbitMQ {2}' -f $verb, $name, $install.version)
}
