# Script under test: ps1/resources/firewall-rule.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The firewall_rule resource: Get-NetFirewallRule and its port filter (Test), New-/Set-/Remove-NetFirewallRule
# (Set), one Context per state of the rule.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $setCommands = @('New-NetFirewallRule', 'Set-NetFirewallRule', 'Remove-NetFirewallRule')
    $amqp = @{ name = 'cortex-amqp'; direction = 'inbound'; protocol = 'tcp'; localPorts = @(5672, '25672-25680'); action = 'allow'; profiles = @('domain', 'private', 'public'); enabled = $true; state = 'present' }
    function Register-Rule($Rule, $Filter) {
        Register-CortexTestRegistryMock (New-CortexTestMachine)
        $global:CortexTestRule = $Rule
        $global:CortexTestFilter = $Filter
        Mock Get-NetFirewallRule {
            if ($null -ne $global:CortexTestRule -and $Name -contains $global:CortexTestRule.Name) { return $global:CortexTestRule }
            Write-Error "No MSFT_NetFirewallRule objects found with property 'InstanceID' equal to '$Name'."
        }
        Mock Get-NetFirewallPortFilter { $global:CortexTestFilter }
        Mock New-NetFirewallRule { }
        Mock Set-NetFirewallRule { }
        Mock Remove-NetFirewallRule { }
    }
}

Describe 'firewall_rule' {
    Context 'the rule exists as wanted' {
        BeforeEach {
            Register-Rule ([pscustomobject]@{ Name = 'cortex-amqp'; Direction = 'Inbound'; Action = 'Allow'; Profile = 'Domain, Private, Public'; Enabled = 'True' }) ([pscustomobject]@{ Protocol = 'TCP'; LocalPort = @('5672', '25672-25680') })
        }
        It 'Test: every field, lower case, ports as strings; changes nothing' {
            $r = Invoke-CortexResourceTest -Resource 'firewall_rule' -Params $amqp
            $r.StepError | Should -BeNullOrEmpty
            $s = $r.State
            $s.exists | Should -BeTrue
            $s.direction | Should -BeExactly 'inbound'
            $s.protocol | Should -BeExactly 'tcp'
            $s.localPorts | Should -Be @('5672', '25672-25680')
            $s.action | Should -BeExactly 'allow'
            $s.profiles | Should -Be @('domain', 'private', 'public')
            $s.enabled | Should -BeTrue
            Assert-CortexNotInvoked $setCommands
        }
        It 'Set (a field differs): Set-NetFirewallRule by name with every field' {
            $r = Invoke-CortexResourceSet -Resource 'firewall_rule' -Params $amqp
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'updated cortex-amqp'
            Should -Invoke Set-NetFirewallRule -Times 1 -Exactly -ParameterFilter {
                $Name -eq 'cortex-amqp' -and $Direction -eq 'Inbound' -and $Protocol -eq 'TCP' -and ($LocalPort -join ',') -eq '5672,25672-25680' -and $Action -eq 'Allow' -and ($Profile -join ',') -eq 'Domain,Private,Public' -and $Enabled -eq 'True'
            }
            Assert-CortexNotInvoked @('New-NetFirewallRule', 'Remove-NetFirewallRule')
        }
        It 'Set absent: Remove-NetFirewallRule' {
            $null = Invoke-CortexResourceSet -Resource 'firewall_rule' -Params @{ name = 'cortex-amqp'; state = 'absent' }
            Should -Invoke Remove-NetFirewallRule -Times 1 -Exactly -ParameterFilter { $Name -eq 'cortex-amqp' }
        }
    }

    Context 'a disabled outbound rule for any protocol on one profile' {
        BeforeEach {
            Register-Rule ([pscustomobject]@{ Name = 'cortex-amqp'; Direction = 'Outbound'; Action = 'Block'; Profile = 'Domain'; Enabled = 'False' }) ([pscustomobject]@{ Protocol = 'Any'; LocalPort = 'Any' })
        }
        It 'Test: any port is the empty list; one profile stays a list' {
            $r = Invoke-CortexResourceTest -Resource 'firewall_rule' -Params $amqp
            $r.State.direction | Should -BeExactly 'outbound'
            $r.State.protocol | Should -BeExactly 'any'
            @($r.State.localPorts).Count | Should -Be 0
            $r.Json | Should -BeLike '*"localPorts":`[`]*'
            $r.Json | Should -BeLike '*"profiles":`["domain"`]*'
            $r.State.enabled | Should -BeFalse
            $r.State.action | Should -BeExactly 'block'
        }
    }

    Context 'a rule of that name for ICMP' {
        BeforeEach { Register-Rule ([pscustomobject]@{ Name = 'cortex-amqp'; Direction = 'Inbound'; Action = 'Allow'; Profile = 'Any'; Enabled = 'True' }) ([pscustomobject]@{ Protocol = 'ICMPv4'; LocalPort = 'RPC' }) }
        It 'Test: the protocol and ports as the host reports them (they differ from any wanted); Any profile is all three' {
            $r = Invoke-CortexResourceTest -Resource 'firewall_rule' -Params $amqp
            $r.State.protocol | Should -BeExactly 'icmpv4'
            $r.State.localPorts | Should -Be @('RPC')
            $r.State.profiles | Should -Be @('domain', 'private', 'public')
        }
    }

    Context 'no such rule' {
        BeforeEach { Register-Rule $null $null }
        It 'Test: exists false, nothing else' {
            $r = Invoke-CortexResourceTest -Resource 'firewall_rule' -Params $amqp
            $r.StepError | Should -BeNullOrEmpty
            $r.State.exists | Should -BeFalse
            $r.State.direction | Should -BeNullOrEmpty
            Assert-CortexNotInvoked $setCommands
        }
        It 'Set: New-NetFirewallRule with the name as display name; no ports means Any' {
            $r = Invoke-CortexResourceSet -Resource 'firewall_rule' -Params @{ name = 'cortex-any'; protocol = 'udp'; profiles = @('domain') }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'created cortex-any'
            Should -Invoke New-NetFirewallRule -Times 1 -Exactly -ParameterFilter { $Name -eq 'cortex-any' -and $DisplayName -eq 'cortex-any' -and $Protocol -eq 'UDP' -and ($LocalPort -join ',') -eq 'Any' -and ($Profile -join ',') -eq 'Domain' -and $Direction -eq 'Inbound' -and $Enabled -eq 'True' }
            Assert-CortexNotInvoked @('Set-NetFirewallRule')
        }
        It 'Set absent: nothing to remove' {
            $null = Invoke-CortexResourceSet -Resource 'firewall_rule' -Params @{ name = 'cortex-amqp'; state = 'absent' }
            Assert-CortexNotInvoked $setCommands
        }
    }

    Context 'bad parameters' {
        BeforeEach { Register-Rule $null $null }
        It 'ports with protocol any' {
            (Invoke-CortexResourceSet -Resource 'firewall_rule' -Params @{ name = 'x'; protocol = 'any'; localPorts = @(80) }).Error.message | Should -BeLike 'firewall_rule: parameter localPorts needs protocol tcp or udp*'
            Assert-CortexNotInvoked $setCommands
        }
        It 'an unknown profile' { (Invoke-CortexResourceSet -Resource 'firewall_rule' -Params @{ name = 'x'; profiles = @('work') }).Error.message | Should -Be 'firewall_rule: parameter profiles may hold domain, private and public, not work' }
        It 'no name' { (Invoke-CortexResourceTest -Resource 'firewall_rule' -Params @{}).StepError | Should -Be 'firewall_rule: parameter name is missing' }
        It 'an unknown direction' { (Invoke-CortexResourceSet -Resource 'firewall_rule' -Params @{ name = 'x'; direction = 'in' }).Error.message | Should -Be 'firewall_rule: parameter direction must be inbound or outbound, not in' }
    }
}
