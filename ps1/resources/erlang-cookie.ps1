# cortex-script: resources.erlang-cookie
# Set of the erlang_cookie resource (src/resources/erlang-cookie.ts): the cluster's Erlang cookie written
# to each cookie file (the RabbitMQ service's systemprofile, the install account's profile) as ASCII with
# no BOM and no newline (Write-CortexAsciiFile), only where the file's SHA-256 differs. The cookie arrives
# in the parameters (on stdin) and is never echoed: messages name paths and lengths only. A profile
# folder that does not exist is refused, not created (Windows creates it at the account's first logon).
#   params: {cookie, paths: [path], cookieSha256?}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-CortexTextSha256 {
    # The SHA-256 of a text's ASCII bytes, lower-case hex (what Get-FileHash gives for the file written).
    param([Parameter(Mandatory = $true)][string]$Text)
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try { -join ($sha.ComputeHash([Text.Encoding]::ASCII.GetBytes($Text)) | ForEach-Object { $_.ToString('x2') }) } finally { $sha.Dispose() }
}

Invoke-CortexScript {
    $cookie = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'erlang_cookie' -Name 'cookie' -Required)
    $pathList = Get-CortexResourceParam -Params $CortexParams -Resource 'erlang_cookie' -Name 'paths' -Required
    $paths = [string[]]@($pathList | ForEach-Object { [string]$_ })
    $expected = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'erlang_cookie' -Name 'cookieSha256' -Default '')
    # Erlang's rule, and cortex-deploy's minimum (docs/rabbitmq.md); the message never shows the cookie.
    if ($cookie -cnotmatch '^[A-Za-z0-9]{20,255}$') {
        throw ('erlang_cookie: the cookie must be 20 to 255 ASCII letters and digits; the one received has {0} characters' -f $cookie.Length)
    }
    $want = Get-CortexTextSha256 -Text $cookie
    if ($expected -and $expected.ToLowerInvariant() -ne $want) { throw 'erlang_cookie: the cookie received is not the one whose SHA-256 the plan compared; run apply again' }
    $written = New-Object System.Collections.Generic.List[string]
    foreach ($path in $paths) {
        if (Test-Path -LiteralPath $path -PathType Container) { throw ('erlang_cookie: {0} is a folder, not a cookie file' -f $path) }
        if ((Test-Path -LiteralPath $path -PathType Leaf) -and (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash.ToLowerInvariant() -eq $want) { continue }
        $parent = Split-Path -Path $path -Parent
        if (-not (Test-Path -LiteralPath $parent -PathType Container)) {
            throw ('erlang_cookie: the folder {0} does not exist; a profile folder is made by Windows when its account first logs on, so log on once as that account or fix the path' -f $parent)
        }
        Write-CortexAsciiFile -Path $path -Text $cookie
        $written.Add($path)
    }
    New-CortexSetResult -Message ('wrote the Erlang cookie to {0} of {1} files: {2}' -f $written.Count, $paths.Count, ($written.ToArray() -join ', '))
}
