/** MS-WSMV multipart/encrypted framing (winrm.md §3.3) over NTLM session security. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { SessionSecurity } from '../../src/protocol/ntlm/sealing.js';
import { BodyBuffer, decryptBody, encryptBody, ENCRYPTED_CONTENT_TYPE, isEncryptedContentType } from '../../src/protocol/wsman/encryption.js';
import { v } from './ntlm/vectors.js';

const flags = v('v2_flags_le').readUInt32LE(0);
const key = v('random_session_key');
const pair = (k = key) => ({ client: new SessionSecurity(k, flags, 'client'), server: new SessionSecurity(k, flags, 'server') });

describe('encryptBody', () => {
  it('lays out the MS-WSMV frame byte for byte (MS-NLMP 4.2.4.4 "Plaintext" as the payload)', () => {
    const { client } = pair();
    const { body, contentType } = encryptBody(v('plaintext_utf16le'), client);
    expect(contentType).toBe('multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"');
    const expected = Buffer.concat([
      Buffer.from(
        '--Encrypted Boundary\r\n' +
          '\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n' +
          '\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=18\r\n' +
          '--Encrypted Boundary\r\n' +
          '\tContent-Type: application/octet-stream\r\n',
      ),
      Buffer.from('10000000', 'hex'),
      v('v2_wrap_signature'),
      v('v2_wrap_sealed'),
      Buffer.from('--Encrypted Boundary--\r\n'),
    ]);
    expect(body).toEqual(expected);
  });
});

describe('decryptBody', () => {
  it('round-trips several messages each way, with one sealing context per side', () => {
    const { client, server } = pair(randomBytes(16));
    for (let i = 0; i < 5; i++) {
      const soap = Buffer.from(`<s:Envelope>${'é'.repeat(i * 700)} request ${i}</s:Envelope>`);
      const req = encryptBody(soap, client);
      expect(req.body.includes(Buffer.from('s:Envelope'))).toBe(false);
      expect(decryptBody(req.body, req.contentType, server)).toEqual(soap);
      const reply = Buffer.from(`<s:Envelope>reply ${i}</s:Envelope>`);
      const res = encryptBody(reply, server);
      expect(decryptBody(res.body, res.contentType, client)).toEqual(reply);
    }
  });

  it('leaves the caller\'s buffers alone, or decrypts inside the body when asked to (large, unaligned bodies)', () => {
    const { client, server } = pair(randomBytes(16));
    for (const size of [0, 1, 63, 64, 65, 100_003, 1_000_000]) {
      const soap = randomBytes(size + 3).subarray(3); // an odd offset into its ArrayBuffer
      const original = Buffer.from(soap);
      const req = encryptBody(soap, client);
      expect(soap.equals(original), `encryptBody changed its input (${size} bytes)`).toBe(true);
      const sent = Buffer.from(req.body);
      expect(decryptBody(req.body, req.contentType, server).equals(original), `copying decrypt, ${size} bytes`).toBe(true);
      expect(req.body.equals(sent), `decryptBody changed the body without inPlace (${size} bytes)`).toBe(true);

      const res = encryptBody(soap, server);
      const plain = decryptBody(res.body, res.contentType, client, { inPlace: true });
      expect(plain.equals(original), `in-place decrypt, ${size} bytes`).toBe(true);
      expect(plain.buffer === res.body.buffer && plain.byteOffset > res.body.byteOffset, 'in-place decrypt returns a view of the body').toBe(true);
    }
  });

  it('takes the envelope as a string too, encoding it as UTF-8 into the body (same bytes as from a Buffer)', () => {
    const text = `<s:Envelope>${'ü€😀'.repeat(50)}${'A'.repeat(70_000)}</s:Envelope>`;
    const k = randomBytes(16);
    const one = pair(k);
    const two = pair(k);
    const viaBuffer = encryptBody(Buffer.from(text, 'utf8'), one.client);
    const viaString = encryptBody(text, two.client);
    expect(viaString.body.equals(viaBuffer.body)).toBe(true);
    expect(decryptBody(viaString.body, viaString.contentType, one.server).toString('utf8')).toBe(text);
  });

  it('builds successive bodies in one reusable buffer, byte-identical to fresh ones', () => {
    const k = randomBytes(16);
    const fresh = pair(k);
    const reused = pair(k);
    const scratch = new BodyBuffer();
    let first: Buffer | undefined;
    for (const size of [100_000, 10, 5000, 300, 99_000]) {
      const soap = randomBytes(size);
      const a = encryptBody(soap, fresh.client);
      const b = encryptBody(soap, reused.client, { reuse: scratch });
      expect(b.body.equals(a.body), `${size} bytes`).toBe(true);
      first ??= b.body;
      // The first body grew the buffer; every later one fits and starts at the same memory.
      expect(b.body.buffer === first.buffer && b.body.byteOffset === first.byteOffset, `${size} bytes reuse the buffer`).toBe(true);
      expect(decryptBody(b.body, b.contentType, reused.server)).toEqual(soap);
    }
    expect(scratch.capacity).toBeGreaterThanOrEqual(100_000);
  });

  it('accepts header variants: unquoted/other-case parameters, another boundary, "-- boundary", no final CRLF', () => {
    const { client, server } = pair();
    const soap = Buffer.from('<x/>');
    const { body } = encryptBody(soap, client);
    const text = body.toString('latin1').replaceAll('--Encrypted Boundary', '-- Encrypted Boundary').replace('-- Encrypted Boundary--\r\n', '--Encrypted Boundary--');
    const ct = 'Multipart/Encrypted; Protocol="application/http-spnego-session-encrypted"; boundary=Encrypted Boundary';
    expect(decryptBody(Buffer.from(text, 'latin1'), ct, server)).toEqual(soap);

    const other = encryptBody(soap, client).body.toString('latin1').replaceAll('Encrypted Boundary', 'b0undary');
    expect(decryptBody(Buffer.from(other, 'latin1'), 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="b0undary"', server)).toEqual(soap);
  });

  it('refuses bad Content-Types', () => {
    const { client, server } = pair();
    const { body } = encryptBody(Buffer.from('<x/>'), client);
    expect(() => decryptBody(body, 'application/soap+xml;charset=UTF-8', server)).toThrow(/expected multipart\/encrypted/);
    expect(() => decryptBody(body, 'multipart/encrypted;boundary="Encrypted Boundary"', server)).toThrow(/protocol is missing/);
    expect(() => decryptBody(body, 'multipart/encrypted;protocol="application/HTTP-Kerberos-session-encrypted";boundary="Encrypted Boundary"', server)).toThrow(/Kerberos/);
    expect(() => decryptBody(body, 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"', server)).toThrow(/no boundary/);
    expect(() => decryptBody(body, 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Other"', server)).toThrow(/opening boundary "--Other"/);
    expect(isEncryptedContentType(ENCRYPTED_CONTENT_TYPE)).toBe(true);
    expect(isEncryptedContentType('application/soap+xml;charset=UTF-8')).toBe(false);
  });

  it('refuses a wrong Length=, a wrong signature length and a tampered payload, then still opens the genuine message', () => {
    const { client, server } = pair();
    const soap = Buffer.from('<s:Envelope>payload</s:Envelope>');
    const { body, contentType } = encryptBody(soap, client);
    const text = body.toString('latin1');
    const wrongLength = Buffer.from(text.replace(`Length=${soap.length}`, `Length=${soap.length + 1}`), 'latin1');
    expect(() => decryptBody(wrongLength, contentType, server)).toThrow(/Length=33 but the sealed data is 32 bytes/);
    const noLength = Buffer.from(text.replace(`;Length=${soap.length}`, ''), 'latin1');
    expect(() => decryptBody(noLength, contentType, server)).toThrow(/has no Length=/);

    const sigAt = body.indexOf('octet-stream\r\n') + 'octet-stream\r\n'.length;
    const badSigLen = Buffer.from(body);
    badSigLen.writeUInt32LE(15, sigAt);
    expect(() => decryptBody(badSigLen, contentType, server)).toThrow(/signature length is 15/);

    const tampered = Buffer.from(body);
    tampered[sigAt + 4 + 16 + 3]! ^= 0x20;
    expect(() => decryptBody(tampered, contentType, server)).toThrow(/encrypted WinRM body: NTLM: unseal failed/);
    expect(decryptBody(body, contentType, server)).toEqual(soap);
  });

  it('every truncation and random garbage either decrypts correctly or throws ProtocolError', () => {
    const soap = Buffer.from('<s:Envelope>short</s:Envelope>');
    const { body, contentType } = encryptBody(soap, pair().client);
    for (let len = 0; len <= body.length; len++) {
      try {
        expect(decryptBody(body.subarray(0, len), contentType, pair().server)).toEqual(soap);
        expect(len).toBeGreaterThanOrEqual(body.length - 2); // only the optional final CRLF may go
      } catch (err) {
        expect(err, `length ${len}`).toBeInstanceOf(ProtocolError);
      }
    }
    for (let i = 0; i < 200; i++) {
      expect(() => decryptBody(randomBytes(i * 3), contentType, pair().server)).toThrow(ProtocolError);
    }
  });
});

describe('interop with pywinrm 0.3.0 encryption.py + ntlm-auth session security (Debian)', () => {
  it('pywinrm decrypts our sealed replies and we decrypt its sealed requests', () => {
    const exported = randomBytes(16);
    const server = new SessionSecurity(exported, flags, 'server');
    const replies = ['<s:Envelope>reply one</s:Envelope>', `<s:Envelope>${'ü'.repeat(4000)}</s:Envelope>`];
    const replyBodies = replies.map((r) => encryptBody(Buffer.from(r), server));
    const script = `
import base64, json, sys
from ntlm_auth.session_security import SessionSecurity
from winrm.encryption import Encryption
args = json.loads(sys.stdin.read())
class Holder: pass
session = Holder(); session.auth = Holder()
session.auth.session_security = SessionSecurity(args["flags"], bytes.fromhex(args["key"]), source="client")
enc = Encryption(session, "ntlm")
requests = [base64.b64encode(enc._encrypt_message(m.encode(), "win01") + enc.MIME_BOUNDARY + b"--\\r\\n").decode() for m in args["requests"]]
replies = []
for r in args["replies"]:
    resp = Holder(); resp.content = base64.b64decode(r["body"]); resp.headers = {"Content-Type": r["contentType"]}
    resp.request = Holder(); resp.request.url = "http://win01:5985/wsman"
    out = enc.parse_encrypted_response(resp)
    replies.append(out.decode() if isinstance(out, bytes) else out)
print(json.dumps({"requests": requests, "replies": replies}))
`;
    const requests = ['<s:Envelope>Create</s:Envelope>', `<s:Envelope>${'x'.repeat(20000)}</s:Envelope>`];
    const out = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], {
        input: JSON.stringify({
          flags,
          key: exported.toString('hex'),
          requests,
          replies: replyBodies.map((b) => ({ body: b.body.toString('base64'), contentType: b.contentType })),
        }),
        env: { ...process.env, OPENSSL_CONF: resolve(import.meta.dirname, '../fixtures/openssl-legacy.cnf') },
      }).toString(),
    ) as { requests: string[]; replies: string[] };
    expect(out.replies).toEqual(replies);
    out.requests.forEach((b64, i) => {
      expect(decryptBody(Buffer.from(b64, 'base64'), ENCRYPTED_CONTENT_TYPE, server).toString()).toBe(requests[i]);
    });
  });
});
