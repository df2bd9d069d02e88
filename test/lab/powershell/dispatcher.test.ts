import { describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../../src/lab/dispatcher.js';
import { createMinimalExecutor, createPowerShellDispatcher, parsePowerShellArgs, splitCommandLine } from '../../../src/lab/powershell/index.js';
import { decodeFrameLine, encodeFrame, gzipText, type ResultFrame } from '../../../src/protocol/script-frames.js';
import { decodeStderr } from '../../../src/runner/clixml.js';
import { bootstrapLine, bootstrapSpec, encodeCommand } from '../../../src/runner/bootstrap.js';
import { wireText } from '../../../src/runner/wire-text.js';
import { loadScript } from '../../../src/runner/scripts.js';

const host = { name: 'db1', address: '127.0.40.3' };

function run(d: Dispatcher, command: string, args: string[] = [], stdin: Buffer[] = []) {
  return new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
    let stdout = '';
    let stderr = '';
    const p = d.start(host, command, args, {
      stdout: (c) => (stdout += c.toString('utf8')),
      stderr: (c) => (stderr += c.toString('utf8')),
      exit: (code) => resolve({ stdout, stderr, code }),
    });
    stdin.forEach((c, i) => p.stdin(c, i === stdin.length - 1));
  });
}

const d = createPowerShellDispatcher(createMinimalExecutor());

describe('cmd.exe built-ins', () => {
  it('hostname, echo, exit, cmd /c', async () => {
    expect(await run(d, 'hostname')).toEqual({ stdout: 'db1\r\n', stderr: '', code: 0 });
    expect((await run(d, 'echo', ['hello', 'wörld'])).stdout).toBe('hello wörld\r\n');
    expect((await run(d, 'echo   spaced  out')).stdout).toBe('  spaced  out\r\n');
    expect((await run(d, 'exit /b 5')).code).toBe(5);
    expect((await run(d, 'cmd.exe', ['/c', 'hostname'])).stdout).toBe('db1\r\n');
  });

  it('any other program is not emulated by the lab, exit 1 (never a made-up answer)', async () => {
    const r = await run(d, 'frobnicate --now');
    expect(r).toMatchObject({ stdout: '', code: 1 });
    expect(r.stderr).toMatch(/^'frobnicate' is not emulated by the lab: of cmd.exe it answers hostname, echo, exit and ver;/);
  });
});

describe('powershell.exe with a plain script', () => {
  it('runs -EncodedCommand given as one line (pywinrm run_ps): stdout, CLIXML stderr, exit 1 after an error', async () => {
    const r = await run(d, `powershell -encodedcommand ${encodeCommand("hostname; Get-Nothing; 'ü'")}`);
    expect(r.stdout).toBe('db1\r\nü\r\n');
    expect(r.stderr.startsWith('#< CLIXML\r\n<Objs')).toBe(true);
    expect(decodeStderr(r.stderr)).toMatch(/^The term 'Get-Nothing' is not recognized as the name of a cmdlet.*\n {4}\+ CategoryInfo {10}: ObjectNotFound: \(:\) \[\], CommandNotFoundException/s);
    expect(r.code).toBe(1);
  });

  it('-Command - and no command at all read the script from stdin', async () => {
    const dash = await run(d, 'powershell.exe', ['-NoProfile', '-Command', '-'], [Buffer.from("Write-Output 'from stdin'\r\n"), Buffer.from('exit 6\r\n')]);
    expect(dash).toEqual({ stdout: 'from stdin\r\n', stderr: '', code: 6 });
    const none = await run(d, 'powershell.exe -NonInteractive', [], [Buffer.from("Write-Output 'piped'")]);
    expect(none).toEqual({ stdout: 'piped\r\n', stderr: '', code: 0 });
  });

  it('-Command with exit N, and Write-Warning as a CLIXML warning', async () => {
    const r = await run(d, 'powershell.exe', ['-NoProfile', '-Command', "Write-Warning 'low disk'; exit 4"]);
    expect(r.code).toBe(4);
    expect(decodeStderr(r.stderr)).toBe('WARNING: low disk');
  });

  it('a script id the lab does not know fails like a name PowerShell cannot resolve', async () => {
    const r = await run(d, 'powershell.exe', ['-EncodedCommand', encodeCommand('# cortex-script: probes.unknown\nInvoke-CortexScript { 1 }')]);
    expect(r.code).toBe(1);
    expect(decodeStderr(r.stderr)).toMatch(/^The term 'probes.unknown' is not recognized/);
  });
});

describe('powershell.exe running the bootstrap', () => {
  const request = (id: string, script: string, params = {}) =>
    Buffer.from(encodeFrame({ type: 'run', id, scriptId: 'x', script, lib: '# lib', params, timeoutMs: 10_000 }));

  it('ready frame, one result per request in order, exit 0 at EOF', async () => {
    const spec = bootstrapSpec('resident');
    const r = await run(d, spec.command, spec.args, [bootstrapLine(), request('a', '# cortex-script: probes.ping\n'), request('b', 'exit 9'), Buffer.alloc(0)]);
    const frames = r.stdout.trim().split('\n').map((l) => decodeFrameLine(l) as { type: string });
    expect(frames.map((f) => f.type)).toEqual(['ready', 'result', 'result']);
    const [, a, b] = frames as [unknown, ResultFrame, ResultFrame];
    expect(a.id).toBe('a');
    expect(JSON.parse(a.output[0]!)).toMatchObject({ ok: true, data: { hostName: 'db1' } });
    expect(b).toMatchObject({ id: 'b', exitCode: 9, timedOut: false });
    expect(r.code).toBe(0);
  });

  it('one-shot: handles one request and exits with its code', async () => {
    const spec = bootstrapSpec('oneshot');
    const r = await run(d, spec.command, spec.args, [bootstrapLine(), request('a', 'exit 6'), request('b', 'exit 0')]);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.code).toBe(6);
  });

  it('keeps the library a request carries under its libHash; a name it does not keep is refused with stage lib, unrun', async () => {
    const spec = bootstrapSpec('resident');
    const frame = (id: string, lib: { lib?: string; libHash?: string }) =>
      Buffer.from(encodeFrame({ type: 'run', id, scriptId: 'x', script: 'exit 5', ...lib, params: {}, timeoutMs: 10_000 }));
    const r = await run(d, spec.command, spec.args, [
      bootstrapLine(),
      frame('named-too-early', { libHash: 'h1' }),
      frame('carried', { lib: '# lib one', libHash: 'h1' }),
      frame('named', { libHash: 'h1' }),
      frame('other-name', { libHash: 'h2' }),
      frame('replaced', { lib: '# lib two', libHash: 'h2' }),
      frame('old-name', { libHash: 'h1' }),
      Buffer.alloc(0),
    ]);
    const results = r.stdout.trim().split('\n').slice(1).map((l) => decodeFrameLine(l) as ResultFrame);
    expect(results.map((f) => [f.id, f.bootstrapError?.stage ?? f.exitCode])).toEqual([
      ['named-too-early', 'lib'],
      ['carried', 5],
      ['named', 5],
      ['other-name', 'lib'],
      ['replaced', 5],
      ['old-name', 'lib'],
    ]);
    expect(results[0]).toMatchObject({ exitCode: 1, output: [], errors: [] });
    expect(results[0]?.bootstrapError?.message).toMatch(/keeps no library named h1; the request must carry lib/);
  });

  it('keeps the scripts requests carry under their scriptHash and runs the kept text for a name alone; an unknown name is refused with stage script', async () => {
    const spec = bootstrapSpec('resident');
    const frame = (id: string, script: { script?: string; scriptHash?: string }) => Buffer.from(encodeFrame({ type: 'run', id, scriptId: 'x', ...script, params: {}, timeoutMs: 10_000 }));
    const r = await run(d, spec.command, spec.args, [
      bootstrapLine(),
      frame('unknown', { scriptHash: 's1' }),
      frame('carried', { script: 'exit 4', scriptHash: 's1' }),
      frame('other', { script: 'exit 6', scriptHash: 's2' }),
      frame('named', { scriptHash: 's1' }),
      frame('named-other', { scriptHash: 's2' }),
      frame('neither', {}),
      Buffer.alloc(0),
    ]);
    const results = r.stdout.trim().split('\n').slice(1).map((l) => decodeFrameLine(l) as ResultFrame);
    expect(results.map((f) => [f.id, f.bootstrapError?.stage ?? f.exitCode])).toEqual([
      ['unknown', 'script'],
      ['carried', 4],
      ['other', 6],
      ['named', 4],
      ['named-other', 6],
      ['neither', 'run'],
    ]);
    expect(results[0]?.bootstrapError?.message).toMatch(/keeps no script named s1; the request must carry script/);
    expect(results[5]?.bootstrapError?.message).toBe('ArgumentException: the request has no script text');
  });

  it('answerWithNext: a succeeded result is written with the next one in one write; a failed one at once; a kept one at EOF', async () => {
    const spec = bootstrapSpec('resident');
    const frame = (id: string, script: string, answerWithNext?: boolean) =>
      Buffer.from(encodeFrame({ type: 'run', id, scriptId: 'x', script, params: {}, timeoutMs: 10_000, ...(answerWithNext ? { answerWithNext } : {}) }));
    const chunks: string[][] = [];
    const code = await new Promise<number>((resolve) => {
      const p = d.start(host, spec.command, spec.args, {
        stdout: (c) => chunks.push(c.toString('ascii').trim().split('\n').map((l) => (decodeFrameLine(l) as { id?: string }).id ?? 'ready')),
        stderr: () => undefined,
        exit: resolve,
      });
      const input = [bootstrapLine(), frame('set', 'exit 0', true), frame('test', 'exit 0'), frame('failed-set', 'exit 3', true), frame('test2', 'exit 0'), frame('last', 'exit 0', true), Buffer.alloc(0)];
      input.forEach((c, i) => p.stdin(c, i === input.length - 1));
    });
    expect(chunks).toEqual([['ready'], ['set', 'test'], ['failed-set'], ['test2'], ['last']]);
    expect(code).toBe(0);
  });

  it('one-shot mode ignores answerWithNext: its one result is written before it exits', async () => {
    const spec = bootstrapSpec('oneshot');
    const r = await run(d, spec.command, spec.args, [bootstrapLine(), Buffer.from(encodeFrame({ type: 'run', id: 'a', scriptId: 'x', script: 'exit 0', params: {}, timeoutMs: 10_000, answerWithNext: true }))]);
    expect(r.stdout.trim().split('\n').map((l) => (decodeFrameLine(l) as { type: string }).type)).toEqual(['ready', 'result']);
    expect(r.code).toBe(0);
  });

  it('a corrupt bootstrap line fails like a parse error: not base64, not gzip (the old plain form), gzip of other text', async () => {
    const spec = bootstrapSpec('resident');
    const plain = Buffer.from(wireText(loadScript('bootstrap.resident').text), 'utf8').toString('base64');
    for (const line of ['bm90IGEgYm9vdHN0cmFw', '###', plain, gzipText('# cortex-script: probes.ping\n')]) {
      const r = await run(d, spec.command, spec.args, [Buffer.from(`${line}\n`)]);
      expect({ line: line.slice(0, 20), code: r.code }).toEqual({ line: line.slice(0, 20), code: 1 });
      expect(decodeStderr(r.stderr)).toMatch(/ParseException/);
    }
  });

  it('expands scriptGz and libGz: the script runs, both are kept by their hash; plain still works', async () => {
    const spec = bootstrapSpec('resident');
    const frame = (id: string, fields: Record<string, string>) => Buffer.from(encodeFrame({ type: 'run', id, scriptId: 'x', ...fields, params: {}, timeoutMs: 10_000 }));
    const r = await run(d, spec.command, spec.args, [
      bootstrapLine(),
      frame('gz', { scriptGz: gzipText('# cortex-script: probes.ping\n'), scriptHash: 's1', libGz: gzipText('# lib'), libHash: 'h1' }),
      frame('named', { scriptHash: 's1', libHash: 'h1' }),
      frame('plain', { script: 'exit 7', lib: '# lib two', libHash: 'h2' }),
      frame('gz-exit', { scriptGz: gzipText('exit 4'), libHash: 'h2' }),
      Buffer.alloc(0),
    ]);
    const results = r.stdout.trim().split('\n').slice(1).map((l) => decodeFrameLine(l) as ResultFrame);
    expect(results.map((f) => [f.id, f.bootstrapError?.stage ?? f.exitCode])).toEqual([
      ['gz', 0],
      ['named', 0],
      ['plain', 7],
      ['gz-exit', 4],
    ]);
    // The lab read the script's id from the expanded text, kept and named.
    expect(JSON.parse(results[0]!.output[0]!)).toMatchObject({ ok: true, data: { hostName: 'db1' } });
    expect(JSON.parse(results[1]!.output[0]!)).toMatchObject({ ok: true, data: { hostName: 'db1' } });
  });

  it('a scriptGz or libGz that is not base64 of gzip: bootstrapError stage request, nothing kept, and the process serves on', async () => {
    const spec = bootstrapSpec('resident');
    const frame = (id: string, fields: Record<string, string>) => Buffer.from(encodeFrame({ type: 'run', id, scriptId: 'x', ...fields, params: {}, timeoutMs: 10_000 }));
    const r = await run(d, spec.command, spec.args, [
      bootstrapLine(),
      frame('bad-script', { scriptGz: 'not base64!', scriptHash: 's1' }),
      frame('bad-lib', { script: 'exit 2', libGz: Buffer.from('plain text, not gzip').toString('base64'), libHash: 'h1' }),
      frame('cut', { scriptGz: gzipText('exit 3'.repeat(100)).slice(0, -8) }),
      frame('lib-not-kept', { script: 'exit 2', libHash: 'h1' }),
      frame('script-not-kept', { scriptHash: 's1' }),
      frame('fine', { scriptGz: gzipText('exit 5') }),
      Buffer.alloc(0),
    ]);
    const results = r.stdout.trim().split('\n').slice(1).map((l) => decodeFrameLine(l) as ResultFrame);
    expect(results.map((f) => [f.id, f.bootstrapError?.stage ?? f.exitCode])).toEqual([
      ['bad-script', 'request'],
      ['bad-lib', 'request'],
      ['cut', 'request'],
      ['lib-not-kept', 'lib'],
      ['script-not-kept', 'script'],
      ['fine', 5],
    ]);
    expect(results[0]?.bootstrapError?.message).toMatch(/^FormatException: the request's scriptGz is not base64 of gzip \(not base64\)$/);
    expect(results[1]?.bootstrapError?.message).toMatch(/^FormatException: the request's libGz is not base64 of gzip \(not gzip: /);
    expect(r.code).toBe(0);
  });
});

describe('command-line parsing', () => {
  it('splits like the C runtime', () => {
    expect(splitCommandLine('powershell -c "a b" \\"q\\" x')).toEqual(['powershell', '-c', 'a b', '"q"', 'x']);
  });
  it('knows powershell.exe switches and their prefixes', () => {
    const enc = encodeCommand('hostname');
    expect(parsePowerShellArgs(['-NoP', '-NonI', '-ExecutionPolicy', 'Bypass', '-enc', enc])).toEqual({ kind: 'encoded', text: 'hostname' });
    expect(parsePowerShellArgs(['-ep', 'Bypass', '-EncodedCommand', enc])).toEqual({ kind: 'encoded', text: 'hostname' });
    expect(parsePowerShellArgs(['-NoProfile', 'Get-Date', '-Format', 'o'])).toEqual({ kind: 'command', text: 'Get-Date -Format o' });
    expect(parsePowerShellArgs(['-NoProfile'])).toEqual({ kind: 'interactive' });
    expect(parsePowerShellArgs(['-File', 'x.ps1']).kind).toBe('error');
  });
});
