import { wireText } from '../../src/runner/wire-text.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CMD_LINE_LIMIT,
  bootstrapLine,
  bootstrapSpec,
  commandLineLength,
  decodeCommand,
  loaderText,
  receiveFileSpec,
  stripForCommandLine,
} from '../../src/runner/bootstrap.js';
import { headerIdOf, libraryText, loadScript, ps1Dir, scriptIndex } from '../../src/runner/scripts.js';
import { gunzipText } from '../../src/lab/powershell/gzip-text.js';
import { scriptIdOf } from '../../src/protocol/script-frames.js';

describe('bootstrap command line', () => {
  it('is a small loader far below the cmd.exe limit, in both modes', () => {
    for (const mode of ['resident', 'oneshot'] as const) {
      const spec = bootstrapSpec(mode);
      expect(spec.command).toBe('powershell.exe');
      expect(spec.args.slice(0, 5)).toEqual(['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
      expect(commandLineLength(spec)).toBeLessThan(2000);
      expect(decodeCommand(spec.args[5]!)).toBe(loaderText(mode));
      expect(scriptIdOf(loaderText(mode))).toBe('bootstrap.resident');
    }
    expect(loaderText('oneshot')).toContain('$CortexOneShot = $true');
    expect(loaderText('resident')).toContain('$CortexOneShot = $false');
  });

  it('sends the full bootstrap as the first stdin line (base64 of gzip of UTF-8, ASCII only)', () => {
    const line = bootstrapLine().toString('ascii');
    expect(line).toMatch(/^[A-Za-z0-9+/=]+\n$/);
    const text = gunzipText(line.trim());
    // Comments stripped for the wire (wire-text.ts): the same text otherwise.
    expect(text).toBe(wireText(readFileSync(join(ps1Dir(), 'bootstrap/resident.ps1'), 'utf8')));
    // Compressed: under half of what base64 of the text would be.
    expect(line.length).toBeLessThan(Buffer.from(text, 'utf8').toString('base64').length / 2);
  });

  it('the loader expands the line with GZipStream, 5.1-safe (the byte array as one constructor argument)', () => {
    const loader = loaderText('resident');
    expect(loader).toContain('New-Object IO.MemoryStream(,[Convert]::FromBase64String($CortexBootstrap))');
    expect(loader).toContain('IO.Compression.GZipStream');
    expect(loader).not.toContain('::new(');
    // The language-mode guard stays first, before any .NET call.
    expect(loader.indexOf('LanguageMode')).toBeLessThan(loader.indexOf('[Console]'));
  });

  it('the file receiver fits on the command line with its comments stripped', () => {
    const spec = receiveFileSpec();
    expect(commandLineLength(spec)).toBeLessThan(CMD_LINE_LIMIT - 1000);
    const text = decodeCommand(spec.args.at(-1)!);
    expect(headerIdOf(text)).toBe('runner.receive-file');
    expect(text.split('\n').slice(1).some((l) => l.startsWith('#'))).toBe(false);
  });

  it('stripForCommandLine keeps the header and code, drops comments, blanks and indentation', () => {
    expect(stripForCommandLine('# cortex-script: a.b\n# comment\n\n    $x = 1  \n  # more\n$y = "#not a comment"\n')).toBe(
      '# cortex-script: a.b\n$x = 1\n$y = "#not a comment"',
    );
  });
});

describe('scripts under ps1/', () => {
  it('finds scripts by their header id, header on the first line', () => {
    const ids = [...scriptIndex().keys()];
    expect(ids).toEqual(expect.arrayContaining(['bootstrap.resident', 'lib.envelope', 'probes.ping', 'runner.receive-file', 'runner.file-hash']));
    for (const s of scriptIndex().values()) expect(headerIdOf(s.text)).toBe(s.id);
    expect(loadScript('probes.ping').file).toBe('probes/ping.ps1');
  });

  it('an unknown id is an input error naming the id', () => {
    expect(() => loadScript('probes.nope')).toThrow(/script probes.nope: no script with id probes.nope under ps1\//);
  });

  it('the library text is ps1/lib/*.ps1 and defines the envelope functions', () => {
    const lib = libraryText();
    for (const fn of ['Invoke-CortexScript', 'Invoke-CortexNative', 'ConvertTo-CortexDate', 'Get-CortexParam']) {
      expect(lib).toMatch(new RegExp(`function ${fn} \\{`));
    }
    expect(lib).toContain('ConvertTo-Json -InputObject $result -Depth 10 -Compress');
  });

  it('scripts the runner ships follow the envelope rules: strict mode, Stop, no progress, JSON with -Depth, no Write-Host', () => {
    for (const id of ['probes.ping', 'runner.file-hash', 'runner.receive-file', 'bootstrap.resident', 'lib.envelope']) {
      const text = loadScript(id).text;
      expect(text).toContain('Set-StrictMode -Version Latest');
      expect(text).toContain("$ErrorActionPreference = 'Stop'");
      expect(text).toContain("$ProgressPreference = 'SilentlyContinue'");
      expect(text).not.toMatch(/Write-Host/i);
      const code = text.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
      for (const m of code.matchAll(/ConvertTo-Json[^\n]*/g)) expect(m[0]).toMatch(/-Depth \d+/);
    }
  });
});
