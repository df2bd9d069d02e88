/**
 * KRB-ERROR (RFC 4120 §5.9.1) as an HTTP Negotiate acceptor sends it back with a 401: inside the
 * GSS-API Kerberos framing (RFC 4121 §4.1, token id 03 00) and, under SPNEGO, as the responseToken
 * of a NegTokenResp that rejects (RFC 4178 §4.2.2). The message is not encrypted, so a client can
 * read why the host refused its ticket (clock skew, a ticket for another service) and the host's
 * time. The lab builds these from its acceptor's verdict; the client decodes them.
 */
import { ProtocolError } from '../../errors.js';
import { ctx, derInteger, ENUMERATED, GENERAL_STRING, GENERALIZED_TIME, OCTET_STRING, OID_TAG, readAll, readInteger, readTlv, SEQUENCE, tlv } from './der.js';

/** Kerberos error codes an acceptor returns (RFC 4120 §7.5.9), with what they mean here. */
export const KrbErrorCode = {
  KRB_AP_ERR_BAD_INTEGRITY: 31,
  KRB_AP_ERR_TKT_EXPIRED: 32,
  KRB_AP_ERR_TKT_NYV: 33,
  KRB_AP_ERR_REPEAT: 34,
  KRB_AP_ERR_NOT_US: 35,
  KRB_AP_ERR_BADMATCH: 36,
  KRB_AP_ERR_SKEW: 37,
  KRB_AP_ERR_MODIFIED: 41,
  KRB_AP_ERR_BADKEYVER: 44,
  KRB_AP_ERR_NOKEY: 45,
  KRB_ERR_GENERIC: 60,
} as const;

export function krbErrorName(code: number): string {
  return Object.entries(KrbErrorCode).find(([, v]) => v === code)?.[0] ?? `Kerberos error ${code}`;
}

export interface KrbError {
  errorCode: number;
  /** The acceptor's clock when it refused (stime + susec). */
  serverTime: Date;
  realm: string;
  /** Service principal components, e.g. ['HTTP', 'web01.corp.example']. */
  sname: string[];
  text: string | null;
}

/** The Kerberos 5 GSS-API mechanism, 1.2.840.113554.1.2.2. */
export const KRB5_MECH_OID = Buffer.from('06092a864886f712010202', 'hex');
/** Token id of a KRB-ERROR inside the GSS framing. */
const TOK_ID_KRB_ERROR = Buffer.from([0x03, 0x00]);

function kerberosTime(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return tlv(GENERALIZED_TIME, Buffer.from(s, 'ascii'));
}

function parseKerberosTime(value: Buffer, what: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(value.toString('latin1'));
  if (!m) throw new ProtocolError(`${what}: malformed KerberosTime`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

export function encodeKrbError(e: KrbError): Buffer {
  const usec = (e.serverTime.getTime() % 1000) * 1000;
  const fields = [
    tlv(ctx(0), derInteger(5)),
    tlv(ctx(1), derInteger(30)),
    tlv(ctx(4), kerberosTime(e.serverTime)),
    tlv(ctx(5), derInteger(usec)),
    tlv(ctx(6), derInteger(e.errorCode)),
    tlv(ctx(9), tlv(GENERAL_STRING, Buffer.from(e.realm, 'utf8'))),
    tlv(ctx(10), tlv(SEQUENCE, tlv(ctx(0), derInteger(2)), tlv(ctx(1), tlv(SEQUENCE, ...e.sname.map((c) => tlv(GENERAL_STRING, Buffer.from(c, 'utf8'))))))),
    ...(e.text ? [tlv(ctx(11), tlv(GENERAL_STRING, Buffer.from(e.text, 'utf8')))] : []),
  ];
  return tlv(0x7e, tlv(SEQUENCE, ...fields));
}

export function decodeKrbError(buf: Buffer): KrbError {
  const what = 'KRB-ERROR';
  const app = readTlv(buf, 0, what);
  if (app.tag !== 0x7e) throw new ProtocolError(`${what}: not a KRB-ERROR (tag 0x${app.tag.toString(16)})`);
  const seq = readTlv(app.value, 0, what);
  if (seq.tag !== SEQUENCE) throw new ProtocolError(`${what}: expected a SEQUENCE`);
  const f = new Map(readAll(seq.value, what).map((t) => [t.tag, readTlv(t.value, 0, what)]));
  const need = (n: number) => {
    const t = f.get(ctx(n));
    if (!t) throw new ProtocolError(`${what}: field [${n}] is missing`);
    return t;
  };
  if (readInteger(need(1), what) !== 30) throw new ProtocolError(`${what}: msg-type is not 30`);
  const stime = need(4);
  if (stime.tag !== GENERALIZED_TIME) throw new ProtocolError(`${what}: stime is not a GeneralizedTime`);
  const usec = f.get(ctx(5));
  const serverTime = new Date(parseKerberosTime(stime.value, what).getTime() + (usec ? Math.floor(readInteger(usec, what) / 1000) : 0));
  const sname = f.get(ctx(10));
  let components: string[] = [];
  if (sname && sname.tag === SEQUENCE) {
    const parts = new Map(readAll(sname.value, what).map((t) => [t.tag, t]));
    const names = parts.get(ctx(1));
    if (names) components = readAll(readTlv(names.value, 0, what).value, what).map((t) => t.value.toString('utf8'));
  }
  const text = f.get(ctx(11));
  const realm = f.get(ctx(9));
  return {
    errorCode: readInteger(need(6), what),
    serverTime,
    realm: realm ? realm.value.toString('utf8') : '',
    sname: components,
    text: text ? text.value.toString('utf8') : null,
  };
}

/** KRB-ERROR in the GSS-API framing, as a Kerberos mechanism token. */
export function gssKrbErrorToken(e: KrbError): Buffer {
  return tlv(0x60, KRB5_MECH_OID, TOK_ID_KRB_ERROR, encodeKrbError(e));
}

/** A SPNEGO NegTokenResp that rejects, carrying a KRB-ERROR (what goes after `Negotiate ` on a 401). */
export function spnegoRejectWithKrbError(e: KrbError): Buffer {
  return tlv(
    ctx(1),
    tlv(SEQUENCE, tlv(ctx(0), tlv(ENUMERATED, Buffer.from([2]))), tlv(ctx(1), KRB5_MECH_OID), tlv(ctx(2), tlv(OCTET_STRING, gssKrbErrorToken(e)))),
  );
}

/**
 * The KRB-ERROR inside a Negotiate token from a 401 (SPNEGO NegTokenResp, a raw Kerberos GSS token,
 * or a bare KRB-ERROR), or null when the token carries none. Malformed tokens give null too: the
 * caller still reports the refusal, only with less detail.
 */
export function krbErrorInToken(token: Buffer): KrbError | null {
  try {
    let t = token;
    if (t[0] === ctx(1)) {
      const seq = readTlv(readTlv(t, 0, 'NegTokenResp').value, 0, 'NegTokenResp');
      const resp = readAll(seq.value, 'NegTokenResp').find((x) => x.tag === ctx(2));
      if (!resp) return null;
      t = readTlv(resp.value, 0, 'NegTokenResp').value;
    }
    if (t[0] === 0x60) {
      const inner = readTlv(t, 0, 'GSS token').value;
      const oid = readTlv(inner, 0, 'GSS token');
      if (oid.tag !== OID_TAG) return null;
      const rest = inner.subarray(oid.end);
      if (rest.length < 2 || rest[0] !== 0x03 || rest[1] !== 0x00) return null;
      t = rest.subarray(2);
    }
    return t[0] === 0x7e ? decodeKrbError(t) : null;
  } catch {
    return null;
  }
}
