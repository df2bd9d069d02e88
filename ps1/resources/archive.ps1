# cortex-script: resources.archive
# Set of the archive resource (src/resources/archive.ts): checks the zip's SHA-256, optionally empties the
# destination, extracts the zip over it (Expand-Archive -Force, so 5.1 needs a .zip name) and then writes
# the marker .cortex-archive.sha256 holding the zip's SHA-256. The marker comes last: an extraction
# that stops halfway leaves no marker, and the next apply extracts again. Windows does not let a running
# program's files be overwritten: the services in stopServices (those that run files of the destination)
# are stopped first when they run; a later step starts them again.
#   params: {source, destination, sha256, clean, stopServices: []}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $source = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'archive' -Name 'source' -Required)
    $destination = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'archive' -Name 'destination' -Required)
    $sha256 = ([string](Get-CortexResourceParam -Params $CortexParams -Resource 'archive' -Name 'sha256' -Required)).ToLowerInvariant()
    $clean = [bool](Get-CortexResourceParam -Params $CortexParams -Resource 'archive' -Name 'clean' -Default $false)
    $stopServices = Get-CortexResourceParam -Params $CortexParams -Resource 'archive' -Name 'stopServices' -Default @()
    if (-not (Test-Path -LiteralPath $source -PathType Leaf)) { throw ('archive: the zip {0} is not on the host; upload it in an earlier step' -f $source) }
    $actual = (Get-FileHash -LiteralPath $source -Algorithm SHA256).Hash.ToLowerInvariant()
    if ($actual -ne $sha256) { throw ('archive: {0} has SHA-256 {1}, not the {2} the step wants; check the artifact' -f $source, $actual, $sha256) }
    if (Test-Path -LiteralPath $destination -PathType Leaf) { throw ('archive: the destination {0} is a file, not a folder' -f $destination) }
    $marker = Join-Path $destination '.cortex-archive.sha256'
    $stopped = New-Object System.Collections.Generic.List[string]
    foreach ($name in @($stopServices)) {
        if ([string]::IsNullOrEmpty([string]$name)) { continue }
        # A service not installed yet (a fresh install) runs nothing from here. Without -Force: a service
        # others depend on is not stopped behind their back (the error names them).
        $service = @(Get-Service -Name ([string]$name) -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq [string]$name }) | Select-Object -First 1
        if ($null -eq $service -or [string]$service.Status -eq 'Stopped') { continue }
        Stop-Service -Name $service.Name
        $stopped.Add($service.Name)
    }
    if (Test-Path -LiteralPath $destination -PathType Container) {
        if (Test-Path -LiteralPath $marker -PathType Leaf) { Remove-Item -LiteralPath $marker -Force }
        if ($clean) { Get-ChildItem -LiteralPath $destination -Force | Remove-Item -Recurse -Force }
    } else {
        $null = New-Item -ItemType Directory -Path $destination -Force
    }
    try {
        Expand-Archive -LiteralPath $source -DestinationPath $destination -Force
    } catch {
        throw ('archive: extracting {0} into {1} failed: {2}' -f $source, $destination, (Get-CortexExceptionMessage $_.Exception))
    }
    Set-Content -LiteralPath $marker -Value $sha256 -Encoding Ascii -NoNewline
    $text = 'extracted {0} into {1}' -f $source, $destination
    if ($clean) { $text += ' (emptied first)' }
    if ($stopped.Count -gt 0) { $text += ' (stopped {0} first)' -f ($stopped -join ', ') }
    New-CortexSetResult -Message $text
}
