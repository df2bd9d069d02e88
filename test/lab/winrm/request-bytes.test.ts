/**
 * The lab reads Send envelopes from bytes, decoding bulk stdin in place of the text path
 * (readRequestBytes): it must give the same request, the same chunks and the same errors as
 * readRequest(parseSoap(text)) for every envelope, odd ones included.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { buildRequest, sendBody } from '../../../src/protocol/wsman/messages.js';
import { decodeBase64Bytes, liftStreamPayloads } from '../../../src/lab/winrm/stream-payloads.js';
import { readRequest, readRequestBytes, readSend } from '../../../src/lab/winrm/requests.js';
import { Action, NS } from '../../../src/protocol/wsman/namespaces.js';
import { parseSoap } from '../../../src/protocol/wsman/soap.js';

const head = { to: 'http://h:5985/wsman', action: Action.Send, messageId: 'uuid:1', maxEnvelopeSize: 512000, operationTimeoutMs: 20_000, shellId: 'S1' };

function bytesOf(n: number, seed = 7919): Buffer {
  const data = Buffer.alloc(n);
  for (let i = 0; i < n; i++) data[i] = (i * seed + (i >> 8)) & 0xff;
  return data;
}

type Outcome = { ok: true; action: string; chunks: Array<{ name: string; commandId: string | null; data: string; end: boolean }> } | { ok: false; error: string };

function outcome(read: () => ReturnType<typeof readRequest>): Outcome {
  try {
    const req = read();
    const chunks = req.action === Action.Send ? readSend(req.body, req.payloads).map((c) => ({ ...c, data: c.data.toString('hex') })) : [];
    return { ok: true, action: req.action, chunks };
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return { ok: false, error: e.message };
  }
}

/** Both paths on the same bytes. */
function both(bytes: Buffer): { fast: Outcome; text: Outcome } {
  const text = bytes.toString('utf8');
  return { fast: outcome(() => readRequestBytes(bytes)), text: outcome(() => readRequest(parseSoap(text, 'request'))) };
}

const sendWith = (streamXml: string) => Buffer.from(buildRequest(head, `<rsp:Send>${streamXml}</rsp:Send>`), 'utf8');

describe('decodeBase64Bytes', () => {
  it('matches Buffer.from(text, "base64") on texts the base64 check accepts, and refuses the others', () => {
    const samples = ['', 'QQ', 'Q', 'QUJ', 'QQ==', 'QQQQ=', 'QUJD\r\nRA==\r\n', ' QUJD RA', 'QUJDRA==  \t', 'QQ=Q', 'Q=Q=', 'QQ===', 'QQ= =', 'QU&J', 'QUJ\u00e9', 'QUJDRA\v\fRA'];
    for (const n of [48, 96, 1200, 3000]) {
      const b = bytesOf(n, 13).toString('base64');
      samples.push(b, b.slice(0, 20) + ' ' + b.slice(20), b.slice(0, 37) + '!' + b.slice(38), b.slice(0, 70) + '\n' + b.slice(70));
    }
    for (let n = 0; n < 40; n++) samples.push(bytesOf(n, 31).toString('base64'), bytesOf(n, 17).toString('base64').replace(/(.{5})/g, '$1\n'));
    for (const s of samples) {
      const got = decodeBase64Bytes(Buffer.from(s, 'utf8'));
      const accepted = /^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(s) && ![...s].some((ch) => ch.charCodeAt(0) > 0x7f);
      expect(got === null, JSON.stringify(s)).toBe(!accepted);
      if (got) expect(got.toString('hex'), JSON.stringify(s)).toBe(Buffer.from(s, 'base64').toString('hex'));
      // In place, at every alignment of the text.
      for (const shift of [0, 1, 2, 3]) {
        const room = Buffer.alloc(Buffer.byteLength(s) + shift, 0x41);
        room.write(s, shift, 'utf8');
        const inPlace = decodeBase64Bytes(room.subarray(shift, shift + Buffer.byteLength(s)), true);
        expect(inPlace?.toString('hex') ?? null, JSON.stringify(s)).toBe(got?.toString('hex') ?? null);
      }
    }
  });
});

describe('readRequestBytes', () => {
  it('lifts bulk stdin out of the envelope text and gives the same chunks as the text path', () => {
    for (const n of [0, 1, 700, 769, 4096, 65_537, 300_000]) {
      const data = bytesOf(n);
      for (const end of [false, true]) {
        const bytes = Buffer.from(buildRequest(head, sendBody('C-1', data, end)), 'utf8');
        const lifted = liftStreamPayloads(bytes);
        const bulk = Math.ceil(n / 3) * 4 >= 1024;
        expect(lifted.payloads.length).toBe(bulk ? 1 : 0);
        if (bulk) expect(lifted.text.length).toBeLessThan(4096);
        const { fast, text } = both(bytes);
        expect(fast).toEqual(text);
        expect(fast.ok && fast.chunks[0]!.data).toBe(data.toString('hex'));
      }
    }
  });

  it('same outcome for odd envelopes: other prefixes, wrapped base64, comments and CDATA in streams, bad base64, several streams', () => {
    const b64 = bytesOf(3000).toString('base64');
    const other = `xmlns:q="${NS.shell}"`;
    const cases = [
      `<rsp:Stream Name="stdin" CommandId="C-1">${b64}</rsp:Stream>`,
      `<q:Stream ${other} Name="stdin" CommandId="C-1" End="TRUE">${b64.replace(/(.{76})/g, '$1\r\n')}</q:Stream>`,
      `<rsp:Stream Name="stdin" CommandId="C-1">${b64.slice(0, 2000)}<!-- a comment -->${b64.slice(2000)}</rsp:Stream>`,
      `<rsp:Stream Name="stdin" CommandId="C-1"><![CDATA[${b64}]]></rsp:Stream>`,
      `<rsp:Stream Name="stdin" CommandId="C-1">${b64.slice(0, 1500)}&amp;${b64.slice(1500)}</rsp:Stream>`,
      `<rsp:Stream Name="stdin" CommandId="C-1">${b64}=</rsp:Stream>`,
      `<rsp:Stream Name="stdin" CommandId="C-1">${b64}\u00a0</rsp:Stream>`,
      `<rsp:Stream Name="a>b" CommandId="C-1">${b64}</rsp:Stream><rsp:Stream Name="stdin" CommandId="C-2" End="true">${b64.slice(4)}</rsp:Stream>`,
      `<rsp:Stream Name="stdin" CommandId="C-1"/><Stream xmlns="${NS.shell}" Name="stdin">${b64}</Stream>`,
      `<x:Stream xmlns:x="urn:other" Name="stdin">${b64}</x:Stream>`,
      `<!-- <rsp:Stream>${b64}</rsp:Stream> --><rsp:Stream Name="stdin">${b64}</rsp:Stream>`,
      `<rsp:Stream Name="stdin" CommandId="C-1">${b64}</rsp:Stream><unclosed>`,
      `<rsp:Stream Name="stdin" CommandId="C-1">${b64}</rsp:Stream></rsp:Send><extra/>`,
      `<rsp:Stream Name="stdin" CommandId="C-1">${b64}</rsp:Stream`,
      `<rsp:Stream Name="stdin" CommandId="C-1">${b64}\u0000</rsp:Stream>`,
    ];
    let liftedCases = 0;
    for (const c of cases) {
      if (liftStreamPayloads(sendWith(c)).payloads.length > 0) liftedCases++;
      const { fast, text } = both(sendWith(c));
      expect(fast, c.slice(0, 80)).toEqual(text);
    }
    expect(liftedCases).toBeGreaterThanOrEqual(8);
  });
});
