# Pester helpers for the resource scripts (ps1/resources/): run a resource's Test through
# resources.test-batch and its Set through resources.<type>, stubs for the Windows-only cmdlets they
# call, and a writable registry behind the registry seams.
#   BeforeAll { . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1') }
# How to add a test: docs/scripts.md, "Testing the scripts".

. (Join-Path $PSScriptRoot 'CortexTestMachine.ps1')

# Windows-only cmdlets (absent from pwsh on Linux), with the parameters the scripts pass, so Mock can
# copy them and a ParameterFilter can read them. Called unmocked, each says so.
$global:CortexResourceCommandStubs = [ordered]@{
    'Get-Service'                 = 'param([string[]]$Name)'
    'Set-Service'                 = 'param([string]$Name, [string]$StartupType)'
    'Start-Service'               = 'param([string[]]$Name)'
    'Stop-Service'                = 'param([string[]]$Name, [switch]$Force)'
    'Get-WindowsFeature'          = 'param([string[]]$Name)'
    'Install-WindowsFeature'      = 'param([string[]]$Name, [switch]$IncludeManagementTools)'
    'Uninstall-WindowsFeature'    = 'param([string[]]$Name, [switch]$IncludeManagementTools)'
    'Get-NetFirewallRule'         = 'param([string[]]$Name)'
    'Get-NetFirewallPortFilter'   = 'param($AssociatedNetFirewallRule)'
    'New-NetFirewallRule'         = 'param([string]$Name, [string]$DisplayName, [string]$Direction, [string]$Protocol, [string[]]$LocalPort, [string]$Action, [string[]]$Profile, [string]$Enabled)'
    'Set-NetFirewallRule'         = 'param([string[]]$Name, [string]$Direction, [string]$Protocol, [string[]]$LocalPort, [string]$Action, [string[]]$Profile, [string]$Enabled)'
    'Remove-NetFirewallRule'      = 'param([string[]]$Name)'
    'Get-Acl'                     = 'param([string[]]$LiteralPath)'
    'Set-Acl'                     = 'param([string[]]$LiteralPath, $AclObject)'
    'Register-ScheduledTask'      = 'param([string]$TaskName, [string]$TaskPath, $Action, [string]$User, [string]$Password, [string]$RunLevel, $Settings, [switch]$Force)'
    'New-ScheduledTaskAction'     = 'param([string]$Execute, [string]$Argument, [string]$WorkingDirectory)'
    'New-ScheduledTaskSettingsSet' = 'param([timespan]$ExecutionTimeLimit)'
    'Start-ScheduledTask'         = 'param([string]$TaskName, [string]$TaskPath)'
    'Stop-ScheduledTask'          = 'param([string]$TaskName, [string]$TaskPath)'
    'Get-ScheduledTask'           = 'param([string]$TaskName, [string]$TaskPath)'
    'Get-ScheduledTaskInfo'       = 'param([string]$TaskName, [string]$TaskPath)'
    'Unregister-ScheduledTask'    = 'param([string]$TaskName, [string]$TaskPath, [switch]$Confirm)'
    # The ServiceFabric module (installed with the runtime on a node).
    'Connect-ServiceFabricCluster' = 'param([string[]]$ConnectionEndpoint, [switch]$WindowsCredential, [int]$TimeoutSec)'
    'Get-ServiceFabricNode'       = 'param([string]$NodeName)'
    'Get-ServiceFabricClusterUpgrade' = 'param()'
    'Get-ServiceFabricClusterHealth' = 'param()'
    'Get-ServiceFabricApplicationType' = 'param([string]$ApplicationTypeName)'
    'Get-ServiceFabricApplication' = 'param([uri]$ApplicationName)'
    'Get-ServiceFabricApplicationHealth' = 'param([uri]$ApplicationName)'
    'Copy-ServiceFabricApplicationPackage' = 'param([string]$ApplicationPackagePath, [string]$ApplicationPackagePathInImageStore, [int]$TimeoutSec)'
    'Register-ServiceFabricApplicationType' = 'param([string]$ApplicationPathInImageStore, [int]$TimeoutSec)'
    'Remove-ServiceFabricApplicationPackage' = 'param([string]$ApplicationPackagePathInImageStore)'
    'New-ServiceFabricApplication' = 'param([uri]$ApplicationName, [string]$ApplicationTypeName, [string]$ApplicationTypeVersion, [hashtable]$ApplicationParameter, [int]$TimeoutSec)'
    'Copy-ServiceFabricClusterPackage' = 'param([switch]$Code, [string]$CodePackagePath, [string]$CodePackagePathInImageStore, [string]$ImageStoreConnectionString, [int]$TimeoutSec)'
    'Register-ServiceFabricClusterPackage' = 'param([switch]$Code, [string]$CodePackagePath, [int]$TimeoutSec)'
    'Start-ServiceFabricClusterUpgrade' = 'param([switch]$Code, [string]$CodePackageVersion, [switch]$Monitored, [string]$FailureAction, [int]$MaxPercentUnhealthyNodes, [int]$MaxPercentUnhealthyApplications, [int]$UpgradeTimeoutSec)'
    'Start-ServiceFabricApplicationUpgrade' = 'param([uri]$ApplicationName, [string]$ApplicationTypeVersion, [hashtable]$ApplicationParameter, [switch]$Monitored, [string]$FailureAction, [int]$UpgradeTimeoutSec, [int]$TimeoutSec)'
    'Get-ServiceFabricApplicationUpgrade' = 'param([uri]$ApplicationName)'
    'Get-ServiceFabricDeployedCodePackage' = 'param([string]$NodeName, [uri]$ApplicationName)'
    'Restart-ServiceFabricDeployedCodePackage' = 'param([string]$NodeName, [uri]$ApplicationName, [string]$ServiceManifestName, [string]$CodePackageName, [string]$CommandCompletionMode, [int]$TimeoutSec)'
}
foreach ($stub in $global:CortexResourceCommandStubs.GetEnumerator()) {
    if (Get-Command -Name $stub.Key -ErrorAction Ignore) { continue }
    $body = "[CmdletBinding()] $($stub.Value) throw '$($stub.Key) was called but not mocked in this test'"
    $null = New-Item -Path ('function:global:' + $stub.Key) -Value ([scriptblock]::Create($body)) -Force
}

function Invoke-CortexResourceTest {
    # One resource's Test through resources.test-batch; returns the script's result with .State (the
    # step's state) or .StepError (the step's error message).
    param([Parameter(Mandatory = $true)][string]$Resource, [hashtable]$Params = @{}, [hashtable]$Environment = @{})
    $r = Invoke-CortexTestScript -Script 'ps1/resources/test-batch.ps1' -Params @{ requests = @(@{ step = 'step1'; resource = $Resource; params = $Params }) } -Environment $Environment
    if (-not $r.Result.ok) { throw "resources.test-batch failed as a whole: $($r.Error.message)" }
    $answer = @($r.Data.results)[0]
    $state = $null
    $stepError = $null
    if ($answer.PSObject.Properties['state']) { $state = $answer.state }
    if ($answer.PSObject.Properties['error']) { $stepError = $answer.error }
    $r | Add-Member -NotePropertyName State -NotePropertyValue $state -PassThru | Add-Member -NotePropertyName StepError -NotePropertyValue $stepError -PassThru
}

function Invoke-CortexResourceSet {
    # A resource's Set: ps1/resources/<type with - for _>.ps1 with the step's params.
    param([Parameter(Mandatory = $true)][string]$Resource, [hashtable]$Params = @{}, [hashtable]$Environment = @{})
    Invoke-CortexTestScript -Script ('ps1/resources/{0}.ps1' -f ($Resource -replace '_', '-')) -Params $Params -Environment $Environment
}

function Get-CortexTestRegistryStore {
    # The dictionary of subkeys of one hive and view of the test machine (HKCU has one view).
    # A Mock's parameters carry no defaults: absent means the seam's default (HKLM, 64-bit view).
    param([string]$Hive, [string]$View)
    $m = $global:CortexTestMachine
    if (-not $View) { $View = '64' }
    if ($Hive -eq 'CurrentUser') { $View = 'CU' }
    if (-not $m.Registry.ContainsKey($View)) { $m.Registry[$View] = [ordered]@{} }
    $m.Registry[$View]
}

function Get-CortexTestRegistryKind {
    # The kind of a stored test value: an explicit @{ Kind; Data } entry, else by its .NET type.
    param($Value)
    if ($Value -is [System.Collections.IDictionary] -and $Value.Contains('Kind')) { return $Value.Kind }
    if ($Value -is [string]) { return 'String' }
    if ($Value -is [int]) { return 'DWord' }
    if ($Value -is [long]) { return 'QWord' }
    if ($Value -is [byte[]]) { return 'Binary' }
    if ($Value -is [array]) { return 'MultiString' }
    'Unknown'
}

function Register-CortexTestRegistryMock {
    # The registry seams over $Machine.Registry, writable: a Set then a Test see the same registry.
    # A value stored as @{ Kind = 'ExpandString'; Data = '%x%' } has that kind; others by .NET type.
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Machine)
    $global:CortexTestMachine = $Machine
    Mock Open-CortexRegistryKey {
        $keys = $global:CortexTestMachine.Registry[$View]
        if ($null -eq $keys -or -not $keys.Contains($SubKey)) { return $null }
        $plain = [ordered]@{}
        foreach ($e in $keys[$SubKey].GetEnumerator()) {
            $v = $e.Value
            if ($v -is [System.Collections.IDictionary] -and $v.Contains('Kind')) { $v = $v.Data }
            $plain[$e.Key] = $v
        }
        New-CortexTestRegistryKey -Values $plain
    }
    Mock Get-CortexRegistryEntry {
        $keys = Get-CortexTestRegistryStore -Hive $Hive -View $View
        $entry = [pscustomobject]@{ keyExists = $false; valueExists = $false; kind = $null; data = $null }
        if (-not $keys.Contains($SubKey)) { return $entry }
        $entry.keyExists = $true
        if ($keys[$SubKey].Contains($Name)) {
            $v = $keys[$SubKey][$Name]
            $entry.valueExists = $true
            $entry.kind = Get-CortexTestRegistryKind $v
            if ($v -is [System.Collections.IDictionary] -and $v.Contains('Kind')) { $v = $v.Data }
            $entry.data = $v
        }
        $entry
    }
    Mock Set-CortexRegistryEntry {
        $keys = Get-CortexTestRegistryStore -Hive $Hive -View $View
        if (-not $keys.Contains($SubKey)) { $keys[$SubKey] = [ordered]@{} }
        $keys[$SubKey][$Name] = [ordered]@{ Kind = $Kind; Data = $Data }
    }
    Mock Remove-CortexRegistryEntry {
        $keys = Get-CortexTestRegistryStore -Hive $Hive -View $View
        if ($keys.Contains($SubKey) -and $keys[$SubKey].Contains($Name)) { $keys[$SubKey].Remove($Name) }
    }
}

function Assert-CortexNotInvoked {
    # None of these commands ran in this test (a Test must never change anything).
    param([Parameter(Mandatory = $true)][string[]]$CommandName)
    foreach ($c in $CommandName) { Should -Invoke -CommandName $c -Times 0 -Exactly -Scope It }
}
