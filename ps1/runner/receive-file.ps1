# cortex-script: runner.receive-file
# Receives one file through stdin, for sessions without a native file transfer (WinRM).
# It runs as its own powershell.exe (-EncodedCommand of this text with comment lines stripped, so keep
# it short), not in the resident bootstrap, because it reads stdin as raw bytes:
#   line 1: a frame (CORTEX1 + base64 of UTF-8 JSON) whose params are {path, length};
#   then exactly `length` bytes of file content.
# It writes to PATH.cortex-partial, then moves it over PATH, and prints one JSON result. The runner
# verifies the SHA-256 on the host afterwards (runner.file-hash). Needs a binary-safe stdin (WinRS
# with WINRS_CONSOLEMODE_STDIN=FALSE).
# lint-ignore: envelope it reads raw bytes from stdin in its own process, so it cannot use the lib (which travels in the bootstrap frame) and prints its JSON result itself
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$result = [ordered]@{ ok = $true; data = $null; error = $null }
try {
    $stdin = [Console]::OpenStandardInput()
    $header = New-Object System.IO.MemoryStream
    while ($true) {
        $b = $stdin.ReadByte()
        if ($b -lt 0 -or $b -eq 10) { break }
        $header.WriteByte([byte]$b)
    }
    $line = [Text.Encoding]::ASCII.GetString($header.ToArray()).Trim()
    $request = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($line.Substring(8))) | ConvertFrom-Json
    $path = [string]$request.params.path
    $length = [long]$request.params.length
    $dir = [IO.Path]::GetDirectoryName($path)
    if ($dir) { $null = [IO.Directory]::CreateDirectory($dir) }
    $partial = $path + '.cortex-partial'
    $file = [IO.File]::Create($partial)
    $buffer = New-Object byte[] 65536
    $total = [long]0
    try {
        while ($total -lt $length) {
            $n = $stdin.Read($buffer, 0, [int][math]::Min($buffer.Length, $length - $total))
            if ($n -le 0) { break }
            $file.Write($buffer, 0, $n)
            $total += $n
        }
    } finally {
        $file.Dispose()
    }
    if ($total -ne $length) { throw ('stdin ended after {0} of {1} bytes' -f $total, $length) }
    if (Test-Path -LiteralPath $path) { Remove-Item -LiteralPath $path -Force }
    Move-Item -LiteralPath $partial -Destination $path
    $result.data = [ordered]@{ path = $path; bytes = $total }
} catch {
    $result.ok = $false
    $result.error = [ordered]@{ message = $_.Exception.Message; category = $_.CategoryInfo.Category.ToString() }
}
[Console]::Out.Write((ConvertTo-Json -InputObject $result -Depth 5 -Compress) + "`n")
if (-not $result.ok) { exit 1 }
exit 0
