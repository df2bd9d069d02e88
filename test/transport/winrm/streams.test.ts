import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToCompletion, type Session } from '../../../src/transport/session.js';
import { openWinrmSession } from '../../../src/transport/winrm/index.js';
import { bigPattern } from '../../lab/winrm/test-dispatcher.js';
import { settings, startTestLab, type TestLab } from './helpers.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

let t: TestLab;
let sealed: Session;
let https: Session;
beforeAll(async () => {
  t = await startTestLab([net.addr(1)]);
  sealed = await openWinrmSession(t.hosts[0]!, settings('ntlm-http', t.cert));
  https = await openWinrmSession(t.hosts[0]!, settings('basic-https', t.cert));
});
afterAll(async () => {
  await sealed?.close();
  await https?.close();
  await t?.lab.close();
});

describe('WinRM client ↔ lab: bulk data', () => {
  it('1 MB of stdin arrives intact, in several Send envelopes, over sealed HTTP and HTTPS', async () => {
    const data = bigPattern(1024 * 1024 + 17);
    const want = `${data.length} ${createHash('sha256').update(data).digest('hex')}\r\n`;
    for (const s of [sealed, https]) {
      const r = await runToCompletion(s, { command: 'discard', args: [] }, { stdin: data, timeoutMs: 20_000 });
      expect(r.stdout.toString()).toBe(want);
      expect(r.exitCode).toBe(0);
    }
  });

  // 10 MB of output (complete, in order, over sealed HTTP and HTTPS): the Session contract, contract.test.ts.

  it('interleaved writes and reads on one process (resident style) take two requests per round trip', async () => {
    const proc = await sealed.spawn({ command: 'lines', args: [] });
    let buffered = '';
    const waiters: Array<() => void> = [];
    proc.on('stdout', (c) => {
      buffered += c.toString();
      waiters.splice(0).forEach((w) => w());
    });
    const readLine = async (): Promise<string> => {
      for (;;) {
        const nl = buffered.indexOf('\n');
        if (nl >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          return line;
        }
        await new Promise<void>((r) => waiters.push(r));
      }
    };
    const channel = (sealed as unknown as { channel: { requests: number } }).channel;
    await proc.write(Buffer.from('warm-up\n'));
    expect(await readLine()).toBe('ok warm-up');
    const before = channel.requests;
    for (let i = 0; i < 20; i++) {
      await proc.write(Buffer.from(`request ${i}\n`));
      expect(await readLine()).toBe(`ok request ${i}`);
    }
    const perRoundTrip = (channel.requests - before) / 20;
    expect(perRoundTrip).toBeLessThanOrEqual(3);
    await proc.closeStdin();
    expect((await proc.exit).exitCode).toBe(0);
  });

  it('several processes share the session: a running command does not hold up the others', async () => {
    const slow = await https.spawn({ command: 'sleep', args: ['2'] });
    const slowOut: Buffer[] = [];
    slow.on('stdout', (c) => slowOut.push(c));
    await slow.closeStdin();
    const quick = [];
    for (let i = 0; i < 5; i++) quick.push((await runToCompletion(https, { command: 'echo', args: [`q${i}`] }, { timeoutMs: 10_000 })).stdout.toString());
    expect(quick).toEqual(['q0\r\n', 'q1\r\n', 'q2\r\n', 'q3\r\n', 'q4\r\n']);
    expect((await slow.exit).exitCode).toBe(0);
    expect(Buffer.concat(slowOut).toString()).toBe('slept 2\r\n');
  });
});
