# cortex-script: resources.directory
# Set of the directory resource (src/resources/directory.ts): creates the folder (and its parents), or
# deletes it with its content. A file where the folder should be is never replaced: that is an error.
#   params: {path, state: present|absent}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $path = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'directory' -Name 'path' -Required)
    $state = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'directory' -Name 'state' -Default 'present')
    if (@('present', 'absent') -cnotcontains $state) { throw ('directory: parameter state must be present or absent, not {0}' -f $state) }
    if (Test-Path -LiteralPath $path -PathType Leaf) { throw ('directory: {0} is a file; remove it (file resource, state: absent) before creating or removing a folder there' -f $path) }
    if ($state -eq 'absent') {
        if (Test-Path -LiteralPath $path -PathType Container) { Remove-Item -LiteralPath $path -Recurse -Force }
        return New-CortexSetResult -Message ('deleted {0}' -f $path)
    }
    $null = New-Item -ItemType Directory -Path $path -Force
    New-CortexSetResult -Message ('created {0}' -f $path)
}
