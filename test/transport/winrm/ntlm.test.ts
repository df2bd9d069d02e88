import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { AuthError, ProtocolError } from '../../../src/errors.js';
import { CLIENT_NEGOTIATE_FLAGS, encodeChallenge, NegotiateFlags } from '../../../src/protocol/ntlm/index.js';
import { makeSelfSignedCert } from '../../../src/lab/winrm/index.js';
import { runToCompletion } from '../../../src/transport/session.js';
import { openWinrmSession } from '../../../src/transport/winrm/index.js';
import { settings, startTestLab, type TestLab } from './helpers.js';
import { startProxy, type Proxy } from './proxy.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

// .1 of this file's block is the lab host; .2 a recording proxy in front of its HTTP listener;
// .3 a TLS-terminating proxy (a man in the middle the client was told to trust blindly).
let t: TestLab;
let spy: Proxy;
let mitm: Proxy;
beforeAll(async () => {
  // Strict channel-binding hardening: NTLM over HTTPS must carry a binding to the lab certificate.
  t = await startTestLab([net.addr(1)], { names: ['web12'], cbtHardening: 'strict' });
  spy = await startProxy({ address: net.addr(2), port: 5985 }, { address: net.addr(1), port: 5985 });
  const other = makeSelfSignedCert([net.addr(3)], 'not-the-host');
  mitm = await startProxy({ address: net.addr(3), port: 5986 }, { address: net.addr(1), port: 5986 }, { ...other, targetCa: t.cert });
});
afterAll(async () => {
  await spy?.close();
  await mitm?.close();
  await t?.lab.close();
});

describe('WinRM client ↔ lab: NTLM', () => {
  it('over HTTP seals every body: the SOAP never crosses the wire in clear text', async () => {
    const host = { name: 'web12', address: net.addr(2) };
    const s = await openWinrmSession(host, settings('ntlm-http', t.cert));
    try {
      const a = await runToCompletion(s, { command: 'echo', args: ['sealed-marker-4711'] }, { timeoutMs: 10_000 });
      expect(a.stdout.toString()).toBe('sealed-marker-4711\r\n');
      const b = await runToCompletion(s, { command: 'cat', args: [] }, { stdin: Buffer.from('stdin-marker-0815'), timeoutMs: 10_000 });
      expect(b.stdout.toString()).toBe('stdin-marker-0815');
    } finally {
      await s.close();
    }
    const up = Buffer.concat(spy.toServer).toString('latin1');
    const down = Buffer.concat(spy.toClient).toString('latin1');
    // The handshake is visible; everything after it is multipart/encrypted.
    expect(up).toContain('Authorization: Negotiate TlRMTVNTUA');
    expect(up).toContain('Content-Type: multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"');
    expect(down).toContain('multipart/encrypted');
    for (const clear of ['Envelope', 'sealed-marker-4711', 'stdin-marker-0815', Buffer.from('stdin-marker-0815').toString('base64'), 'ReceiveResponse']) {
      expect(up).not.toContain(clear);
      expect(down).not.toContain(clear);
    }
    expect(down).not.toContain(Buffer.from('sealed-marker-4711').toString('base64').slice(0, 16));
    // One TCP connection, authenticated once: exactly one NEGOTIATE and one AUTHENTICATE.
    expect(up.match(/Authorization: /g)?.length).toBe(2);
    // The NEGOTIATE goes alone with an empty body; the AUTHENTICATE goes with the first SOAP request
    // (Create Shell), already sealed with the keys it establishes: no round trip of its own.
    const requests = up.split(/(?=POST \/wsman HTTP\/1\.1\r\n)/).filter((r) => r.length > 0);
    expect(requests[0]).toMatch(/^Authorization: Negotiate TlRMTVNTUAAB/m);
    expect(requests[0]).toMatch(/^Content-Length: 0\r$/im);
    expect(requests[1]).toMatch(/^Authorization: Negotiate TlRMTVNTUAAD/m);
    expect(requests[1]).toMatch(/^Content-Type: multipart\/encrypted/im);
    expect(Number(/^Content-Length: (\d+)\r$/im.exec(requests[1]!)?.[1])).toBeGreaterThan(100);
  });

  it('a host that answers 400 to the AUTHENTICATE sent with a request gets it on its own from then on', async () => {
    // .5: a proxy in front of the lab that refuses, with 400, a request carrying both the AUTHENTICATE
    // and a body (as a server that wants the login's last leg empty might), and passes the rest on.
    let refused = 0;
    const picky = await startProxy({ address: net.addr(5), port: 5985 }, { address: net.addr(1), port: 5985 }, undefined, (head, body) => {
      if (!/^Authorization: Negotiate TlRMTVNTUAAD/m.test(head) || body.length === 0) return null;
      refused++;
      return Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    try {
      const s = await openWinrmSession({ name: 'web12', address: net.addr(5) }, settings('ntlm-http', t.cert));
      try {
        expect((await runToCompletion(s, { command: 'hostname', args: [] }, { timeoutMs: 10_000 })).stdout.toString()).toBe('web12\r\n');
        // The host drops the connection: the next request logs in again, the AUTHENTICATE alone at once.
        picky.cut();
        expect((await runToCompletion(s, { command: 'hostname', args: [] }, { timeoutMs: 10_000 })).stdout.toString()).toBe('web12\r\n');
      } finally {
        await s.close();
      }
      expect(refused).toBe(1);
      const reached = Buffer.concat(picky.toServer)
        .toString('latin1')
        .split(/(?=POST \/wsman HTTP\/1\.1\r\n)/)
        .filter((r) => /^Authorization: Negotiate TlRMTVNTUAAD/m.test(r));
      expect(reached).toHaveLength(2);
      for (const r of reached) expect(r).toMatch(/^Content-Length: 0\r$/im);
    } finally {
      await picky.close();
    }
  });

  it('the 400 fallback still works on the retry after a connection lost before any answer', async () => {
    // .6: the first request carrying the AUTHENTICATE and a body (the Create) loses its connection
    // unanswered; the retry's does too but with 400. The retry and the fallback are separate chances.
    let seen = 0;
    const flaky = await startProxy({ address: net.addr(6), port: 5985 }, { address: net.addr(1), port: 5985 }, undefined, (head, body) => {
      if (!/^Authorization: Negotiate TlRMTVNTUAAD/m.test(head) || body.length === 0) return null;
      seen++;
      return seen === 1 ? Buffer.alloc(0) : Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    try {
      const s = await openWinrmSession({ name: 'web12', address: net.addr(6) }, settings('ntlm-http', t.cert));
      try {
        expect((await runToCompletion(s, { command: 'hostname', args: [] }, { timeoutMs: 10_000 })).stdout.toString()).toBe('web12\r\n');
      } finally {
        await s.close();
      }
      expect(seen).toBe(2);
    } finally {
      await flaky.close();
    }
  });

  it('over HTTPS authenticates with a channel binding to the certificate', async () => {
    const host = { name: 'web12', address: net.addr(1) };
    const s = await openWinrmSession(host, settings('ntlm-https', t.cert));
    try {
      const r = await runToCompletion(s, { command: 'hostname', args: [] }, { timeoutMs: 10_000 });
      expect(r.stdout.toString()).toBe('web12\r\n');
    } finally {
      await s.close();
    }
  });

  it('over HTTPS through a TLS man in the middle, the channel binding makes the host refuse', async () => {
    const host = { name: 'web12', address: net.addr(3) };
    const err = await openWinrmSession(host, settings('ntlm-https', t.cert, { tls: { ca: null, serverName: null, insecure: true } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toContain('authentication refused by web12 (ntlm)');
  });

  it('a wrong password is an AuthError naming the host and the scheme (exit code 2)', async () => {
    for (const kind of ['ntlm-http', 'ntlm-https'] as const) {
      const err = await openWinrmSession(t.hosts[0]!, settings(kind, t.cert, { password: 'wrong' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).message).toContain(`authentication refused by ${t.hosts[0]!.name} (ntlm)`);
      expect((err as AuthError).exitCode).toBe(2);
    }
    const basic = await openWinrmSession(t.hosts[0]!, settings('basic-https', t.cert, { password: 'wrong' })).catch((e: unknown) => e);
    expect(basic).toBeInstanceOf(AuthError);
    expect((basic as Error).message).toContain(`authentication refused by ${t.hosts[0]!.name} (basic)`);
  });

  it('over HTTP refuses a host whose CHALLENGE does not grant sealing (winrm.md §9), before sending anything else', async () => {
    // A fake WinRM endpoint on .4 that grants SIGN but not SEAL.
    const seen: string[] = [];
    const server = createServer((sock) => {
      sock.on('data', (d: Buffer) => {
        const head = d.toString('latin1');
        seen.push(head.split('\r\n')[0]!);
        const challenge = encodeChallenge({
          flags: (CLIENT_NEGOTIATE_FLAGS & ~NegotiateFlags.SEAL) >>> 0,
          targetName: 'LAB',
          serverChallenge: Buffer.alloc(8, 1),
          targetInfo: [],
        });
        sock.write(`HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate ${challenge.toString('base64')}\r\nContent-Length: 0\r\n\r\n`);
      });
      sock.on('error', () => sock.destroy());
    });
    await new Promise<void>((r) => server.listen(5985, net.addr(4), () => r()));
    try {
      const err = await openWinrmSession({ name: 'noseal', address: net.addr(4) }, settings('ntlm-http', t.cert)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as Error).message).toContain('host noseal');
      expect((err as Error).message).toMatch(/does not grant message sealing/);
      expect(seen).toHaveLength(1); // the NEGOTIATE only: no AUTHENTICATE, no SOAP
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
