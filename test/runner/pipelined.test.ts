/**
 * runPipelined: several request frames written at once (with the bootstrap line when the process is
 * new), results in order; a crash fails the batch cleanly and the next run starts a fresh process.
 */
import { describe, expect, it } from 'vitest';
import { CortexError } from '../../src/errors.js';
import { createPowerShellDispatcher } from '../../src/lab/powershell/index.js';
import { decodeFrameLine, type RunRequestFrame } from '../../src/protocol/script-frames.js';
import { ScriptRunner } from '../../src/runner/index.js';
import { FakeSession } from '../fakes/fake-session.js';
import { createTestExecutor, testScripts } from '../fakes/test-executor.js';

function setup() {
  const hooks: { crash?: () => void } = {};
  const executor = createTestExecutor(hooks);
  const session = new FakeSession({ name: 'app1', address: '127.0.0.1' }, createPowerShellDispatcher(executor, {}));
  hooks.crash = () => session.current?.crash();
  return { session, runner: new ScriptRunner(session, { graceMs: 100 }) };
}

const framesIn = (chunk: Buffer) => chunk.toString('ascii').split('\n').filter((l) => decodeFrameLine(l) !== null).length;

describe('ScriptRunner.runPipelined', () => {
  it('a new process gets the bootstrap and both requests before any answer; results in order', async () => {
    const { session, runner } = setup();
    const [a, b] = runner.runPipelined([
      { script: testScripts.echo, params: { n: 1 } },
      { script: testScripts.echo, params: { n: 2 } },
    ]);
    await expect(a).resolves.toMatchObject({ ok: true, data: { n: 1 } });
    await expect(b).resolves.toMatchObject({ ok: true, data: { n: 2 } });
    // All three lines were written in one synchronous run (the WinRM transport coalesces them).
    const written = session.current!.written;
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(framesIn(Buffer.concat(written.slice(0, 3)))).toBe(2);
    // A warm process: the batch goes out without a new start; run() after it waits its turn.
    const [c, d] = runner.runPipelined([{ script: testScripts.echo, params: { n: 3 } }, { script: testScripts.exit, params: { code: 4 } }]);
    const e = runner.run(testScripts.echo, { n: 5 });
    expect((await c!).data).toEqual({ n: 3 });
    expect((await d!).exitCode).toBe(4);
    expect((await e).data).toEqual({ n: 5 });
    expect(session.powershellStarts).toBe(1);
  });

  it('answerTogether: every request but the last asks for its result to wait for the next; results as without it', async () => {
    const { session, runner } = setup();
    await runner.run(testScripts.echo, { n: 0 });
    const before = session.current!.written.length;
    const rs = runner.runPipelined(
      [
        { script: testScripts.echo, params: { n: 1 } },
        { script: testScripts.exit, params: { code: 3 } },
        { script: testScripts.echo, params: { n: 2 } },
      ],
      { answerTogether: true },
    );
    const results = await Promise.all(rs);
    expect(results.map((r) => r.data ?? r.exitCode)).toEqual([{ n: 1 }, 3, { n: 2 }]);
    const frames = session.current!.written.slice(before).flatMap((c) => c.toString('ascii').split('\n')).map((l) => decodeFrameLine(l) as RunRequestFrame | null).filter((f) => f !== null);
    expect(frames.map((f) => f.answerWithNext)).toEqual([true, true, undefined]);
    // Without it, nothing waits.
    const plainBefore = session.current!.written.length;
    await Promise.all(runner.runPipelined([{ script: testScripts.echo, params: { n: 4 } }, { script: testScripts.echo, params: { n: 5 } }]));
    const plain = session.current!.written.slice(plainBefore).flatMap((c) => c.toString('ascii').split('\n')).map((l) => decodeFrameLine(l) as RunRequestFrame | null).filter((f) => f !== null);
    expect(plain.map((f) => f.answerWithNext)).toEqual([undefined, undefined]);
  });

  it('a crash fails every script of the batch with a CortexError; the next run starts afresh', async () => {
    const { session, runner } = setup();
    const unhandled: unknown[] = [];
    const on = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', on);
    try {
      const [a, b] = runner.runPipelined([{ script: testScripts.crash }, { script: testScripts.echo, params: { n: 1 } }]);
      await expect(a).rejects.toBeInstanceOf(CortexError);
      await expect(b).rejects.toBeInstanceOf(CortexError);
      await expect(runner.run(testScripts.echo, { n: 2 })).resolves.toMatchObject({ data: { n: 2 } });
      expect(session.powershellStarts).toBe(2);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', on);
    }
  });
});
