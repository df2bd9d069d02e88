/**
 * The WinRM client against a hostile server on loopback (issue 14): every case ends in a typed
 * error naming the host, within the request timeout, and without holding what the server sends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CortexError, OperationTimeoutError, ProtocolError, UnreachableError } from '../../src/errors.js';
import { openWinrmSession } from '../../src/transport/winrm/index.js';
import type { WinrmConnectSettings } from '../../src/transport/winrm/settings.js';
import { WsmanFaultError } from '../../src/transport/winrm/errors.js';
import { consoleText } from '../../src/report/console-text.js';
import { ESCAPE_PAYLOAD, startHostileServer, type HostileCase, type HostileServer } from '../helpers/hostile-server.js';

const REQUEST_TIMEOUT_MS = 3000;

function settings(port: number, auth: 'basic' | 'ntlm'): WinrmConnectSettings {
  return {
    scheme: 'http',
    port,
    auth,
    user: 'LAB\\cortex',
    password: 'Hostile!2026',
    allowUnencrypted: true,
    tls: { ca: null, serverName: null, insecure: false },
    operationTimeoutSec: 2,
    connectTimeoutMs: 2000,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  };
}

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function attack(kind: HostileCase, auth: 'basic' | 'ntlm' = 'basic') {
  server = await startHostileServer(kind);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = Date.now();
  let err: unknown = null;
  try {
    const s = await openWinrmSession({ name: 'evil1', address: server.address }, settings(server.port, auth));
    await s.close();
  } catch (e) {
    err = e;
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { err: err as CortexError, ms: Date.now() - t0, growthMb: (peak - rssBefore) / 2 ** 20, sent: server.bytesSent };
}

/** Memory the client may grow by while refusing one reply (its body bound is about 1 MiB). */
const RSS_BOUND_MB = 64;

describe('the WinRM client against a hostile server', () => {
  const cases: Array<[HostileCase, 'basic' | 'ntlm', new (...a: never[]) => CortexError, RegExp]> = [
    ['huge-body', 'basic', ProtocolError, /body of 800000000 bytes is larger than the \d+ bytes allowed/],
    ['huge-body', 'ntlm', ProtocolError, /larger than the \d+ bytes allowed.*NTLM negotiate/],
    ['chunked-endless', 'basic', ProtocolError, /larger than the \d+ bytes allowed \(so far\)/],
    ['chunked-endless', 'ntlm', ProtocolError, /larger than the \d+ bytes allowed/],
    ['slow-drip', 'basic', OperationTimeoutError, /got no answer within 3000 ms/],
    ['reset', 'basic', UnreachableError, /lost \(ECONNRESET\)|closed by the host/],
    ['malformed', 'basic', ProtocolError, /malformed HTTP response: status line/],
    ['entity-bomb', 'basic', ProtocolError, /DOCTYPE/],
    ['endless-header', 'basic', ProtocolError, /header section too long/],
    ['endless-header', 'ntlm', ProtocolError, /header section too long/],
    ['fault-escapes', 'basic', WsmanFaultError, /WSManFault 2150858770/],
  ];
  it.each(cases)('%s (%s): a clear error naming the host, in time, memory bounded', async (kind, auth, type, message) => {
    const { err, ms, growthMb } = await attack(kind, auth);
    expect(err).toBeInstanceOf(type);
    expect(err.context.host).toBe('evil1');
    expect(err.message).toMatch(/^host evil1: /);
    expect(err.message).toMatch(message);
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 5000);
    expect(growthMb).toBeLessThan(RSS_BOUND_MB);
  });

  it('a fault text with escape codes reaches the console without them', async () => {
    const { err } = await attack('fault-escapes');
    expect(err.message).toContain('\u001b'); // the error keeps what the host said…
    const shown = consoleText(err.message);
    // eslint-disable-next-line no-control-regex
    expect(shown).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/); // …the console gets none of it raw
    expect(shown).toContain('pwned');
    expect(ESCAPE_PAYLOAD).toContain('\u009b');
  });
});
