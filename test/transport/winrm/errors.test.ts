import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, OperationTimeoutError, TlsError, UnreachableError } from '../../../src/errors.js';
import { makeSelfSignedCert } from '../../../src/lab/winrm/index.js';
import { buildFault } from '../../../src/lab/winrm/responses.js';
import { buildResponse, receiveResponse, signalResponse } from '../../../src/lab/winrm/responses.js';
import { WsmanFaultError } from '../../../src/transport/winrm/errors.js';
import { Action, CommandState } from '../../../src/protocol/wsman/namespaces.js';
import { runToCompletion } from '../../../src/transport/session.js';
import { openWinrmSession } from '../../../src/transport/winrm/index.js';
import { startFakeServer, httpReply, type FakeServer } from './fake-server.js';
import { settings, startTestLab, type TestLab } from './helpers.js';
import { startProxy, type Proxy } from './proxy.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

// .1 lab host; .2 a broken fake server; .3 a proxy in front of the lab; .99 nothing listens.
let t: TestLab;
let fake: FakeServer;
let proxy: Proxy;
let dropNext = 0;
beforeAll(async () => {
  t = await startTestLab([net.addr(1)], {
    names: ['app15'],
    hooks: {
      onRequest: () => Promise.resolve(dropNext > 0 && dropNext-- > 0 ? { action: 'drop' } : { action: 'continue' }),
    },
  });
  fake = await startFakeServer(net.addr(2));
  proxy = await startProxy({ address: net.addr(3), port: 5986 }, { address: net.addr(1), port: 5986 });
});
afterAll(async () => {
  await fake?.close();
  await proxy?.close();
  await t?.lab.close();
});

const app15 = { name: 'app15', address: net.addr(1) };

describe('WinRM client errors', () => {
  it('nothing listening → UnreachableError naming the host (exit code 2)', async () => {
    const err = await openWinrmSession({ name: 'ghost', address: net.addr(99) }, settings('ntlm-http', t.cert)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as UnreachableError).message).toMatch(new RegExp(`host ghost: cannot reach WinRM at http://${net.pattern(99)}:5985/wsman: connection refused`));
    expect((err as UnreachableError).exitCode).toBe(2);
  });

  it('an untrusted certificate → TlsError naming the host, the subject and the SHA-256 fingerprint', async () => {
    const otherCa = makeSelfSignedCert([net.addr(1)], 'some-other-ca').cert;
    const err = await openWinrmSession(app15, settings('basic-https', otherCa)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    const msg = (err as TlsError).message;
    expect(msg).toContain('host app15');
    expect(msg).toContain('CN=cortex-lab');
    expect(msg).toMatch(/SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect((err as TlsError).exitCode).toBe(2);
  });

  it('a certificate for another name → TlsError; insecure skips verification', async () => {
    const wrongName = settings('basic-https', t.cert, { tls: { ca: t.cert, serverName: 'db1.example.com', insecure: false } });
    const err = await openWinrmSession(app15, wrongName).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).message).toContain('does not match the name db1.example.com');
    const s = await openWinrmSession(app15, settings('basic-https', t.cert, { tls: { ca: null, serverName: null, insecure: true } }));
    await s.close();
  });

  it('refuses Basic over plain HTTP unless allowed, Kerberos over plain HTTP, certificates without one (InputError)', async () => {
    await expect(openWinrmSession(app15, settings('basic-https', t.cert, { scheme: 'http', port: 5985 }))).rejects.toBeInstanceOf(InputError);
    const s = await openWinrmSession(app15, settings('basic-http', t.cert));
    await s.close();
    const k = await openWinrmSession(app15, settings('ntlm-https', t.cert, { auth: 'kerberos', scheme: 'http', port: 5985 })).catch((e: unknown) => e);
    expect(k).toBeInstanceOf(InputError);
    expect((k as Error).message).toContain('Use scheme: https (port 5986) with auth: kerberos');
    const c = await openWinrmSession(app15, settings('ntlm-https', t.cert, { auth: 'certificate' })).catch((e: unknown) => e);
    expect(c).toBeInstanceOf(InputError);
    expect((c as Error).message).toContain('certificate authentication needs a client certificate');
  });

  it('a connection dropped mid-command rejects the process with a clear error, and the session recovers', async () => {
    const viaProxy = settings('ntlm-https', t.cert, { tls: { ca: t.cert, serverName: 'app15', insecure: false } });
    const s = await openWinrmSession({ name: 'app15', address: net.addr(3) }, viaProxy);
    try {
      const proc = await s.spawn({ command: 'sleep', args: ['30'] });
      await proc.closeStdin();
      await new Promise((r) => setTimeout(r, 300));
      proxy.cut(); // the Receive long poll is in flight
      const err = await proc.exit.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnreachableError);
      expect((err as Error).message).toMatch(new RegExp(`host app15: connection to https://${net.pattern(3)}:5986/wsman was (lost|closed).* during Receive`));
      // The next command reconnects and re-authenticates (fresh NTLM keys) and works.
      const r = await runToCompletion(s, { command: 'hostname', args: [] }, { timeoutMs: 10_000 });
      expect(r.stdout.toString()).toBe('app15\r\n');
    } finally {
      await s.close();
    }
  });

  it('a host that drops a request: a clear error for that command, and the next one reconnects', async () => {
    const s = await openWinrmSession(app15, settings('ntlm-http', t.cert));
    try {
      dropNext = 1; // the Command request: it may have run, so it is not resent
      const err = await s.spawn({ command: 'echo', args: ['x'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnreachableError);
      expect((err as Error).message).toMatch(new RegExp(`host app15: connection to http://${net.pattern(1)}:5985/wsman was (lost|closed).* during Command`));
      const ok = await runToCompletion(s, { command: 'echo', args: ['after-drop'] }, { timeoutMs: 10_000 });
      expect(ok.stdout.toString()).toBe('after-drop\r\n');
    } finally {
      dropNext = 0;
      await s.close();
    }
  });

  it('a host that goes down mid-command: clear error, never a hang', async () => {
    const s = await openWinrmSession(app15, settings('ntlm-http', t.cert));
    const proc = await s.spawn({ command: 'sleep', args: ['30'] });
    await proc.closeStdin();
    await new Promise((r) => setTimeout(r, 200));
    await t.lab.closeHost('app15');
    try {
      const err = await proc.exit.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnreachableError);
    } finally {
      await t.lab.openHost('app15');
      await s.close();
    }
  });

  it('a server that never answers → OperationTimeoutError within the request timeout', async () => {
    fake.fromCreate = true;
    fake.misbehave = () => 'hang';
    try {
      const err = await openWinrmSession({ name: 'fake', address: net.addr(2) }, settings('basic-http', t.cert, { requestTimeoutMs: 300 })).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OperationTimeoutError);
      expect((err as Error).message).toContain('host fake');
    } finally {
      fake.fromCreate = false;
      fake.misbehave = null;
    }
  });

  it('a Send the host refuses (the process already ended) fails that write, and the exit code still arrives', async () => {
    const s = await openWinrmSession({ name: 'fake', address: net.addr(2) }, settings('basic-http', t.cert, { requestTimeoutMs: 2000 }));
    fake.misbehave = (r) =>
      r.action === Action.Send
        ? httpReply(
            500,
            'application/soap+xml;charset=UTF-8',
            buildFault({ code: 'Receiver', subcode: 'InternalError', reason: 'The pipe is being closed.', wsmanCode: 232, message: 'The pipe is being closed.', machine: 'fake', relatesTo: r.messageId }),
          )
        : r.action === Action.Receive
          ? httpReply(200, 'application/soap+xml;charset=UTF-8', receiveResponse(r.messageId, 'CMD-1', [], { exitCode: 7 }))
          : r.action === Action.Signal
            ? httpReply(200, 'application/soap+xml;charset=UTF-8', signalResponse(r.messageId))
            : null!;
    try {
      const proc = await s.spawn({ command: 'anything', args: [] });
      const err = await proc.write(Buffer.from('too late')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WsmanFaultError);
      await proc.closeStdin();
      expect((await proc.exit).exitCode).toBe(7);
    } finally {
      fake.misbehave = null;
      await s.close();
    }
  });

  it('a Send refused with ERROR_BUSY (170) is resent after a pause', async () => {
    const s = await openWinrmSession({ name: 'fake', address: net.addr(2) }, settings('basic-http', t.cert, { requestTimeoutMs: 5000 }));
    let sends = 0;
    const ct = 'application/soap+xml;charset=UTF-8';
    fake.misbehave = (r) => {
      if (r.action === Action.Send) {
        sends++;
        return sends === 1
          ? httpReply(500, ct, buildFault({ code: 'Receiver', subcode: 'InternalError', reason: 'busy', wsmanCode: 170, message: 'The requested resource is in use.', machine: 'fake', relatesTo: r.messageId }))
          : httpReply(200, ct, buildResponse(Action.SendResponse, r.messageId, '<rsp:SendResponse/>'));
      }
      if (r.action === Action.Receive) return httpReply(200, ct, receiveResponse(r.messageId, 'CMD-1', [], { exitCode: 0 }));
      if (r.action === Action.Signal) return httpReply(200, ct, signalResponse(r.messageId));
      return null!;
    };
    try {
      const proc = await s.spawn({ command: 'anything', args: [] });
      await proc.write(Buffer.from('data'));
      await proc.closeStdin();
      expect((await proc.exit).exitCode).toBe(0);
      expect(sends).toBeGreaterThanOrEqual(2);
    } finally {
      fake.misbehave = null;
      await s.close();
    }
  });

  const soap = 'application/soap+xml;charset=UTF-8';
  const receiveWith = (messageId: string, inner: string) =>
    buildResponse(Action.ReceiveResponse, messageId, `<rsp:ReceiveResponse>${inner}</rsp:ReceiveResponse>`);
  const malformed: Array<[string, (r: { action: string; messageId: string }) => Buffer]> = [
    ['not HTTP at all', () => Buffer.from('SSH-2.0-OpenSSH_9.2\r\n\r\n')],
    ['HTML instead of SOAP', () => httpReply(200, 'text/html', '<html><body>It works!</body></html>')],
    ['XML that is not SOAP', () => httpReply(200, soap, '<root><a/></root>')],
    ['broken XML', () => httpReply(200, soap, '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>')],
    ['an empty 500', () => httpReply(500, soap, '')],
    ['a 500 that is not a fault', () => httpReply(500, soap, buildResponse(Action.ReceiveResponse, null, ''))],
    ['a reply to another message', () => httpReply(200, soap, receiveWith('uuid:00000000-0000-0000-0000-000000000000', ''))],
    ['a stream that is not base64', (r) => httpReply(200, soap, receiveWith(r.messageId, '<rsp:Stream Name="stdout" CommandId="CMD-1">%%%not base64%%%</rsp:Stream>'))],
    [
      'Done without an ExitCode',
      (r) => httpReply(200, soap, receiveWith(r.messageId, `<rsp:CommandState CommandId="CMD-1" State="${CommandState.Done}"/>`)),
    ],
    ['an ExitCode that is not a number', (r) => httpReply(200, soap, receiveWith(r.messageId, `<rsp:CommandState CommandId="CMD-1" State="${CommandState.Done}"><rsp:ExitCode>zero</rsp:ExitCode></rsp:CommandState>`))],
    ['a bad chunked body', () => Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')],
    ['a 401 after authentication', () => httpReply(401, null, '', 'WWW-Authenticate: Basic realm="x"\r\n')],
  ];

  it.each(malformed)('a malformed reply (%s) → a typed error on the process, no crash', async (_name, reply) => {
    const s = await openWinrmSession({ name: 'fake', address: net.addr(2) }, settings('basic-http', t.cert, { requestTimeoutMs: 2000 }));
    fake.misbehave = (r) => (r.action === Action.Receive ? reply(r) : null)!;
    try {
      const proc = await s.spawn({ command: 'anything', args: [] });
      await proc.closeStdin().catch(() => undefined);
      const err = await proc.exit.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as { kind?: string }).kind).toMatch(/^(protocol|auth)$/);
      expect((err as Error).message).toContain('host fake');
    } finally {
      fake.misbehave = null;
      await s.close();
    }
  });
});
