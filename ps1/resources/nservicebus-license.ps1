# cortex-script: resources.nservicebus-license
# Set of the nservicebus_license resource (src/resources/nservicebus-license.ts): Particular's licence
# written where every NServiceBus endpoint reads it (default the machine-wide
# C:\ProgramData\ParticularSoftware\license.xml), as UTF-8 without a BOM, only when the file's SHA-256
# differs; its folder is created. The licence arrives in the parameters (on stdin) and is never echoed:
# messages name the path and the length only.
#   params: {license, path, licenseSha256?}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-CortexBytesSha256 {
    # The SHA-256 of these bytes, lower-case hex (what Get-FileHash gives for the file written).
    param([Parameter(Mandatory = $true)][AllowEmptyCollection()][byte[]]$Bytes)
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try { -join ($sha.ComputeHash($Bytes) | ForEach-Object { $_.ToString('x2') }) } finally { $sha.Dispose() }
}

Invoke-CortexScript {
    $license = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'nservicebus_license' -Name 'license' -Required)
    $path = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'nservicebus_license' -Name 'path' -Default 'C:\ProgramData\ParticularSoftware\license.xml')
    $expected = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'nservicebus_license' -Name 'licenseSha256' -Default '')
    # A licence is an XML document; anything else is the wrong file (the message never shows its text).
    if ($license.TrimStart() -notmatch '^<') {
        throw ('nservicebus_license: the licence received is not XML (it has {0} characters and does not start with <); name Particular''s license.xml in components.nservicebus.license' -f $license.Length)
    }
    $bytes = (New-Object System.Text.UTF8Encoding $false).GetBytes($license)
    $want = Get-CortexBytesSha256 -Bytes $bytes
    if ($expected -and $expected.ToLowerInvariant() -ne $want) { throw 'nservicebus_license: the licence received is not the one whose SHA-256 the plan compared; run apply again' }
    if (Test-Path -LiteralPath $path -PathType Container) { throw ('nservicebus_license: {0} is a folder, not a licence file' -f $path) }
    if ((Test-Path -LiteralPath $path -PathType Leaf) -and (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash.ToLowerInvariant() -eq $want) {
        New-CortexSetResult -Message ('the NServiceBus licence at {0} is already the one given' -f $path)
        return
    }
    $parent = Split-Path -Path $path -Parent
    if (-not (Test-Path -LiteralPath $parent -PathType Container)) { $null = New-Item -ItemType Directory -Path $parent -Force }
    Write-CortexFileBytes -Path $path -Bytes $bytes
    New-CortexSetResult -Message ('wrote the NServiceBus licence ({0} bytes) to {1}; endpoints read it when they start' -f $bytes.Length, $path)
}
