/** Fuzz: the WinRM client's HTTP response parser (src/transport/winrm/http-parser.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { HttpResponseParser } from '../../src/transport/winrm/http-parser.js';
import { chunked, fuzz, regressionInputs, rejectsOnlyWith, timed } from './fuzz.js';

const limits = { maxHeadBytes: 2048, maxBodyBytes: 8192 };

/** Feed the chunks; only ProtocolError may come out, and what the parser holds stays bounded. */
function feed(chunks: Buffer[]): void {
  const p = new HttpResponseParser(limits);
  rejectsOnlyWith(() => {
    for (const c of chunks) {
      for (const r of p.push(c)) expect(r.body.length).toBeLessThanOrEqual(limits.maxBodyBytes);
      const held = (p as unknown as { buf: Buffer; bodyParts: Buffer[] });
      expect(held.buf.length).toBeLessThanOrEqual(Math.max(limits.maxHeadBytes, limits.maxBodyBytes) + c.length);
      expect(held.bodyParts.reduce((n, b) => n + b.length, 0)).toBeLessThanOrEqual(limits.maxBodyBytes);
    }
    p.end();
  }, [ProtocolError]);
}

const headerName = fc.constantFrom('Content-Length', 'Transfer-Encoding', 'Connection', 'Content-Type', 'WWW-Authenticate', 'X', '');
const headerValue = fc.oneof(
  fc.constantFrom('chunked', 'close', 'keep-alive', '0', '5', '-1', '99999999999999999999', '1e3', ' 12 ', 'application/soap+xml', 'Negotiate TlRMTVNTUAAC'),
  fc.string({ maxLength: 20 }),
);
const chunk = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`),
  fc.tuple(fc.constantFrom('0', 'ff', 'FFFFFFFF', 'zz', '1;ext=1', ''), fc.string({ maxLength: 10 })).map(([n, s]) => `${n}\r\n${s}\r\n`),
);
const response = fc
  .tuple(
    fc.constantFrom('HTTP/1.1 200 OK', 'HTTP/1.1 401 Unauthorized', 'HTTP/1.0 500 X', 'HTTP/1.1 100 Continue', 'HTTP/1.1 204 No', 'HTTP/2 200', 'HTTP/1.1 2000 X', 'SSH-2.0'),
    fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
    fc.array(chunk, { maxLength: 5 }),
    fc.string({ maxLength: 64 }),
  )
  .map(([status, headers, chunks, body]) => Buffer.from(`${status}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${chunks.join('')}${body}`, 'latin1'));

describe('fuzz: HTTP response parser', () => {
  for (const { name, bytes } of regressionInputs('http-parser')) {
    it(`regression input ${name}`, () => timed(() => feed([bytes])));
  }

  it('random bytes, split anywhere: a response or a ProtocolError, memory bounded', () => {
    fuzz(chunked(fc.uint8Array({ maxLength: 4096 })), feed);
  });

  it('near-valid responses (status lines, framing headers, chunks), split anywhere', () => {
    fuzz(chunked(response), feed, 600);
  });

  it('two pipelined responses are both read, whatever the split', () => {
    fuzz(
      fc.tuple(fc.string({ maxLength: 100 }), fc.array(fc.nat({ max: 200 }), { maxLength: 6 })),
      ([body, cuts]) => {
        const b = Buffer.from(body);
        const wire = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\n\r\n`), b, Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), b.length ? Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]) : Buffer.alloc(0), Buffer.from('0\r\n\r\n')]);
        const p = new HttpResponseParser(limits);
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((x, y) => x - y);
        const got = [];
        let last = 0;
        for (const at of [...points, wire.length]) {
          got.push(...p.push(wire.subarray(last, at)));
          last = at;
        }
        expect(got.map((r) => r.body.toString())).toEqual([body, body].map((s) => Buffer.from(s).toString()));
      },
    );
  });
});
