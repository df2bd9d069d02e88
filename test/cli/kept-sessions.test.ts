/**
 * The sessions apply's preflight gate keeps for the apply: handed over once per host, and every one not
 * taken closed at the end (a gate that stops the run, an interrupt).
 */
import { describe, expect, it } from 'vitest';
import { KeptSessions } from '../../src/cli/kept-sessions.js';
import { createPowerShellDispatcher, createMinimalExecutor } from '../../src/lab/powershell/index.js';
import { ScriptRunner } from '../../src/runner/index.js';
import { FakeSession } from '../fakes/fake-session.js';

const kept = (name: string) => {
  const session = new FakeSession({ name, address: '127.0.40.90' }, createPowerShellDispatcher(createMinimalExecutor()));
  return { session, runner: new ScriptRunner(session) };
};

describe('KeptSessions', () => {
  it('hands a host its kept session and runner once, with the powershell.exe the gate started still serving', async () => {
    const k = new KeptSessions();
    const a = kept('app1');
    await a.runner.run({ id: 'adhoc', text: 'hostname' }, {}, { lib: false });
    k.put('app1', a);
    const taken = k.take('app1');
    expect(taken).toBe(a);
    expect(k.take('app1')).toBeUndefined();
    expect((await taken!.runner.run({ id: 'adhoc', text: 'hostname' }, {}, { lib: false })).output).toEqual(['app1']);
    expect(a.session.powershellStarts).toBe(1);
    expect(a.session.closed).toBe(false);
  });

  it('closes every session not taken, and one a second put replaces', async () => {
    const k = new KeptSessions();
    const [a, b, c] = [kept('app1'), kept('app2'), kept('app1')];
    k.put('app1', a);
    k.put('app2', b);
    k.put('app1', c);
    await new Promise((r) => setImmediate(r));
    expect(a.session.closed).toBe(true);
    expect(k.take('app2')).toBe(b);
    await k.closeAll();
    expect(c.session.closed).toBe(true);
    expect(b.session.closed).toBe(false);
    expect(k.size).toBe(0);
  });
});
