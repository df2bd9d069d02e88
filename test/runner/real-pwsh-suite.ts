/**
 * The script runner's contract against a real PowerShell: ps1/bootstrap/resident.ps1 and ps1/lib run in
 * pwsh, driven by ScriptRunner through a Session. Instantiated per transport (real-pwsh-local.test.ts:
 * the local transport spawning pwsh; real-pwsh-ssh.test.ts: the lab's sshd whose ForceCommand runs pwsh).
 *
 * What a Windows host's powershell.exe 5.1 would do differently is noted where it matters; the
 * bootstrap is written for 5.1 and linted for it (npm run lint:ps1).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OperationTimeoutError, ProtocolError, ScriptError, type CortexError } from '../../src/errors.js';
import { gunzipText } from '../../src/lab/powershell/gzip-text.js';
import { decodeFrameLine, encodeFrame, gzipText, LineSplitter, type RunRequestFrame } from '../../src/protocol/script-frames.js';
import { hostLockTimeoutMessage } from '../../src/lab/powershell/dispatcher.js';
import { PowerShellLanguageModeError, ScriptRunner, type ScriptSource } from '../../src/runner/index.js';
import { decodeCommand, encodeCommand } from '../../src/runner/bootstrap.js';
import type { ProcessSpec, RemoteProcess, Session, SpawnOptions } from '../../src/transport/session.js';
import { describeWithPwsh } from '../helpers/pwsh.js';

export interface RealRunnerTarget {
  session: Session;
  cleanup(): Promise<void>;
}

const NON_ASCII = 'Zürich – 東京';
/** Per-test budget: a pwsh start alone took 5 s on a loaded 2-core CI machine. No test asserts speed. */
const SLOW = 180_000;
const adhoc = (text: string): ScriptSource => ({ id: 'adhoc', text });
/** An envelope script (the lib travels with it): `# cortex-script: test.<name>` first. */
const script = (name: string, body: string): ScriptSource => ({ id: `test.${name}`, text: `# cortex-script: test.${name}\nSet-StrictMode -Version Latest\n$ErrorActionPreference = 'Stop'\n${body}\n` });

/** The script text of a request frame being written, or null for other writes (the bootstrap line). */
export function requestScript(data: Uint8Array): string | null {
  const text = Buffer.from(data).toString('latin1');
  if (!text.startsWith('CORTEX1 ')) return null;
  const frame = JSON.parse(Buffer.from(text.slice(8).trim(), 'base64').toString('utf8')) as { script?: string };
  return frame.script ?? null;
}

/** The run request frame being written, or null for other writes. */
export function requestFrame(data: Uint8Array): RunRequestFrame | null {
  const text = Buffer.from(data).toString('latin1');
  if (!text.startsWith('CORTEX1 ')) return null;
  const frame = JSON.parse(Buffer.from(text.slice(8).trim(), 'base64').toString('utf8')) as RunRequestFrame;
  return frame.type === 'run' ? frame : null;
}

export function requestId(data: Uint8Array): string {
  return (JSON.parse(Buffer.from(Buffer.from(data).toString('latin1').slice(8).trim(), 'base64').toString('utf8')) as { id: string }).id;
}

/**
 * A Session whose PowerShell processes are edited on the way: `editLoader` rewrites the loader (the
 * -EncodedCommand text), `editWrite` each stdin write. For faults a real host can have and a test
 * cannot otherwise cause (a ConstrainedLanguage policy, a connection that closes stdin mid-frame).
 */
export function editedSession(
  inner: Session,
  edits: { editLoader?: (text: string) => string; editWrite?: (data: Uint8Array, proc: RemoteProcess) => Promise<void> | null },
): Session {
  return {
    host: inner.host,
    transport: inner.transport,
    close: () => inner.close(),
    async spawn(spec: ProcessSpec, options?: SpawnOptions): Promise<RemoteProcess> {
      const i = spec.args.indexOf('-EncodedCommand');
      const args = [...spec.args];
      if (i >= 0 && edits.editLoader) args[i + 1] = encodeCommand(edits.editLoader(decodeCommand(args[i + 1]!)));
      const proc = await inner.spawn({ command: spec.command, args }, options);
      if (!edits.editWrite) return proc;
      return {
        exit: proc.exit,
        on: (s, l) => proc.on(s, l),
        closeStdin: () => proc.closeStdin(),
        terminate: () => proc.terminate(),
        write: (data) => edits.editWrite!(data, proc) ?? proc.write(data),
      };
    },
  };
}

export function describeRealRunner(name: string, open: () => Promise<RealRunnerTarget>): void {
  describeWithPwsh(`script runner on a real pwsh: ${name}`, () => {
    let target: RealRunnerTarget;
    let runner: ScriptRunner;
    beforeAll(async () => {
      target = await open();
      runner = new ScriptRunner(target.session, { startTimeoutMs: 60_000 });
    }, SLOW);
    afterAll(async () => {
      await runner?.close();
      await target?.cleanup();
    }, SLOW);

    it('runs many scripts, envelope and ad-hoc, in one process', async () => {
      const started = runner.stats.processesStarted;
      const pids = new Set<number>();
      for (let i = 0; i < 15; i++) {
        const r = await runner.run<{ i: number; pid: number; version: number }>(
          script('many', 'Invoke-CortexScript { [ordered]@{ i = (Get-CortexParam -Name i); pid = $PID; version = $PSVersionTable.PSVersion.Major } }'),
          { i },
        );
        expect(r).toMatchObject({ ok: true, exitCode: 0, enveloped: true, data: { i } });
        pids.add(r.data!.pid);
        // Variables stay with their script: each runs in a fresh runspace.
        const v = await runner.run(adhoc('if (Test-Path variable:leak) { "leaked $leak" } else { "clean" }; $leak = 1'), {}, { lib: false });
        expect(v.output).toEqual(['clean']);
      }
      expect(pids.size).toBe(1);
      expect(runner.stats.processesStarted - started).toBeLessThanOrEqual(1);
    }, SLOW);

    it('exit N ends only that script: exit 3, exit inside a function, exit 0, exit with no value', async () => {
      const before = runner.stats.processesStarted;
      const cases: Array<[string, number]> = [
        ['"before"; exit 3; "after"', 3],
        ['function Stop-Here { exit 7 }; "in"; Stop-Here; "not reached"', 7],
        ['exit 0', 0],
        ['"x"; exit', 0],
        ['exit (40 + 2)', 42],
      ];
      for (const [text, code] of cases) {
        const r = await runner.run(adhoc(text), {}, { lib: false });
        expect({ text, code: r.exitCode }).toEqual({ text, code });
        expect(r.output).not.toContain('not reached');
        expect(r.output).not.toContain('after');
      }
      const after = await runner.run(adhoc('"still here"'), {}, { lib: false });
      expect(after.output).toEqual(['still here']);
      expect(runner.stats.processesStarted).toBe(before);
    }, SLOW);

    it('a terminating error: exit code 1 and its record; the envelope turns it into ok=false', async () => {
      const plain = await runner.run(adhoc('"first"; throw "disk on fire"; "never"'), {}, { lib: false });
      expect(plain).toMatchObject({ ok: false, exitCode: 1, output: ['first'], error: { message: 'disk on fire' } });
      expect(plain.errors[0]).toMatchObject({ message: 'disk on fire', category: 'OperationStopped' });
      expect(plain.errors[0]!.position).toContain('throw "disk on fire"');
      const enveloped = await runner.run(script('fail', 'Invoke-CortexScript { Get-Item -LiteralPath "/nonexistent/cortex" }'));
      expect(enveloped).toMatchObject({ ok: false, exitCode: 1, enveloped: true, error: { category: 'ObjectNotFound' } });
      expect(enveloped.error!.message).toContain('/nonexistent/cortex');
    }, SLOW);

    it('a non-terminating error: the script carries on; the record is reported and the result is not ok', async () => {
      const r = await runner.run(adhoc('Write-Error "just a warning shot"; "carried on"'), {}, { lib: false });
      expect(r.output).toEqual(['carried on']);
      expect(r.exitCode).toBe(0);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatchObject({ message: 'just a warning shot', fullyQualifiedErrorId: expect.stringContaining('WriteErrorException') });
      expect(r.ok).toBe(false);
    }, SLOW);

    it('a parse error is a failed result with the parser message, not a success', async () => {
      const r = await runner.run(adhoc('if ('), {}, { lib: false });
      expect(r.ok).toBe(false);
      expect(r.exitCode).toBe(1);
      expect(r.errors[0]?.message).toMatch(/Missing condition in if statement/);
    }, SLOW);

    it('host, information, verbose and warning output reach the result, apart from the output', async () => {
      const r = await runner.run(
        adhoc(
          'Write-Host "to the host"; Write-Information "info record"; Write-Verbose "quiet"; Write-Verbose "loud" -Verbose; $VerbosePreference = "Continue"; Write-Verbose "pref"; Write-Warning "careful"; "the output"',
        ),
        {},
        { lib: false },
      );
      expect(r.output).toEqual(['the output']);
      expect(r.information).toEqual(['to the host', 'info record']);
      expect(r.verbose).toEqual(['loud', 'pref']);
      expect(r.warnings).toEqual(['careful']);
      expect(r.ok).toBe(true);
    }, SLOW);

    it(`carries non-ASCII text both ways (${NON_ASCII}): parameters, output, streams, errors, envelope data`, async () => {
      const r = await runner.run<{ echoed: string; length: number; built: string }>(
        script(
          'unicode',
          'Write-Warning ("warn " + $CortexParams.city); Write-Host ("host " + $CortexParams.city); Invoke-CortexScript { [ordered]@{ echoed = $CortexParams.city; length = $CortexParams.city.Length; built = "Zürich " + [char]0x2013 + " " + [char]0x6771 + [char]0x4EAC } }',
        ),
        { city: NON_ASCII },
      );
      expect(r.data).toEqual({ echoed: NON_ASCII, length: NON_ASCII.length, built: NON_ASCII });
      expect(r.warnings).toEqual([`warn ${NON_ASCII}`]);
      expect(r.information).toEqual([`host ${NON_ASCII}`]);
      const e = await runner.run(adhoc('throw ("nicht gefunden: " + $CortexParams.city)'), { city: NON_ASCII }, { lib: false });
      expect(e.error?.message).toBe(`nicht gefunden: ${NON_ASCII}`);
    }, SLOW);

    it(`a shipped script travels gzip-compressed (scriptGz) and runs with its non-ASCII text intact (${NON_ASCII})`, async () => {
      const frames: RunRequestFrame[] = [];
      const local = new ScriptRunner(
        editedSession(target.session, {
          editWrite: (data) => {
            const f = requestFrame(data);
            if (f) frames.push(f);
            return null;
          },
        }),
      );
      try {
        const shipped: ScriptSource = { ...script('gz-unicode', `Invoke-CortexScript { [ordered]@{ text = '${NON_ASCII}'; length = '${NON_ASCII}'.Length } }`), file: 'test/gz-unicode.ps1' };
        const r = await local.run<{ text: string; length: number }>(shipped);
        expect(r.data).toEqual({ text: NON_ASCII, length: NON_ASCII.length });
        expect(frames[0]).toMatchObject({ scriptGz: expect.any(String), libGz: expect.any(String) });
        expect([frames[0]!.script, frames[0]!.lib]).toEqual([undefined, undefined]);
      } finally {
        await local.close();
      }
    }, SLOW);

    it('takes a 10 MB parameter intact', async () => {
      const big = `${'x'.repeat(10 * 1024 * 1024 - 64)}${NON_ASCII}`;
      const sha = createHash('sha256').update(big, 'utf8').digest('hex');
      const r = await runner.run<{ length: number; sha256: string }>(
        script(
          'big',
          "Invoke-CortexScript { $b = [Text.Encoding]::UTF8.GetBytes([string]$CortexParams.big); $h = [Security.Cryptography.SHA256]::Create().ComputeHash($b); [ordered]@{ length = $CortexParams.big.Length; sha256 = ([BitConverter]::ToString($h) -replace '-', '').ToLowerInvariant() } }",
        ),
        { big },
        { timeoutMs: 120_000 },
      );
      expect(r.data).toEqual({ length: big.length, sha256: sha });
    }, SLOW);

    it('formats objects as text without cutting them at a console width', async () => {
      const long = 'w'.repeat(300);
      const objects = await runner.run(adhoc('[pscustomobject]@{ Name = "n"; Long = $CortexParams.long }'), { long }, { lib: false });
      expect(objects.output.join('\n')).toContain(long);
      const text = await runner.run(adhoc('[pscustomobject]@{ Name = "n"; Long = $CortexParams.long }'), { long }, { lib: false, outputFormat: 'text' });
      expect(text.output.some((l) => l.includes(long))).toBe(true);
      expect(text.output.every((l) => l === l.trimEnd())).toBe(true);
    }, SLOW);

    it('a native program run through Invoke-CortexNative does not swallow the request frames queued behind it', async () => {
      const results = await Promise.all(
        runner.runPipelined([
          { script: script('native', "Invoke-CortexScript { $r = Invoke-CortexNative -FilePath '/bin/sh' -ArgumentList @('-c', 'n=$(cat | wc -c); echo \"stdin had $n bytes\"'); [ordered]@{ out = $r.output } }") },
          { script: adhoc('"second"'), options: { lib: false } },
          { script: adhoc('"third"'), options: { lib: false } },
        ]),
      );
      expect(results[0]!.data).toEqual({ out: ['stdin had 0 bytes'] });
      expect(results[1]!.output).toEqual(['second']);
      expect(results[2]!.output).toEqual(['third']);
    }, SLOW);

    it('hostLock: a request waits while another process of the host runs one under the lock, and gives up after its timeout, running nothing', async () => {
      // Two resident processes on the host, as a killed run's orphaned shell and its resume would have.
      const other = new ScriptRunner(target.session, { startTimeoutMs: 60_000 });
      try {
        await other.run(adhoc('"warm"'), {}, { lib: false });
        await runner.run(adhoc('"warm"'), {}, { lib: false });
        const t0 = Date.now();
        const holding = other.run(adhoc('Start-Sleep -Milliseconds 2500; "held"'), {}, { lib: false, hostLock: true }).then((r) => ({ r, at: Date.now() - t0 }));
        await new Promise((r) => setTimeout(r, 700));
        // Without the lock: not held up.
        const free = await runner.run(adhoc('"free"'), {}, { lib: false });
        const freeAt = Date.now() - t0;
        expect(free.output).toEqual(['free']);
        // Under the lock, with too short a wait: refused, and nothing ran.
        const refused = await runner.run(adhoc('"ran anyway"'), {}, { lib: false, hostLock: true, timeoutMs: 300 }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(ScriptError);
        expect((refused as CortexError).message).toContain(`powershell.exe could not run the script: ${hostLockTimeoutMessage(300)}`);
        // Under the lock: it runs once the holder's script is done.
        const waited = await runner.run(adhoc('"after"'), {}, { lib: false, hostLock: true });
        const waitedAt = Date.now() - t0;
        const held = await holding;
        expect(held.r.output).toEqual(['held']);
        expect(waited.output).toEqual(['after']);
        expect(freeAt).toBeLessThan(held.at);
        expect(waitedAt).toBeGreaterThanOrEqual(held.at - 50);
      } finally {
        await other.close();
      }
    }, SLOW);

    it('a timeout stops the script; the runner replaces the process and the next script works', async () => {
      const replaced = runner.stats.processesReplaced;
      const err = await runner.run(adhoc('Start-Sleep -Seconds 600'), {}, { lib: false, timeoutMs: 1_500 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationTimeoutError);
      expect((err as CortexError).message).toMatch(/script adhoc: script did not finish within 1500 ms and was stopped/);
      expect(runner.stats.processesReplaced).toBe(replaced + 1);
      const next = await runner.run(adhoc('"after the timeout"'), {}, { lib: false });
      expect(next.output).toEqual(['after the timeout']);
    }, SLOW);

    it('a script blocked in a .NET call ([Threading.Thread]::Sleep) cannot be stopped: still a timeout result, then a fresh process', async () => {
      const before = await runner.run<{ pid: number }>(script('pid', 'Invoke-CortexScript { [ordered]@{ pid = $PID } }'));
      const err = await runner.run(adhoc('[Threading.Thread]::Sleep(600000)'), {}, { lib: false, timeoutMs: 1_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationTimeoutError);
      const after = await runner.run<{ pid: number }>(script('pid', 'Invoke-CortexScript { [ordered]@{ pid = $PID } }'));
      expect(after.ok).toBe(true);
      expect(after.data!.pid).not.toBe(before.data!.pid);
    }, SLOW);

    it("when the bootstrap cannot answer in time either, the runner's own deadline ends the process", async () => {
      const impatient = new ScriptRunner(target.session, { graceMs: 500 });
      try {
        // The bootstrap waits 5 s for a pipeline to stop; the runner gives it 0.5 s.
        const err = await impatient.run(adhoc('[Threading.Thread]::Sleep(600000)'), {}, { lib: false, timeoutMs: 1_000 }).catch((e: unknown) => e);
        expect(err, String(err)).toBeInstanceOf(OperationTimeoutError);
        expect((err as CortexError).message).toMatch(/did not stop within 500 ms more\); its powershell.exe was terminated/);
        const next = await impatient.run(adhoc('"recovered"'), {}, { lib: false });
        expect(next.output).toEqual(['recovered']);
        expect(impatient.stats.processesStarted).toBe(2);
      } finally {
        await impatient.close();
      }
    }, SLOW);

    it('answers every malformed request with a result, and carries on', async () => {
      // Raw frames straight to the bootstrap: the runner never sends these, a corrupted channel could.
      const b64 = (text: string): string => `CORTEX1 ${Buffer.from(text).toString('base64')}\n`;
      // Each bad frame keeps the request's id where it has one (as a corrupted request would).
      const frames: Array<[(id: string) => string, RegExp]> = [
        [() => 'CORTEX1 ###not base64###\n', /could not read the request: FormatException: the request frame is not base64/],
        [(id) => b64(`{"type":"run","id":"${id}", oops`), /could not read the request: FormatException: the request frame is not valid JSON/],
        [(id) => encodeFrame({ type: 'nope', id } as never), /could not read the request: FormatException: unknown request type "nope"/],
        [(id) => b64(JSON.stringify({ type: 'run', id, scriptId: 'x', params: {}, timeoutMs: 1000 })), /could not run the script: ArgumentException: the request has no script text/],
        // Compressed texts (scriptGz, libGz) that are not base64 of gzip: the request is unreadable.
        [(id) => encodeFrame({ type: 'run', id, scriptId: 'x', scriptGz: 'not base64!', params: {}, timeoutMs: 1000 }), /could not read the request: FormatException: the request's scriptGz is not base64 of gzip \(/],
        [(id) => encodeFrame({ type: 'run', id, scriptId: 'x', script: '"x"', libGz: Buffer.from('plain text, not gzip').toString('base64'), libHash: 'h', params: {}, timeoutMs: 1000 }), /could not read the request: FormatException: the request's libGz is not base64 of gzip \(/],
        [(id) => encodeFrame({ type: 'run', id, scriptId: 'x', scriptGz: gzipText('"cut"'.repeat(200)).slice(0, -8), params: {}, timeoutMs: 1000 }), /could not read the request: FormatException: the request's scriptGz is not base64 of gzip \(/],
      ];
      const local = new ScriptRunner(
        editedSession(target.session, {
          // A request whose script is "replaced-K" goes out as bad frame K instead.
          editWrite: (data, proc) => {
            const m = /^"replaced-(\d+)"$/.exec(requestScript(data) ?? '');
            return m ? proc.write(Buffer.from(frames[Number(m[1])]![0](requestId(data)), 'ascii')) : null;
          },
        }),
      );
      try {
        await local.run(adhoc('"warm"'), {}, { lib: false });
        for (const [k, [, message]] of frames.entries()) {
          const err = await local.run(adhoc(`"replaced-${k}"`), {}, { lib: false }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).message).toMatch(message);
        }
        const ok = await local.run(adhoc('"still serving"'), {}, { lib: false });
        expect(ok.output).toEqual(['still serving']);
        expect(local.stats.processesStarted).toBe(1);
      } finally {
        await local.close();
      }
    }, SLOW);

    it('the library and shipped scripts travel once per process, later requests name them; a process that lacks one says so and gets the request again whole', async () => {
      const sent: Array<[string, boolean, boolean]> = [];
      const drop: { lib: boolean; script: string | null } = { lib: false, script: null };
      const local = new ScriptRunner(
        editedSession(target.session, {
          editWrite: (data, proc) => {
            const frame = requestFrame(data);
            if (!frame) return null;
            const id = frame.scriptId;
            // Shipped scripts and the library travel compressed only; what they expand to is what they are named by.
            expect([frame.lib, frame.script]).toEqual([undefined, undefined]);
            if (frame.libGz !== undefined) expect(createHash('sha256').update(gunzipText(frame.libGz)).digest('hex')).toBe(frame.libHash);
            if (frame.scriptGz !== undefined) expect(createHash('sha256').update(gunzipText(frame.scriptGz)).digest('hex')).toBe(frame.scriptHash);
            // A request that carries the library, or script `drop.script`, loses it on the way: the process never keeps it.
            if ((drop.lib && frame.libGz !== undefined) || (drop.script === id && frame.scriptGz !== undefined)) {
              if (drop.lib) delete frame.libGz;
              else delete frame.scriptGz;
              drop.lib = false;
              drop.script = null;
              sent.push([id, frame.libGz !== undefined, frame.scriptGz !== undefined]);
              return proc.write(Buffer.from(encodeFrame(frame), 'ascii'));
            }
            sent.push([id, frame.libGz !== undefined, frame.scriptGz !== undefined]);
            return null;
          },
        }),
      );
      // Shipped scripts (they have a file) are named by scriptHash; the envelope functions come from the library.
      const shipped = (name: string): ScriptSource => ({ ...script(name, 'Invoke-CortexScript { [ordered]@{ i = (Get-CortexParam -Name i); pid = $PID } }'), file: `test/${name}.ps1` });
      const [a, b] = [shipped('kept-a'), shipped('kept-b')];
      try {
        const results = [];
        drop.lib = true;
        results.push(await local.run<{ i: number; pid: number }>(a, { i: 0 }));
        results.push(await local.run<{ i: number; pid: number }>(a, { i: 1 }));
        drop.script = 'test.kept-b';
        results.push(await local.run<{ i: number; pid: number }>(b, { i: 2 }));
        results.push(await local.run<{ i: number; pid: number }>(b, { i: 3 }));
        results.push(await local.run<{ i: number; pid: number }>(a, { i: 4 }));
        expect(results.map((r) => r.data?.i)).toEqual([0, 1, 2, 3, 4]);
        expect(new Set(results.map((r) => r.data?.pid)).size).toBe(1);
        // [script, carries lib (compressed), carries script (compressed)]
        expect(sent).toEqual([
          ['test.kept-a', false, true],
          ['test.kept-a', true, true],
          ['test.kept-a', false, false],
          ['test.kept-b', false, false],
          ['test.kept-b', true, true],
          ['test.kept-b', false, false],
          ['test.kept-a', false, false],
        ]);
        expect(local.stats.processesStarted).toBe(1);
      } finally {
        await local.close();
      }
    }, SLOW);

    it('a batch answered together: a script that succeeded is answered in one write with the next; a failed one at once', async () => {
      // For each result frame, when it arrived (a frame split across chunks counts where it ends). Time, not
      // the chunk: one write may reach us in two chunks over SSH, but never 600 ms apart.
      const arrivedAt = new Map<string, number>();
      const inner = target.session;
      const watched: Session = {
        host: inner.host,
        transport: inner.transport,
        close: () => inner.close(),
        async spawn(spec: ProcessSpec, options?: SpawnOptions): Promise<RemoteProcess> {
          const proc = await inner.spawn(spec, options);
          const lines = new LineSplitter((line) => {
            const f = decodeFrameLine(line) as { type?: string; id?: string } | null;
            if (f?.type === 'result' && f.id) arrivedAt.set(f.id, performance.now());
          });
          return {
            exit: proc.exit,
            on: (stream, l) =>
              proc.on(stream, (c) => {
                if (stream === 'stdout') lines.push(c);
                l(c);
              }),
            closeStdin: () => proc.closeStdin(),
            terminate: () => proc.terminate(),
            write: (data) => {
              const f = requestFrame(data);
              if (f) ids.push([f.id, f.answerWithNext === true]);
              return proc.write(data);
            },
          };
        },
      };
      const ids: Array<[string, boolean]> = [];
      const local = new ScriptRunner(watched);
      try {
        await local.run(adhoc('"warm"'), {}, { lib: false });
        const batch = (first: string) =>
          local.runPipelined(
            [
              { script: adhoc(first), options: { lib: false } },
              { script: adhoc('Start-Sleep -Milliseconds 1200; "second"'), options: { lib: false } },
            ],
            { answerTogether: true },
          );
        const [a, b] = batch('"first"');
        expect((await a!).output).toEqual(['first']);
        expect((await b!).output).toEqual(['second']);
        // Only the first frame asked to wait for the next; both results came together, after the second's 1.2 s.
        const [okFirst, okSecond] = ids.slice(-2);
        expect([okFirst![1], okSecond![1]]).toEqual([true, false]);
        expect(Math.abs(arrivedAt.get(okFirst![0])! - arrivedAt.get(okSecond![0])!)).toBeLessThan(600);
        const [c, d] = batch('"failed"; exit 5');
        expect((await c!).exitCode).toBe(5);
        expect((await d!).output).toEqual(['second']);
        const [failed, after] = ids.slice(-2);
        // The failed one was written at once, before the second script had run (it sleeps 1.2 s).
        expect(arrivedAt.get(after![0])! - arrivedAt.get(failed![0])!).toBeGreaterThan(600);
        expect(local.stats.processesStarted).toBe(1);
      } finally {
        await local.close();
      }
    }, SLOW);

    it('stdin closing mid-run: the running script still answers, the process exits cleanly, the next script gets a fresh one', async () => {
      let victim: RemoteProcess | null = null;
      const local = new ScriptRunner(
        editedSession(target.session, {
          editWrite: (data, proc) => {
            if (!requestScript(data)?.includes('finished after EOF')) return null;
            victim = proc;
            // The request, then EOF while the script sleeps.
            return proc.write(data).then(() => proc.closeStdin());
          },
        }),
      );
      try {
        await local.run(adhoc('"warm"'), {}, { lib: false });
        const r = await local.run(adhoc('Start-Sleep -Milliseconds 800; "finished after EOF"'), {}, { lib: false });
        expect(r.output).toEqual(['finished after EOF']);
        expect((await victim!.exit).exitCode).toBe(0);
        const next = await local.run(adhoc('"fresh"'), {}, { lib: false });
        expect(next.output).toEqual(['fresh']);
        expect(local.stats.processesStarted).toBe(2);
      } finally {
        await local.close();
      }
    }, SLOW);

    it('stdin closing in the middle of a request frame: that request fails as a protocol error, the process exits cleanly', async () => {
      let victim: RemoteProcess | null = null;
      const local = new ScriptRunner(
        editedSession(target.session, {
          editWrite: (data, proc) => {
            if (requestScript(data) !== '"cut in half"') return null;
            victim = proc;
            return proc.write(data.subarray(0, Math.floor(data.length / 2))).then(() => proc.closeStdin());
          },
        }),
      );
      try {
        await local.run(adhoc('"warm"'), {}, { lib: false });
        const err = await local.run(adhoc('"cut in half"'), {}, { lib: false }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ProtocolError);
        expect((err as Error).message).toMatch(/host \S+, script adhoc: powershell.exe could not read the request: FormatException: the request frame is not/);
        expect((await victim!.exit).exitCode).toBe(0);
        const next = await local.run(adhoc('"fresh"'), {}, { lib: false });
        expect(next.output).toEqual(['fresh']);
      } finally {
        await local.close();
      }
    }, SLOW);

    it('uploads a file (the transport\'s putFile, else streamed through ps1/runner/receive-file.ps1) and verifies it on the host', async () => {
      // The "host" is this machine: the remote path is a local one.
      const dir = mkdtempSync(join(tmpdir(), `cortex-upload-${NON_ASCII.slice(0, 6)}-`));
      try {
        const content = randomBytes(2 * 1024 * 1024 + 3);
        const local = join(dir, 'payload.bin');
        writeFileSync(local, content);
        const sha256 = createHash('sha256').update(content).digest('hex');
        const viaSession = await runner.upload(local, join(dir, 'via-session', 'payload.bin'));
        expect(viaSession).toMatchObject({ skipped: false, method: target.session.putFile ? 'putFile' : 'stdin', sha256, bytes: content.length });
        expect(readFileSync(join(dir, 'via-session', 'payload.bin')).equals(content)).toBe(true);
        expect(await runner.upload(local, join(dir, 'via-session', 'payload.bin'))).toMatchObject({ skipped: true, method: 'none' });
        // Without putFile: the bytes go through a pwsh running receive-file.ps1.
        const streaming = new ScriptRunner(editedSession(target.session, {}));
        try {
          const viaStdin = await streaming.upload(local, join(dir, 'via-stdin', 'payload.bin'), { chunkBytes: 256 * 1024 });
          expect(viaStdin).toMatchObject({ skipped: false, method: 'stdin', sha256 });
          expect(readFileSync(join(dir, 'via-stdin', 'payload.bin')).equals(content)).toBe(true);
        } finally {
          await streaming.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, SLOW);

    it('one-shot mode: a process per script, ending with the script\'s exit code', async () => {
      const oneshot = new ScriptRunner(target.session, { mode: 'oneshot' });
      try {
        const a = await oneshot.run(adhoc('"one"; exit 3'), {}, { lib: false });
        expect(a).toMatchObject({ exitCode: 3, output: ['one'] });
        const b = await oneshot.run<{ n: string }>(script('oneshot', 'Invoke-CortexScript { [ordered]@{ n = $CortexParams.n } }'), { n: NON_ASCII });
        expect(b).toMatchObject({ ok: true, data: { n: NON_ASCII } });
        expect(oneshot.stats.processesStarted).toBe(2);
      } finally {
        await oneshot.close();
      }
    }, SLOW);

    it('a ConstrainedLanguage host fails with a clear typed error naming the host, not a dead process', async () => {
      const constrained = new ScriptRunner(
        editedSession(target.session, { editLoader: (text) => `$ExecutionContext.SessionState.LanguageMode = 'ConstrainedLanguage'\n${text}` }),
      );
      try {
        const err = await constrained.run(adhoc('"x"'), {}, { lib: false }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PowerShellLanguageModeError);
        const host = target.session.host.name;
        expect((err as Error).message).toContain(`host ${host}: PowerShell runs in ConstrainedLanguage mode on ${host}`);
        expect((err as Error).message).toContain('docs/scripts.md');
        expect((err as CortexError).exitCode).toBe(1);
      } finally {
        await constrained.close();
      }
    }, SLOW);
  });
}
