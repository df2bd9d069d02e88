/**
 * Defect 1 (issue 14): the WinRM client read HTTP bodies with no limit, before authentication.
 * The parser now refuses a body or a header section beyond its bounds as soon as it can tell:
 * a declared Content-Length at once, chunked and read-until-close bodies when they pass the bound.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { HttpResponseParser, responseBodyLimit } from '../../src/transport/winrm/http-parser.js';

const limits = { maxHeadBytes: 1024, maxBodyBytes: 4096 };

describe('HttpResponseParser bounds', () => {
  it('refuses a declared Content-Length above the bound before any body byte', () => {
    const p = new HttpResponseParser(limits);
    expect(() => p.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 800000000\r\n\r\n'))).toThrow(/body of 800000000 bytes is larger than the 4096 bytes allowed/);
  });

  it('refuses a chunked body once its total passes the bound', () => {
    const p = new HttpResponseParser(limits);
    p.push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'));
    const chunk = Buffer.from(`400\r\n${'x'.repeat(1024)}\r\n`);
    for (let i = 0; i < 4; i++) p.push(chunk);
    expect(() => p.push(chunk)).toThrow(ProtocolError);
  });

  it('refuses a declared chunk size above the bound at once', () => {
    const p = new HttpResponseParser(limits);
    expect(() => p.push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFF\r\n'))).toThrow(/larger than the 4096 bytes allowed/);
  });

  it('refuses a read-until-close body once it passes the bound', () => {
    const p = new HttpResponseParser(limits);
    p.push(Buffer.from('HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n'));
    p.push(Buffer.alloc(4000, 0x41));
    expect(() => p.push(Buffer.alloc(100, 0x41))).toThrow(/larger than the 4096 bytes allowed/);
  });

  it('refuses a header section above its bound, and too many header lines', () => {
    expect(() => new HttpResponseParser(limits).push(Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(2000)}`))).toThrow(/header section too long/);
    const many = `HTTP/1.1 200 OK\r\n${'A: b\r\n'.repeat(150)}\r\n`;
    expect(() => new HttpResponseParser({ maxHeadBytes: 64 * 1024, maxBodyBytes: 10 }).push(Buffer.from(many))).toThrow(/too many header lines/);
  });

  it('accepts a body right at the bound', () => {
    const p = new HttpResponseParser(limits);
    const r = p.push(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n'), Buffer.alloc(4096, 0x42)]));
    expect(r[0]?.body.length).toBe(4096);
  });

  it('the default bound scales with the envelope size, with room for sealing', () => {
    expect(responseBodyLimit(500)).toBe(2 * 500 * 1024 + 64 * 1024);
    expect(responseBodyLimit(150)).toBeGreaterThan(153_600 + 1024);
    expect(responseBodyLimit(150)).toBeLessThan(responseBodyLimit(500));
  });
});
