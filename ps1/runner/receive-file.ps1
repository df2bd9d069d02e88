# cortex-script: runner.receive-file
# Receives one file through stdin, for sessions without a native file transfer (WinRM).
# It runs as its own powershell.exe (-EncodedCommand of this text with comment lines stripped, so keep
# it short and put no comment at the end of a code line), not in the resident bootstrap, because it
# reads stdin as raw bytes:
#   line 1: a frame (CORTEX1 + base64 of UTF-8 JSON) whose params are {path, length};
#   then exactly `length` bytes of file content.
# It writes to PATH.cortex-partial, then swaps it in for PATH in one step ([IO.File]::Replace when PATH
# exists, so PATH is never missing; a rename otherwise), and prints one JSON result. When anything fails
# (stdin ends early, a write or the swap fails) the partial file is deleted and PATH is left as it was.
# The runner verifies the SHA-256 on the host afterwards (runner.file-hash). Needs a binary-safe stdin
# (WinRS with WINRS_CONSOLEMODE_STDIN=FALSE).
# lint-ignore: envelope it reads raw bytes from stdin in its own process, so it cannot use the lib (which travels in the bootstrap frame) and prints its JSON result itself
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$result = [ordered]@{ ok = $true; data = $null; error = $null }
$partial = $null
try {
    $stdin = [Console]::OpenStandardInput()
    $header = New-Object System.IO.MemoryStream
    while ($true) {
        $b = $stdin.ReadByte()
        if ($b -lt 0 -or $b -eq 10) { break }
        $header.WriteByte([byte]$b)
    }
    $line = [Text.Encoding]::ASCII.GetString($header.ToArray()).Trim()
    if (-not $line.StartsWith('CORTEX1 ')) { throw 'the first line of stdin is not a CORTEX1 frame' }
    $request = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($line.Substring(8))) | ConvertFrom-Json
    $path = [string]$request.params.path
    $length = [long]$request.params.length
    if (-not [IO.Path]::IsPathRooted($path)) { throw ('path must be a full path, not {0}' -f $path) }
    if ($length -lt 0) { throw ('length must not be negative, not {0}' -f $length) }
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
        $file.Flush()
    } finally {
        $file.Dispose()
    }
    if ($total -ne $length) { throw ('stdin ended after {0} of {1} bytes' -f $total, $length) }
    if ([IO.File]::Exists($path)) {
        [IO.File]::Replace($partial, $path, [NullString]::Value)
    } else {
        [IO.File]::Move($partial, $path)
    }
    $partial = $null
    $result.data = [ordered]@{ path = $path; bytes = $total }
} catch {
    $result.ok = $false
    $result.error = [ordered]@{ message = $_.Exception.Message; category = $_.CategoryInfo.Category.ToString() }
    if ($null -ne $partial) {
        try { [IO.File]::Delete($partial) } catch { $result.error.message += ('; the partial file {0} could not be deleted: {1}' -f $partial, $_.Exception.Message) }
    }
}
[Console]::Out.Write((ConvertTo-Json -InputObject $result -Depth 5 -Compress) + "`n")
if (-not $result.ok) { exit 1 }
exit 0
