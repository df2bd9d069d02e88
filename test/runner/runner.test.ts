/**
 * The script runner end to end against the lab's powershell.exe emulation, in-process (FakeSession).
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { OperationTimeoutError, ScriptError, UnreachableError } from '../../src/errors.js';
import type { Dispatcher } from '../../src/lab/dispatcher.js';
import { createPowerShellDispatcher } from '../../src/lab/powershell/index.js';
import { ScriptRunner, libraryFiles, loadScript } from '../../src/runner/index.js';
import { gunzipText } from '../../src/lab/powershell/gzip-text.js';
import { decodeFrameLine, type RunRequestFrame } from '../../src/protocol/script-frames.js';
import { wireText } from '../../src/runner/wire-text.js';
import { clearSecretsForTests, registerSecret } from '../../src/secrets/registry.js';
import { framesOf } from './written-frames.js';
import { FakeSession } from '../fakes/fake-session.js';
import { createTestExecutor, testScripts } from '../fakes/test-executor.js';

const host = { name: 'app1', address: '127.0.40.1' };

function setup(opts: { stops?: boolean; mode?: 'resident' | 'oneshot'; graceMs?: number } = {}) {
  const hooks: { crash?: () => void } = {};
  const executor = createTestExecutor(hooks);
  const dispatcher = createPowerShellDispatcher(executor, { bootstrapStopsScripts: opts.stops ?? true });
  const session = new FakeSession(host, dispatcher);
  hooks.crash = () => session.current?.crash();
  const runner = new ScriptRunner(session, { mode: opts.mode ?? 'resident', graceMs: opts.graceMs ?? 100 });
  return { session, runner, executor };
}

afterEach(() => clearSecretsForTests());

describe('ScriptRunner, resident mode', () => {
  it('runs 100 scripts through one powershell.exe', async () => {
    const { session, runner } = setup();
    for (let i = 0; i < 100; i++) {
      const r = await runner.run(testScripts.echo, { i });
      expect(r.ok).toBe(true);
      expect(r.data).toEqual({ i });
    }
    expect(session.powershellStarts).toBe(1);
    expect(runner.stats).toMatchObject({ processesStarted: 1, scriptsRun: 100 });
    await runner.close();
  });

  it('queues concurrent calls: one script at a time, results to the right caller', async () => {
    const { session, runner } = setup();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runner.run<{ i: number }>(testScripts.echo, { i })));
    expect(results.map((r) => r.data?.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(session.powershellStarts).toBe(1);
  });

  it('runs a shipped script by id (probes.ping) with the lib sent apart', async () => {
    const { runner, executor } = setup();
    const r = await runner.run<{ hostName: string; utcNow: string }>(loadScript('probes.ping'));
    expect(r.ok).toBe(true);
    expect(r.data?.hostName).toBe('app1');
    expect(r.data?.utcNow).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    // The lab recovered the script's own id: the lib travels in its own field, not in front of the script.
    expect(executor.invocations.at(-1)?.scriptId).toBe('probes.ping');
  });

  it('exit 3 affects only that script', async () => {
    const { session, runner } = setup();
    const a = await runner.run(testScripts.exit, { code: 3 });
    expect(a.exitCode).toBe(3);
    expect(a.ok).toBe(false);
    const b = await runner.run(testScripts.echo, { after: true });
    expect(b).toMatchObject({ ok: true, exitCode: 0, data: { after: true } });
    expect(session.powershellStarts).toBe(1);
  });

  it('a failed envelope is a result, not an exception; runData turns it into a ScriptError', async () => {
    const { runner } = setup();
    const r = await runner.run(testScripts.fail);
    expect(r).toMatchObject({ ok: false, exitCode: 1, error: { message: 'disk on fire', category: 'OperationStopped' }, warnings: ['about to fail'] });
    await expect(runner.runData(testScripts.fail)).rejects.toThrow(/host app1, script test.fail: disk on fire \(OperationStopped\)/);
  });

  it('a script stopped by the bootstrap at its timeout: OperationTimeoutError, then a fresh process', async () => {
    const { session, runner } = setup();
    const err = await runner.run(testScripts.sleep, { ms: 5_000 }, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationTimeoutError);
    expect((err as OperationTimeoutError).context).toMatchObject({ host: 'app1', script: 'test.sleep' });
    const next = await runner.run(testScripts.echo, { ok: 1 });
    expect(next.ok).toBe(true);
    expect(session.powershellStarts).toBe(2);
  });

  it('a script that ignores the stop: the runner deadline terminates the process and the next script works', async () => {
    const { session, runner } = setup({ stops: false, graceMs: 50 });
    await runner.run(testScripts.echo, {});
    const first = session.current!;
    const err = await runner.run(testScripts.hang, {}, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationTimeoutError);
    expect(String((err as Error).message)).toMatch(/host app1, script test.hang: script did not finish within 50 ms .*terminated/);
    expect(first.running).toBe(false);
    const next = await runner.run(testScripts.echo, { again: true });
    expect(next.data).toEqual({ again: true });
    expect(session.powershellStarts).toBe(2);
  });

  it('hostLock: the runner allows a request the wait for the host lock as well as its run (two runners, one host)', async () => {
    const { session, runner } = setup({ graceMs: 50 });
    const other = new ScriptRunner(session, { mode: 'resident', graceMs: 50 });
    await Promise.all([runner.run(testScripts.echo, {}), other.run(testScripts.echo, {})]);
    // The other process holds the host's lock for 1 s; this request then waits for it, and runs 1 s.
    const holding = other.run(testScripts.sleep, { ms: 1000 }, { hostLock: true, timeoutMs: 1200 });
    await new Promise((r) => setTimeout(r, 100));
    const waited = await runner.run(testScripts.sleep, { ms: 1000 }, { hostLock: true, timeoutMs: 1200 });
    expect(waited.ok).toBe(true);
    expect((await holding).ok).toBe(true);
    // Neither process was given up on (a deadline of timeout + grace would have ended this one's).
    expect(session.powershellStarts).toBe(2);
    await other.close();
  });

  it('process death mid-script: a clear ScriptError for that script only, then recovery', async () => {
    const { session, runner } = setup();
    await runner.run(testScripts.echo, {});
    const [crashed, queued] = await Promise.allSettled([runner.run(testScripts.crash), runner.run(testScripts.echo, { queued: true })]);
    expect(crashed.status).toBe('rejected');
    const err = (crashed as PromiseRejectedResult).reason as ScriptError;
    expect(err).toBeInstanceOf(ScriptError);
    expect(err.context).toMatchObject({ host: 'app1', script: 'test.crash' });
    expect(err.message).toMatch(/powershell\.exe ended \(exit code 3221225477\) while a script was running/);
    expect(queued).toMatchObject({ status: 'fulfilled', value: { ok: true, data: { queued: true } } });
    expect(session.powershellStarts).toBe(2);
  });

  it('a transport failure mid-script keeps its kind (unreachable: exit code 2), gains host and script, and the next script reconnects', async () => {
    const { session, runner } = setup();
    await runner.run(testScripts.echo, {});
    const pending = runner.run(testScripts.sleep, { ms: 10_000 });
    await new Promise((r) => setTimeout(r, 20));
    session.current!.drop(new UnreachableError('connection to 127.0.40.1:5985 dropped mid-command', { host: 'app1' }));
    const err = (await pending.catch((e: unknown) => e)) as UnreachableError;
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('host app1, script test.sleep: connection to 127.0.40.1:5985 dropped mid-command');
    expect((await runner.run(testScripts.echo, { next: 1 })).data).toEqual({ next: 1 });
  });

  it('params with quotes, unicode and 1 MB round-trip unchanged', async () => {
    const { runner } = setup();
    const big = 'x'.repeat(1024 * 1024);
    const params = {
      quotes: `it's "quoted" \\ back\`tick $(not-expanded) '@'`,
      unicode: 'Größe – 日本語 – 🚀 – \u0000\u001f',
      nested: { list: [1, 'two', { three: [null, true] }] },
      big,
    };
    const r = await runner.run(testScripts.echo, params);
    expect(r.data).toEqual(params);
  });

  it('secrets in params never reach the command line', async () => {
    const { session, runner } = setup();
    const secret = 'S3cr3t-Passw0rd!';
    registerSecret(secret);
    await runner.run(testScripts.echo, { password: secret });
    await runner.run(testScripts.echo, { password: secret }, {});
    const forms = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret, 'utf16le').toString('base64').slice(0, 12)];
    for (const spec of session.spawned) {
      const line = [spec.command, ...spec.args].join(' ');
      const decoded = Buffer.from(spec.args.at(-1) ?? '', 'base64').toString('utf16le');
      for (const f of forms) {
        expect(line).not.toContain(f);
        expect(decoded).not.toContain(f);
      }
    }
  });

  it('redacts secrets in what the script returns', async () => {
    const { runner } = setup();
    registerSecret('hunter2-secret');
    const r = await runner.run(testScripts.echo, { leaked: 'pw=hunter2-secret' });
    expect(r.data).toEqual({ leaked: 'pw=********' });
  });

  it('ad-hoc text runs without the envelope: output, errors and exit code as PowerShell reports them', async () => {
    const { runner } = setup();
    const r = await runner.run({ id: 'adhoc', text: "hostname; Write-Warning 'careful'; Get-Frobnicator; 'done'" }, {}, { lib: false });
    expect(r.enveloped).toBe(false);
    expect(r.output).toEqual(['app1', 'done']);
    expect(r.warnings).toEqual(['careful']);
    expect(r.errors[0]).toMatchObject({ category: 'ObjectNotFound', fullyQualifiedErrorId: 'CommandNotFoundException' });
    expect(r.errors[0]?.message).toMatch(/^The term 'Get-Frobnicator' is not recognized as the name of a cmdlet/);
    expect(r.ok).toBe(false);
  });

  it('request frames carry the lib apart from the script, and outputFormat when asked', async () => {
    const { session, runner } = setup();
    await runner.run(loadScript('probes.ping'));
    await runner.run({ id: 'adhoc', text: 'hostname' }, {}, { lib: false, outputFormat: 'text' });
    const frames = Buffer.concat(session.current!.written)
      .toString('ascii')
      .split('\n')
      .map((l) => decodeFrameLine(l) as RunRequestFrame | null)
      .filter((f): f is RunRequestFrame => f !== null);
    expect(frames).toHaveLength(2);
    // Shipped scripts and the library travel without comments (wire-text.ts) and gzip-compressed, named by
    // the SHA-256 of the uncompressed text; ad-hoc text plain, as given.
    const [script, lib] = [wireText(loadScript('probes.ping').text), libraryFiles().map(wireText).join('\n')];
    const sha256 = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
    expect(frames[0]).toMatchObject({ scriptId: 'probes.ping', scriptHash: sha256(script), libHash: sha256(lib) });
    expect(gunzipText(frames[0]!.scriptGz!)).toBe(script);
    expect(gunzipText(frames[0]!.libGz!)).toBe(lib);
    expect([frames[0]?.script, frames[0]?.lib, frames[0]?.outputFormat]).toEqual([undefined, undefined, undefined]);
    // Compressed: the library to about a quarter.
    expect(frames[0]!.libGz!.length).toBeLessThan(Buffer.byteLength(lib) / 2);
    expect(frames[1]).toMatchObject({ scriptId: 'adhoc', script: 'hostname', outputFormat: 'text' });
    expect([frames[1]?.scriptGz, frames[1]?.lib, frames[1]?.libGz]).toEqual([undefined, undefined, undefined]);
  });

  it('sends the library once per process: later requests name it by libHash; a new process gets it again', async () => {
    const { session, runner } = setup();
    const libHash = createHash('sha256').update(libraryFiles().map(wireText).join('\n'), 'utf8').digest('hex');
    for (let i = 0; i < 3; i++) expect((await runner.run(testScripts.echo, { i })).data).toEqual({ i });
    // A pipelined batch on the same process names it too.
    await Promise.all(runner.runPipelined([{ script: testScripts.echo }, { script: testScripts.echo }]));
    await runner.run(testScripts.crash).catch(() => undefined);
    const pipelined = runner.runPipelined([{ script: testScripts.echo, params: { a: 1 } }, { script: testScripts.echo, params: { b: 2 } }]);
    expect((await Promise.all(pipelined)).map((r) => r.data)).toEqual([{ a: 1 }, { b: 2 }]);
    const [first, second] = session.processes.map(framesOf);
    // Ad-hoc and test scripts have no file: no name, their text every time.
    expect(first!.every((f) => f.scriptHash === undefined && f.script !== undefined && f.scriptGz === undefined)).toBe(true);
    expect([...first!, ...second!].every((f) => f.lib === undefined)).toBe(true);
    expect(first!.map((f) => [f.libHash, f.libGz !== undefined])).toEqual([
      [libHash, true],
      [libHash, false],
      [libHash, false],
      [libHash, false],
      [libHash, false],
      [libHash, false],
    ]);
    expect(second!.map((f) => [f.libHash, f.libGz !== undefined])).toEqual([
      [libHash, true],
      [libHash, false],
    ]);
  });

  it('sends a shipped script once per process: later requests name it by scriptHash, and the lab runs the script it keeps', async () => {
    const { session, runner, executor } = setup();
    const ping = loadScript('probes.ping');
    const scriptHash = createHash('sha256').update(wireText(ping.text), 'utf8').digest('hex');
    for (let i = 0; i < 3; i++) expect((await runner.run<{ hostName: string }>(ping)).data?.hostName).toBe('app1');
    await runner.run(testScripts.echo, {});
    await runner.run(ping);
    // [id, name, carries the text compressed, carries it plain]: shipped scripts compressed, the test script (no file) plain.
    expect(framesOf(session.processes[0]!).map((f) => [f.scriptId, f.scriptHash, f.scriptGz !== undefined, f.script !== undefined])).toEqual([
      ['probes.ping', scriptHash, true, false],
      ['probes.ping', scriptHash, false, false],
      ['probes.ping', scriptHash, false, false],
      ['test.echo', undefined, false, true],
      ['probes.ping', scriptHash, false, false],
    ]);
    // The lab recovered the script's own id from the text it kept.
    expect(executor.invocations.filter((i) => i.scriptId === 'probes.ping')).toHaveLength(4);
  });

  it('JSON printed by ad-hoc text stays output: only enveloped scripts have a result object', async () => {
    const { runner } = setup();
    const r = await runner.run({ id: 'adhoc', text: `'{"ok":true,"data":1}'` }, {}, { lib: false });
    expect(r).toMatchObject({ enveloped: false, ok: true, output: ['{"ok":true,"data":1}'], data: undefined });
  });

  it('close() ends the resident process', async () => {
    const { session, runner } = setup();
    await runner.run(testScripts.echo, {});
    const proc = session.current!;
    await runner.close();
    expect(proc.running).toBe(false);
    expect((await proc.exit).exitCode).toBe(0);
    await expect(runner.run(testScripts.echo, {})).rejects.toThrow(/closed/);
  });
});

describe('ScriptRunner, one-shot mode', () => {
  it('starts a process per script and the process exits with the script exit code', async () => {
    const { session, runner } = setup({ mode: 'oneshot' });
    const a = await runner.run(testScripts.exit, { code: 7 });
    const b = await runner.run(testScripts.echo, { b: 1 });
    expect(a.exitCode).toBe(7);
    expect(b.data).toEqual({ b: 1 });
    expect(session.powershellStarts).toBe(2);
    expect((await session.processes[0]!.exit).exitCode).toBe(7);
    expect((await session.processes[1]!.exit).exitCode).toBe(0);
  });
});

describe('ScriptRunner start-up', () => {
  it('a powershell.exe that never becomes ready: OperationTimeoutError naming the host', async () => {
    const neverReady = createPowerShellDispatcher(createTestExecutor(), { powershellStartMs: () => 10_000 });
    const session = new FakeSession(host, neverReady);
    const runner = new ScriptRunner(session, { startTimeoutMs: 50 });
    const err = await runner.run(testScripts.echo, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationTimeoutError);
    expect((err as Error).message).toMatch(/host app1, script test.echo: powershell.exe did not start within 50 ms/);
    expect(session.processes[0]?.running).toBe(false);
  });
});

describe('ScriptRunner output decoding', () => {
  it('decodes stray stdout lines and CLIXML stderr as UTF-8 even when chunks split characters', async () => {
    const inner = createPowerShellDispatcher(createTestExecutor());
    const noisy: Dispatcher = {
      start(h, command, args, out) {
        const stray = Buffer.from('Größe: 日本 🚀\r\n', 'utf8');
        const clixml = Buffer.from(
          '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">Fehler: Überlauf_x000D__x000A_</S></Objs>',
          'utf8',
        );
        // Split both inside multi-byte characters, as a transport may.
        out.stdout(stray.subarray(0, 3));
        out.stdout(stray.subarray(3, 14));
        out.stdout(stray.subarray(14));
        out.stderr(clixml.subarray(0, 130));
        out.stderr(clixml.subarray(130, 131));
        out.stderr(clixml.subarray(131));
        return inner.start(h, command, args, out);
      },
    };
    const runner = new ScriptRunner(new FakeSession(host, noisy));
    const r = await runner.run(testScripts.echo, { a: 1 });
    expect(r.data).toEqual({ a: 1 });
    expect(r.stdoutDiagnostics).toEqual(['Größe: 日本 🚀', 'Fehler: Überlauf']);
  });
});
