/**
 * An incremental HTTP/1.1 response parser for one keep-alive connection: status line, headers,
 * then a body framed by Content-Length or chunked encoding (or, for `Connection: close` replies
 * with neither, the end of the stream). Pure: bytes in, responses out; garbage is a ProtocolError.
 */
import { ProtocolError } from '../../errors.js';

export interface HttpResponse {
  status: number;
  reason: string;
  /** Lower-cased header names; repeated headers keep every value in order. */
  headers: Map<string, string[]>;
  body: Buffer;
  /** The server will close the connection after this response. */
  close: boolean;
}

export function header(res: HttpResponse, name: string): string | undefined {
  return res.headers.get(name.toLowerCase())?.[0];
}

/** The header section of one response (HTTP.sys sends a few hundred bytes; IIS caps its own at 64 KiB). */
export const DEFAULT_MAX_HEAD_BYTES = 64 * 1024;
/** Header lines in one response. */
const MAX_HEADER_LINES = 100;
const EMPTY = Buffer.alloc(0);

export interface HttpLimits {
  /** Largest header section (status line and headers). */
  maxHeadBytes: number;
  /** Largest body, however framed (Content-Length, chunked, until close). */
  maxBodyBytes: number;
}

/**
 * The default body bound for a session whose service takes envelopes of `envelopeKb`
 * (MaxEnvelopeSizekb; docs/security.md "Limits"): a reply envelope is at most that size (we ask for
 * less), sealing adds a few hundred bytes of MIME framing and a 16-byte signature; twice the
 * envelope plus 64 KiB leaves room for both and for a verbose error page, and no more.
 */
export function responseBodyLimit(envelopeKb: number): number {
  return 2 * Math.max(envelopeKb, 150) * 1024 + 64 * 1024;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { maxHeadBytes: DEFAULT_MAX_HEAD_BYTES, maxBodyBytes: responseBodyLimit(500) };

type Phase =
  | { kind: 'head' }
  | { kind: 'length'; remaining: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; remaining: number }
  | { kind: 'chunk-end' }
  | { kind: 'chunk-trailer' }
  | { kind: 'until-close' };

export class HttpResponseParser {
  private buf: Buffer = Buffer.alloc(0);
  private phase: Phase = { kind: 'head' };
  private current: Omit<HttpResponse, 'body'> | null = null;
  private bodyParts: Buffer[] = [];
  private bodyBytes = 0;
  private readonly limits: HttpLimits;
  /** True once any byte of a response has arrived (for retry decisions). */
  started = false;

  constructor(limits: HttpLimits = DEFAULT_HTTP_LIMITS) {
    this.limits = limits;
  }

  /** Feed bytes; returns the responses completed by them (usually zero or one). */
  push(chunk: Buffer): HttpResponse[] {
    if (chunk.length > 0) this.started = true;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: HttpResponse[] = [];
    for (;;) {
      const r = this.step();
      if (r === 'more') break;
      if (r !== 'continue') out.push(r);
    }
    // An empty view would still hold the whole last chunk in memory while the connection idles.
    if (this.buf.length === 0) this.buf = EMPTY;
    return out;
  }

  /** The stream ended: completes a read-until-close body, else reports whether a response was cut off. */
  end(): HttpResponse | null {
    if (this.phase.kind === 'until-close' && this.current) {
      this.checkBody(this.buf.length);
      this.bodyParts.push(this.buf);
      this.buf = Buffer.alloc(0);
      return this.finish();
    }
    return null;
  }

  /** Mid-response (some bytes of a response seen, not all). */
  get midResponse(): boolean {
    return this.current !== null || this.buf.length > 0;
  }

  private step(): HttpResponse | 'more' | 'continue' {
    switch (this.phase.kind) {
      case 'head': {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (this.buf.length > this.limits.maxHeadBytes) throw new ProtocolError(`malformed HTTP response: header section too long (over ${this.limits.maxHeadBytes} bytes)`);
          return 'more';
        }
        if (end > this.limits.maxHeadBytes) throw new ProtocolError(`malformed HTTP response: header section too long (over ${this.limits.maxHeadBytes} bytes)`);
        const head = this.buf.subarray(0, end).toString('latin1');
        this.buf = this.buf.subarray(end + 4);
        this.current = parseHead(head);
        this.bodyParts = [];
        this.bodyBytes = 0;
        const status = this.current.status;
        const te = this.current.headers.get('transfer-encoding')?.join(',').toLowerCase() ?? '';
        const cl = this.current.headers.get('content-length');
        if ((status >= 100 && status < 200) || status === 204 || status === 304) {
          if (status >= 100 && status < 200) {
            // Interim response (100 Continue): drop it and read the real one.
            this.current = null;
            return 'continue';
          }
          return this.finish();
        }
        if (te.includes('chunked')) this.phase = { kind: 'chunk-size' };
        else if (cl) {
          const n = Number(cl[0]);
          if (!/^\d+$/.test(cl[0]?.trim() ?? '') || !Number.isSafeInteger(n)) throw new ProtocolError(`malformed HTTP response: Content-Length "${cl[0]}"`);
          this.checkBody(n);
          this.phase = { kind: 'length', remaining: n };
        } else if (this.current.close) this.phase = { kind: 'until-close' };
        else this.phase = { kind: 'length', remaining: 0 };
        return 'continue';
      }
      case 'length':
        if (this.takeBody(this.phase) > 0) return 'more';
        return this.finish();
      case 'chunk-size': {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) {
          if (this.buf.length > 1024) throw new ProtocolError('malformed HTTP response: chunk size line too long');
          return 'more';
        }
        const line = this.buf.subarray(0, eol).toString('latin1').split(';')[0]!.trim();
        this.buf = this.buf.subarray(eol + 2);
        if (!/^[0-9a-fA-F]+$/.test(line)) throw new ProtocolError(`malformed HTTP response: chunk size "${line.slice(0, 20)}"`);
        const size = parseInt(line, 16);
        this.checkBody(size);
        this.phase = size === 0 ? { kind: 'chunk-trailer' } : { kind: 'chunk-data', remaining: size };
        return 'continue';
      }
      case 'chunk-data':
        if (this.takeBody(this.phase) > 0) return 'more';
        this.phase = { kind: 'chunk-end' };
        return 'continue';
      case 'chunk-end': {
        if (this.buf.length < 2) return 'more';
        if (this.buf[0] !== 0x0d || this.buf[1] !== 0x0a) throw new ProtocolError('malformed HTTP response: chunk not followed by CRLF');
        this.buf = this.buf.subarray(2);
        this.phase = { kind: 'chunk-size' };
        return 'continue';
      }
      case 'chunk-trailer': {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) {
          if (this.buf.length > this.limits.maxHeadBytes) throw new ProtocolError('malformed HTTP response: chunked trailer too long');
          return 'more';
        }
        const line = this.buf.subarray(0, eol);
        this.buf = this.buf.subarray(eol + 2);
        if (line.length === 0) return this.finish();
        return 'continue';
      }
      case 'until-close':
        // Held until the stream ends; the bound applies to what is held so far.
        this.checkBody(this.buf.length);
        return 'more';
    }
  }

  /** Refuse a body that would pass the bound with `more` bytes (declared or held). */
  private checkBody(more: number): void {
    if (this.bodyBytes + more > this.limits.maxBodyBytes) {
      const declared = this.bodyBytes + more;
      throw new ProtocolError(
        `HTTP response body of ${declared} bytes is larger than the ${this.limits.maxBodyBytes} bytes allowed${this.phase.kind === 'chunk-size' || this.phase.kind === 'until-close' ? ' (so far)' : ''}`,
        { hint: 'A WinRM reply is never this large: the host or something on the path is misbehaving. If a real service needs more, raise winrm.maxResponseSizeKb (docs/security.md).' },
      );
    }
  }

  /** Move up to `phase.remaining` buffered bytes into the body; returns what is still to come. */
  private takeBody(phase: { remaining: number }): number {
    const take = Math.min(phase.remaining, this.buf.length);
    if (take > 0) {
      this.bodyParts.push(this.buf.subarray(0, take));
      this.bodyBytes += take;
      this.buf = this.buf.subarray(take);
      phase.remaining -= take;
    }
    return phase.remaining;
  }

  private finish(): HttpResponse {
    const cur = this.current!;
    const body = this.bodyParts.length === 1 ? this.bodyParts[0]! : Buffer.concat(this.bodyParts);
    this.current = null;
    this.bodyParts = [];
    this.phase = { kind: 'head' };
    return { ...cur, body };
  }
}

function parseHead(head: string): Omit<HttpResponse, 'body'> {
  const lines = head.split('\r\n');
  if (lines.length > MAX_HEADER_LINES + 1) throw new ProtocolError(`malformed HTTP response: too many header lines (over ${MAX_HEADER_LINES})`);
  const statusLine = lines.shift() ?? '';
  const m = /^HTTP\/(\d)\.(\d) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) throw new ProtocolError(`malformed HTTP response: status line "${statusLine.slice(0, 60)}"`);
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ProtocolError(`malformed HTTP response: header line "${line.slice(0, 60)}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const list = headers.get(name);
    if (list) list.push(value);
    else headers.set(name, [value]);
  }
  const connection = headers.get('connection')?.join(',').toLowerCase() ?? '';
  const http10 = m[1] === '1' && m[2] === '0';
  const close = connection.includes('close') || (http10 && !connection.includes('keep-alive'));
  return { status: Number(m[3]), reason: m[4] ?? '', headers, close };
}
