# Script under test: ps1/resources/windows-feature.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The windows_feature resource: Get-WindowsFeature (Test) and Install-/Uninstall-WindowsFeature (Set),
# one Context per state of the feature.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $setCommands = @('Install-WindowsFeature', 'Uninstall-WindowsFeature')
    function Register-Feature([bool]$Installed, [string]$RestartNeeded = 'No') {
        Register-CortexTestRegistryMock (New-CortexTestMachine)
        $global:CortexTestFeature = [pscustomobject]@{ Name = 'Web-Server'; DisplayName = 'Web Server (IIS)'; Installed = $Installed }
        $global:CortexTestRestartNeeded = $RestartNeeded
        # Get-WindowsFeature with an unknown name returns nothing and no error.
        Mock Get-WindowsFeature { if ($Name -contains 'Web-Server') { $global:CortexTestFeature } }
        Mock Install-WindowsFeature {
            $global:CortexTestFeature.Installed = $true
            $code = 0; if ($global:CortexTestRestartNeeded -eq 'Yes') { $code = 3010 }
            [pscustomobject]@{ Success = $true; RestartNeeded = $global:CortexTestRestartNeeded; ExitCode = $code; FeatureResult = @() }
        }
        Mock Uninstall-WindowsFeature {
            $global:CortexTestFeature.Installed = $false
            [pscustomobject]@{ Success = $true; RestartNeeded = $global:CortexTestRestartNeeded; ExitCode = 0; FeatureResult = @() }
        }
    }
}

Describe 'windows_feature' {
    Context 'the feature is not installed' {
        BeforeEach { Register-Feature -Installed $false }
        It 'Test: known, not installed; installs nothing' {
            $r = Invoke-CortexResourceTest -Resource 'windows_feature' -Params @{ name = 'Web-Server'; state = 'present' }
            $r.State.known | Should -BeTrue
            $r.State.installed | Should -BeFalse
            Assert-CortexNotInvoked $setCommands
        }
        It 'Set: Install-WindowsFeature with the management tools when asked; Test then sees it' {
            $r = Invoke-CortexResourceSet -Resource 'windows_feature' -Params @{ name = 'Web-Server'; state = 'present'; includeManagementTools = $true }
            $r.Result.ok | Should -BeTrue
            $r.Data.rebootRequired | Should -BeFalse
            $r.Data.message | Should -Be 'installing Web-Server'
            Should -Invoke Install-WindowsFeature -Times 1 -Exactly -ParameterFilter { $Name -eq 'Web-Server' -and $IncludeManagementTools }
            (Invoke-CortexResourceTest -Resource 'windows_feature' -Params @{ name = 'Web-Server' }).State.installed | Should -BeTrue
        }
        It 'Set without management tools' {
            $null = Invoke-CortexResourceSet -Resource 'windows_feature' -Params @{ name = 'Web-Server' }
            Should -Invoke Install-WindowsFeature -Times 1 -Exactly -ParameterFilter { -not $IncludeManagementTools }
        }
    }

    Context 'installing the feature needs a restart' {
        BeforeEach { Register-Feature -Installed $false -RestartNeeded 'Yes' }
        It 'Set: reboot required, exit code 3010' {
            $r = Invoke-CortexResourceSet -Resource 'windows_feature' -Params @{ name = 'Web-Server' }
            $r.Data.rebootRequired | Should -BeTrue
            $r.Data.exitCode | Should -Be 3010
            $r.Data.message | Should -Be 'installing Web-Server, reboot required'
        }
    }

    Context 'the feature is installed' {
        BeforeEach { Register-Feature -Installed $true }
        It 'Test: installed' {
            (Invoke-CortexResourceTest -Resource 'windows_feature' -Params @{ name = 'Web-Server' }).State.installed | Should -BeTrue
            Assert-CortexNotInvoked $setCommands
        }
        It 'Set absent: Uninstall-WindowsFeature' {
            $r = Invoke-CortexResourceSet -Resource 'windows_feature' -Params @{ name = 'Web-Server'; state = 'absent' }
            $r.Result.ok | Should -BeTrue
            Should -Invoke Uninstall-WindowsFeature -Times 1 -Exactly -ParameterFilter { $Name -eq 'Web-Server' }
            Assert-CortexNotInvoked @('Install-WindowsFeature')
        }
    }

    Context 'the installation fails' {
        BeforeEach {
            Register-Feature -Installed $false
            Mock Install-WindowsFeature { [pscustomobject]@{ Success = $false; RestartNeeded = 'No'; ExitCode = 1; FeatureResult = @() } }
        }
        It 'Set: an error with the exit code' {
            $r = Invoke-CortexResourceSet -Resource 'windows_feature' -Params @{ name = 'Web-Server' }
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Be 'windows_feature: installing Web-Server failed (exit code 1); see the Server Manager event log'
        }
    }

    Context 'a name the host does not know' {
        BeforeEach { Register-Feature -Installed $false }
        It 'Test: known false (the diff reports it; no error here)' {
            $r = Invoke-CortexResourceTest -Resource 'windows_feature' -Params @{ name = 'Web-Servr' }
            $r.StepError | Should -BeNullOrEmpty
            $r.State.known | Should -BeFalse
            $r.State.installed | Should -BeFalse
        }
    }

    Context 'bad parameters' {
        BeforeEach { Register-Feature -Installed $false }
        It 'no name' { (Invoke-CortexResourceSet -Resource 'windows_feature' -Params @{}).Error.message | Should -Be 'windows_feature: parameter name is missing' }
        It 'an unknown state' { (Invoke-CortexResourceSet -Resource 'windows_feature' -Params @{ name = 'Web-Server'; state = 'on' }).Error.message | Should -Be 'windows_feature: parameter state must be present or absent, not on' }
    }
}
