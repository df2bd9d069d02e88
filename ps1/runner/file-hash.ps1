# cortex-script: runner.file-hash
# Whether a file exists on the host, its length and SHA-256 (lower-case hex). Used by the runner's
# upload: before sending (skip when the same) and after (verify).
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $path = [string](Get-CortexParam -Name 'path' -Default '')
    if ($path.Trim() -eq '') { throw 'path is missing: runner.file-hash needs the full path of the file on the host' }
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
        return [ordered]@{ path = $path; exists = $false; length = 0; sha256 = $null }
    }
    $item = Get-Item -LiteralPath $path
    $hash = Get-FileHash -LiteralPath $path -Algorithm SHA256
    [ordered]@{ path = $path; exists = $true; length = $item.Length; sha256 = $hash.Hash.ToLowerInvariant() }
}
