# Scripts under test: ps1/resources/gobetween-backend.ps1 (Set), with its Test in ps1/resources/test-batch.ps1
# and ps1/lib/gobetween.ps1. The drain marker is a real file in a temporary installDir; gobetween's REST
# API (the seam Get-CortexHttpJson, ps1/lib/windows.ps1) is mocked with the shape of /servers/<name>/stats, and Start-Sleep so the
# polling takes no time.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    function New-Stats {
        # /servers/web_gateway/stats with the backends given as host -> live.
        param([hashtable]$Live)
        [pscustomobject]@{
            active_connections = 0
            backends = @($Live.GetEnumerator() | Sort-Object Name | ForEach-Object {
                    [pscustomobject]@{ host = $_.Name; port = '443'; priority = 1; weight = 1; stats = [pscustomobject]@{ live = $_.Value; discovered = $true; total_connections = 10; active_connections = 2 } }
                })
        }
    }
}

Describe 'gobetween_backend' {
    BeforeEach {
        $dir = Join-Path ([IO.Path]::GetTempPath()) ('cortex-gobetween-' + [guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $dir
        $marker = Join-Path (Join-Path $dir 'drain') 'web1.corp.example.com_443'
        $base = @{ server = 'web_gateway'; backend = 'web1.corp.example.com:443'; installDir = $dir; timeoutSec = 10 }
        Mock Start-Sleep { }
    }
    # A global counter: the mock runs in the script's scope, under its StrictMode.
    AfterEach {
        Remove-Item -LiteralPath $dir -Recurse -Force
        Remove-Variable -Name CortexGobetweenPolls -Scope Global -ErrorAction Ignore
    }

    Context 'Test' {
        It 'reads the marker and the backend in the API (live, active connections)' {
            Mock Get-CortexHttpJson { New-Stats @{ 'web1.corp.example.com' = $true; 'web2.corp.example.com' = $false } }
            $r = Invoke-CortexResourceTest -Resource 'gobetween_backend' -Params ($base + @{ state = 'drained' })
            $r.StepError | Should -BeNullOrEmpty
            $r.State.drained | Should -BeFalse
            $r.State.live | Should -BeTrue
            $r.State.activeConnections | Should -Be 2
            Should -Invoke Get-CortexHttpJson -Times 1 -Exactly -ParameterFilter { $Uri -eq 'http://127.0.0.1:8888/servers/web_gateway/stats' -and $TimeoutSec -eq 5 }
        }
        It 'a backend the API does not list, or an API that does not answer: live null' {
            Mock Get-CortexHttpJson { New-Stats @{ 'web2.corp.example.com' = $true } }
            (Invoke-CortexResourceTest -Resource 'gobetween_backend' -Params ($base + @{ state = 'live' })).State.live | Should -BeNullOrEmpty
            Mock Get-CortexHttpJson { throw [System.Net.WebException]::new('Unable to connect to the remote server') }
            $r = Invoke-CortexResourceTest -Resource 'gobetween_backend' -Params ($base + @{ state = 'live' })
            $r.StepError | Should -BeNullOrEmpty
            $r.State.live | Should -BeNullOrEmpty
            $r.State.activeConnections | Should -BeNullOrEmpty
        }
        It 'a backend that is not host:port is the step''s error' {
            Mock Get-CortexHttpJson { New-Stats @{} }
            $p = $base.Clone()
            $p.state = 'live'
            $p.backend = 'web1 443'
            $r = Invoke-CortexResourceTest -Resource 'gobetween_backend' -Params $p
            $r.StepError | Should -BeExactly 'gobetween_backend: backend web1 443 is not host:port'
        }
    }

    Context 'Set drained' {
        It 'writes the marker and returns once the API shows the backend not live' {
            $global:CortexGobetweenPolls = 0
            Mock Get-CortexHttpJson { $global:CortexGobetweenPolls++; New-Stats @{ 'web1.corp.example.com' = ($global:CortexGobetweenPolls -lt 3) } }
            $r = Invoke-CortexResourceSet -Resource 'gobetween_backend' -Params ($base + @{ state = 'drained' })
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'drained web1.corp.example.com:443 from gobetween server web_gateway: no new connections (active now: 2)'
            Test-Path -LiteralPath $marker -PathType Leaf | Should -BeTrue
            # ASCII, no BOM, no newline (Write-CortexAsciiFile).
            [IO.File]::ReadAllBytes($marker) | Should -Be ([Text.Encoding]::ASCII.GetBytes('drained by cortex-deploy'))
            $global:CortexGobetweenPolls | Should -Be 3
            Should -Invoke Start-Sleep -Times 2 -Exactly -ParameterFilter { $Seconds -eq 2 }
        }
        It 'fails naming the marker when gobetween keeps the backend live until the timeout' {
            Mock Get-CortexHttpJson { New-Stats @{ 'web1.corp.example.com' = $true } }
            $r = Invoke-CortexResourceSet -Resource 'gobetween_backend' -Params ($base + @{ state = 'drained' })
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeLike "gobetween_backend: web1.corp.example.com:443 is still live in server web_gateway after 10 s with the drain marker $marker in place*"
            Should -Invoke Start-Sleep -Times 5 -Exactly
        }
    }

    Context 'Set live' {
        BeforeEach {
            $null = New-Item -ItemType Directory -Path (Split-Path -Path $marker -Parent)
            [IO.File]::WriteAllText($marker, 'drained')
        }
        It 'removes the marker and returns once the API shows the backend live' {
            $global:CortexGobetweenPolls = 0
            Mock Get-CortexHttpJson { $global:CortexGobetweenPolls++; New-Stats @{ 'web1.corp.example.com' = ($global:CortexGobetweenPolls -ge 2) } }
            $r = Invoke-CortexResourceSet -Resource 'gobetween_backend' -Params ($base + @{ state = 'live' })
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -BeExactly 'web1.corp.example.com:443 is live again in gobetween server web_gateway'
            Test-Path -LiteralPath $marker | Should -BeFalse
            $t = Invoke-CortexResourceTest -Resource 'gobetween_backend' -Params ($base + @{ state = 'live' })
            $t.State.drained | Should -BeFalse
            $t.State.live | Should -BeTrue
        }
        It 'fails saying the site does not answer when the backend never turns live' {
            Mock Get-CortexHttpJson { New-Stats @{ 'web1.corp.example.com' = $false } }
            $r = Invoke-CortexResourceSet -Resource 'gobetween_backend' -Params ($base + @{ state = 'live' })
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeLike 'gobetween_backend: web1.corp.example.com:443 did not turn live in server web_gateway within 10 s (not live in http://127.0.0.1:8888/servers/web_gateway/stats); the drain marker is removed*'
            Test-Path -LiteralPath $marker | Should -BeFalse
        }
        It 'refuses a state other than drained or live' {
            Mock Get-CortexHttpJson { New-Stats @{} }
            $r = Invoke-CortexResourceSet -Resource 'gobetween_backend' -Params ($base + @{ state = 'Drained' })
            $r.Result.ok | Should -BeFalse
            $r.Error.message | Should -BeExactly 'gobetween_backend: parameter state must be drained or live, not Drained'
            Test-Path -LiteralPath $marker | Should -BeTrue
        }
    }
}
