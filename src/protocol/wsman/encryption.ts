/**
 * MS-WSMV 2.2.9.1 message encryption over plain HTTP: the SOAP envelope is sealed with the
 * NTLM session security and framed as multipart/encrypted. Shared by the WinRM client and the lab server.
 *
 *   --Encrypted Boundary\r\n
 *   \tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n
 *   \tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plaintext bytes>\r\n
 *   --Encrypted Boundary\r\n
 *   \tContent-Type: application/octet-stream\r\n
 *   <uint32 LE 16><16-byte signature><sealed bytes>--Encrypted Boundary--\r\n
 *
 * No CRLF between the sealed bytes and the closing delimiter. Faults travel encrypted too.
 */
import { CortexError, ProtocolError } from '../../errors.js';
import { envelopeLength, writeEnvelope, type EnvelopePart } from './envelope-bytes.js';

/**
 * What the framing needs from a security context; NTLM's SessionSecurity fits, a Kerberos one could later.
 * Both work in place: bodies run to megabytes, and the framing puts the plaintext where the sealed bytes go.
 */
export interface MessageSealer {
  /** Signs then encrypts `message` where it lies; returns the signature. */
  sealInPlace(message: Uint8Array): Buffer;
  /** Decrypts `sealed` where it lies and verifies `signature`; throws (a CortexError) when it does not match. */
  unsealInPlace(sealed: Uint8Array, signature: Buffer): void;
}

export const SPNEGO_ENCRYPTED_PROTOCOL = 'application/HTTP-SPNEGO-session-encrypted';
export const ENCRYPTED_BOUNDARY = 'Encrypted Boundary';
export const ENCRYPTED_CONTENT_TYPE = `multipart/encrypted;protocol="${SPNEGO_ENCRYPTED_PROTOCOL}";boundary="${ENCRYPTED_BOUNDARY}"`;
const ORIGINAL_TYPE = 'application/soap+xml;charset=UTF-8';
const SIGNATURE_LENGTH = 16;

/** True for a Content-Type that announces an SPNEGO (NTLM) encrypted body. */
export function isEncryptedContentType(contentType: string): boolean {
  try {
    parseEncryptedContentType(contentType);
    return true;
  } catch {
    return false;
  }
}

const DELIMITER = `--${ENCRYPTED_BOUNDARY}\r\n`;
const HEAD_BEFORE_LENGTH = `${DELIMITER}\tContent-Type: ${SPNEGO_ENCRYPTED_PROTOCOL}\r\n\tOriginalContent: type=${ORIGINAL_TYPE};Length=`;
const HEAD_AFTER_LENGTH = `\r\n${DELIMITER}\tContent-Type: application/octet-stream\r\n`;
const TAIL = Buffer.from(`--${ENCRYPTED_BOUNDARY}--\r\n`, 'latin1');

/**
 * Seals `soap` and frames it; `contentType` goes into the HTTP header as is. The body is allocated once:
 * the plaintext is written into its place in the body and sealed there, `soap` itself is left as it was.
 * `soap` may also be a string (encoded as UTF-8) or envelope parts (text, and bytes that go in as base64):
 * callers that build the envelope as text save the intermediate Buffer, and with parts the base64 text of
 * a Send's stdin never exists as a JavaScript string (see envelope-bytes.ts).
 */
export function encryptBody(
  soap: Buffer | string | readonly EnvelopePart[],
  security: MessageSealer,
  options: EncryptOptions = {},
): { body: Buffer; contentType: string } {
  const length = typeof soap === 'string' ? Buffer.byteLength(soap, 'utf8') : Buffer.isBuffer(soap) ? soap.length : envelopeLength(soap);
  const head = `${HEAD_BEFORE_LENGTH}${length}${HEAD_AFTER_LENGTH}`;
  const sealedAt = head.length + 4 + SIGNATURE_LENGTH;
  const size = sealedAt + length + TAIL.length;
  const body = options.reuse ? options.reuse.take(size) : Buffer.allocUnsafe(size);
  body.write(head, 0, 'latin1');
  body.writeUInt32LE(SIGNATURE_LENGTH, head.length);
  if (typeof soap === 'string') body.write(soap, sealedAt, length, 'utf8');
  else if (Buffer.isBuffer(soap)) soap.copy(body, sealedAt);
  else writeEnvelope(soap, body, sealedAt);
  const signature = security.sealInPlace(body.subarray(sealedAt, sealedAt + length));
  if (signature.length !== SIGNATURE_LENGTH) throw new ProtocolError(`encrypted WinRM body: signature must be ${SIGNATURE_LENGTH} bytes, got ${signature.length}`);
  signature.copy(body, head.length + 4);
  TAIL.copy(body, sealedAt + length);
  return { body, contentType: ENCRYPTED_CONTENT_TYPE };
}

export interface EncryptOptions {
  /** Build the body in this connection's reusable buffer instead of a fresh allocation (see BodyBuffer). */
  reuse?: BodyBuffer;
}

/**
 * One growable buffer that successive request bodies of one connection are built in. A fresh
 * megabyte-sized Buffer costs more to touch for the first time (page faults: ≈200 MB/s here) than the
 * base64, RC4 and HMAC work on it together; reusing one avoids that on every Send.
 * Contract: a body taken from it is valid until the next take(). That holds for a client that waits for
 * each reply before building the next request on the connection (the reply proves the request was sent),
 * and destroys the socket (dropping unsent writes) before retrying elsewhere. Not for a server, whose reply
 * may still be queued when a pipelining client's next request arrives.
 */
export class BodyBuffer {
  private buffer = Buffer.alloc(0);

  /** `size` bytes of scratch memory (contents undefined), replacing what the previous take() returned. */
  take(size: number): Buffer {
    if (this.buffer.length < size) this.buffer = Buffer.allocUnsafe(Math.max(size, Math.ceil(this.buffer.length * 1.25)));
    return this.buffer.subarray(0, size);
  }

  /** Bytes held (for diagnostics). */
  get capacity(): number {
    return this.buffer.length;
  }
}

export interface DecryptOptions {
  /**
   * Decrypt inside `body` and return a view of it, saving a copy of the message (for callers that own
   * the body and drop it afterwards). When decryption fails the body's bytes are then meaningless.
   */
  inPlace?: boolean;
}

/**
 * Parses, checks and unseals an encrypted body. Throws ProtocolError naming what is wrong: the
 * Content-Type, a missing delimiter or header, the signature length, a `Length=` that does not match,
 * or a signature that does not verify.
 */
export function decryptBody(body: Buffer, contentType: string, security: MessageSealer, options: DecryptOptions = {}): Buffer {
  const boundary = parseEncryptedContentType(contentType);
  const reader = new LineReader(body);

  reader.expectDelimiter(boundary, 'the opening boundary');
  const first = reader.headers(boundary);
  const partType = first.get('content-type');
  if (!partType || partType.toLowerCase() !== SPNEGO_ENCRYPTED_PROTOCOL.toLowerCase()) {
    throw fail(`first part has Content-Type ${partType ? `"${partType}"` : '(none)'}, expected ${SPNEGO_ENCRYPTED_PROTOCOL}`);
  }
  const length = originalLength(first.get('originalcontent'));

  reader.expectDelimiter(boundary, 'the second boundary');
  const octetType = reader.line();
  if (octetType === undefined || !/^content-type:\s*application\/octet-stream$/i.test(octetType.trim())) {
    throw fail(`second part must start with "Content-Type: application/octet-stream", found ${octetType === undefined ? 'end of body' : JSON.stringify(octetType.slice(0, 60))}`);
  }

  const start = reader.offset;
  const end = closingDelimiterAt(body, boundary, start);
  if (end - start < 4) throw fail('second part is too short to hold the signature length');
  const sigLength = body.readUInt32LE(start);
  if (sigLength !== SIGNATURE_LENGTH) throw fail(`signature length is ${sigLength}, expected ${SIGNATURE_LENGTH}`);
  if (end - start < 4 + sigLength) throw fail('second part is too short to hold the signature');
  const signature = body.subarray(start + 4, start + 4 + sigLength);
  const sealed = body.subarray(start + 4 + sigLength, end);
  if (sealed.length !== length) throw fail(`OriginalContent says Length=${length} but the sealed data is ${sealed.length} bytes`);

  let plain = sealed;
  if (!options.inPlace) {
    plain = Buffer.allocUnsafe(sealed.length);
    plain.set(sealed);
  }
  try {
    security.unsealInPlace(plain, signature);
  } catch (err) {
    if (err instanceof CortexError) throw fail(err.detail, err);
    throw err;
  }
  return plain;
}

function fail(detail: string, cause?: unknown): ProtocolError {
  return new ProtocolError(`encrypted WinRM body: ${detail}`, {}, cause === undefined ? undefined : { cause });
}

/** Checks the multipart/encrypted Content-Type and returns its boundary. */
function parseEncryptedContentType(contentType: string): string {
  const [type, ...rest] = contentType.split(';');
  if (type?.trim().toLowerCase() !== 'multipart/encrypted') {
    throw fail(`Content-Type is "${contentType}", expected multipart/encrypted`);
  }
  const params = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    params.set(part.slice(0, eq).trim().toLowerCase(), value);
  }
  const protocol = params.get('protocol');
  if (!protocol || protocol.toLowerCase() !== SPNEGO_ENCRYPTED_PROTOCOL.toLowerCase()) {
    throw fail(`Content-Type protocol is ${protocol ? `"${protocol}"` : 'missing'}, expected "${SPNEGO_ENCRYPTED_PROTOCOL}"`);
  }
  const boundary = params.get('boundary');
  if (!boundary) throw fail('Content-Type has no boundary parameter');
  return boundary;
}

function originalLength(originalContent: string | undefined): number {
  if (!originalContent) throw fail('first part has no OriginalContent header');
  const m = /(?:^|;)\s*length\s*=\s*(\d+)\s*(?:;|$)/i.exec(originalContent);
  if (!m) throw fail(`OriginalContent "${originalContent}" has no Length=`);
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n > 0xffffffff) throw fail(`OriginalContent Length=${m[1]} is out of range`);
  return n;
}

/** Offset of the closing `--boundary--` that ends the body (followed only by optional whitespace). */
function closingDelimiterAt(body: Buffer, boundary: string, from: number): number {
  const closing = Buffer.from(`--${boundary}--`, 'latin1');
  let end = body.length;
  while (end > from && (body[end - 1] === 0x0a || body[end - 1] === 0x0d || body[end - 1] === 0x20 || body[end - 1] === 0x09)) end--;
  const at = end - closing.length;
  if (at < from || !body.subarray(at, end).equals(closing)) throw fail(`body does not end with "--${boundary}--"`);
  return at;
}

/** Reads CRLF-terminated text lines from the start of a binary body, up to where the binary part begins. */
class LineReader {
  offset = 0;
  constructor(private readonly body: Buffer) {}

  /** Next line without its CRLF, or undefined at the end of the body. Lines are short: cap at 1 KiB. */
  line(): string | undefined {
    if (this.offset >= this.body.length) return undefined;
    const limit = Math.min(this.body.length, this.offset + 1024);
    const lf = this.body.indexOf(0x0a, this.offset);
    if (lf < 0 || lf >= limit) throw fail(`header line at byte ${this.offset} is not terminated by CRLF`);
    const end = lf > this.offset && this.body[lf - 1] === 0x0d ? lf - 1 : lf;
    const text = this.body.toString('latin1', this.offset, end);
    this.offset = lf + 1;
    return text;
  }

  /** Consumes a `--boundary` line (Exchange writes `-- boundary`, pypsrp tolerates it, so do we). */
  expectDelimiter(boundary: string, what: string): void {
    const at = this.offset;
    const l = this.line();
    if (l === undefined || !isDelimiter(l, boundary)) {
      throw fail(`expected ${what} "--${boundary}" at byte ${at}, found ${l === undefined ? 'end of body' : JSON.stringify(l.slice(0, 60))}`);
    }
  }

  /** Header lines (TAB-indented) up to the next delimiter, which is left unread. Names lower-cased. */
  headers(boundary: string): Map<string, string> {
    const out = new Map<string, string>();
    for (;;) {
      const at = this.offset;
      const l = this.line();
      if (l === undefined) throw fail('body ends inside the first part');
      if (isDelimiter(l, boundary)) {
        this.offset = at;
        return out;
      }
      const colon = l.indexOf(':');
      if (colon < 0) throw fail(`malformed header line ${JSON.stringify(l.slice(0, 60))}`);
      out.set(l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim());
    }
  }
}

function isDelimiter(line: string, boundary: string): boolean {
  const t = line.trimEnd();
  return t === `--${boundary}` || t === `-- ${boundary}`;
}
