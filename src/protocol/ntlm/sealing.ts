/**
 * NTLMv2 session security with extended session security (MS-NLMP 3.4.2–3.4.4), in
 * connection-oriented mode: one RC4 handle per direction, keyed once after authentication and never
 * reset; one sequence counter per direction starting at 0. The legacy (non-ESS, CRC32) signature is not
 * supported: Windows always negotiates ESS, and a context without it refuses to sign or seal.
 */
import { ProtocolError } from '../../errors.js';
import { hmacMd5, safeEqual, sealKey, signKey, type KeyDirection } from './crypto.js';
import { describeFlags, hasFlag, NegotiateFlags } from './flags.js';
import { Rc4 } from './rc4.js';

export type NtlmRole = 'client' | 'server';

export const SIGNATURE_LENGTH = 16;

interface DirectionState {
  signKey: Buffer;
  rc4: Rc4;
  seq: number;
}

export class SessionSecurity {
  readonly flags: number;
  readonly role: NtlmRole;
  private readonly out: DirectionState;
  private readonly in: DirectionState;

  /**
   * @param exportedSessionKey the 16-byte ExportedSessionKey of the authenticated context
   * @param flags the negotiated flags (those of the AUTHENTICATE message)
   * @param role which end we are: the client sends with client-to-server keys, the server with server-to-client
   */
  constructor(exportedSessionKey: Buffer, flags: number, role: NtlmRole) {
    if (exportedSessionKey.length !== 16) {
      throw new ProtocolError(`NTLM: exported session key must be 16 bytes, got ${exportedSessionKey.length}`);
    }
    this.flags = flags >>> 0;
    this.role = role;
    const outDir: KeyDirection = role === 'client' ? 'client-to-server' : 'server-to-client';
    const inDir: KeyDirection = role === 'client' ? 'server-to-client' : 'client-to-server';
    this.out = { signKey: signKey(exportedSessionKey, outDir), rc4: new Rc4(sealKey(exportedSessionKey, flags, outDir)), seq: 0 };
    this.in = { signKey: signKey(exportedSessionKey, inDir), rc4: new Rc4(sealKey(exportedSessionKey, flags, inDir)), seq: 0 };
  }

  /** True when the context negotiated confidentiality (SEAL); seal()/unseal() need it. */
  get canSeal(): boolean {
    return hasFlag(this.flags, NegotiateFlags.SEAL) && hasFlag(this.flags, NegotiateFlags.EXTENDED_SESSIONSECURITY);
  }

  /** True when the context can sign (ESS present; Windows signs whenever SIGN or ALWAYS_SIGN is set). */
  get canSign(): boolean {
    return hasFlag(this.flags, NegotiateFlags.EXTENDED_SESSIONSECURITY);
  }

  /** Next outgoing / expected incoming sequence numbers (for diagnostics and tests). */
  get sequence(): { out: number; in: number } {
    return { out: this.out.seq, in: this.in.seq };
  }

  /** Encrypts `message` and signs it: the message first, then the checksum, through the same RC4 handle. */
  seal(message: Buffer): { sealed: Buffer; signature: Buffer } {
    const sealed = Buffer.allocUnsafe(message.length);
    sealed.set(message);
    const signature = this.sealInPlace(sealed);
    return { sealed, signature };
  }

  /**
   * seal() without a copy: signs `message`, then encrypts it where it lies (the framing writes the
   * plaintext straight into the HTTP body and seals it there). Returns the 16-byte signature.
   */
  sealInPlace(message: Uint8Array): Buffer {
    this.requireSeal();
    // The checksum covers the plaintext, so it is computed before the bytes are overwritten; the RC4
    // handle still encrypts the message first and the checksum second, as MS-NLMP 3.4.4.2 orders it.
    const checksum = this.checksumFor(this.out, message);
    this.out.rc4.xorInPlace(message);
    const signature = this.finishSignature(this.out, checksum);
    this.out.seq = (this.out.seq + 1) >>> 0;
    return signature;
  }

  /**
   * Decrypts `sealed` and checks `signature` against the expected incoming sequence number.
   * On a bad signature it throws and rolls the incoming RC4 state back, so a forged message does not
   * desynchronise the genuine ones that follow.
   */
  unseal(sealed: Buffer, signature: Buffer): Buffer {
    const message = Buffer.allocUnsafe(sealed.length);
    message.set(sealed);
    this.unsealInPlace(message, signature);
    return message;
  }

  /**
   * unseal() without a copy: `sealed` is decrypted where it lies. When the signature does not match it
   * throws as unseal() does, and the bytes of `sealed` are then meaningless.
   */
  unsealInPlace(sealed: Uint8Array, signature: Buffer): void {
    this.requireSeal();
    this.checkSignatureShape(signature);
    const saved = this.in.rc4.clone();
    this.in.rc4.xorInPlace(sealed);
    const expected = this.finishSignature(this.in, this.checksumFor(this.in, sealed));
    if (!safeEqual(expected, signature)) {
      this.in.rc4.restore(saved);
      throw new ProtocolError(this.mismatchDetail('unseal', signature));
    }
    this.in.seq = (this.in.seq + 1) >>> 0;
  }

  /** Signature for `message` without encrypting it (integrity only). */
  sign(message: Buffer): Buffer {
    this.requireSign();
    const signature = this.signatureFor(this.out, message);
    this.out.seq = (this.out.seq + 1) >>> 0;
    return signature;
  }

  /** Checks an integrity-only signature; throws ProtocolError when it does not match. */
  verify(message: Buffer, signature: Buffer): void {
    this.requireSign();
    this.checkSignatureShape(signature);
    const saved = this.in.rc4.clone();
    const expected = this.signatureFor(this.in, message);
    if (!safeEqual(expected, signature)) {
      this.in.rc4.restore(saved);
      throw new ProtocolError(this.mismatchDetail('verify', signature));
    }
    this.in.seq = (this.in.seq + 1) >>> 0;
  }

  /** Version 1 ‖ checksum ‖ seq, checksum = HMAC_MD5(SignKey, seq ‖ msg)[0..7], RC4'd when KEY_EXCH. */
  private signatureFor(dir: DirectionState, message: Uint8Array): Buffer {
    return this.finishSignature(dir, this.checksumFor(dir, message));
  }

  /** HMAC_MD5(SignKey, seq ‖ msg), fed the caller's bytes directly (no copy of a large message). */
  private checksumFor(dir: DirectionState, message: Uint8Array): Buffer {
    const seq = Buffer.allocUnsafe(4);
    seq.writeUInt32LE(dir.seq);
    return hmacMd5(dir.signKey, seq, message);
  }

  /** Builds the signature from the full HMAC: keeps its first 8 bytes, RC4s them when KEY_EXCH. */
  private finishSignature(dir: DirectionState, hmac: Buffer): Buffer {
    const signature = Buffer.allocUnsafe(SIGNATURE_LENGTH);
    signature.writeUInt32LE(1, 0);
    hmac.copy(signature, 4, 0, 8);
    signature.writeUInt32LE(dir.seq, 12);
    if (hasFlag(this.flags, NegotiateFlags.KEY_EXCH)) dir.rc4.xorInPlace(signature.subarray(4, 12));
    return signature;
  }

  private checkSignatureShape(signature: Buffer): void {
    if (signature.length !== SIGNATURE_LENGTH) {
      throw new ProtocolError(`NTLM: message signature must be ${SIGNATURE_LENGTH} bytes, got ${signature.length}`);
    }
    if (signature.readUInt32LE(0) !== 1) {
      throw new ProtocolError(`NTLM: message signature version ${signature.readUInt32LE(0)} is not 1`);
    }
  }

  private mismatchDetail(op: string, signature: Buffer): string {
    const got = signature.readUInt32LE(12);
    const seqNote = got === this.in.seq ? `sequence ${got}` : `sequence ${got}, expected ${this.in.seq}`;
    return `NTLM: ${op} failed, the message signature does not match (${seqNote}): the message was altered, replayed or sealed with other keys`;
  }

  private requireSign(): void {
    if (!this.canSign) {
      throw new ProtocolError(`NTLM: the context has no extended session security, signing is not supported (flags ${describeFlags(this.flags)})`);
    }
  }

  private requireSeal(): void {
    if (!this.canSeal) {
      throw new ProtocolError(`NTLM: the context did not negotiate sealing (flags ${describeFlags(this.flags)}), messages cannot be encrypted`);
    }
  }
}
