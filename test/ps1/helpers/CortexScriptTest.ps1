# Shared Pester helpers: run a ps1/ script the way a host runs it, and give Pester the Windows-only
# commands pwsh on Linux lacks so they can be mocked. Dot-source in a test file's BeforeAll:
#   BeforeAll { . (Join-Path $PSScriptRoot '../helpers/CortexScriptTest.ps1') }
# How to add a test for a new script: docs/scripts.md, "Testing the scripts".

$global:CortexTestRepoRoot = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../..'))

# Windows-only cmdlets the scripts call, with the parameters they use (Mock copies a command's
# parameters, so a ParameterFilter can read them). A stub that is called unmocked says so.
function Initialize-CortexCommandStub {
    if (-not (Get-Command -Name Get-CimInstance -ErrorAction Ignore)) {
        function global:Get-CimInstance {
            [CmdletBinding()] param([string]$ClassName, [string]$Filter, [string]$Namespace)
            throw "Get-CimInstance -ClassName $ClassName was called but not mocked in this test"
        }
    }
    if (-not (Get-Command -Name Get-NetIPAddress -ErrorAction Ignore)) {
        function global:Get-NetIPAddress {
            [CmdletBinding()] param([string]$AddressFamily)
            throw 'Get-NetIPAddress was called but not mocked in this test'
        }
    }
    if (-not (Get-Command -Name Get-NetTCPConnection -ErrorAction Ignore)) {
        function global:Get-NetTCPConnection {
            [CmdletBinding()] param([string]$State, [uint16[]]$LocalPort)
            throw 'Get-NetTCPConnection was called but not mocked in this test'
        }
    }
}
Initialize-CortexCommandStub

# The lib's functions, defined here too so Mock can find them; the script run by
# Invoke-CortexTestScript defines them again from the lib text, and a Mock (an alias) still wins.
# Only the function definitions: the lib's Set-StrictMode and preferences stay out of the test's scope.
foreach ($lib in ([IO.Directory]::GetFiles((Join-Path $global:CortexTestRepoRoot 'ps1/lib'), '*.ps1') | Sort-Object)) {
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($lib, [ref]$null, [ref]$null)
    foreach ($f in $ast.EndBlock.Statements) {
        if ($f -is [System.Management.Automation.Language.FunctionDefinitionAst]) { . ([scriptblock]::Create($f.Extent.Text)) }
    }
}
if ($null -eq $global:CortexSavedSamples) { $global:CortexSavedSamples = @() }

function Get-CortexTestLibText {
    # ps1/lib/*.ps1 in file-name order, as src/runner/scripts.ts libraryText() sends it.
    $dir = Join-Path $global:CortexTestRepoRoot 'ps1/lib'
    $files = [IO.Directory]::GetFiles($dir, '*.ps1') | Sort-Object
    ($files | ForEach-Object { [IO.File]::ReadAllText($_).TrimStart([char]0xFEFF) }) -join "`n"
}

function Get-CortexTestCaseName {
    # The current test's path (Describe / Context / It) as a file name.
    $name = $null
    $pester = Get-Variable -Name '____Pester' -ValueOnly -ErrorAction Ignore
    if ($null -ne $pester -and $null -ne $pester.CurrentTest) { $name = ($pester.CurrentTest.Path | Select-Object -Skip 1) -join ' / ' }
    if (-not $name) { $name = 'case' }
    ($name -replace '[^A-Za-z0-9._-]+', '-').Trim('-').ToLowerInvariant()
}

function Save-CortexTestSample {
    # test-results/ps1-samples/<script id>/<case>.json: every JSON a test produced, for
    # test/ps1/samples-schema.test.ts to parse with the product's zod schema.
    param([Parameter(Mandatory = $true)][string]$ScriptId, [Parameter(Mandatory = $true)][string]$Json, [string]$Case, $Params, [hashtable]$Expect)
    if (-not $Case) { $Case = Get-CortexTestCaseName }
    $dir = Join-Path $global:CortexTestRepoRoot ('test-results/ps1-samples/{0}' -f $ScriptId)
    $null = [IO.Directory]::CreateDirectory($dir)
    $file = Join-Path $dir "$Case.json"
    $n = 2
    while ($global:CortexSavedSamples -contains $file) { $file = Join-Path $dir ('{0}-{1}.json' -f $Case, $n); $n++ }
    $global:CortexSavedSamples += $file
    [IO.File]::WriteAllText($file, $Json + "`n")
    # Beside it, what the test ran it with, and (for facts) the preflight statuses the TypeScript rules
    # must conclude from it: the vitest side checks both.
    $meta = [ordered]@{ params = $Params; expect = $Expect }
    [IO.File]::WriteAllText(($file -replace '\.json$', '.meta.json'), (ConvertTo-Json -InputObject $meta -Depth 10 -Compress) + "`n")
}

function Invoke-CortexTestScript {
    # Runs ps1/<Script> as the resident bootstrap does: the lib text, then the script, with
    # $CortexParams decoded from JSON, in this session (so Mocks apply) and in its own script file (so
    # its `exit` ends it alone). Returns the one JSON line it printed, parsed, and its exit code; any
    # other output fails the test. The JSON is saved as a sample (see Save-CortexTestSample).
    param(
        [Parameter(Mandatory = $true)][string]$Script,
        [hashtable]$Params = @{},
        [hashtable]$Environment = @{},
        [string]$Case,
        # Preflight check id -> status the rules must conclude from this output (facts only).
        [hashtable]$Expect
    )
    $scriptPath = Join-Path $global:CortexTestRepoRoot $Script
    $scriptText = [IO.File]::ReadAllText($scriptPath).TrimStart([char]0xFEFF)
    $header = ($scriptText -split "`r?`n", 2)[0]
    if ($header -notmatch '^#\s*cortex-script:\s*([a-z0-9][a-z0-9.-]*)\s*$') { throw "$Script does not start with its # cortex-script: header" }
    $scriptId = $Matches[1]

    $file = Join-Path ([IO.Path]::GetTempPath()) ('cortex-test-{0}.ps1' -f [guid]::NewGuid().ToString('n'))
    [IO.File]::WriteAllText($file, "param(`$CortexParams)`n" + (Get-CortexTestLibText) + "`n" + $scriptText, (New-Object System.Text.UTF8Encoding $true))
    # The parameters travel as JSON and arrive as ConvertFrom-Json made them.
    $paramsObject = ConvertTo-Json -InputObject $Params -Depth 10 -Compress | ConvertFrom-Json -DateKind String

    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $Environment[$name])
    }
    # The result may come as pipeline output or be written to the console's stdout: both are captured.
    $console = New-Object System.IO.StringWriter
    $originalOut = [Console]::Out
    try {
        [Console]::SetOut($console)
        $global:LASTEXITCODE = 0
        $items = @(& $file -CortexParams $paramsObject 2>&1 6>$null)
        $exitCode = $global:LASTEXITCODE
    } finally {
        [Console]::SetOut($originalOut)
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        [IO.File]::Delete($file)
    }
    $errors = @($items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
    $output = @($items | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
    $output += @($console.ToString() -split "`r?`n" | Where-Object { $_ -ne '' })
    if ($output.Count -ne 1 -or $output[0] -isnot [string]) {
        throw ('{0} printed {1} output items instead of one JSON line: {2}' -f $Script, $output.Count, (($output | ForEach-Object { "[$($_.GetType().Name)] $_" }) -join ' | '))
    }
    $json = $output[0]
    $result = $json | ConvertFrom-Json -Depth 50 -DateKind String
    if ($null -eq $result -or $result.ok -isnot [bool]) { throw "$Script printed a line that is not an envelope result: $json" }
    Save-CortexTestSample -ScriptId $scriptId -Json $json -Case $Case -Params $Params -Expect $Expect
    [pscustomobject]@{ ScriptId = $scriptId; Json = $json; Result = $result; Data = $result.data; Error = $result.error; ExitCode = $exitCode; Errors = $errors }
}
