/**
 * The lab's bootstrap emulation (src/lab/powershell/dispatcher.ts) held to the real bootstrap
 * (ps1/bootstrap/resident.ps1 in pwsh, started as the runner starts it: bootstrapSpec's loader, the
 * gzip-compressed bootstrap line, then request frames on stdin). The same requests go to both: texts
 * carried plain and compressed (scriptGz, libGz), kept and named by hash, compressed texts that are not
 * base64 of gzip, names neither keeps. Compared per request: the id, the exit code, and the
 * bootstrapError's stage and message up to its parenthesis (inside it, .NET's words and zlib's differ).
 * Also a bootstrap line that is not base64 of gzip: no ready frame, exit code 1, on both. (The gzip of
 * some other text is where they part: the lab takes any text not headed bootstrap.resident for a parse
 * error, the real loader runs it.)
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createMinimalExecutor, createPowerShellDispatcher } from '../../../src/lab/powershell/index.js';
import { decodeFrameLine, encodeFrame, gzipText, type RunRequestFrame } from '../../../src/protocol/script-frames.js';
import { bootstrapLine, bootstrapSpec } from '../../../src/runner/bootstrap.js';
import { loadScript } from '../../../src/runner/scripts.js';
import { wireText } from '../../../src/runner/wire-text.js';
import { pwshForTests } from '../../helpers/pwsh.js';

const pwsh = pwshForTests('test/lab/differential (bootstrap)');
const SLOW = 120_000;

interface Answer {
  /** Each result frame as [id, exitCode, stage, message up to its parenthesis]; the ready frame as 'ready'. */
  frames: Array<string | [string | null, number, string | null, string | null]>;
  exitCode: number | null;
}

function summarize(stdout: string, exitCode: number | null): Answer {
  const frames = stdout
    .split('\n')
    .map((l) => decodeFrameLine(l) as { type: string; id?: string | null; exitCode?: number; bootstrapError?: { stage: string; message: string } } | null)
    .filter((f) => f !== null)
    .map((f) =>
      f.type === 'ready'
        ? 'ready'
        : ([f.id ?? null, f.exitCode ?? -1, f.bootstrapError?.stage ?? null, f.bootstrapError ? f.bootstrapError.message.split(' (')[0]! : null] as [string | null, number, string | null, string | null]),
    );
  return { frames, exitCode };
}

function realBootstrap(stdin: Buffer[]): Promise<Answer> {
  const spec = bootstrapSpec('resident');
  return new Promise((resolve, reject) => {
    const child = spawn(pwsh!, spec.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('latin1').on('data', (d: string) => (out += d));
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve(summarize(out, code)));
    for (const c of stdin) child.stdin.write(c);
    child.stdin.end();
  });
}

function labBootstrap(stdin: Buffer[], d = createPowerShellDispatcher(createMinimalExecutor())): Promise<Answer> {
  const spec = bootstrapSpec('resident');
  return new Promise((resolve) => {
    let out = '';
    const p = d.start({ name: 'web1', address: '127.0.42.1' }, spec.command, spec.args, {
      stdout: (c) => (out += c.toString('latin1')),
      stderr: () => undefined,
      exit: (code) => resolve(summarize(out, code)),
    });
    [...stdin, Buffer.alloc(0)].forEach((c, i, all) => p.stdin(c, i === all.length - 1));
  });
}

const frame = (id: string, fields: Partial<RunRequestFrame>): Buffer =>
  Buffer.from(encodeFrame({ type: 'run', id, scriptId: 'x', params: {}, timeoutMs: 60_000, ...fields }), 'ascii');

describe.skipIf(!pwsh)('the lab bootstrap answers as the real one: compressed and plain texts', () => {
  it('plain and compressed scripts and libraries, kept by name; corrupt compressed texts are unreadable requests; the process serves on', async () => {
    const stdin = [
      bootstrapLine(),
      frame('gz', { scriptGz: gzipText('exit 4'), scriptHash: 's1', libGz: gzipText('# lib one'), libHash: 'h1' }),
      frame('named', { scriptHash: 's1', libHash: 'h1' }),
      frame('plain', { script: 'exit 7', lib: '# lib two', libHash: 'h2' }),
      frame('old-lib', { scriptHash: 's1', libHash: 'h1' }),
      frame('unknown-script', { scriptHash: 's9' }),
      frame('bad-script-gz', { scriptGz: 'not base64!', scriptHash: 's2' }),
      frame('bad-lib-gz', { script: 'exit 2', libGz: Buffer.from('plain text, not gzip').toString('base64'), libHash: 'h3' }),
      frame('cut-gz', { scriptGz: gzipText('exit 3;'.repeat(200)).slice(0, -8) }),
      frame('not-kept-after-bad', { scriptHash: 's2' }),
      frame('gz-non-ascii', { scriptGz: gzipText('# Zürich – 東京\nexit 5') }),
    ];
    const [real, lab] = await Promise.all([realBootstrap(stdin), labBootstrap(stdin)]);
    expect(real.frames).toEqual([
      'ready',
      ['gz', 4, null, null],
      ['named', 4, null, null],
      ['plain', 7, null, null],
      ['old-lib', 1, 'lib', expect.stringContaining('keeps no library named h1') as unknown as string],
      ['unknown-script', 1, 'script', expect.stringContaining('keeps no script named s9') as unknown as string],
      ['bad-script-gz', 1, 'request', "FormatException: the request's scriptGz is not base64 of gzip"],
      ['bad-lib-gz', 1, 'request', "FormatException: the request's libGz is not base64 of gzip"],
      ['cut-gz', 1, 'request', "FormatException: the request's scriptGz is not base64 of gzip"],
      ['not-kept-after-bad', 1, 'script', expect.stringContaining('keeps no script named s2') as unknown as string],
      ['gz-non-ascii', 5, null, null],
    ]);
    expect(lab).toEqual(real);
    expect(real.exitCode).toBe(0);
  }, SLOW);

  it('a bootstrap line that is not base64 of gzip (the old plain form among them): no ready frame, exit code 1', async () => {
    const plain = Buffer.from(wireText(loadScript('bootstrap.resident').text), 'utf8').toString('base64');
    for (const line of ['###', plain, Buffer.from('C:\\Windows\\win.ini').toString('base64')]) {
      const stdin = [Buffer.from(`${line}\n`, 'ascii'), frame('a', { script: 'exit 0' })];
      const [real, lab] = await Promise.all([realBootstrap(stdin), labBootstrap(stdin)]);
      expect(real).toEqual({ frames: [], exitCode: 1 });
      expect(lab).toEqual(real);
    }
  }, SLOW);
});

describe.skipIf(!pwsh)('the lab bootstrap answers as the real one: the host lock', () => {
  // Another process of the host runs a script under the lock (a killed run's last Set); then this one's
  // requests: under the lock with a short wait (refused, nothing run), without it (runs), under it with
  // a long wait (runs once the other is done).
  const holder = [bootstrapLine(), frame('hold', { script: 'Start-Sleep -Milliseconds 6000', hostLock: true })];
  const waiting = [
    bootstrapLine(),
    frame('refused', { script: 'exit 3', hostLock: true, timeoutMs: 300 }),
    frame('free', { script: 'exit 4' }),
    frame('waited', { script: 'exit 5', hostLock: true }),
  ];
  const expected = ['ready', ['refused', 1, 'run', 'TimeoutException: another cortex-deploy process on this host held its lock for 300 ms'], ['free', 4, null, null], ['waited', 5, null, null]];

  it('a request under the lock waits for another process holding it, and gives up after its timeout, running nothing', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // The real one: two pwsh processes; the second starts once the first has surely taken the lock.
    const realHolder = realBootstrap(holder);
    await sleep(3000);
    const t0 = Date.now();
    const real = await realBootstrap(waiting);
    const realWaited = Date.now() - t0;
    await realHolder;
    // The lab's: two processes of one simulated host on one dispatcher.
    const d = createPowerShellDispatcher(createMinimalExecutor());
    const labHolder = labBootstrap(holder, d);
    await sleep(200);
    const t1 = Date.now();
    const lab = await labBootstrap(waiting, d);
    const labWaited = Date.now() - t1;
    await labHolder;
    expect(real.frames).toEqual(expected);
    expect(lab).toEqual(real);
    // Both waited for the holder's script before the last request ran.
    expect(realWaited).toBeGreaterThan(1500);
    expect(labWaited).toBeGreaterThan(4000);
  }, SLOW);
});
