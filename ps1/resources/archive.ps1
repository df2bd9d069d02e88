# cortex-script: resources.archive
# Set of the archive resource (src/resources/archive.ts): checks the zip's SHA-256, optionally empties the
# destination, extracts the zip over it (Expand-Archive -Force, so 5.1 needs a .zip name) and then writes
# the marker .cortex-archive.sha256 holding the zip's SHA-256. The marker comes last: an extraction
# that stops halfway leaves no marker, and the next apply extracts again.
# stopServices: services whose programs the zip replaces; those running are stopped before the
# extraction and started again after (Windows will not overwrite a running program's file), also when
# the extraction fails (the old files are still there).
#   params: {source, destination, sha256, clean, stopServices}
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
    if (Test-Path -LiteralPath $destination -PathType Container) {
        if (Test-Path -LiteralPath $marker -PathType Leaf) { Remove-Item -LiteralPath $marker -Force }
        if ($clean) { Get-ChildItem -LiteralPath $destination -Force | Remove-Item -Recurse -Force }
    } else {
        $null = New-Item -ItemType Directory -Path $destination -Force
    }
    $stopped = @()
    foreach ($name in @($stopServices)) {
        $svc = @(Get-Service -Name ([string]$name) -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq [string]$name }) | Select-Object -First 1
        if ($null -eq $svc -or [string]$svc.Status -eq 'Stopped') { continue }
        Stop-Service -Name $svc.Name
        $stopped += [string]$svc.Name
    }
    $failure = $null
    try {
        Expand-Archive -LiteralPath $source -DestinationPath $destination -Force
        Set-Content -LiteralPath $marker -Value $sha256 -Encoding Ascii -NoNewline
    } catch {
        $failure = 'archive: extracting {0} into {1} failed: {2}' -f $source, $destination, (Get-CortexExceptionMessage $_.Exception)
    }
    $restartFailures = @()
    foreach ($name in $stopped) {
        try { Start-Service -Name $name } catch { $restartFailures += ('{0}: {1}' -f $name, (Get-CortexExceptionMessage $_.Exception)) }
    }
    if ($null -ne $failure) {
        if ($restartFailures.Count -gt 0) { $failure += '; starting again failed: ' + ($restartFailures -join '; ') }
        throw $failure
    }
    if ($restartFailures.Count -gt 0) { throw ('archive: extracted {0} into {1}, but starting the stopped services again failed: {2}' -f $source, $destination, ($restartFailures -join '; ')) }
    $text = 'extracted {0} into {1}' -f $source, $destination
    if ($clean) { $text += ' (emptied first)' }
    if ($stopped.Count -gt 0) { $text += ' ({0} stopped while extracting, started again)' -f ($stopped -join ', ') }
    New-CortexSetResult -Message $text
}
