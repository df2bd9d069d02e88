/**
 * Authentication on the lab's WinRM listeners (winrm.md §3, §8): Basic on every request, and NTLM
 * (under the `Negotiate` or `NTLM` scheme, raw NTLMSSP tokens) as a per-TCP-connection state
 * machine — anonymous → 401 Negotiate; NEGOTIATE → 401 with a CHALLENGE; AUTHENTICATE → verified,
 * after which the connection needs no Authorization header and carries the sealing context.
 */
import type { SessionSecurity } from '../../protocol/ntlm/index.js';
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
  scheme: 'basic' | 'ntlm';
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
  | { kind: 'ok'; auth: Authenticated; fresh: boolean }
  | { kind: 'challenge'; headers: string[] };

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
