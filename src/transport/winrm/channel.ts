/**
 * The session's WS-Man channel: one authenticated keep-alive connection, one request at a time.
 * It connects and authenticates lazily, reconnects (re-authenticating with fresh keys and
 * sequence numbers) when the socket is gone, and turns each HTTP reply into a parsed envelope or a
 * typed error: SOAP faults become WsmanFaultError, 401 AuthError, 413 EnvelopeTooLargeError, and
 * anything unreadable ProtocolError — never a crash.
 */
import { isAscii } from 'node:buffer';
import type { HostRef } from '../session.js';
import { ProtocolError } from '../../errors.js';
import { readFault } from '../../protocol/wsman/faults.js';
import { readResponseHeader } from '../../protocol/wsman/messages.js';
import { Action } from '../../protocol/wsman/namespaces.js';
import { parseSoap, type SoapEnvelope } from '../../protocol/wsman/soap.js';
import type { Authenticator, AuthUsed, ConnectionSecurity, SoapPayload } from './auth/authenticator.js';
import { authRefused, ConnectionLostError, EnvelopeTooLargeError, WsmanFaultError } from './errors.js';
import { endpointUrl, HttpConnection, type HttpEndpoint } from './http-connection.js';
import { header, type HttpResponse } from './http-parser.js';

export interface ExchangeOptions {
  /** Operation name for messages (`Receive`, `Command`, …). */
  what: string;
  messageId: string;
  /** Expected response a:Action (checked when the reply carries one). */
  expectAction?: string;
  timeoutMs: number;
  /**
   * Safe to resend on a fresh connection when the old one died before any reply byte (the request
   * was not processed, or processing it twice is harmless).
   */
  idempotent: boolean;
  /** Identifies the request for abort() (a process aborts its own Receive when terminated). */
  tag?: object;
}

/** A keep-alive socket idle this long may have been closed by the server as we reuse it. */
const STALE_IDLE_MS = 1000;

export class WsmanChannel {
  readonly host: HostRef;
  private readonly endpoint: HttpEndpoint;
  private readonly authenticator: Authenticator;
  private conn: HttpConnection | null = null;
  private security: ConnectionSecurity | null = null;
  /** What authenticated the latest connection (null before the first). */
  authUsed: AuthUsed | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private inflight: { tag: object | undefined; conn: HttpConnection; aborted: boolean } | null = null;
  private closed = false;
  /** The connection being authenticated (close() ends it too). */
  private opening: HttpConnection | null = null;
  /** Whether the login's last leg may ride on a request (off once the host answered that with 400). */
  private lastLegWithRequest = true;
  /** Connections opened (1 on a healthy session; more after drops). */
  connects = 0;
  /** HTTP requests sent, authentication legs included. */
  get requests(): number {
    return this.requestsBefore + (this.conn?.requests ?? 0);
  }
  private requestsBefore = 0;
  private bytesBefore = 0;
  get bytesWritten(): number {
    return this.bytesBefore + (this.conn?.bytesWritten ?? 0);
  }

  constructor(host: HostRef, endpoint: HttpEndpoint, authenticator: Authenticator) {
    this.host = host;
    this.endpoint = endpoint;
    this.authenticator = authenticator;
  }

  get url(): string {
    return endpointUrl(this.endpoint);
  }

  /** Run `fn` with exclusive use of the connection (requests never interleave on the socket). */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Connect and authenticate now (session open surfaces unreachable/TLS/auth errors early). NTLM's
   * last leg waits for the first exchange, which carries it: the host checks the password then.
   */
  connect(timeoutMs: number): Promise<void> {
    return this.serialize(async () => {
      await this.ensureConnected(timeoutMs);
    });
  }

  private async ensureConnected(timeoutMs: number): Promise<{ conn: HttpConnection; security: ConnectionSecurity }> {
    if (this.closed) throw new ProtocolError('WinRM session is closed', { host: this.host.name });
    if (this.conn && this.conn.alive) {
      // Let a close the host already sent (idle timeout, restart) be seen before reusing the socket:
      // one event-loop turn for a peer's pending close to reach the wire, one for us to read it.
      await new Promise<void>((r) => setImmediate(r));
      await new Promise<void>((r) => setImmediate(r));
    }
    if (this.conn && this.security && this.conn.alive) return { conn: this.conn, security: this.security };
    this.dropConnection();
    const conn = await HttpConnection.open(this.endpoint);
    this.connects++;
    if (this.closed) {
      conn.destroy();
      throw new ProtocolError('WinRM session is closed', { host: this.host.name });
    }
    this.opening = conn;
    try {
      const security = await this.authenticator.establish(conn, {
        hostName: this.host.name,
        path: '/wsman',
        https: this.endpoint.scheme === 'https',
        timeoutMs,
        lastLegWithRequest: this.lastLegWithRequest,
      });
      // Closed while we logged in (an interrupted run gave up on this session): do not keep the socket.
      if (this.closed) throw new ProtocolError('WinRM session is closed', { host: this.host.name });
      this.conn = conn;
      this.security = security;
      const scheme = this.authenticator.scheme;
      this.authUsed = security.used ?? { scheme: scheme === 'negotiate' ? 'ntlm' : scheme, note: null };
      return { conn, security };
    } catch (e) {
      this.requestsBefore += conn.requests;
      this.bytesBefore += conn.bytesWritten;
      conn.destroy();
      throw e;
    } finally {
      this.opening = null;
    }
  }

  private dropConnection(): void {
    if (this.conn) {
      this.requestsBefore += this.conn.requests;
      this.bytesBefore += this.conn.bytesWritten;
      this.conn.destroy();
    }
    this.conn = null;
    this.security = null;
  }

  /** Send one SOAP request; resolves with the reply envelope, rejects with a typed error. */
  exchange(soap: SoapPayload, opts: ExchangeOptions): Promise<SoapEnvelope> {
    return this.serialize(() => this.exchangeNow(soap, opts));
  }

  private async exchangeNow(soap: SoapPayload, opts: ExchangeOptions): Promise<SoapEnvelope> {
    // One retry after a lost connection, and one resend after the login's 400 (once per session:
    // lastLegWithRequest turns off); neither spends the other's chance.
    let retried = false;
    for (;;) {
      const { conn, security } = await this.ensureConnected(opts.timeoutMs);
      const reused = conn.requests > 0 && Date.now() - conn.idleSince >= STALE_IDLE_MS;
      const finishesLogin = security.loginPending?.() === true;
      const { body, contentType } = security.wrap(soap);
      let res: HttpResponse;
      const inflight = { tag: opts.tag, conn, aborted: false };
      this.inflight = inflight;
      try {
        res = await conn.request(
          { method: 'POST', path: '/wsman', headers: { ...security.headers(), 'Content-Type': contentType }, body },
          opts.timeoutMs,
          opts.what,
        );
      } catch (e) {
        this.dropConnection();
        if (inflight.aborted) throw e;
        // Retry once when the server cannot have acted on the request: it closed a stale keep-alive
        // socket, or the operation is harmless to repeat. A retry re-authenticates with fresh keys.
        if (e instanceof ConnectionLostError && e.beforeResponse && !retried && (opts.idempotent || reused)) {
          retried = true;
          continue;
        }
        throw e;
      } finally {
        this.inflight = null;
      }
      if (finishesLogin && res.status === 400 && this.lastLegWithRequest) {
        // The host would not take a request with the login's last leg (it did not run it): from now
        // on that leg goes on its own, and this request again after it.
        this.lastLegWithRequest = false;
        this.dropConnection();
        continue;
      }
      if (res.close) this.dropConnection();
      return this.interpret(res, security, opts);
    }
  }

  private interpret(res: HttpResponse, security: ConnectionSecurity, opts: ExchangeOptions): SoapEnvelope {
    const host = this.host.name;
    if (res.status === 401) {
      this.dropConnection();
      throw this.authenticator.refused?.(res, host) ?? authRefused(host, this.authenticator.scheme, '(as configured)', 'the service answered 401 Unauthorized');
    }
    if (res.status === 413) {
      // Refused unread: with sealing, the host never consumed this message's sequence number, so the
      // next sealed request on this connection would be out of step. Start afresh (new keys).
      this.dropConnection();
      throw new EnvelopeTooLargeError(`WinRM refused the ${opts.what} request as too large (HTTP 413)`, {
        host,
        hint: "The request exceeds the host's MaxEnvelopeSizekb; raise it on the host (Set-Item WSMan:\\localhost\\MaxEnvelopeSizekb -Value 500).",
      });
    }
    if (res.status !== 200 && res.status !== 500) {
      // A 400 means the host could not read the request (e.g. sealing out of step): start afresh next time.
      this.dropConnection();
      throw new ProtocolError(`WinRM answered ${opts.what} with HTTP ${res.status} ${res.reason}`.trim(), { host });
    }
    let text: string;
    try {
      const bytes = security.unwrap(res);
      // Output travels as base64, so replies are nearly always ASCII: latin1 is the same text, copied.
      text = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
    } catch (e) {
      this.dropConnection();
      throw e;
    }
    const type = (header(res, 'content-type') ?? '').toLowerCase();
    if (text.length === 0) {
      throw new ProtocolError(`WinRM answered ${opts.what} with HTTP ${res.status} and an empty body`, { host });
    }
    if (!type.startsWith('application/soap+xml') && !type.startsWith('multipart/encrypted')) {
      throw new ProtocolError(`WinRM answered ${opts.what} with Content-Type "${type || 'none'}", not SOAP (HTTP ${res.status})`, { host });
    }
    let env: SoapEnvelope;
    try {
      env = parseSoap(text, `${opts.what} response`);
    } catch (e) {
      throw new ProtocolError(`WinRM ${opts.what} reply is not a SOAP envelope: ${(e as Error).message}`, { host });
    }
    const fault = readFault(env);
    if (fault) throw new WsmanFaultError(fault, `WinRM ${opts.what}`, { host });
    if (res.status === 500) throw new ProtocolError(`WinRM answered ${opts.what} with HTTP 500 but no SOAP fault`, { host });
    const h = readResponseHeader(env);
    if (h.relatesTo !== opts.messageId) {
      throw new ProtocolError(
        `WinRM ${opts.what} reply relates to ${h.relatesTo ?? 'nothing'}, not to the request ${opts.messageId}`,
        { host },
      );
    }
    if (opts.expectAction && h.action && h.action !== opts.expectAction && h.action !== Action.WsmanFault) {
      throw new ProtocolError(`WinRM ${opts.what} reply has action ${h.action}, expected ${opts.expectAction}`, { host });
    }
    return env;
  }

  /**
   * Abandon the request in flight if it carries `tag`, by closing the socket (the only way to end a
   * held long poll early); the next request reconnects. Used to terminate a process without
   * waiting for its Receive's OperationTimeout.
   */
  abort(tag: object): void {
    const f = this.inflight;
    if (f && f.tag === tag) {
      f.aborted = true;
      f.conn.destroy();
    }
  }

  /** Close the connection. Later exchanges fail. */
  close(): void {
    this.closed = true;
    this.opening?.destroy();
    this.dropConnection();
  }
}
