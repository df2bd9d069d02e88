# The nssm_service resource: its Test (resources.test-batch, reading NSSM's registry values) and Set
# (ps1/resources/nssm-service.ps1: nssm install, then nssm set/reset for what differs), one Context per
# state of the service. nssm.exe is Invoke-CortexNative, mocked as NSSM writes the registry.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    $global:NssmExe = 'C:\Program Files\nssm\win64\nssm.exe'
    $global:SvcKey = 'SYSTEM\CurrentControlSet\Services\gobetween'
    $global:NssmParams = @{
        serviceName = 'gobetween'; nssmExe = $global:NssmExe; program = 'C:\Program Files\gobetween\gobetween.exe'
        parameters  = @(
            @{ name = 'AppDirectory'; value = 'C:\Program Files\gobetween' },
            @{ name = 'AppParameters'; value = '-c gobetween.toml' },
            @{ name = 'DisplayName'; value = 'Cortex load balancer (gobetween)' },
            @{ name = 'Start'; value = 'SERVICE_AUTO_START' },
            @{ name = 'AppRotateFiles'; value = '1' },
            @{ name = 'AppThrottle'; value = '1500' },
            @{ name = 'AppExit'; sub = 'Default'; value = 'Restart' }
        )
    }
    function Register-Nssm {
        # $Installed: the service exists with these Parameters values (NSSM's own after install when empty).
        param([switch]$Installed, [hashtable]$Parameters = @{}, [string]$ImagePath = $global:NssmExe, [switch]$NoNssmExe)
        $m = New-CortexTestMachine
        $global:CortexTestService = $null
        if ($Installed) {
            $m.Registry['64'][$global:SvcKey] = [ordered]@{ Start = 2; ImagePath = @{ Kind = 'ExpandString'; Data = $ImagePath }; DisplayName = 'gobetween'; ObjectName = 'LocalSystem' }
            $p = [ordered]@{ Application = @{ Kind = 'ExpandString'; Data = 'C:\Program Files\gobetween\gobetween.exe' }; AppDirectory = @{ Kind = 'ExpandString'; Data = 'C:\Program Files\gobetween' } }
            foreach ($k in $Parameters.Keys) { $p[$k] = $Parameters[$k] }
            $m.Registry['64'][$global:SvcKey + '\Parameters'] = $p
            $m.Registry['64'][$global:SvcKey + '\Parameters\AppExit'] = [ordered]@{ '' = 'Restart' }
            $global:CortexTestService = [pscustomobject]@{ Name = 'gobetween'; Status = 'Stopped'; StartType = 'Automatic' }
        }
        Register-CortexTestRegistryMock $m
        Mock Get-Service { if ($null -ne $global:CortexTestService -and $Name -contains 'gobetween') { $global:CortexTestService } else { Write-Error "Cannot find any service with service name '$Name'." } }
        $global:NssmExeMissing = [bool]$NoNssmExe
        Mock Test-Path { -not $global:NssmExeMissing } -ParameterFilter { $LiteralPath -eq $global:NssmExe }
        # nssm.exe as it changes the registry: install writes the service and its first parameters.
        Mock Invoke-CortexNative {
            $a = @($ArgumentList)
            $reg = $global:CortexTestMachine.Registry['64']
            $key = 'SYSTEM\CurrentControlSet\Services\' + $a[1]
            switch ($a[0]) {
                'install' {
                    $reg[$key] = [ordered]@{ Start = 2; ImagePath = @{ Kind = 'ExpandString'; Data = $FilePath }; DisplayName = $a[1]; ObjectName = 'LocalSystem' }
                    $reg[$key + '\Parameters'] = [ordered]@{ Application = @{ Kind = 'ExpandString'; Data = $a[2] }; AppDirectory = @{ Kind = 'ExpandString'; Data = ($a[2] -replace '\\[^\\]*$', '') }; AppParameters = @{ Kind = 'ExpandString'; Data = '' } }
                    $reg[$key + '\Parameters\AppExit'] = [ordered]@{ '' = 'Restart' }
                    $global:CortexTestService = [pscustomobject]@{ Name = $a[1]; Status = 'Stopped'; StartType = 'Automatic' }
                }
                'set' {
                    if ($a[2] -eq 'DisplayName') { $reg[$key]['DisplayName'] = $a[3] }
                    elseif ($a[2] -eq 'AppExit') { $reg[$key + '\Parameters\AppExit'][''] = $a[4] }
                    elseif ($a[2] -match 'Throttle|Rotate') { if ($a[3] -eq '1500' -and $a[2] -eq 'AppThrottle') { $reg[$key + '\Parameters'].Remove('AppThrottle') } else { $reg[$key + '\Parameters'][$a[2]] = [int]$a[3] } }
                    else { $reg[$key + '\Parameters'][$a[2]] = @{ Kind = 'ExpandString'; Data = $a[3] } }
                }
                'reset' { $reg[$key + '\Parameters'].Remove($a[2]) }
            }
            [pscustomobject]@{ exitCode = 0; output = @(('Set parameter "{0}" for service "{1}".' -f $a[2], $a[1])); errorOutput = @() }
        }
    }
}

Describe 'nssm_service' {
    Context 'no such service' {
        BeforeEach { Register-Nssm }
        It 'Test: does not exist; runs nothing' {
            $r = Invoke-CortexResourceTest -Resource 'nssm_service' -Params $global:NssmParams
            $r.StepError | Should -BeNullOrEmpty
            $r.State.exists | Should -BeFalse
            $r.State.imagePath | Should -BeNullOrEmpty
            Assert-CortexNotInvoked @('Invoke-CortexNative')
        }
        It 'Set: nssm install (service, program), then nssm set only for what install left different, output decoded as UTF-16' {
            $r = Invoke-CortexResourceSet -Resource 'nssm_service' -Params $global:NssmParams
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'installed gobetween; set AppParameters, DisplayName, AppRotateFiles'
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { $FilePath -eq $global:NssmExe -and ($ArgumentList -join '|') -eq 'install|gobetween|C:\Program Files\gobetween\gobetween.exe' -and $OutputEncoding -eq 'Unicode' }
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join '|') -eq 'set|gobetween|AppParameters|-c gobetween.toml' -and $OutputEncoding -eq 'Unicode' }
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join '|') -eq 'set|gobetween|AppRotateFiles|1' }
            Should -Invoke Invoke-CortexNative -Times 4 -Exactly
            # Then the Test reads everything as wanted: a second Set would change nothing.
            $t = Invoke-CortexResourceTest -Resource 'nssm_service' -Params $global:NssmParams
            $t.State.values.AppParameters | Should -BeExactly '-c gobetween.toml'
            $t.State.values.AppThrottle | Should -BeExactly '1500'
            $t.State.values.'AppExit Default' | Should -BeExactly 'Restart'
            $t.State.values.Start | Should -BeExactly 'SERVICE_AUTO_START'
        }
        It 'Set: refuses when nssm.exe is not there, naming it' {
            Register-Nssm -NoNssmExe
            $r = Invoke-CortexResourceSet -Resource 'nssm_service' -Params $global:NssmParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeExactly 'nssm_service: C:\Program Files\nssm\win64\nssm.exe does not exist; unzip NSSM there in an earlier step'
            Assert-CortexNotInvoked @('Invoke-CortexNative')
        }
    }

    Context 'installed, every parameter as wanted' {
        BeforeEach { Register-Nssm -Installed -Parameters @{ AppParameters = @{ Kind = 'ExpandString'; Data = '-c gobetween.toml' }; AppRotateFiles = 1 } }
        It 'Test: values as nssm get prints them, defaults for what NSSM keeps no value of' {
            $global:CortexTestMachine.Registry['64'][$global:SvcKey]['DisplayName'] = 'Cortex load balancer (gobetween)'
            $r = Invoke-CortexResourceTest -Resource 'nssm_service' -Params $global:NssmParams
            $r.State.exists | Should -BeTrue
            $r.State.imagePath | Should -BeExactly $global:NssmExe
            $r.State.values.Application | Should -BeExactly 'C:\Program Files\gobetween\gobetween.exe'
            $r.State.values.AppRotateFiles | Should -BeExactly '1'
            $r.State.values.AppThrottle | Should -BeExactly '1500'
            $r.State.values.DisplayName | Should -BeExactly 'Cortex load balancer (gobetween)'
            Assert-CortexNotInvoked @('Invoke-CortexNative')
        }
        It 'Set: changes nothing' {
            $global:CortexTestMachine.Registry['64'][$global:SvcKey]['DisplayName'] = 'Cortex load balancer (gobetween)'
            $r = Invoke-CortexResourceSet -Resource 'nssm_service' -Params $global:NssmParams
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeNullOrEmpty
            Assert-CortexNotInvoked @('Invoke-CortexNative')
        }
    }

    Context 'installed, parameters that differ' {
        BeforeEach { Register-Nssm -Installed -Parameters @{ AppParameters = @{ Kind = 'ExpandString'; Data = '-c old.toml' }; AppRotateFiles = 1; AppThrottle = 3000 } }
        It 'Test: the differing values' {
            $r = Invoke-CortexResourceTest -Resource 'nssm_service' -Params $global:NssmParams
            $r.State.values.AppParameters | Should -BeExactly '-c old.toml'
            $r.State.values.AppThrottle | Should -BeExactly '3000'
        }
        It 'Set: nssm set for each differing one; an empty value is nssm reset' {
            $p = $global:NssmParams.Clone()
            $p.parameters = @($global:NssmParams.parameters | Where-Object { $_.name -ne 'AppParameters' }) + @(@{ name = 'AppParameters'; value = '' })
            $r = Invoke-CortexResourceSet -Resource 'nssm_service' -Params $p
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'set DisplayName, AppThrottle, AppParameters'
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join '|') -eq 'reset|gobetween|AppParameters' }
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join '|') -eq 'set|gobetween|AppThrottle|1500' }
            Should -Invoke Invoke-CortexNative -Times 0 -Exactly -ParameterFilter { $ArgumentList[0] -eq 'install' }
        }
        It 'Set: AppExit Default is set with its sub-parameter' {
            $global:CortexTestMachine.Registry['64'][$global:SvcKey + '\Parameters\AppExit'][''] = 'Exit'
            $null = Invoke-CortexResourceSet -Resource 'nssm_service' -Params $global:NssmParams
            Should -Invoke Invoke-CortexNative -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join '|') -eq 'set|gobetween|AppExit|Default|Restart' }
        }
        It 'Set: a failing nssm set is the step error with its output' {
            Mock Invoke-CortexNative { throw 'C:\Program Files\nssm\win64\nssm.exe exited with code 1: Error setting parameter "AppThrottle" for service "gobetween"!' }
            $r = Invoke-CortexResourceSet -Resource 'nssm_service' -Params $global:NssmParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -Match 'exited with code 1: Error setting parameter'
        }
    }

    Context 'the start type as NSSM names it' {
        It 'Test: Start 2 with DelayedAutostart 1 is SERVICE_DELAYED_AUTO_START; 3 DEMAND; 4 DISABLED' {
            Register-Nssm -Installed
            $reg = $global:CortexTestMachine.Registry['64'][$global:SvcKey]
            $reg['DelayedAutostart'] = 1
            (Invoke-CortexResourceTest -Resource 'nssm_service' -Params $global:NssmParams).State.values.Start | Should -BeExactly 'SERVICE_DELAYED_AUTO_START'
            $reg['Start'] = 3
            (Invoke-CortexResourceTest -Resource 'nssm_service' -Params $global:NssmParams).State.values.Start | Should -BeExactly 'SERVICE_DEMAND_START'
            $reg['Start'] = 4
            (Invoke-CortexResourceTest -Resource 'nssm_service' -Params $global:NssmParams).State.values.Start | Should -BeExactly 'SERVICE_DISABLED'
        }
    }

    Context 'values NSSM keeps none of, and unusual ones' {
        It 'Test: defaults as nssm get prints them; an unsigned DWORD; a start type NSSM has no name for' {
            Register-Nssm -Installed -Parameters @{ AppRotateBytes = -1 }
            $global:CortexTestMachine.Registry['64'][$global:SvcKey]['Start'] = 1
            $global:CortexTestMachine.Registry['64'].Remove($global:SvcKey + '\Parameters\AppExit')
            $p = $global:NssmParams.Clone()
            $p.parameters = @(@{ name = 'Description'; value = 'x' }, @{ name = 'AppStdout'; value = 'C:\x.log' }, @{ name = 'AppStdoutCreationDisposition'; value = '2' }, @{ name = 'AppRotateBytes'; value = '1' }, @{ name = 'Start'; value = 'SERVICE_AUTO_START' }, @{ name = 'AppExit'; sub = 'Default'; value = 'Restart' })
            $v = (Invoke-CortexResourceTest -Resource 'nssm_service' -Params $p).State.values
            $v.Description | Should -BeExactly ''
            $v.AppStdout | Should -BeExactly ''
            $v.AppStdoutCreationDisposition | Should -BeExactly '4'
            $v.AppRotateBytes | Should -BeExactly '4294967295'
            $v.Start | Should -BeExactly '1'
            $v.'AppExit Default' | Should -BeExactly 'Restart'
        }
    }

    Context 'a service of that name run by another program' {
        BeforeEach { Register-Nssm -Installed -ImagePath 'C:\Windows\system32\svchost.exe -k netsvcs' }
        It 'Test: its ImagePath, for the diff to refuse' {
            (Invoke-CortexResourceTest -Resource 'nssm_service' -Params $global:NssmParams).State.imagePath | Should -BeExactly 'C:\Windows\system32\svchost.exe -k netsvcs'
        }
        It 'Set: refuses, naming the ImagePath; runs nothing' {
            $r = Invoke-CortexResourceSet -Resource 'nssm_service' -Params $global:NssmParams
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeExactly 'nssm_service: service gobetween exists but is not run by C:\Program Files\nssm\win64\nssm.exe (its ImagePath is C:\Windows\system32\svchost.exe -k netsvcs); remove it, or set nssmExe to the NSSM that runs it'
            Assert-CortexNotInvoked @('Invoke-CortexNative')
        }
    }

    Context 'a parameter cortex-deploy does not manage' {
        It 'Test: the step error names it' {
            Register-Nssm -Installed
            $p = $global:NssmParams.Clone()
            $p.parameters = @(@{ name = 'ObjectName'; value = 'CORP\svc' })
            (Invoke-CortexResourceTest -Resource 'nssm_service' -Params $p).StepError | Should -BeExactly 'nssm_service: NSSM parameter ObjectName is not one cortex-deploy manages'
        }
    }
}
