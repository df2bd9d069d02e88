/** Apply run events for the reporter tests: a hand-written run with every kind of outcome, and a stream that looks like a terminal. */
import type { RunEvent } from '../../src/engine/apply/events.js';

/** A writable that collects the text; a TTY of `columns` when asked. */
export function terminal(columns: number, isTTY: boolean) {
  const writes: string[] = [];
  return { write: (s: string) => (writes.push(s), true), isTTY, columns, writes, text: () => writes.join('') };
}

/** The screen a TTY shows: each write's \r\x1b[2K clears the current line. */
export function screen(text: string): string[] {
  const lines: string[] = [''];
  // eslint-disable-next-line no-control-regex
  for (const part of text.split(/(\r\x1b\[2K|\n)/)) {
    if (part === '\r\x1b[2K') lines[lines.length - 1] = '';
    else if (part === '\n') lines.push('');
    else lines[lines.length - 1] += part;
  }
  return lines;
}

/**
 * Three hosts, two phases: app1 changes two steps, app2 fails its second step (with a hostile
 * message), db1 is unreachable from the start. Times (ms) beside each event, for a pinned clock.
 */
export function sampleRun(): Array<[number, RunEvent]> {
  return [
    [0, { type: 'run-started', playbook: 'cortex', hosts: ['app1', 'app2', 'db1'], at: '2026-12-02T06:00:00.000Z' }],
    [0, { type: 'host-started', host: 'app1' }],
    [0, { type: 'host-started', host: 'app2' }],
    [0, { type: 'host-started', host: 'db1' }],
    [100, { type: 'phase-started', phase: 'prepare', batch: 0, hosts: ['app1', 'app2'], steps: { app1: 2, app2: 2 } }],
    [100, { type: 'step-started', host: 'app1', step: 'dir', phase: 'prepare' }],
    [100, { type: 'step-started', host: 'app2', step: 'dir', phase: 'prepare' }],
    [600, { type: 'step-finished', host: 'app1', step: 'dir', phase: 'prepare', status: 'changed', diff: { action: 'create', from: null, to: { path: 'C:\\Cortex' } }, durationMs: 500, attempts: 1 }],
    [1100, { type: 'step-finished', host: 'app2', step: 'dir', phase: 'prepare', status: 'ok', diff: { action: 'none', from: null, to: null }, durationMs: 1000, attempts: 0 }],
    [1100, { type: 'step-started', host: 'app1', step: 'erlang', phase: 'prepare' }],
    [1100, { type: 'step-started', host: 'app2', step: 'erlang', phase: 'prepare' }],
    [3100, { type: 'step-finished', host: 'app1', step: 'erlang', phase: 'prepare', status: 'changed', durationMs: 2000, attempts: 1, rebootRequired: true }],
    [4100, { type: 'step-finished', host: 'app2', step: 'erlang', phase: 'prepare', status: 'failed', durationMs: 3000, attempts: 3, message: 'installer exited 1603\x1b[2J (see C:\\Windows\\Temp\\erlang.log)' }],
    [4200, { type: 'reboot-started', host: 'app1', reason: 'step erlang requires a reboot' }],
    [9200, { type: 'reboot-finished', host: 'app1', durationMs: 5000, ok: true }],
    [9300, { type: 'phase-started', phase: 'install', batch: 0, hosts: ['app1'], steps: { app1: 2 } }],
    [9300, { type: 'step-started', host: 'app1', step: 'rabbitmq', phase: 'install' }],
    [9800, { type: 'step-finished', host: 'app1', step: 'rabbitmq', phase: 'install', status: 'ok', durationMs: 500, attempts: 0 }],
    [9800, { type: 'step-started', host: 'app1', step: 'ldap', phase: 'install' }],
    [9800, { type: 'step-finished', host: 'app1', step: 'ldap', phase: 'install', status: 'skipped', durationMs: 0, attempts: 0, message: 'when: ldap.enabled' }],
    [9900, { type: 'host-finished', host: 'app1', status: 'changed' }],
    [9900, { type: 'host-finished', host: 'app2', status: 'failed', message: 'step erlang: installer exited 1603' }],
    [9900, { type: 'host-finished', host: 'db1', status: 'unreachable', message: 'cannot connect to 127.0.0.9:5985 (ECONNREFUSED)' }],
    [10000, { type: 'run-finished', outcome: 'failed' }],
  ];
}

export const SAMPLE_END = { outcome: 'failed' as const, exitCode: 2 };
