# cortex-script: resources.file
# Set of the file resource (src/resources/file.ts). The content travels before this script: the agent
# uploads the step's source to stagedPath on the host (the runner's upload, verified by SHA-256). This
# script checks the staged file's SHA-256 against the step's, creates the parent folder and moves it
# into place in one step, so the path never holds a partial file. Absent: the file is deleted.
#   params: {path, state: present|absent, sha256, stagedPath}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $path = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'file' -Name 'path' -Required)
    $state = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'file' -Name 'state' -Default 'present')
    if (@('present', 'absent') -cnotcontains $state) { throw ('file: parameter state must be present or absent, not {0}' -f $state) }
    if (Test-Path -LiteralPath $path -PathType Container) { throw ('file: {0} is a folder; a file resource does not replace or delete folders' -f $path) }
    if ($state -eq 'absent') {
        if (Test-Path -LiteralPath $path -PathType Leaf) { Remove-Item -LiteralPath $path -Force }
        return New-CortexSetResult -Message ('deleted {0}' -f $path)
    }
    $sha256 = ([string](Get-CortexResourceParam -Params $CortexParams -Resource 'file' -Name 'sha256' -Required)).ToLowerInvariant()
    $staged = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'file' -Name 'stagedPath' -Required)
    if (-not (Test-Path -LiteralPath $staged -PathType Leaf)) { throw ('file: the staged copy {0} is missing; the source is uploaded there before this step runs' -f $staged) }
    $actual = (Get-FileHash -LiteralPath $staged -Algorithm SHA256).Hash.ToLowerInvariant()
    if ($actual -ne $sha256) { throw ('file: the staged copy {0} has SHA-256 {1}, not the {2} the step wants; check the artifact' -f $staged, $actual, $sha256) }
    $parent = Split-Path -Path $path -Parent
    if ($parent -and -not (Test-Path -LiteralPath $parent -PathType Container)) { $null = New-Item -ItemType Directory -Path $parent -Force }
    Move-Item -LiteralPath $staged -Destination $path -Force
    New-CortexSetResult -Message ('placed {0}' -f $path)
}
