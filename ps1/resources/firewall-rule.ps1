# cortex-script: resources.firewall-rule
# Set of the firewall_rule resource (src/resources/firewall-rule.ts): a rule found by its name (-Name,
# not the display name) is created with every field, updated in place with every field, or removed.
#   params: {name, direction, protocol: tcp|udp|any, localPorts: [], action, profiles: [], enabled, state}
# No ports means any port.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function ConvertTo-CortexTitleCase([string]$Text) {
    $Text.Substring(0, 1).ToUpperInvariant() + $Text.Substring(1).ToLowerInvariant()
}

Invoke-CortexScript {
    $p = $CortexParams
    $name = [string](Get-CortexResourceParam -Params $p -Resource 'firewall_rule' -Name 'name' -Required)
    $state = [string](Get-CortexResourceParam -Params $p -Resource 'firewall_rule' -Name 'state' -Default 'present')
    if (@('present', 'absent') -cnotcontains $state) { throw ('firewall_rule: parameter state must be present or absent, not {0}' -f $state) }
    $existing = @(Get-NetFirewallRule -Name $name -ErrorAction SilentlyContinue) | Select-Object -First 1
    if ($state -eq 'absent') {
        if ($null -ne $existing) { Remove-NetFirewallRule -Name $name }
        return New-CortexSetResult -Message ('removed {0}' -f $name)
    }
    $direction = [string](Get-CortexResourceParam -Params $p -Resource 'firewall_rule' -Name 'direction' -Default 'inbound')
    $protocol = [string](Get-CortexResourceParam -Params $p -Resource 'firewall_rule' -Name 'protocol' -Default 'tcp')
    $action = [string](Get-CortexResourceParam -Params $p -Resource 'firewall_rule' -Name 'action' -Default 'allow')
    $enabled = [bool](Get-CortexResourceParam -Params $p -Resource 'firewall_rule' -Name 'enabled' -Default $true)
    $ports = Get-CortexResourceParam -Params $p -Resource 'firewall_rule' -Name 'localPorts' -Default @()
    $ports = [string[]]@($ports | ForEach-Object { [string]$_ })
    $profiles = Get-CortexResourceParam -Params $p -Resource 'firewall_rule' -Name 'profiles' -Default @('domain', 'private', 'public')
    $profiles = [string[]]@($profiles | ForEach-Object { [string]$_ })
    if (@('inbound', 'outbound') -cnotcontains $direction) { throw ('firewall_rule: parameter direction must be inbound or outbound, not {0}' -f $direction) }
    if (@('tcp', 'udp', 'any') -cnotcontains $protocol) { throw ('firewall_rule: parameter protocol must be tcp, udp or any, not {0}' -f $protocol) }
    if (@('allow', 'block') -cnotcontains $action) { throw ('firewall_rule: parameter action must be allow or block, not {0}' -f $action) }
    if ($protocol -eq 'any' -and $ports.Count -gt 0) { throw 'firewall_rule: parameter localPorts needs protocol tcp or udp (ports mean nothing for any protocol)' }
    if ($profiles.Count -eq 0) { throw 'firewall_rule: parameter profiles is empty; list domain, private and/or public' }
    foreach ($x in $profiles) { if (@('domain', 'private', 'public') -cnotcontains $x) { throw ('firewall_rule: parameter profiles may hold domain, private and public, not {0}' -f $x) } }
    $localPort = $ports
    if ($ports.Count -eq 0) { $localPort = [string[]]@('Any') }
    $settings = @{
        Direction = ConvertTo-CortexTitleCase $direction
        Protocol  = $protocol.ToUpperInvariant()
        LocalPort = $localPort
        Action    = ConvertTo-CortexTitleCase $action
        Profile   = [string[]]@($profiles | ForEach-Object { ConvertTo-CortexTitleCase $_ })
        Enabled   = $enabled.ToString()
    }
    if ($protocol -eq 'any') { $settings.Protocol = 'Any' }
    if ($null -eq $existing) {
        $null = New-NetFirewallRule -Name $name -DisplayName $name @settings
        return New-CortexSetResult -Message ('created {0}' -f $name)
    }
    Set-NetFirewallRule -Name $name @settings
    New-CortexSetResult -Message ('updated {0}' -f $name)
}
