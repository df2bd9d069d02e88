import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { HttpResponseParser } from '../../../src/transport/winrm/http-parser.js';

const feed = (p: HttpResponseParser, text: string, step = 3) => {
  const out = [];
  const b = Buffer.from(text, 'latin1');
  for (let i = 0; i < b.length; i += step) out.push(...p.push(b.subarray(i, i + step)));
  return out;
};

describe('HttpResponseParser', () => {
  it('reads Content-Length bodies fed a few bytes at a time, keep-alive, repeated headers kept', () => {
    const p = new HttpResponseParser();
    const r = feed(
      p,
      'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: Basic realm="WSMAN"\r\nContent-Length: 0\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
    );
    expect(r.map((x) => [x.status, x.body.toString(), x.close])).toEqual([
      [401, '', false],
      [200, 'hello', false],
    ]);
    expect(r[0]!.headers.get('www-authenticate')).toEqual(['Negotiate', 'Basic realm="WSMAN"']);
  });

  it('reads chunked bodies and skips 100 Continue', () => {
    const p = new HttpResponseParser();
    const r = feed(p, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n', 7);
    expect(r).toHaveLength(1);
    expect(r[0]!.body.toString()).toBe('hello world');
  });

  it('reads a Connection: close body until the end of the stream', () => {
    const p = new HttpResponseParser();
    expect(feed(p, 'HTTP/1.0 500 Oops\r\nConnection: close\r\n\r\npartial')).toEqual([]);
    const last = p.end();
    expect(last?.status).toBe(500);
    expect(last?.body.toString()).toBe('partial');
    expect(last?.close).toBe(true);
  });

  it('rejects garbage with a ProtocolError', () => {
    for (const bad of ['SSH-2.0-OpenSSH\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n', 'HTTP/1.1 200 OK\r\nno colon\r\n\r\n']) {
      expect(() => new HttpResponseParser().push(Buffer.from(bad))).toThrow(ProtocolError);
    }
  });
});
