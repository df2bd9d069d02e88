# cortex-script: resources.file
# Set of the file resource (src/resources/file.ts). A source travels before this script: the agent
# uploads it to stagedPath on the host (the runner's upload, verified by SHA-256). Content given as text
# comes in the params instead, and is written as UTF-8 without BOM, exactly (no newline added) beside the
# path. Either way the bytes' SHA-256 is checked against the step's, the parent folder created, and the
# file moved into place in one step, so the path never holds a partial file. Absent: the file is deleted.
#   params: {path, state: present|absent, sha256, stagedPath | content}
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
    $content = Get-CortexResourceParam -Params $CortexParams -Resource 'file' -Name 'content'
    if ($null -ne $content) {
        $bytes = (New-Object System.Text.UTF8Encoding ($false)).GetBytes([string]$content)
        $hasher = [System.Security.Cryptography.SHA256]::Create()
        try { $actual = -join ($hasher.ComputeHash($bytes) | ForEach-Object { $_.ToString('x2') }) } finally { $hasher.Dispose() }
        if ($actual -ne $sha256) { throw ('file: the content has SHA-256 {0}, not the {1} the step wants; the params were changed on the way' -f $actual, $sha256) }
        $parent = Split-Path -Path $path -Parent
        if ($parent -and -not (Test-Path -LiteralPath $parent -PathType Container)) { $null = New-Item -ItemType Directory -Path $parent -Force }
        $written = $path + '.cortex-content'
        Write-CortexFileBytes -Path $written -Bytes $bytes
        Move-Item -LiteralPath $written -Destination $path -Force
        return New-CortexSetResult -Message ('wrote {0} ({1} bytes)' -f $path, $bytes.Length)
    }
    $staged = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'file' -Name 'stagedPath' -Required)
    if (-not (Test-Path -LiteralPath $staged -PathType Leaf)) { throw ('file: the staged copy {0} is missing; the source is uploaded there before this step runs' -f $staged) }
    $actual = (Get-FileHash -LiteralPath $staged -Algorithm SHA256).Hash.ToLowerInvariant()
    if ($actual -ne $sha256) { throw ('file: the staged copy {0} has SHA-256 {1}, not the {2} the step wants; check the artifact' -f $staged, $actual, $sha256) }
    $parent = Split-Path -Path $path -Parent
    if ($parent -and -not (Test-Path -LiteralPath $parent -PathType Container)) { $null = New-Item -ItemType Directory -Path $parent -Force }
    Move-Item -LiteralPath $staged -Destination $path -Force
    New-CortexSetResult -Message ('placed {0}' -f $path)
}
