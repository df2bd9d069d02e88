import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WsmanFaultError } from '../../../src/transport/winrm/errors.js';
import { runToCompletion } from '../../../src/transport/session.js';
import { openWinrmSession } from '../../../src/transport/winrm/index.js';
import { FaultCode } from '../../../src/protocol/wsman/namespaces.js';
import { settings, startTestLab, type TestLab } from './helpers.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

// A host whose user may hold 2 shells.
let t: TestLab;
beforeAll(async () => {
  t = await startTestLab([net.addr(2)], { names: ['app13'], maxShellsPerUser: 2 });
});
afterAll(async () => {
  await t?.lab.close();
});

// The long poll itself (a 30 s command across several polls) is in longpoll-30s.test.ts.
describe('WinRM quotas and shell recycling', () => {
  it('MaxShellsPerUser: a third session is refused with the quota fault; closed sessions free their shells', async () => {
    const a = await openWinrmSession(t.hosts[0]!, settings('ntlm-http', t.cert));
    const b = await openWinrmSession(t.hosts[0]!, settings('basic-https', t.cert));
    const err = await openWinrmSession(t.hosts[0]!, settings('ntlm-https', t.cert)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WsmanFaultError);
    expect((err as WsmanFaultError).fault.wsmanCode).toBe(FaultCode.QuotaMaxShells);
    expect((err as Error).message).toContain('host app13');
    await a.close();
    await b.close();
    const c = await openWinrmSession(t.hosts[0]!, settings('ntlm-https', t.cert));
    await c.close();
  });

  it('a shell the host lost (UnexpectedSelectors) is replaced transparently', async () => {
    const s = await openWinrmSession(t.hosts[0]!, settings('ntlm-http', t.cert));
    try {
      expect((await runToCompletion(s, { command: 'hostname', args: [] }, { timeoutMs: 10_000 })).exitCode).toBe(0);
      const before = t.lab.counters('app13').shells;
      // A reboot: connections cut, shells gone.
      await t.lab.closeHost('app13');
      await t.lab.openHost('app13');
      const r = await runToCompletion(s, { command: 'echo', args: ['again'] }, { timeoutMs: 10_000 });
      expect(r.stdout.toString()).toBe('again\r\n');
      expect(t.lab.counters('app13').shells).toBe(before + 1);
    } finally {
      await s.close();
    }
  });

  it('terminate() ends a running command on the host and settles exit', async () => {
    const s = await openWinrmSession(t.hosts[0]!, settings('ntlm-http', t.cert));
    try {
      const terminatedBefore = t.log.terminated;
      const proc = await s.spawn({ command: 'sleep', args: ['60'] });
      await new Promise((r) => setTimeout(r, 100));
      await proc.terminate();
      expect((await proc.exit).exitCode).toBe(0xc000013a);
      expect(t.log.terminated).toBe(terminatedBefore + 1);
    } finally {
      await s.close();
    }
  });
});
