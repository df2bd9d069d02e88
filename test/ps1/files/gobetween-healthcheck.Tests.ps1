# Script under test: ps1/files/gobetween-healthcheck.ps1 (run by gobetween through healthcheck-<server>.cmd).
# Invoke-WebRequest is mocked: one Context per backend answer. What reaches stdout must be exactly the
# one character 1 or 0 (gobetween compares with ==), nothing on the pipeline, and the exit code 0.
# test/components/healthcheck-script.test.ts runs the same script unmocked against loopback servers.
BeforeAll {
    $script:Script = Join-Path $PSScriptRoot '../../../ps1/files/gobetween-healthcheck.ps1'
    function Invoke-HealthCheck {
        param([hashtable]$Arguments)
        $writer = New-Object System.IO.StringWriter
        $saved = [Console]::Out
        [Console]::SetOut($writer)
        try {
            $global:LASTEXITCODE = 99
            $pipeline = @(& $script:Script @Arguments)
            $exit = $global:LASTEXITCODE
        } finally {
            [Console]::SetOut($saved)
        }
        [pscustomobject]@{ Stdout = $writer.ToString(); Pipeline = $pipeline; ExitCode = $exit }
    }
    $script:App1 = @{ BackendHost = 'app1.corp.example.com'; BackendPort = '8443' }
}

Describe 'gobetween-healthcheck.ps1' {
    Context 'the backend answers 200' {
        BeforeEach { Mock Invoke-WebRequest { [pscustomobject]@{ StatusCode = 200 } } }
        It 'prints exactly 1, nothing on the pipeline, exits 0' {
            $r = Invoke-HealthCheck $script:App1
            $r.Stdout | Should -BeExactly '1'
            $r.Pipeline.Count | Should -Be 0
            $r.ExitCode | Should -Be 0
        }
        It 'requests https://<host>:<port>/health with the timeout and no redirects, by default' {
            $null = Invoke-HealthCheck $script:App1
            Should -Invoke Invoke-WebRequest -Times 1 -Exactly -ParameterFilter {
                $Uri -eq 'https://app1.corp.example.com:8443/health' -and $TimeoutSec -eq 3 -and $UseBasicParsing -and $MaximumRedirection -eq 0
            }
        }
        It 'passes scheme, path and timeout through; an IPv6 host goes in brackets' {
            $null = Invoke-HealthCheck @{ BackendHost = '2001:db8::24'; BackendPort = '80'; Scheme = 'http'; Path = '/api/health'; TimeoutSec = 2 }
            Should -Invoke Invoke-WebRequest -Times 1 -Exactly -ParameterFilter { $Uri -eq 'http://[2001:db8::24]:80/api/health' -and $TimeoutSec -eq 2 }
        }
    }

    Context 'a drain marker next to the script (gobetween_backend state drained)' {
        BeforeEach {
            Mock Invoke-WebRequest { [pscustomobject]@{ StatusCode = 200 } }
            $dir = Join-Path ([IO.Path]::GetTempPath()) ('cortex-hc-' + [guid]::NewGuid().ToString('n'))
            $null = New-Item -ItemType Directory -Path (Join-Path $dir 'drain')
            Copy-Item -LiteralPath $script:Script -Destination (Join-Path $dir 'gobetween-healthcheck.ps1')
            $script:Copy = Join-Path $dir 'gobetween-healthcheck.ps1'
            $saved = $script:Script
            $script:Script = $script:Copy
        }
        AfterEach {
            $script:Script = $saved
            Remove-Item -LiteralPath $dir -Recurse -Force
        }
        It 'prints 0 for the drained backend without asking it, 1 for another one' {
            [IO.File]::WriteAllText((Join-Path (Join-Path $dir 'drain') 'app1.corp.example.com_8443'), 'drained')
            (Invoke-HealthCheck $script:App1).Stdout | Should -BeExactly '0'
            Should -Invoke Invoke-WebRequest -Times 0 -Exactly
            (Invoke-HealthCheck @{ BackendHost = 'app2.corp.example.com'; BackendPort = '8443' }).Stdout | Should -BeExactly '1'
            (Invoke-HealthCheck @{ BackendHost = 'app1.corp.example.com'; BackendPort = '9443' }).Stdout | Should -BeExactly '1'
        }
        It 'an IPv6 backend: its marker names the host with _ for each colon' {
            [IO.File]::WriteAllText((Join-Path (Join-Path $dir 'drain') '2001_db8__24_443'), 'drained')
            (Invoke-HealthCheck @{ BackendHost = '2001:db8::24'; BackendPort = '443' }).Stdout | Should -BeExactly '0'
        }
    }

    Context 'the backend answers 204' {
        BeforeEach { Mock Invoke-WebRequest { [pscustomobject]@{ StatusCode = 204 } } }
        It 'any 2xx is healthy: prints 1' {
            (Invoke-HealthCheck $script:App1).Stdout | Should -BeExactly '1'
        }
    }

    Context 'the backend answers a redirect (5.1 returns it with MaximumRedirection 0)' {
        BeforeEach { Mock Invoke-WebRequest { [pscustomobject]@{ StatusCode = 302 } } }
        It 'prints 0' {
            (Invoke-HealthCheck $script:App1).Stdout | Should -BeExactly '0'
        }
    }

    Context 'the request fails (503, refused, timeout, certificate): Invoke-WebRequest throws' {
        BeforeEach { Mock Invoke-WebRequest { throw [System.Net.WebException]::new('The remote server returned an error: (503) Server Unavailable.') } }
        It 'prints exactly 0, nothing on the pipeline, exits 0' {
            $r = Invoke-HealthCheck $script:App1
            $r.Stdout | Should -BeExactly '0'
            $r.Pipeline.Count | Should -Be 0
            $r.ExitCode | Should -Be 0
        }
    }

    Context 'arguments that cannot make a safe URL' {
        BeforeEach { Mock Invoke-WebRequest { [pscustomobject]@{ StatusCode = 200 } } }
        It 'prints 0 without a request: <Case>' -ForEach @(
            @{ Case = 'no arguments'; Arguments = @{} }
            @{ Case = 'no port'; Arguments = @{ BackendHost = 'app1' } }
            @{ Case = 'port 0'; Arguments = @{ BackendHost = 'app1'; BackendPort = '0' } }
            @{ Case = 'port 70000'; Arguments = @{ BackendHost = 'app1'; BackendPort = '70000' } }
            @{ Case = 'a host with a path'; Arguments = @{ BackendHost = 'evil/x'; BackendPort = '80' } }
            @{ Case = 'a host with credentials'; Arguments = @{ BackendHost = 'u@evil'; BackendPort = '80' } }
            @{ Case = 'scheme ftp'; Arguments = @{ BackendHost = 'app1'; BackendPort = '80'; Scheme = 'ftp' } }
            @{ Case = 'a path with a query'; Arguments = @{ BackendHost = 'app1'; BackendPort = '80'; Path = '/health?x=1' } }
            @{ Case = 'timeout 0'; Arguments = @{ BackendHost = 'app1'; BackendPort = '80'; TimeoutSec = 0 } }
        ) {
            $r = Invoke-HealthCheck $Arguments
            $r.Stdout | Should -BeExactly '0'
            $r.ExitCode | Should -Be 0
            Should -Invoke Invoke-WebRequest -Times 0 -Exactly
        }
    }
}
