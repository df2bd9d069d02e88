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

const MAX_HEAD = 64 * 1024;
const EMPTY = Buffer.alloc(0);

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
  /** True once any byte of a response has arrived (for retry decisions). */
  started = false;

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
          if (this.buf.length > MAX_HEAD) throw new ProtocolError('malformed HTTP response: header section too long');
          return 'more';
        }
        const head = this.buf.subarray(0, end).toString('latin1');
        this.buf = this.buf.subarray(end + 4);
        this.current = parseHead(head);
        this.bodyParts = [];
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
        if (eol < 0) return 'more';
        const line = this.buf.subarray(0, eol);
        this.buf = this.buf.subarray(eol + 2);
        if (line.length === 0) return this.finish();
        return 'continue';
      }
      case 'until-close':
        return 'more';
    }
  }

  /** Move up to `phase.remaining` buffered bytes into the body; returns what is still to come. */
  private takeBody(phase: { remaining: number }): number {
    const take = Math.min(phase.remaining, this.buf.length);
    if (take > 0) {
      this.bodyParts.push(this.buf.subarray(0, take));
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
