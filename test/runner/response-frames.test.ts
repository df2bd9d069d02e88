/**
 * How the runner reads what a host's bootstrap answers, against a scripted far side (no PowerShell):
 * results without an id, malformed frames, bootstrap errors and the fatal language-mode frame, each
 * a typed error naming host and script, never a hang or a crash.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError, ScriptError } from '../../src/errors.js';
import type { Dispatcher } from '../../src/lab/dispatcher.js';
import { decodeFrameLine, encodeFrame, LineSplitter, type RunRequestFrame } from '../../src/protocol/script-frames.js';
import { decodeCommand, loaderText } from '../../src/runner/bootstrap.js';
import { LANGUAGE_MODE_EXIT_CODE } from '../../src/runner/language-mode.js';
import { PowerShellLanguageModeError, ScriptRunner } from '../../src/runner/index.js';
import { FakeSession } from '../fakes/fake-session.js';

const host = { name: 'frames1', address: '127.0.40.71' };
const adhoc = (text: string) => ({ id: 'adhoc', text });
const raw = (json: string): Buffer => Buffer.from(`CORTEX1 ${Buffer.from(json).toString('base64')}\n`);

/** A far side that says ready, then answers each request with `answer(request)` (raw stdout bytes). */
function scripted(answer: (req: RunRequestFrame) => Buffer, opts: { fatal?: boolean } = {}): Dispatcher {
  return {
    start(_host, _command, args, out) {
      if (opts.fatal) {
        // What the loader's guard prints on a ConstrainedLanguage host (the literal frame in its text).
        const loader = decodeCommand(args[args.indexOf('-EncodedCommand') + 1]!);
        out.stdout(Buffer.from(`${/'(CORTEX1 [^']+)'/.exec(loader)![1]}\r\n`));
        setImmediate(() => out.exit(LANGUAGE_MODE_EXIT_CODE));
        return { stdin: () => undefined, terminate: () => undefined };
      }
      let first = true;
      const lines = new LineSplitter((line) => {
        if (first) {
          first = false; // the bootstrap line
          out.stdout(encodeFrameBuffer({ type: 'ready', pid: 42, psVersion: '5.1.17763.1' }));
          return;
        }
        const req = decodeFrameLine(line) as RunRequestFrame;
        if (req.type === 'run') out.stdout(answer(req));
      });
      return { stdin: (c, end) => (c.length > 0 ? lines.push(c) : end ? out.exit(0) : undefined), terminate: () => out.exit(1) };
    },
  };
}
const encodeFrameBuffer = (f: Parameters<typeof encodeFrame>[0]): Buffer => Buffer.from(encodeFrame(f));
const result = (id: string | null, extra: Record<string, unknown> = {}): Buffer =>
  raw(JSON.stringify({ type: 'result', id, exitCode: 0, output: ['hi'], errors: [], warnings: [], timedOut: false, durationMs: 1, ...extra }));

describe('runner: response frames', () => {
  it('a result with id null belongs to the oldest open request (the bootstrap answers in order)', async () => {
    const runner = new ScriptRunner(new FakeSession(host, scripted(() => result(null))));
    const r = await runner.run(adhoc('x'), {}, { lib: false });
    expect(r.output).toEqual(['hi']);
    expect(r.information).toEqual([]);
    await runner.close();
  });

  it('carries information and verbose streams', async () => {
    const runner = new ScriptRunner(new FakeSession(host, scripted((q) => result(q.id, { information: ['host text'], verbose: ['detail'] }))));
    const r = await runner.run(adhoc('x'), {}, { lib: false });
    expect(r).toMatchObject({ information: ['host text'], verbose: ['detail'] });
    await runner.close();
  });

  it('a malformed result frame fails its request with a ProtocolError naming the field, and the process is replaced', async () => {
    const session = new FakeSession(host, scripted((q) => (q.script === 'bad' ? result(q.id, { exitCode: 'zero' }) : result(q.id))));
    const runner = new ScriptRunner(session);
    const err = await runner.run(adhoc('bad'), {}, { lib: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/host frames1, script adhoc: powershell.exe answered with a malformed result frame \(exitCode: /);
    const next = await runner.run(adhoc('good'), {}, { lib: false });
    expect(next.output).toEqual(['hi']);
    expect(session.powershellStarts).toBe(2);
    await runner.close();
  });

  it('a frame that is not base64 of JSON fails the open request the same way', async () => {
    const runner = new ScriptRunner(new FakeSession(host, scripted(() => Buffer.from('CORTEX1 %%%\n'))));
    const err = await runner.run(adhoc('x'), {}, { lib: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toContain('a frame that is not base64 of JSON');
    await runner.close();
  });

  it('bootstrapError: a request it could not read is a ProtocolError, one it could not run a ScriptError; the process serves on', async () => {
    const session = new FakeSession(
      host,
      scripted((q) =>
        q.script === 'read'
          ? result(q.id, { exitCode: 1, output: [], bootstrapError: { stage: 'request', message: 'FormatException: the request frame is not valid JSON' } })
          : q.script === 'run'
            ? result(q.id, { exitCode: 1, output: [], bootstrapError: { stage: 'run', message: 'ArgumentException: the request has no script text' } })
            : result(q.id),
      ),
    );
    const runner = new ScriptRunner(session);
    const a = await runner.run(adhoc('read'), {}, { lib: false }).catch((e: unknown) => e);
    expect(a).toBeInstanceOf(ProtocolError);
    expect((a as Error).message).toBe('host frames1, script adhoc: powershell.exe could not read the request: FormatException: the request frame is not valid JSON');
    const b = await runner.run(adhoc('run'), {}, { lib: false }).catch((e: unknown) => e);
    expect(b).toBeInstanceOf(ScriptError);
    expect((b as Error).message).toContain('powershell.exe could not run the script: ArgumentException: the request has no script text');
    expect((await runner.run(adhoc('ok'), {}, { lib: false })).output).toEqual(['hi']);
    expect(session.powershellStarts).toBe(1);
    await runner.close();
  });

  it('a process that says it lacks the library named by libHash gets the request again with lib; refused again, a ProtocolError', async () => {
    // A far side that forgets the library after `forgets`, and refuses `never` whatever it carries.
    const seen: RunRequestFrame[] = [];
    let kept: string | undefined;
    const lacks = (q: RunRequestFrame) =>
      result(q.id, { exitCode: 1, output: [], bootstrapError: { stage: 'lib', message: `InvalidOperationException: this process keeps no library named ${q.libHash}` } });
    const session = new FakeSession(
      host,
      scripted((q) => {
        seen.push(q);
        if (q.script === 'never') return lacks(q);
        if (q.libGz !== undefined) kept = q.libHash;
        const known = q.libGz !== undefined || (q.libHash === kept && q.script !== 'forgets');
        if (q.script === 'forgets') kept = undefined;
        return known ? result(q.id, { output: [q.script] }) : lacks(q);
      }),
    );
    const runner = new ScriptRunner(session);
    expect((await runner.run(adhoc('first'))).output).toEqual(['first']);
    expect((await runner.run(adhoc('forgets'))).output).toEqual(['forgets']);
    expect((await runner.run(adhoc('after'))).output).toEqual(['after']);
    // Sent again with the library compressed, as it was sent first (never plain).
    expect(seen.every((q) => q.lib === undefined)).toBe(true);
    expect(seen.map((q) => [q.script, q.libGz !== undefined])).toEqual([
      ['first', true],
      ['forgets', false],
      ['forgets', true],
      ['after', false],
      ['after', true],
    ]);
    expect(new Set(seen.map((q) => q.id)).size).toBe(3);
    const err = await runner.run(adhoc('never')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(seen.slice(5).map((q) => [q.script, q.libGz !== undefined])).toEqual([
      ['never', false],
      ['never', true],
    ]);
    expect((err as Error).message).toMatch(/^host frames1, script adhoc: powershell.exe did not keep the library the request named, even after it was sent again: InvalidOperationException: /);
    expect(session.powershellStarts).toBe(1);
    await runner.close();
  });

  it('the fatal language-mode frame becomes PowerShellLanguageModeError naming the host', async () => {
    const runner = new ScriptRunner(new FakeSession(host, scripted(() => Buffer.alloc(0), { fatal: true })));
    const err = await runner.run(adhoc('x'), {}, { lib: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PowerShellLanguageModeError);
    expect((err as Error).message).toMatch(/^host frames1: PowerShell runs in ConstrainedLanguage mode on frames1: .* see docs\/scripts\.md, "Constrained Language Mode"\.$/);
    await runner.close();
  });

  it('the loader checks the language mode before any .NET call', () => {
    const lines = loaderText('resident').split('\n');
    expect(lines[1]).toMatch(/^if \(\$ExecutionContext\.SessionState\.LanguageMode -eq 'ConstrainedLanguage'\) \{ 'CORTEX1 [A-Za-z0-9+/=]+'; exit 4 \}$/);
    const frame = decodeFrameLine(/'(CORTEX1 [^']+)'/.exec(lines[1]!)![1]!);
    expect(frame).toEqual({ type: 'fatal', reason: 'languageMode', languageMode: 'ConstrainedLanguage' });
    expect(lines.slice(2).join('\n')).toContain('[Console]::In.ReadLine()');
  });
});
