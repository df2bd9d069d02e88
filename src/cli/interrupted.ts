/**
 * What exec and preflight do with an interrupt (src/lifecycle/interrupt.ts): every session they
 * open is registered for release, and when the run was interrupted they say what was left undone.
 */
import type { CleanupOutcome } from '../lifecycle/cleanup.js';
import type { RunInterrupt } from '../lifecycle/interrupt.js';
import type { Connect } from '../preflight/run.js';
import type { Session } from '../transport/session.js';

/** A preflight Connect whose connections are closed by the interrupt if the run does not close them first. */
export function closedOnInterrupt(connect: Connect, interrupt: RunInterrupt): Connect {
  return async (host, signal) => {
    const conn = await connect(host, signal);
    const release = interrupt.cleanups.register(`session to ${host.name}`, () => conn.close());
    return {
      run: (script, params, timeoutMs) => conn.run(script, params, timeoutMs),
      ...(conn.runPipelined ? { runPipelined: (runs: Parameters<NonNullable<typeof conn.runPipelined>>[0]) => conn.runPipelined!(runs) } : {}),
      close: async () => {
        release();
        await conn.close();
      },
    };
  };
}

/** A session opener whose sessions are closed by the interrupt if the run does not close them first. */
export function sessionClosedOnInterrupt<H extends { name: string }, A extends unknown[]>(open: (host: H, ...rest: A) => Promise<Session>, interrupt: RunInterrupt): (host: H, ...rest: A) => Promise<Session> {
  return async (host, ...rest) => {
    const session = await open(host, ...rest);
    const release = interrupt.cleanups.register(`session to ${host.name}`, () => session.close());
    const close = session.close.bind(session);
    session.close = async () => {
      release();
      await close();
    };
    return session;
  };
}

/** The lines printed after an interrupted run: what was done, what was stopped, what never started. */
export function interruptedLines(signal: string, total: number, undone: { notStarted: string[]; stopped: string[] }, released: CleanupOutcome | null): string[] {
  const finished = total - undone.notStarted.length - undone.stopped.length;
  const lines = [`Interrupted by ${signal}: ${finished} of ${total} host${total === 1 ? '' : 's'} finished.`];
  if (undone.stopped.length) lines.push(`  stopped while running: ${undone.stopped.join(', ')}`);
  if (undone.notStarted.length) lines.push(`  not started: ${undone.notStarted.join(', ')}`);
  if (released && released.done.length) lines.push(`  sessions closed: ${released.done.length}`);
  if (released && released.failed.length) lines.push(`  sessions that could not be closed (they time out on the host): ${released.failed.join(', ')}`);
  return lines;
}
