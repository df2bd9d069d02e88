/**
 * The lab's WinRM service: HTTP (5985) and HTTPS (5986) listeners on each simulated host's
 * loopback address, one process for all hosts. Each listener is a bare net.Server; accepted
 * sockets (TLS-wrapped with one shared SecureContext for HTTPS) are handed to a single
 * non-listening http.Server, so 1,000 hosts cost 2,000 small listeners, not 2,000 HTTP stacks and
 * certificate contexts. Per connection: authentication state and the NTLM sealing context.
 * Kerberos (with a keytab) and client-certificate mappings are accepted on HTTPS (auth.ts).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, isIPv4, type Server as NetServer, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { InputError } from '../../errors.js';
import { tlsServerEndPointAppData } from '../../protocol/ntlm/index.js';
import { decryptBody, encryptBody } from '../../protocol/wsman/encryption.js';
import { CONTENT_TYPE_SOAP } from '../../protocol/wsman/namespaces.js';
import type { Dispatcher, LabHostRef } from '../dispatcher.js';
import { loadGss } from '../../protocol/kerberos/gss-module.js';
import { authorizeRequest, newConnectionAuthState, type CertificateMapping, type ConnectionAuthState, type HostIdentity, type LabAccount, type LabKerberos } from './auth.js';
import type { LabHostCounters, LabServerHooks } from './hooks.js';
import { handleSoap, type ServiceLimits } from './operations.js';
import { ShellTable } from './shells.js';

export interface WinrmLabHost {
  ref: LabHostRef;
  users: LabAccount[];
  http: boolean;
  https: boolean;
  /** NetBIOS/DNS domain the host announces in NTLM (default: the first user's domain, else WORKGROUP). */
  domain?: string;
  /** How far the host's clock is off, seconds (Kerberos refuses tickets beyond 5 minutes). */
  clockSkewSec?: number;
  /** Client certificates the host maps to its accounts (certificate authentication). */
  certificateMappings?: CertificateMapping[];
  /** This host's MaxEnvelopeSizekb (default: the service-wide `maxEnvelopeSizeKb`). */
  maxEnvelopeSizeKb?: number;
}

export interface WinrmLabOptions {
  hosts: WinrmLabHost[];
  dispatcher: Dispatcher;
  /** PEM key and certificate for every HTTPS listener (see makeSelfSignedCert). */
  tls: { key: string; cert: string };
  hooks?: LabServerHooks;
  maxShellsPerUser?: number;
  /** MaxEnvelopeSizekb of every host without its own (default 500, Windows 2012+). */
  maxEnvelopeSizeKb?: number;
  maxOperationTimeoutMs?: number;
  /**
   * CbtHardeningLevel: `relaxed` (Windows's default) accepts NTLM over HTTPS without a channel
   * binding but refuses a wrong one; `strict` also refuses a missing one.
   */
  cbtHardening?: 'relaxed' | 'strict';
  /**
   * Accept Kerberos on HTTPS with the HTTP/<host> keys of this keytab (MIT format). The keytab is
   * process-wide for GSS-API (KRB5_KTNAME), so one lab process has one keytab.
   */
  kerberos?: { keytab: string; realm?: string };
  /** Ports (default 5985 / 5986, the real ones). */
  httpPort?: number;
  httpsPort?: number;
}

export interface WinrmLabAddress {
  name: string;
  address: string;
  /** `http://address:5985/wsman` when the host listens on HTTP. */
  http: string | null;
  https: string | null;
  up: boolean;
}

export interface WinrmLab {
  close(): Promise<void>;
  /** Host down: listeners closed, open connections destroyed, shells and processes gone. */
  closeHost(name: string): Promise<void>;
  /** Host up again (after closeHost), with no shells. */
  openHost(name: string): Promise<void>;
  addresses(): WinrmLabAddress[];
  counters(name: string): LabHostCounters;
  /** WinRS shells open on the host now (created and not yet deleted). */
  openShells(name: string): number;
}

interface HostRuntime {
  spec: WinrmLabHost;
  identity: HostIdentity;
  shells: ShellTable;
  counters: LabHostCounters;
  limits: ServiceLimits;
  listeners: NetServer[];
  sockets: Set<Socket>;
  up: boolean;
}

interface Connection {
  host: HostRuntime;
  https: boolean;
  auth: ConnectionAuthState;
}

const ENCRYPTED_PREFIX = 'multipart/encrypted';

/** A loopback IPv4 address, or an InputError saying why not. */
export function checkLabAddress(address: string, hostName: string): void {
  if (!isIPv4(address) || !address.startsWith('127.')) {
    throw new InputError(`lab address ${address} is not a loopback IPv4 address`, {
      host: hostName,
      hint: 'The lab only binds 127.0.0.0/8; give each simulated host its own 127.x.y.z address.',
    });
  }
}

function identityOf(h: WinrmLabHost): HostIdentity {
  const domain = h.domain ?? h.users.find((u) => u.domain)?.domain ?? 'WORKGROUP';
  const netbiosDomain = (domain.split('.')[0] ?? domain).toUpperCase().slice(0, 15);
  const computer = h.ref.name.split('.')[0] ?? h.ref.name;
  const dnsDomain = domain.includes('.') ? domain.toLowerCase() : `${domain.toLowerCase()}.lab`;
  return {
    netbiosDomain,
    netbiosComputer: computer.toUpperCase().slice(0, 15),
    dnsDomain,
    dnsComputer: `${computer.toLowerCase()}.${dnsDomain}`,
  };
}

export async function startWinrmLab(opts: WinrmLabOptions): Promise<WinrmLab> {
  const httpPort = opts.httpPort ?? 5985;
  const httpsPort = opts.httpsPort ?? 5986;
  const limits: ServiceLimits = {
    maxShellsPerUser: opts.maxShellsPerUser ?? 30,
    maxEnvelopeBytes: (opts.maxEnvelopeSizeKb ?? 500) * 1024,
    maxOperationTimeoutMs: opts.maxOperationTimeoutMs ?? 60_000,
  };
  const hosts = new Map<string, HostRuntime>();
  for (const spec of opts.hosts) {
    checkLabAddress(spec.ref.address, spec.ref.name);
    if (hosts.has(spec.ref.name)) throw new InputError(`lab host ${spec.ref.name} is listed twice`, { host: spec.ref.name });
    hosts.set(spec.ref.name, {
      spec,
      identity: identityOf(spec),
      shells: new ShellTable(),
      counters: { requests: 0, shells: 0, commands: 0, tooLarge: 0 },
      limits: { ...limits, maxEnvelopeBytes: (spec.maxEnvelopeSizeKb ?? opts.maxEnvelopeSizeKb ?? 500) * 1024 },
      listeners: [],
      sockets: new Set(),
      up: false,
    });
  }

  // Ask for a client certificate only when some host maps one, naming the issuers it trusts.
  const issuers = [...new Set(opts.hosts.flatMap((h) => (h.certificateMappings ?? []).map((m) => m.issuer.toString())))];
  const secureContext: SecureContext = createSecureContext({ key: opts.tls.key, cert: opts.tls.cert, ...(issuers.length ? { ca: issuers } : {}) });
  let kerberos: LabKerberos | null = null;
  if (opts.kerberos) {
    if (!existsSync(opts.kerberos.keytab)) {
      throw new InputError(`lab keytab ${opts.kerberos.keytab} does not exist`, { hint: 'Export the hosts\' HTTP/<name> keys with kadmin: ktadd -k FILE HTTP/<name>.' });
    }
    process.env.KRB5_KTNAME = `FILE:${opts.kerberos.keytab}`;
    kerberos = { gss: loadGss(), realm: opts.kerberos.realm ?? '' };
  }
  const channelBindings = tlsServerEndPointAppData(new X509Certificate(opts.tls.cert).raw);
  const connections = new WeakMap<Socket, Connection>();

  const http = createHttpServer({ keepAlive: true, noDelay: true });
  // Real HTTP.sys keeps idle connections for 120 s; clients re-authenticate when we close earlier.
  http.keepAliveTimeout = 120_000;
  http.headersTimeout = 130_000;
  http.requestTimeout = 0;
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void onRequest(req, res).catch(() => req.socket.destroy());
  });
  http.on('clientError', (_err, socket: Socket) => socket.destroy());

  function accept(host: HostRuntime, raw: Socket, https: boolean): void {
    raw.setNoDelay(true);
    host.sockets.add(raw);
    raw.once('close', () => host.sockets.delete(raw));
    raw.on('error', () => raw.destroy());
    if (!host.up) {
      raw.destroy();
      return;
    }
    if (!https) {
      connections.set(raw, { host, https: false, auth: newConnectionAuthState() });
      http.emit('connection', raw);
      return;
    }
    const tlsSocket = new TLSSocket(raw, { isServer: true, secureContext, ...(issuers.length ? { requestCert: true, rejectUnauthorized: false } : {}) });
    tlsSocket.on('error', () => tlsSocket.destroy());
    tlsSocket.once('secure', () => {
      connections.set(tlsSocket, { host, https: true, auth: newConnectionAuthState() });
      http.emit('connection', tlsSocket);
    });
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const conn = connections.get(req.socket);
    if (!conn || !conn.host.up) {
      req.socket.destroy();
      return;
    }
    const host = conn.host;
    host.counters.requests++;
    const decision = opts.hooks?.onRequest ? await opts.hooks.onRequest(host.spec.ref) : { action: 'continue' as const };
    if (decision.action === 'drop') {
      req.socket.destroy();
      return;
    }
    const limits = host.limits;
    // Room for the multipart framing around a sealed envelope; the SOAP itself is checked below.
    const body = await readBody(req, limits.maxEnvelopeBytes + 4096);
    if (req.socket.destroyed) return;
    if (decision.action === 'http500') return reply(res, 500, CONTENT_TYPE_SOAP, Buffer.alloc(0));
    if (body === 'too-large') return tooLarge(host, res);
    if (req.method !== 'POST') return reply(res, 405, null, Buffer.alloc(0), { Allow: 'POST' });
    if (!(req.url ?? '').toLowerCase().startsWith('/wsman')) return reply(res, 404, null, Buffer.alloc(0));

    const peer = conn.https ? (req.socket as TLSSocket).getPeerX509Certificate() : undefined;
    const auth = await authorizeRequest(conn.auth, {
      authorization: req.headers.authorization,
      accounts: host.spec.users,
      identity: host.identity,
      channelBindings: conn.https ? channelBindings : null,
      requireChannelBindings: conn.https && opts.cbtHardening === 'strict',
      refuse: opts.hooks?.refuseAuth?.(host.spec.ref) ?? false,
      https: conn.https,
      kerberos,
      spnHosts: [...new Set([host.spec.ref.name, host.identity.dnsComputer, host.identity.netbiosComputer].map((n) => n.toLowerCase()))],
      clockSkewSec: host.spec.clockSkewSec ?? 0,
      clientCertificate: peer ?? null,
      certificateMappings: host.spec.certificateMappings ?? [],
    });
    if (req.socket.destroyed) return;
    if (auth.kind === 'not-emulated') return reply(res, 501, 'text/plain; charset=utf-8', Buffer.from(auth.message, 'utf8'));
    if (auth.kind === 'challenge') return reply(res, 401, null, Buffer.alloc(0), { 'WWW-Authenticate': auth.headers });
    // Kerberos' AP-REP (mutual authentication) goes back on the reply to the ticket.
    const authHeaders: Record<string, string[]> = auth.headers ? { 'WWW-Authenticate': auth.headers } : {};
    // An authentication leg with no payload (pywinrm sets up encryption this way).
    if (body.length === 0) return reply(res, 200, null, Buffer.alloc(0), authHeaders);

    const contentType = String(req.headers['content-type'] ?? '');
    const encrypted = contentType.toLowerCase().startsWith(ENCRYPTED_PREFIX);
    const security = auth.auth.security;
    let soap: Buffer;
    if (encrypted) {
      if (!security) return reply(res, 400, null, Buffer.alloc(0));
      try {
        soap = decryptBody(body, contentType, security, { inPlace: true }); // the request body is ours alone
      } catch {
        return reply(res, 400, null, Buffer.alloc(0));
      }
    } else {
      soap = body;
    }
    if (soap.length > limits.maxEnvelopeBytes) return tooLarge(host, res);

    const abort = new AbortController();
    // Only a client gone mid-request aborts (a held Receive); after the reply the listener is removed,
    // since every response's 'close' would otherwise build an AbortError (a stack trace) for nothing.
    const onClose = () => abort.abort();
    res.once('close', onClose);
    const port = conn.https ? httpsPort : httpPort;
    const result = await handleSoap(
      {
        host: host.spec.ref,
        machine: host.identity.dnsComputer,
        user: auth.auth.account,
        clientIp: req.socket.remoteAddress ?? '',
        endpoint: `${conn.https ? 'https' : 'http'}://${host.spec.ref.address}:${port}/wsman`,
        shells: host.shells,
        dispatcher: opts.dispatcher,
        limits,
        hooks: opts.hooks,
        counters: host.counters,
        signal: abort.signal,
      },
      soap,
    ).finally(() => res.off('close', onClose));
    if (res.destroyed || req.socket.destroyed) return;
    const plain = Buffer.from(result.xml, 'utf8');
    if (encrypted && security) {
      const sealed = encryptBody(plain, security);
      return reply(res, result.status, sealed.contentType, sealed.body, authHeaders);
    }
    return reply(res, result.status, CONTENT_TYPE_SOAP, plain, authHeaders);
  }

  /**
   * A request over the host's MaxEnvelopeSizekb: Windows answers a bare HTTP 413, no SOAP fault
   * (docs/winrm.md; clients see "Bad HTTP response returned from server. Code 413").
   */
  function tooLarge(host: HostRuntime, res: ServerResponse): void {
    host.counters.tooLarge++;
    opts.hooks?.onTooLarge?.(host.spec.ref);
    reply(res, 413, null, Buffer.alloc(0));
  }

  async function listen(host: HostRuntime): Promise<void> {
    const bind = (port: number, https: boolean) =>
      new Promise<NetServer>((resolve, reject) => {
        const server = createNetServer({ noDelay: true }, (s) => accept(host, s, https));
        server.once('error', (err: NodeJS.ErrnoException) => {
          reject(
            new InputError(`cannot listen on ${host.spec.ref.address}:${port}: ${err.code ?? err.message}`, {
              host: host.spec.ref.name,
              hint: err.code === 'EADDRINUSE' ? 'Another lab (or service) already uses this address and port; run `lab down` or pick another address.' : undefined,
            }),
          );
        });
        server.listen({ host: host.spec.ref.address, port, exclusive: true, backlog: 64 }, () => resolve(server));
      });
    host.up = true;
    try {
      if (host.spec.http) host.listeners.push(await bind(httpPort, false));
      if (host.spec.https) host.listeners.push(await bind(httpsPort, true));
    } catch (e) {
      await down(host);
      throw e;
    }
  }

  async function down(host: HostRuntime): Promise<void> {
    host.up = false;
    const closing = host.listeners.map((l) => new Promise<void>((r) => l.close(() => r())));
    host.listeners = [];
    for (const s of host.sockets) s.destroy();
    host.sockets.clear();
    host.shells.clear();
    await Promise.all(closing);
  }

  function hostNamed(name: string): HostRuntime {
    const h = hosts.get(name);
    if (!h) throw new InputError(`no lab host named ${name}`, { host: name });
    return h;
  }

  try {
    const all = [...hosts.values()];
    // Bind in modest batches: thousands of simultaneous listen() calls gain nothing.
    for (let i = 0; i < all.length; i += 64) await Promise.all(all.slice(i, i + 64).map(listen));
  } catch (e) {
    await Promise.all([...hosts.values()].map(down));
    throw e;
  }

  return {
    async close() {
      await Promise.all([...hosts.values()].map(down));
    },
    async closeHost(name) {
      await down(hostNamed(name));
    },
    async openHost(name) {
      const h = hostNamed(name);
      if (!h.up) await listen(h);
    },
    addresses() {
      return [...hosts.values()].map((h) => ({
        name: h.spec.ref.name,
        address: h.spec.ref.address,
        http: h.spec.http ? `http://${h.spec.ref.address}:${httpPort}/wsman` : null,
        https: h.spec.https ? `https://${h.spec.ref.address}:${httpsPort}/wsman` : null,
        up: h.up,
      }));
    },
    counters(name) {
      return { ...hostNamed(name).counters };
    },
    openShells(name) {
      return hostNamed(name).shells.size;
    },
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limit;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks, size)));
    req.on('error', () => resolve(Buffer.alloc(0)));
    req.on('aborted', () => resolve(Buffer.alloc(0)));
  });
}

function reply(
  res: ServerResponse,
  status: number,
  contentType: string | null,
  body: Buffer,
  extra: Record<string, string | string[]> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | string[] | number> = {
    Server: 'Microsoft-HTTPAPI/2.0',
    'Content-Length': body.length,
    ...extra,
  };
  if (contentType) headers['Content-Type'] = contentType;
  res.writeHead(status, headers);
  res.end(body);
}
