import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToCompletion } from '../../../src/transport/session.js';
import { openWinrmSession } from '../../../src/transport/winrm/index.js';
import { settings, startTestLab, type TestLab } from './helpers.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

// .1 … .50 of this file's block: fifty hosts served by one lab process.
const addresses = Array.from({ length: 50 }, (_, i) => `${net.prefix}${i + 1}`);
let t: TestLab;
beforeAll(async () => {
  t = await startTestLab(addresses);
});
afterAll(async () => {
  await t?.lab.close();
});

describe('WinRM: 50 hosts concurrently', () => {
  it('opens a sealed NTLM session to each host at once and runs a command on every one', async () => {
    const results = await Promise.all(
      t.hosts.map(async (host, i) => {
        const s = await openWinrmSession(host, settings(i % 2 === 0 ? 'ntlm-http' : 'ntlm-https', t.cert));
        try {
          const r = await runToCompletion(s, { command: 'hostname', args: [] }, { timeoutMs: 20_000 });
          return { host: host.name, out: r.stdout.toString(), code: r.exitCode };
        } finally {
          await s.close();
        }
      }),
    );
    expect(results.map((r) => r.out)).toEqual(t.hosts.map((h) => `${h.name}\r\n`));
    expect(results.every((r) => r.code === 0)).toBe(true);
    for (const h of t.hosts) expect(t.lab.counters(h.name)).toMatchObject({ shells: 1, commands: 1 });
  });
});
