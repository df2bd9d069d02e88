/** The run interrupt and the cleanup registry (src/lifecycle/), without signals or hosts. */
import { describe, expect, it } from 'vitest';
import { CleanupRegistry } from '../../src/lifecycle/cleanup.js';
import { INTERRUPTED_EXIT_CODE, RunInterrupt } from '../../src/lifecycle/interrupt.js';

describe('CleanupRegistry', () => {
  it('releases what is still registered, bounded in time; late registrations are released at once', async () => {
    const reg = new CleanupRegistry();
    const released: string[] = [];
    const unregister = reg.register('a', async () => void released.push('a'));
    reg.register('b', async () => void released.push('b'));
    reg.register('hangs', () => new Promise<void>(() => undefined));
    reg.register('fails', async () => {
      throw new Error('no');
    });
    unregister();
    const out = await reg.runAll(200);
    expect(released).toEqual(['b']);
    expect(out).toEqual({ done: ['b'], failed: ['hangs', 'fails'] });
    reg.register('late', async () => void released.push('late'));
    await reg.settleLate(200);
    expect(released).toEqual(['b', 'late']);
  });
});

describe('RunInterrupt', () => {
  it('takes one abort listener per host opening a session, 50 at once, without a MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const run = new RunInterrupt();
      const aborted: number[] = [];
      for (let i = 0; i < 50; i++) run.signal.addEventListener('abort', () => aborted.push(i), { once: true });
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
      run.trigger('SIGINT');
      expect(aborted).toHaveLength(50);
      await run.finish();
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('the first signal aborts and, after the grace, closes the sessions; a second SIGINT exits at once', async () => {
    const notes: string[] = [];
    const exits: number[] = [];
    const ri = new RunInterrupt({ graceMs: 50, notify: (l) => notes.push(l), exitNow: (c) => exits.push(c) });
    let closed = false;
    ri.cleanups.register('session', async () => void (closed = true));
    expect(ri.signal.aborted).toBe(false);
    ri.trigger('SIGTERM');
    expect(ri.signal.aborted).toBe(true);
    expect(ri.reason).toBe('SIGTERM');
    expect(closed).toBe(false);
    await new Promise((r) => setTimeout(r, 150));
    expect(closed).toBe(true);
    ri.trigger('SIGTERM');
    expect(exits).toEqual([]);
    ri.trigger('SIGINT');
    expect(exits).toEqual([INTERRUPTED_EXIT_CODE]);
    expect(notes[0]).toMatch(/SIGTERM: stopping/);
    expect(await ri.finish()).toEqual({ done: ['session'], failed: [] });
  });

  it('install() takes the signals and finish() gives them back', async () => {
    const before = process.listenerCount('SIGINT');
    const ri = new RunInterrupt().install();
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    expect(await ri.finish()).toBeNull();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('opening a WinRM session under an interrupt', () => {
  it('a login still in progress is given up at once when the run is interrupted', async () => {
    const { startHostileServer } = await import('../helpers/hostile-server.js');
    const { openWinrmSession } = await import('../../src/transport/winrm/index.js');
    const server = await startHostileServer('slow-drip');
    try {
      const ri = new RunInterrupt({ graceMs: 60_000 });
      const opening = openWinrmSession(
        { name: 'slow1', address: server.address },
        { scheme: 'http', port: server.port, auth: 'ntlm', user: 'u', password: 'Interrupt!2026', allowUnencrypted: false, tls: { ca: null, serverName: null, insecure: false }, operationTimeoutSec: 20, connectTimeoutMs: 5000, requestTimeoutMs: 30_000 },
        { signal: ri.signal },
      );
      const failed = opening.then(
        () => null,
        (e: unknown) => e as Error,
      );
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      ri.trigger('SIGINT');
      const err = await failed;
      expect(err?.message).toMatch(/host slow1: the session was not opened: the run was interrupted/);
      expect(Date.now() - t0).toBeLessThan(5000);
      await ri.finish();
    } finally {
      await server.close();
    }
  });
});
