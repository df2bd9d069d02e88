# cortex-script: resources.windows-feature
# Set of the windows_feature resource (src/resources/windows-feature.ts): Install-WindowsFeature or
# Uninstall-WindowsFeature, with -IncludeManagementTools when asked. A reboot is required when the
# cmdlet says RestartNeeded = Yes.
#   params: {name, state: present|absent, includeManagementTools}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $name = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'windows_feature' -Name 'name' -Required)
    $state = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'windows_feature' -Name 'state' -Default 'present')
    $tools = [bool](Get-CortexResourceParam -Params $CortexParams -Resource 'windows_feature' -Name 'includeManagementTools' -Default $false)
    if (@('present', 'absent') -cnotcontains $state) { throw ('windows_feature: parameter state must be present or absent, not {0}' -f $state) }
    if ($state -eq 'present') {
        $result = Install-WindowsFeature -Name $name -IncludeManagementTools:$tools
        $verb = 'installing'
    } else {
        $result = Uninstall-WindowsFeature -Name $name -IncludeManagementTools:$tools
        $verb = 'removing'
    }
    $code = [int]$result.ExitCode
    if (-not $result.Success) { throw ('windows_feature: {0} {1} failed (exit code {2}); see the Server Manager event log' -f $verb, $name, $code) }
    $reboot = $result.RestartNeeded.ToString() -eq 'Yes'
    $text = '{0} {1}' -f $verb, $name
    if ($reboot) { $text += ', reboot required' }
    New-CortexSetResult -RebootRequired $reboot -ExitCode $code -Message $text
}
