/**
 * One HTTP/1.1 keep-alive connection (plain TCP or TLS) with one request in flight at a time.
 * WinRM authenticates the TCP connection, not the request (NTLM), so the session must own exactly
 * one socket and know when it is gone: a general-purpose agent with a
 * pool would silently open a second, unauthenticated one. TLS is verified here, after the
 * handshake and before any byte is sent, so a refusal can name the certificate it saw.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { WinrmTlsSettings } from './settings.js';
import { ConnectionLostError, connectError, connectTimeout, requestTimeout, tlsError } from './errors.js';
import { DEFAULT_HTTP_LIMITS, HttpResponseParser, type HttpLimits, type HttpResponse } from './http-parser.js';
import { ProtocolError } from '../../errors.js';

export interface HttpEndpoint {
  /** Inventory host name, for messages. */
  hostName: string;
  address: string;
  port: number;
  scheme: 'http' | 'https';
  tls: WinrmTlsSettings;
  connectTimeoutMs: number;
  /** Bounds on each response (docs/security.md "Limits"); default DEFAULT_HTTP_LIMITS. */
  limits?: HttpLimits;
}

export interface HttpRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export function endpointUrl(ep: Pick<HttpEndpoint, 'scheme' | 'address' | 'port'>): string {
  const host = isIP(ep.address) === 6 ? `[${ep.address}]` : ep.address;
  return `${ep.scheme}://${host}:${ep.port}/wsman`;
}

function hostHeader(ep: HttpEndpoint): string {
  const name = ep.scheme === 'https' && ep.tls.serverName ? ep.tls.serverName : ep.address;
  return `${isIP(name) === 6 ? `[${name}]` : name}:${ep.port}`;
}

export class HttpConnection {
  readonly endpoint: HttpEndpoint;
  /** DER of the server certificate (HTTPS), for channel binding. */
  readonly peerCertificate: Buffer | null;
  private readonly socket: Socket;
  private readonly parser: HttpResponseParser;
  private closed = false;
  private closeReason: unknown = null;
  private pending: {
    resolve: (r: HttpResponse) => void;
    reject: (e: unknown) => void;
    what: string;
  } | null = null;
  /** Number of requests sent on this connection. */
  requests = 0;
  /** When the last response completed (ms since epoch); for stale keep-alive detection. */
  idleSince = Date.now();
  /** Total bytes written (tests and benchmarks). */
  bytesWritten = 0;

  private constructor(endpoint: HttpEndpoint, socket: Socket, peerCertificate: Buffer | null) {
    this.endpoint = endpoint;
    this.socket = socket;
    this.peerCertificate = peerCertificate;
    this.parser = new HttpResponseParser(endpoint.limits ?? DEFAULT_HTTP_LIMITS);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onClose(null));
    socket.on('close', () => this.onClose(null));
    socket.on('error', (err) => this.onClose(err));
  }

  /** Connect (and for HTTPS handshake and verify). Rejects with UnreachableError or TlsError. */
  static open(ep: HttpEndpoint): Promise<HttpConnection> {
    const url = endpointUrl(ep);
    return new Promise<HttpConnection>((resolve, reject) => {
      let settled = false;
      let socket: Socket;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket?.destroy();
        reject(e);
      };
      const timer = setTimeout(() => fail(connectTimeout(ep.hostName, url, ep.connectTimeoutMs)), ep.connectTimeoutMs);
      if (ep.scheme === 'http') {
        socket = netConnect({ host: ep.address, port: ep.port, noDelay: true });
        socket.once('connect', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          socket.removeAllListeners('error');
          resolve(new HttpConnection(ep, socket, null));
        });
        socket.once('error', (err) => fail(connectError(err, ep.hostName, url, ep.scheme)));
        return;
      }
      const name = ep.tls.serverName ?? ep.address;
      let tcpConnected = false;
      const tls: TLSSocket = tlsConnect({
        host: ep.address,
        port: ep.port,
        ...(isIP(name) ? {} : { servername: name }),
        ...(ep.tls.ca ? { ca: ep.tls.ca } : {}),
        ...(ep.tls.clientCertificate ? { cert: ep.tls.clientCertificate.cert, key: ep.tls.clientCertificate.key } : {}),
        // Verified below, so the error can name the certificate; nothing is sent before that.
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      });
      socket = tls;
      tls.once('connect', () => {
        tcpConnected = true;
      });
      tls.once('secureConnect', () => {
        if (settled) return;
        const cert = tls.getPeerCertificate(false) as PeerCertificate | undefined;
        if (!ep.tls.insecure) {
          if (!tls.authorized) {
            const reason = String(tls.authorizationError ?? 'certificate not trusted');
            return fail(tlsError(ep.hostName, url, `certificate not trusted (${reason})`, cert));
          }
          const idErr = cert ? checkServerIdentity(name, cert) : new Error('no certificate');
          if (idErr) return fail(tlsError(ep.hostName, url, `certificate does not match the name ${name} (${idErr.message})`, cert));
        }
        settled = true;
        clearTimeout(timer);
        tls.removeAllListeners('error');
        resolve(new HttpConnection(ep, tls, cert?.raw ? Buffer.from(cert.raw) : null));
      });
      tls.once('error', (err) => {
        if (!tcpConnected) return fail(connectError(err, ep.hostName, url, ep.scheme));
        fail(tlsError(ep.hostName, url, `TLS handshake failed (${(err as NodeJS.ErrnoException).code ?? err.message})`, undefined, err));
      });
    });
  }

  /** Usable for another request. */
  get alive(): boolean {
    return !this.closed && !this.socket.destroyed && this.socket.writable;
  }

  /** Send one request and read its response. Rejects with ConnectionLostError or OperationTimeoutError. */
  request(req: HttpRequest, timeoutMs: number, what: string): Promise<HttpResponse> {
    if (this.pending) return Promise.reject(new Error('HttpConnection: one request at a time'));
    if (!this.alive) {
      return Promise.reject(
        new ConnectionLostError(`connection to ${endpointUrl(this.endpoint)} is closed`, { host: this.endpoint.hostName }, true, this.closeReason),
      );
    }
    const head =
      `${req.method} ${req.path} HTTP/1.1\r\n` +
      `Host: ${hostHeader(this.endpoint)}\r\n` +
      'Connection: Keep-Alive\r\n' +
      'User-Agent: cortex-deploy WinRM client\r\n' +
      Object.entries(req.headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      `Content-Length: ${req.body.length}\r\n\r\n`;
    return new Promise<HttpResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending) return;
        this.pending = null;
        // The reply may still arrive and would be taken for the next request's: the socket is spent.
        this.destroy();
        reject(requestTimeout(this.endpoint.hostName, what, timeoutMs));
      }, timeoutMs);
      this.pending = {
        what,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.parser.started = false;
      this.requests++;
      const headBuf = Buffer.from(head, 'latin1');
      this.bytesWritten += headBuf.length + req.body.length;
      // Corked: head and body leave in one writev (TCP_NODELAY is on), without copying the body.
      this.socket.cork();
      this.socket.write(headBuf);
      if (req.body.length > 0) this.socket.write(req.body);
      this.socket.uncork();
    });
  }

  private onData(chunk: Buffer): void {
    let responses: HttpResponse[];
    try {
      responses = this.parser.push(chunk);
    } catch (e) {
      const p = this.pending;
      this.pending = null;
      this.destroy();
      // The parser knows bytes, not hosts: name the host and the request the reply was for.
      p?.reject(e instanceof ProtocolError ? this.withHost(e, p.what) : e);
      return;
    }
    for (const r of responses) {
      const p = this.pending;
      this.pending = null;
      this.idleSince = Date.now();
      if (r.close) this.closed = true;
      if (p) p.resolve(r);
      else this.destroy(); // an unsolicited response: the stream is out of step
    }
  }

  private onClose(err: unknown): void {
    if (err && !this.closeReason) this.closeReason = err;
    if (this.closed && !this.pending) return;
    let last: HttpResponse | null;
    try {
      last = this.parser.end();
    } catch (e) {
      last = null;
      err = err ?? e;
    }
    this.closed = true;
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    if (last) return p.resolve(last);
    if (err instanceof ProtocolError) return p.reject(this.withHost(err, p.what));
    const before = !this.parser.started;
    const code = (err as NodeJS.ErrnoException | null)?.code;
    p.reject(
      new ConnectionLostError(
        `connection to ${endpointUrl(this.endpoint)} was ${code ? `lost (${code})` : 'closed by the host'} during ${p.what}`,
        { host: this.endpoint.hostName },
        before,
        err,
      ),
    );
  }

  private withHost(e: ProtocolError, what: string): ProtocolError {
    if (e.context.host) return e;
    return new ProtocolError(`${e.detail} (reply to ${what} from ${endpointUrl(this.endpoint)})`, { ...e.context, host: this.endpoint.hostName }, { cause: e });
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }
}
