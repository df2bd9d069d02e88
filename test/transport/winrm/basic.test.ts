import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToCompletion } from '../../../src/transport/session.js';
import { openWinrmSession } from '../../../src/transport/winrm/index.js';
import { settings, startTestLab, type TestLab } from './helpers.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

let t: TestLab;
beforeAll(async () => {
  t = await startTestLab([net.addr(1)]);
});
afterAll(async () => {
  await t?.lab.close();
});

describe('WinRM client ↔ lab: Basic over HTTPS', () => {
  it('runs hostname and echo, with output and exit codes, in one reused shell', async () => {
    const host = t.hosts[0]!;
    const s = await openWinrmSession(host, settings('basic-https', t.cert));
    try {
      const a = await runToCompletion(s, { command: 'hostname', args: [] }, { timeoutMs: 10_000 });
      expect(a.stdout.toString()).toBe(`${host.name}\r\n`);
      expect(a.exitCode).toBe(0);
      const b = await runToCompletion(s, { command: 'echo', args: ['hello', 'world'] }, { timeoutMs: 10_000 });
      expect(b.stdout.toString()).toBe('hello world\r\n');
      const c = await runToCompletion(s, { command: 'exit', args: ['3221225477'] }, { timeoutMs: 10_000 });
      expect(c.exitCode).toBe(3221225477);
      const d = await runToCompletion(s, { command: 'stderr', args: ['boom'] }, { timeoutMs: 10_000 });
      expect(d.stderr.toString()).toBe('boom');
      expect(d.exitCode).toBe(1);
      expect(t.lab.counters(host.name).shells).toBe(1);
      expect(t.lab.counters(host.name).commands).toBe(4);
    } finally {
      await s.close();
    }
  });
});
