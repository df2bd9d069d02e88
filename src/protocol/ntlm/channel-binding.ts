/**
 * Channel binding for NTLM over HTTPS (Extended Protection for Authentication): the "tls-server-end-point"
 * binding of RFC 5929 §4, carried in the MsvAvChannelBindings AV pair as the MD5 of a
 * gss_channel_bindings_struct.
 */
import { createHash } from 'node:crypto';
import { ProtocolError } from '../../errors.js';
import { md5 } from './crypto.js';

/** Signature algorithm OIDs → the hash the signature uses (RFC 5929 §4.1 then upgrades MD5/SHA-1). */
const SIGNATURE_HASH_BY_OID: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha1', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha1', // dsa-with-sha1
  '2.16.840.1.101.3.4.3.1': 'sha224', // dsa-with-sha224
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-sha256
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const HASH_BY_OID: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.4': 'sha224',
};

interface Tlv {
  tag: number;
  /** Offset of the value. */
  start: number;
  /** Offset just past the value. */
  end: number;
}

/** Reads one DER TLV at `at`, bounded by `limit`. */
function readTlv(der: Buffer, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new ProtocolError('certificate DER: truncated tag/length');
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) throw new ProtocolError('certificate DER: unsupported or truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  if (start + len > limit) throw new ProtocolError('certificate DER: element runs past its container');
  return { tag, start, end: start + len };
}

function decodeOid(bytes: Buffer): string {
  if (bytes.length === 0) throw new ProtocolError('certificate DER: empty OID');
  const first = bytes[0]!;
  const parts = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let value = 0;
  for (let i = 1; i < bytes.length; i++) {
    value = value * 128 + (bytes[i]! & 0x7f);
    if (!(bytes[i]! & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** The OID of an AlgorithmIdentifier SEQUENCE, plus its parameters element if any. */
function readAlgorithmIdentifier(der: Buffer, seq: Tlv): { oid: string; params?: Tlv } {
  if (seq.tag !== 0x30) throw new ProtocolError('certificate DER: AlgorithmIdentifier is not a SEQUENCE');
  const oid = readTlv(der, seq.start, seq.end);
  if (oid.tag !== 0x06) throw new ProtocolError('certificate DER: AlgorithmIdentifier does not start with an OID');
  const result: { oid: string; params?: Tlv } = { oid: decodeOid(der.subarray(oid.start, oid.end)) };
  if (oid.end < seq.end) result.params = readTlv(der, oid.end, seq.end);
  return result;
}

/** Hash named by RSASSA-PSS parameters ([0] hashAlgorithm, default SHA-1). */
function pssHash(der: Buffer, params: Tlv | undefined): string {
  if (!params || params.tag !== 0x30 || params.start === params.end) return 'sha1';
  const first = readTlv(der, params.start, params.end);
  if (first.tag !== 0xa0) return 'sha1';
  const alg = readAlgorithmIdentifier(der, readTlv(der, first.start, first.end));
  const hash = HASH_BY_OID[alg.oid];
  if (!hash) throw new ProtocolError(`certificate uses RSASSA-PSS with an unknown hash ${alg.oid}`);
  return hash;
}

/** The OID of the certificate's outer signatureAlgorithm (Node's X509Certificate does not expose it). */
export function certificateSignatureAlgorithm(certDer: Buffer): { oid: string; hash: string | undefined } {
  const cert = readTlv(certDer, 0, certDer.length);
  if (cert.tag !== 0x30) throw new ProtocolError('certificate DER: not a SEQUENCE');
  const tbs = readTlv(certDer, cert.start, cert.end);
  const algSeq = readTlv(certDer, tbs.end, cert.end);
  const alg = readAlgorithmIdentifier(certDer, algSeq);
  const hash = alg.oid === RSASSA_PSS ? pssHash(certDer, alg.params) : SIGNATURE_HASH_BY_OID[alg.oid];
  return { oid: alg.oid, hash };
}

/**
 * RFC 5929 §4.1 certificate hash: the hash of the certificate's signature algorithm, except MD5 and
 * SHA-1 become SHA-256. Algorithms with no single hash (Ed25519, …) fall back to SHA-256, which is what
 * Windows and requests-ntlm do for anything they do not recognise.
 */
export function tlsServerEndPointHash(certDer: Buffer): Buffer {
  const { hash } = certificateSignatureAlgorithm(certDer);
  const algorithm = hash === undefined || hash === 'md5' || hash === 'sha1' ? 'sha256' : hash;
  return createHash(algorithm).update(certDer).digest();
}

/** Application data of the tls-server-end-point binding: "tls-server-end-point:" ‖ hash. */
export function tlsServerEndPointAppData(certDer: Buffer): Buffer {
  return Buffer.concat([Buffer.from('tls-server-end-point:', 'ascii'), tlsServerEndPointHash(certDer)]);
}

/**
 * MsvAvChannelBindings value: MD5 of gss_channel_bindings_struct with no addresses — four zero uint32
 * (initiator/acceptor address type and length), the application data length (uint32 LE), the data.
 */
export function channelBindingsAvValue(appData: Buffer): Buffer {
  const head = Buffer.alloc(20);
  head.writeUInt32LE(appData.length, 16);
  return md5(head, appData);
}
