/**
 * What starts powershell.exe on a host: the command line (a tiny loader as -EncodedCommand) and the
 * first stdin line (the full bootstrap, ps1/bootstrap/resident.ps1). See that file for the protocol.
 *
 * Why two stages: -EncodedCommand is base64 of UTF-16LE text, so it grows 2.67× and cmd.exe (which
 * WinRS goes through) stops at 8191 characters; the bootstrap alone would not fit. The loader is a few
 * hundred characters; everything else, scripts and parameters included, arrives on stdin.
 *
 * The stdin line is base64 of the gzip of the bootstrap's wire text (about 13 KB of text, 4.1 KB
 * compressed): every host of a run receives it, and every byte of it is base64-encoded again, sealed and
 * signed on both ends of WinRM (docs/scripts.md).
 */
import { type ProcessSpec } from '../transport/session.js';
import { languageModeGuard } from './language-mode.js';
import { gzipText } from '../protocol/script-frames.js';
import { loadScript } from './scripts.js';
import { wireText } from './wire-text.js';

export type RunnerMode = 'resident' | 'oneshot';

export const POWERSHELL = 'powershell.exe';
export const POWERSHELL_BASE_ARGS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass'] as const;

/** The UTF-16LE base64 that -EncodedCommand expects. */
export function encodeCommand(text: string): string {
  return Buffer.from(text, 'utf16le').toString('base64');
}

export function decodeCommand(encoded: string): string {
  return Buffer.from(encoded, 'base64').toString('utf16le');
}

/**
 * Comment lines, blank lines and indentation removed: for scripts that must travel on the command line.
 * Only safe for scripts written for it (no here-strings, no block comments); the header line is kept.
 */
export function stripForCommandLine(text: string): string {
  const lines = text.split(/\r?\n/);
  const header = lines[0] ?? '';
  const body = lines
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  return [header, ...body].join('\n');
}

/**
 * Stage one. Refuses a ConstrainedLanguage host with a fatal frame (language-mode.ts), sets the input
 * encoding before the first read (changing it later would replace the stdin reader and lose what it
 * buffered), reads one line, expands it (base64 of gzip: GZipStream is in System.dll, which every
 * PowerShell has loaded, so no Add-Type) and dot-sources it as the bootstrap. `(,$bytes)`: the unary
 * comma passes the byte array as one constructor argument, not as one argument per byte.
 */
export function loaderText(mode: RunnerMode): string {
  return [
    '# cortex-script: bootstrap.resident',
    languageModeGuard(),
    mode === 'oneshot' ? '$CortexOneShot = $true' : '$CortexOneShot = $false',
    'try { [Console]::InputEncoding = New-Object System.Text.UTF8Encoding $false } catch { $null = $_ }',
    '$CortexBootstrap = [Console]::In.ReadLine()',
    // One statement: a line that is not base64 of gzip stops it whole (nothing is dot-sourced). A
    // StreamReader reads UTF-8 unless told otherwise.
    '. ([scriptblock]::Create((New-Object IO.StreamReader((New-Object IO.Compression.GZipStream((New-Object IO.MemoryStream(,[Convert]::FromBase64String($CortexBootstrap))), ([IO.Compression.CompressionMode]::Decompress))))).ReadToEnd()))',
  ].join('\n');
}

export function bootstrapSpec(mode: RunnerMode): ProcessSpec {
  return { command: POWERSHELL, args: [...POWERSHELL_BASE_ARGS, '-EncodedCommand', encodeCommand(loaderText(mode))] };
}

/** Stage two as the first stdin line: base64 of the gzip of the UTF-8 text of ps1/bootstrap/resident.ps1. */
let line: Buffer | null = null;

/** (Computed once; callers must not modify it.) Comments stripped for the wire: see wire-text.ts. */
export function bootstrapLine(): Buffer {
  line ??= Buffer.from(`${gzipText(wireText(loadScript('bootstrap.resident').text))}\n`, 'ascii');
  return line;
}

/**
 * The id of ps1/runner/receive-file.ps1. Its contract (src/scripts/catalog.ts) takes the id from here:
 * importing the catalog would load every resource type's schemas into commands that run no resource
 * script (exec).
 */
export const RECEIVE_FILE_SCRIPT_ID = 'runner.receive-file';

/** The file receiver runs alone (it reads stdin as raw bytes), so its whole text is on the command line. */
export function receiveFileSpec(): ProcessSpec {
  const text = stripForCommandLine(loadScript(RECEIVE_FILE_SCRIPT_ID).text);
  return { command: POWERSHELL, args: [...POWERSHELL_BASE_ARGS, '-EncodedCommand', encodeCommand(text)] };
}

/** cmd.exe's command-line limit, which WinRS commands are subject to. */
export const CMD_LINE_LIMIT = 8191;

export function commandLineLength(spec: ProcessSpec): number {
  return [spec.command, ...spec.args].join(' ').length;
}
