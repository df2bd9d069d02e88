# cortex-script: resources.file
# Set of the file resource (src/resources/file.ts). The content arrives one of three ways
# (docs/artifacts.md): as text in the params (`content`), written as UTF-8 without BOM, exactly (no
# newline added), beside the path; pushed, the agent uploads the step's source to stagedPath before this
# script (the runner's upload); or pulled, `download` names the workstation's pull server and this script
# downloads it to <path>.cortex-download (the server's certificate pinned by its SHA-256, the run's token
# sent). Every way it checks the bytes' SHA-256 against the step's, creates the parent folder and moves
# them into place in one step, so the path never holds a partial file; a downloaded copy that differs is
# deleted. Absent: the file is deleted.
#   params: {path, state: present|absent, sha256, content | stagedPath | download: {url, token, thumbprint}}
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
    $download = Get-CortexResourceParam -Params $CortexParams -Resource 'file' -Name 'download'
    $parent = Split-Path -Path $path -Parent
    if ($null -ne $download) {
        $url = [string](Get-CortexResourceParam -Params $download -Resource 'file download' -Name 'url' -Required)
        $token = [string](Get-CortexResourceParam -Params $download -Resource 'file download' -Name 'token' -Required)
        $thumbprint = [string](Get-CortexResourceParam -Params $download -Resource 'file download' -Name 'thumbprint' -Required)
        if ($parent -and -not (Test-Path -LiteralPath $parent -PathType Container)) { $null = New-Item -ItemType Directory -Path $parent -Force }
        $staged = '{0}.cortex-download' -f $path
        $null = Save-CortexPinnedDownload -Url $url -Token $token -Thumbprint $thumbprint -OutFile $staged
        $actual = (Get-FileHash -LiteralPath $staged -Algorithm SHA256).Hash.ToLowerInvariant()
        if ($actual -ne $sha256) {
            Remove-Item -LiteralPath $staged -Force
            throw ('file: on {0}, the copy of {1} downloaded from {2} has SHA-256 {3}, not the {4} the step wants (changed in the store or in transit); {1} was not changed' -f (Get-CortexHostName), $path, $url, $actual, $sha256)
        }
    } else {
        $staged = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'file' -Name 'stagedPath' -Required)
        if (-not (Test-Path -LiteralPath $staged -PathType Leaf)) { throw ('file: the staged copy {0} is missing; the source is uploaded there before this step runs' -f $staged) }
        $actual = (Get-FileHash -LiteralPath $staged -Algorithm SHA256).Hash.ToLowerInvariant()
        if ($actual -ne $sha256) { throw ('file: on {0}, the staged copy {1} has SHA-256 {2}, not the {3} the step wants; check the artifact' -f (Get-CortexHostName), $staged, $actual, $sha256) }
        if ($parent -and -not (Test-Path -LiteralPath $parent -PathType Container)) { $null = New-Item -ItemType Directory -Path $parent -Force }
    }
    Move-Item -LiteralPath $staged -Destination $path -Force
    New-CortexSetResult -Message ('placed {0}' -f $path)
}
