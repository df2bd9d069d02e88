// The literal case: a 30 s command across several Receive long polls. With a 5 s
// OperationTimeout it spans at least six polls, each ending in the TimedOut fault (2150858793) that
// means "poll again". Its own file (and addresses) so it runs beside the other suites.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWinrmSession } from '../../../src/transport/winrm/index.js';
import { settings, startTestLab, type TestLab } from './helpers.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

let t: TestLab;
beforeAll(async () => {
  t = await startTestLab([net.addr(3)], { names: ['app13b'] });
});
afterAll(async () => {
  await t?.lab.close();
});

describe('WinRM long poll', () => {
  it('a 30 s command completes across several long polls, output and exit code intact', async () => {
    const s = await openWinrmSession(t.hosts[0]!, settings('ntlm-http', t.cert, { operationTimeoutSec: 5 }));
    try {
      const proc = await s.spawn({ command: 'sleep', args: ['30'] });
      const out: Buffer[] = [];
      proc.on('stdout', (c) => out.push(c));
      await proc.closeStdin();
      expect((await proc.exit).exitCode).toBe(0);
      expect(Buffer.concat(out).toString()).toBe('slept 30\r\n');
      expect((proc as unknown as { receives: number }).receives).toBeGreaterThanOrEqual(6);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('an idle process (idle(): no output expected) is polled only every 10 s, and its end is still seen', async () => {
    const s = await openWinrmSession(t.hosts[0]!, settings('ntlm-http', t.cert, { operationTimeoutSec: 5 }));
    try {
      const proc = await s.spawn({ command: 'sleep', args: ['2'] }); // stdin stays open: the interactive poll
      const out: Buffer[] = [];
      proc.on('stdout', (c) => out.push(c));
      proc.idle?.();
      const status = await proc.exit;
      expect(status.exitCode).toBe(0);
      expect(Buffer.concat(out).toString()).toBe('slept 2\r\n');
      // Without the hint: a 1 s poll after another, two or more before the end. With it: the liveness poll.
      expect((proc as unknown as { receives: number }).receives).toBe(1);
    } finally {
      await s.close();
    }
  }, 60_000);
});
