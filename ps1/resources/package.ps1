# cortex-script: resources.package
# Set of the package resource (src/resources/package.ts): runs the installer, or the uninstaller.
#   present, .msi: msiexec.exe /i <path> /qn /norestart /l*v <log> <arguments>
#   present, .exe: <path> <arguments> (the installer's own silent switches, from the step)
#   absent: msiexec.exe /x <productCode> ...; for an EXE, the entry's QuietUninstallString (or an
#           UninstallString that is msiexec /X{GUID}); nothing when the package is not installed
# Exit codes: those in successExitCodes succeed; 3010 and 1641 also mean a reboot is required, as does
# a pending-reboot marker that was not set before. 1618 (another installation is running) fails with
# category ResourceBusy: the step's retries try again later. MSI logs go to
# %ProgramData%\cortex-deploy\logs\ and failures name the log.
#   params: {name, path, productCode?, uninstallKey?, version?, arguments: [], state, successExitCodes}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Split-CortexCommandLine {
    # A registry command line ("C:\Program Files\x\uninst.exe" /S /D="a b") as {file, arguments}, quotes removed.
    param([Parameter(Mandatory = $true)][string]$CommandLine)
    $text = $CommandLine.Trim()
    if ($text.StartsWith('"')) {
        $end = $text.IndexOf('"', 1)
        if ($end -lt 0) { throw ('package: cannot read the command line {0}' -f $CommandLine) }
        $file = $text.Substring(1, $end - 1)
        $rest = $text.Substring($end + 1)
    } else {
        # Unquoted paths with spaces are common in uninstall strings: the program ends at .exe.
        $m = [regex]::Match($text, '^(.+?\.exe)(\s|$)', 'IgnoreCase')
        if ($m.Success) { $file = $m.Groups[1].Value; $rest = $text.Substring($file.Length) }
        else { $parts = $text -split '\s+', 2; $file = $parts[0]; $rest = ''; if ($parts.Count -gt 1) { $rest = $parts[1] } }
    }
    $arguments = @([regex]::Matches($rest, '(?:[^\s"]+|"[^"]*")+') | ForEach-Object { $_.Value -replace '"', '' })
    [pscustomobject]@{ file = $file; arguments = [string[]]$arguments }
}

function Get-CortexPackageLogPath {
    # A new MSI log file name for this package, in %ProgramData%\cortex-deploy\logs (created when missing).
    param([string]$Name, [string]$Verb)
    $root = $env:ProgramData
    if (-not $root) { $root = [IO.Path]::GetTempPath() }
    $dir = Join-Path (Join-Path $root 'cortex-deploy') 'logs'
    if (-not (Test-Path -LiteralPath $dir -PathType Container)) { $null = New-Item -ItemType Directory -Path $dir -Force }
    $safe = ($Name -replace '[^A-Za-z0-9._-]+', '-').Trim('-')
    Join-Path $dir ('package-{0}-{1}-{2}.log' -f $safe, $Verb, (Get-Date).ToString('yyyyMMdd-HHmmss'))
}

Invoke-CortexScript {
    $name = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'package' -Name 'name' -Required)
    $state = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'package' -Name 'state' -Default 'present')
    $productCode = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'package' -Name 'productCode' -Default '')
    $uninstallKey = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'package' -Name 'uninstallKey' -Default '')
    $extra = Get-CortexResourceParam -Params $CortexParams -Resource 'package' -Name 'arguments' -Default @()
    $extra = [string[]]@($extra | ForEach-Object { [string]$_ })
    $successCodes = Get-CortexResourceParam -Params $CortexParams -Resource 'package' -Name 'successExitCodes' -Default @(0, 3010, 1641)
    $successCodes = [int[]]@($successCodes | ForEach-Object { [int]$_ })
    if (@('present', 'absent') -cnotcontains $state) { throw ('package: parameter state must be present or absent, not {0}' -f $state) }
    if (-not $productCode -and -not $uninstallKey) { throw 'package: parameter productCode (MSI) or uninstallKey (EXE) is missing; one is needed to detect the package' }

    $log = $null
    if ($state -eq 'present') {
        $path = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'package' -Name 'path' -Required)
        if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { throw ('package: the installer {0} is not on the host; upload it in an earlier step' -f $path) }
        if ($path -match '\.msi$') {
            $log = Get-CortexPackageLogPath -Name $name -Verb 'install'
            $file = 'msiexec.exe'
            $arguments = [string[]](@('/i', $path, '/qn', '/norestart', '/l*v', $log) + $extra)
        } else {
            $file = $path
            $arguments = $extra
        }
        $verb = 'installing'
    } else {
        $found = Find-CortexInstalledPackage -ProductCode $productCode -UninstallKey $uninstallKey
        if ($null -eq $found) { return New-CortexSetResult -Message ('{0} is not installed' -f $name) }
        $code = $productCode
        if (-not $code -and $found.UninstallString -and $found.UninstallString -match '^\s*"?msiexec(\.exe)?"?\s+/[XI]\s*(\{[0-9A-Fa-f-]{36}\})') { $code = $Matches[2] }
        if ($code) {
            $log = Get-CortexPackageLogPath -Name $name -Verb 'uninstall'
            $file = 'msiexec.exe'
            $arguments = [string[]]@('/x', $code, '/qn', '/norestart', '/l*v', $log)
        } elseif ($found.QuietUninstallString) {
            $command = Split-CortexCommandLine -CommandLine $found.QuietUninstallString
            $file = $command.file
            $arguments = $command.arguments
        } else {
            throw ('package: {0} has no QuietUninstallString under {1} (view {2}); remove it with an exec step that runs its uninstaller silently' -f $name, $found.subKey, $found.view)
        }
        $verb = 'removing'
    }

    $pendingBefore = Test-CortexRebootPending
    $codes = [int[]]@($successCodes + 1618 | Select-Object -Unique)
    try {
        $run = Invoke-CortexNative -FilePath $file -ArgumentList $arguments -SuccessCodes $codes
    } catch {
        $where = ''
        if ($log) { $where = '; the log is {0}' -f $log }
        throw ('package: {0} {1} failed: {2}{3}' -f $verb, $name, (Get-CortexExceptionMessage $_.Exception), $where)
    }
    $exit = [int]$run.exitCode
    if ($exit -eq 1618 -and $successCodes -notcontains 1618) {
        Write-Error -Category ResourceBusy -ErrorAction Stop -Message ('package: {0} {1}: another installation is in progress (exit code 1618); retry the step when it has finished' -f $verb, $name)
    }
    $reboot = (@(3010, 1641) -contains $exit) -or ((Test-CortexRebootPending) -and -not $pendingBefore)
    $text = '{0} {1}: exit code {2}' -f $verb, $name, $exit
    if ($reboot) { $text += ', reboot required' }
    New-CortexSetResult -RebootRequired $reboot -ExitCode $exit -Message $text
}
