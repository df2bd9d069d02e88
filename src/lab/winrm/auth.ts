/**
 * Authentication on the lab's WinRM listeners: Basic on every request, and NTLM
 * (under the `Negotiate` or `NTLM` scheme, raw NTLMSSP tokens) as a per-TCP-connection state
 * machine — anonymous → 401 Negotiate; NEGOTIATE → 401 with a CHALLENGE; AUTHENTICATE → verified,
 * after which the connection needs no Authorization header and carries the sealing context.
 * Kerberos (HTTPS): the ticket is checked by MIT's acceptor against the lab's keytab and the
 * connection stays authenticated; refusals carry a KRB-ERROR as Windows sends it. Certificates
 * (HTTPS): the TLS client certificate is mapped to an account as WSMan:\localhost\ClientCertificate does.
 */
import type { X509Certificate } from 'node:crypto';
import { KrbErrorCode, spnegoRejectWithKrbError } from '../../protocol/kerberos/index.js';
import type { GssModule } from '../../protocol/kerberos/gss-module.js';
import type { SessionSecurity } from '../../protocol/ntlm/index.js';
import { certificateUpn, HTTPS_MUTUAL_PROFILE } from '../../protocol/wsman/client-certificate.js';
import { NtlmServer } from './ntlm-server.js';

export interface LabAccount {
  user: string;
  domain: string;
  password: string;
}

export interface HostIdentity {
  netbiosDomain: string;
  netbiosComputer: string;
  dnsDomain: string;
  dnsComputer: string;
}

export interface Authenticated {
  scheme: 'basic' | 'ntlm' | 'kerberos' | 'certificate';
  /** `DOMAIN\user` as the account is configured. */
  account: string;
  /** NTLM session security (sealing over HTTP); null for Basic. */
  security: SessionSecurity | null;
}

/** What the connection keeps between requests. */
export interface ConnectionAuthState {
  ntlm: NtlmServer | null;
  /** The scheme name the client used for NTLM (`Negotiate` or `NTLM`), echoed in challenges. */
  ntlmScheme: string;
  authenticated: Authenticated | null;
}

export function newConnectionAuthState(): ConnectionAuthState {
  return { ntlm: null, ntlmScheme: 'Negotiate', authenticated: null };
}

export type AuthDecision =
  | { kind: 'ok'; auth: Authenticated; fresh: boolean; /** WWW-Authenticate on the reply (Kerberos' AP-REP). */ headers?: string[] }
  | { kind: 'challenge'; headers: string[] }
  /** What the lab cannot do (answered with 501 and this text, never a believable refusal). */
  | { kind: 'not-emulated'; message: string };

export const OFFERED_SCHEMES = ['Negotiate', 'Basic realm="WSMAN"'];

export interface AuthInputs {
  authorization: string | undefined;
  accounts: LabAccount[];
  identity: HostIdentity;
  /** Channel-binding app data of our certificate on HTTPS; null on HTTP. */
  channelBindings: Buffer | null;
  /** Refuse NTLM without a channel binding (CbtHardeningLevel Strict). */
  requireChannelBindings?: boolean;
  refuse: boolean;
}

function findAccount(accounts: LabAccount[], user: string, domain: string, identity: HostIdentity): LabAccount | undefined {
  const u = user.toLowerCase();
  const d = domain.toLowerCase();
  // UPN form (user@dns.domain) arrives as the whole user name with an empty domain.
  const at = u.indexOf('@');
  const [bare, upnDomain] = at >= 0 ? [u.slice(0, at), u.slice(at + 1)] : [u, ''];
  const domainOk = (a: LabAccount) => {
    const ad = a.domain.toLowerCase();
    const candidates = [d, upnDomain].filter(Boolean);
    if (candidates.length === 0) return true;
    return candidates.some(
      (c) =>
        c === ad ||
        c === '.' ||
        c === identity.netbiosComputer.toLowerCase() ||
        c === identity.dnsDomain.toLowerCase() ||
        ad.startsWith(`${c}.`) ||
        c.startsWith(`${ad}.`),
    );
  };
  return accounts.find((a) => a.user.toLowerCase() === bare && domainOk(a));
}

function accountName(a: LabAccount): string {
  return a.domain ? `${a.domain}\\${a.user}` : a.user;
}

/**
 * Decide on one request's authentication. `state` is the connection's; it is updated in place.
 */
export function authorize(state: ConnectionAuthState, input: AuthInputs): AuthDecision {
  const header = input.authorization?.trim();
  if (!header) {
    if (state.authenticated?.scheme === 'ntlm') return { kind: 'ok', auth: state.authenticated, fresh: false };
    return { kind: 'challenge', headers: OFFERED_SCHEMES };
  }
  const sp = header.indexOf(' ');
  const scheme = sp < 0 ? header : header.slice(0, sp);
  const token = sp < 0 ? '' : header.slice(sp + 1).trim();

  if (scheme.toLowerCase() === 'basic') {
    state.authenticated = null;
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0 || input.refuse) return { kind: 'challenge', headers: OFFERED_SCHEMES };
    const name = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const slash = name.indexOf('\\');
    const [domain, user] = slash >= 0 ? [name.slice(0, slash), name.slice(slash + 1)] : ['', name];
    const acct = findAccount(input.accounts, user, domain, input.identity);
    if (!acct || acct.password !== password) return { kind: 'challenge', headers: OFFERED_SCHEMES };
    return { kind: 'ok', auth: { scheme: 'basic', account: accountName(acct), security: null }, fresh: true };
  }

  if (scheme.toLowerCase() === 'negotiate' || scheme.toLowerCase() === 'ntlm') {
    const msg = Buffer.from(token, 'base64');
    const type = msg.length >= 12 && msg.subarray(0, 8).toString('latin1') === 'NTLMSSP\0' ? msg.readUInt32LE(8) : 0;
    const echo = scheme.toLowerCase() === 'ntlm' ? 'NTLM' : 'Negotiate';
    if (type === 1) {
      state.authenticated = null;
      state.ntlm = new NtlmServer();
      state.ntlmScheme = echo;
      try {
        const challenge = state.ntlm.challenge(msg, input.identity);
        return { kind: 'challenge', headers: [`${echo} ${challenge.toString('base64')}`] };
      } catch {
        state.ntlm = null;
        return { kind: 'challenge', headers: OFFERED_SCHEMES };
      }
    }
    if (type === 3 && state.ntlm) {
      const server = state.ntlm;
      state.ntlm = null;
      let found: LabAccount | undefined;
      const result = server.verify(
        msg,
        (user, domain) => {
          found = findAccount(input.accounts, user, domain, input.identity);
          return found ? found.password : null;
        },
        input.channelBindings ? { channelBindings: input.channelBindings, requireChannelBindings: input.requireChannelBindings ?? false } : {},
      );
      if (!result.ok || !found || input.refuse) return { kind: 'challenge', headers: OFFERED_SCHEMES };
      state.authenticated = { scheme: 'ntlm', account: accountName(found), security: result.security };
      return { kind: 'ok', auth: state.authenticated, fresh: true };
    }
    // SPNEGO-wrapped or out-of-order tokens: start over.
    state.ntlm = null;
    state.authenticated = null;
    return { kind: 'challenge', headers: OFFERED_SCHEMES };
  }
  return { kind: 'challenge', headers: OFFERED_SCHEMES };
}

// ---------- Kerberos and certificates (docs/authentication.md) ----------

/** The lab as a Kerberos acceptor: its keytab holds the HTTP/<host> keys (KRB5_KTNAME, set at lab start). */
export interface LabKerberos {
  gss: GssModule;
  /** Realm named in the KRB-ERRORs the lab sends back. */
  realm: string;
}

/** A WSMan:\localhost\ClientCertificate entry: certificates from `issuer` with this UPN log on as `user`. */
export interface CertificateMapping {
  /** The issuing CA's certificate (WinRM stores its thumbprint). */
  issuer: X509Certificate;
  /** The UPN in the client certificate's subjectAltName (WinRM's -Subject). */
  subject: string;
  /** The local account the certificate logs on as (`DOMAIN\user` or `user`). */
  user: string;
}

export interface ExtendedAuthInputs extends AuthInputs {
  https: boolean;
  kerberos: LabKerberos | null;
  /** Names the host's own SPNs carry after HTTP/ (or HOST/), lower case. */
  spnHosts: string[];
  /** The host's clock minus the real one (the profile's clockSkewSec). */
  clockSkewSec: number;
  clientCertificate: X509Certificate | null;
  certificateMappings: CertificateMapping[];
}

/** Kerberos' default tolerance between the client's authenticator time and the acceptor's clock. */
const MAX_SKEW_SEC = 300;
const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';

/** A GSS initial-context token (SPNEGO NegTokenInit or a raw Kerberos AP-REQ), not NTLMSSP. */
function isKerberosToken(msg: Buffer): boolean {
  return msg.length > 2 && msg[0] === 0x60;
}

/** The KRB-ERROR code Windows would send for what MIT's acceptor said. */
export function acceptorErrorCode(message: string): number {
  if (/Clock skew too great/i.test(message)) return KrbErrorCode.KRB_AP_ERR_SKEW;
  if (/Ticket expired/i.test(message)) return KrbErrorCode.KRB_AP_ERR_TKT_EXPIRED;
  if (/Ticket not yet valid/i.test(message)) return KrbErrorCode.KRB_AP_ERR_TKT_NYV;
  if (/replay/i.test(message)) return KrbErrorCode.KRB_AP_ERR_REPEAT;
  if (/kvno \d+ not found|key version/i.test(message)) return KrbErrorCode.KRB_AP_ERR_BADKEYVER;
  // No key for the ticket's service: Windows cannot decrypt it and answers "modified".
  if (/not found in keytab|No key table entry|Wrong principal|Cannot find key|Decrypt integrity check failed|Bad encryption type/i.test(message)) {
    return KrbErrorCode.KRB_AP_ERR_MODIFIED;
  }
  return KrbErrorCode.KRB_ERR_GENERIC;
}

function krbReject(code: number, input: ExtendedAuthInputs, sname: string[]): AuthDecision {
  const token = spnegoRejectWithKrbError({
    errorCode: code,
    serverTime: new Date(Date.now() + input.clockSkewSec * 1000),
    realm: input.kerberos?.realm ?? '',
    sname,
    text: null,
  });
  return { kind: 'challenge', headers: [`Negotiate ${token.toString('base64')}`] };
}

async function acceptKerberos(state: ConnectionAuthState, msg: Buffer, input: ExtendedAuthInputs): Promise<AuthDecision> {
  state.authenticated = null;
  state.ntlm = null;
  const ownSname = ['HTTP', input.spnHosts[0] ?? input.identity.dnsComputer];
  if (!input.kerberos) {
    return { kind: 'not-emulated', message: 'Kerberos is not emulated by this lab: it was started without a keytab (see docs/authentication.md, "In the lab").' };
  }
  if (!input.https) {
    return { kind: 'not-emulated', message: 'Kerberos over plain HTTP (Kerberos message encryption) is not emulated by the lab: use HTTPS.' };
  }
  const server = await input.kerberos.gss.initializeServer('');
  let reply: string;
  try {
    reply = await server.step(msg.toString('base64'));
  } catch (e) {
    return krbReject(acceptorErrorCode((e as Error).message), input, ownSname);
  }
  const target = /^([^/@]+)\/([^@]+)(?:@(.*))?$/.exec(server.targetName ?? '');
  const service = target?.[1]?.toLowerCase();
  // One keytab serves every lab host; a real host only has its own key, so a ticket for another
  // host's SPN is one it could not decrypt.
  if (!target || (service !== 'http' && service !== 'host') || !input.spnHosts.includes(target[2]!.toLowerCase())) {
    return krbReject(KrbErrorCode.KRB_AP_ERR_MODIFIED, input, target ? [target[1]!, target[2]!] : ownSname);
  }
  // MIT accepted the authenticator against the real clock; the host's clock is off by clockSkewSec.
  if (Math.abs(input.clockSkewSec) > MAX_SKEW_SEC) return krbReject(KrbErrorCode.KRB_AP_ERR_SKEW, input, [target[1]!, target[2]!]);
  const at = server.username.lastIndexOf('@');
  const [user, realm] = at > 0 ? [server.username.slice(0, at), server.username.slice(at + 1)] : [server.username, ''];
  const acct = findAccount(input.accounts, user, realm, input.identity);
  // Authenticated but not an account of this host (not an administrator): WinRM answers 401.
  if (!acct || input.refuse) return { kind: 'challenge', headers: OFFERED_SCHEMES };
  state.authenticated = { scheme: 'kerberos', account: accountName(acct), security: null };
  return { kind: 'ok', auth: state.authenticated, fresh: true, headers: [`Negotiate ${reply}`] };
}

/** The account a client certificate maps to, or null (WinRM then answers 401). */
export function mapCertificate(cert: X509Certificate, mappings: CertificateMapping[], accounts: LabAccount[], identity: HostIdentity, now = new Date()): LabAccount | null {
  const upn = certificateUpn(cert)?.toLowerCase();
  if (!upn) return null;
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) return null;
  const eku = cert.keyUsage;
  if (eku && eku.length > 0 && !eku.includes(CLIENT_AUTH_EKU)) return null;
  for (const m of mappings) {
    if (m.subject.toLowerCase() !== upn) continue;
    if (!cert.checkIssued(m.issuer) || !cert.verify(m.issuer.publicKey)) continue;
    const slash = m.user.indexOf('\\');
    const [domain, user] = slash >= 0 ? [m.user.slice(0, slash), m.user.slice(slash + 1)] : ['', m.user];
    const acct = findAccount(accounts, user, domain, identity);
    if (acct) return acct;
  }
  return null;
}

/**
 * authorize(), plus what needs more than one synchronous step: Kerberos tickets (the acceptor
 * runs off the event loop) and client certificates (the TLS connection's peer certificate).
 */
export async function authorizeRequest(state: ConnectionAuthState, input: ExtendedAuthInputs): Promise<AuthDecision> {
  const header = input.authorization?.trim() ?? '';
  if (header.toLowerCase() === HTTPS_MUTUAL_PROFILE) {
    state.authenticated = null;
    if (!input.https || !input.clientCertificate || input.refuse) return { kind: 'challenge', headers: OFFERED_SCHEMES };
    const acct = mapCertificate(input.clientCertificate, input.certificateMappings, input.accounts, input.identity);
    if (!acct) return { kind: 'challenge', headers: OFFERED_SCHEMES };
    return { kind: 'ok', auth: { scheme: 'certificate', account: accountName(acct), security: null }, fresh: true };
  }
  const m = /^Negotiate\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (m) {
    const msg = Buffer.from(m[1]!, 'base64');
    if (isKerberosToken(msg)) return acceptKerberos(state, msg, input);
  }
  if (!header && state.authenticated?.scheme === 'kerberos') return { kind: 'ok', auth: state.authenticated, fresh: false };
  return authorize(state, input);
}
