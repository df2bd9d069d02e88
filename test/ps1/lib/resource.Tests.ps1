# Script under test: ps1/lib/resource.ps1, the helpers every resource script shares (the scripts' own
# tests in test/ps1/resources/ exercise them through the scripts; these pin the helpers alone).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../ps1/lib/windows.ps1')
    . (Join-Path $PSScriptRoot '../../../ps1/lib/resource.ps1')
    function Set-TestMarkers([hashtable]$Values, [string[]]$Keys = @(), [string[]]$Netlogon = $null) {
        $script:values = $Values
        $script:keys = $Keys
        $script:netlogon = $Netlogon
        Mock Get-CortexRegistryValue { $script:values["$SubKey|$Name"] }
        Mock Test-CortexRegistryKey { $script:keys -contains $SubKey }
        Mock Get-CortexRegistryValueName { if ($null -eq $script:netlogon) { $null } else { , [string[]]$script:netlogon } }
    }
    $names = 'SYSTEM\CurrentControlSet\Control\ComputerName'
}

Describe 'Get-CortexResourceParam' {
    It 'gives the value, the default for a missing or null one, and names resource and parameter when required' {
        $p = [pscustomobject]@{ name = 'WinRM'; empty = '  '; none = $null }
        Get-CortexResourceParam -Params $p -Resource 'service' -Name 'name' | Should -Be 'WinRM'
        Get-CortexResourceParam -Params $p -Resource 'service' -Name 'state' -Default 'running' | Should -Be 'running'
        Get-CortexResourceParam -Params $p -Resource 'service' -Name 'none' -Default 'x' | Should -Be 'x'
        { Get-CortexResourceParam -Params $p -Resource 'service' -Name 'empty' -Required } | Should -Throw 'service: parameter empty is missing'
        { Get-CortexResourceParam -Params $null -Resource 'file' -Name 'path' -Required } | Should -Throw 'file: parameter path is missing'
    }
    It 'keeps an array whole, even of one element' {
        $r = Get-CortexResourceParam -Params ([pscustomobject]@{ ports = @(5672) }) -Resource 'firewall_rule' -Name 'ports'
        , $r | Should -BeOfType [object[]]
        @($r).Count | Should -Be 1
    }
}

Describe 'Get-CortexPendingReboot and Test-CortexRebootPending' {
    It 'a clean machine: no marker, no reboot pending' {
        Set-TestMarkers @{ "$names\ActiveComputerName|ComputerName" = 'APP1'; "$names\ComputerName|ComputerName" = 'APP1' } -Netlogon @('Update')
        $m = Get-CortexPendingReboot
        @($m.Values | Where-Object { $_ }).Count | Should -Be 0
        Test-CortexRebootPending | Should -BeFalse
    }
    It 'each marker alone makes a reboot pending' -ForEach @(
        @{ what = 'componentBasedServicing'; values = @{}; keys = @('SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'); netlogon = @() }
        @{ what = 'windowsUpdate'; values = @{}; keys = @('SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'); netlogon = @() }
        @{ what = 'pendingFileRenameOperations'; values = @{ 'SYSTEM\CurrentControlSet\Control\Session Manager|PendingFileRenameOperations' = [string[]]@('\??\C:\x', '') }; keys = @(); netlogon = @() }
        @{ what = 'serverManager'; values = @{ 'SOFTWARE\Microsoft\ServerManager\ServicingStorage\ServerComponentCache|RestartRequired' = 1 }; keys = @(); netlogon = @() }
        @{ what = 'computerRename'; values = @{ 'SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName|ComputerName' = 'OLD'; 'SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName|ComputerName' = 'NEW' }; keys = @(); netlogon = @() }
        @{ what = 'domainJoin'; values = @{}; keys = @(); netlogon = @('JoinDomain') }
    ) {
        Set-TestMarkers $values -Keys $keys -Netlogon $netlogon
        $m = Get-CortexPendingReboot
        @($m.Keys | Where-Object { $m[$_] }) | Should -Be @($what)
        Test-CortexRebootPending | Should -BeTrue
    }
    It 'empty rename entries, a zero RestartRequired and an absent Netlogon key are no markers' {
        Set-TestMarkers @{ 'SYSTEM\CurrentControlSet\Control\Session Manager|PendingFileRenameOperations' = [string[]]@('', ''); 'SOFTWARE\Microsoft\ServerManager\ServicingStorage\ServerComponentCache|RestartRequired' = 0 } -Netlogon $null
        Test-CortexRebootPending | Should -BeFalse
    }
}
