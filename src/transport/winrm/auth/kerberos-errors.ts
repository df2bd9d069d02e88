/**
 * What MIT Kerberos (kinit, GSS-API) and a refusing host say, turned into one typed error per
 * cause with what to do about it (docs/authentication.md, "Kerberos errors"). Pure: the texts are
 * matched here and nowhere else, so the mapping is tested on its own.
 */
import { AuthError, type ErrorContext } from '../../../errors.js';
import { KrbErrorCode, krbErrorName, type KrbError } from '../../../protocol/kerberos/index.js';

export type KerberosFailure =
  | 'wrong-password'
  | 'unknown-principal'
  | 'wrong-spn'
  | 'clock-skew'
  | 'expired'
  | 'no-credentials'
  | 'kdc-unreachable'
  | 'account-unusable'
  | 'refused'
  | 'other';

/** Causes on this machine's side, before the host saw anything: Negotiate may still use NTLM. */
const FALLBACK: ReadonlySet<KerberosFailure> = new Set(['unknown-principal', 'wrong-spn', 'no-credentials', 'kdc-unreachable']);

export class KerberosError extends AuthError {
  readonly failure: KerberosFailure;
  constructor(failure: KerberosFailure, detail: string, context: ErrorContext, cause?: unknown) {
    super(detail, context, { cause });
    this.failure = failure;
  }
  /** Windows' Negotiate falls back to NTLM when Kerberos cannot even start (no KDC, no SPN, no ticket). */
  get canFallBack(): boolean {
    return FALLBACK.has(this.failure);
  }
}

export interface KerberosErrorContext {
  host: string;
  /** `user@REALM`, or null for the ticket cache's default principal. */
  principal: string | null;
  spn: string;
  /** Where the tickets come from, for messages: `a private ticket cache (kinit as user@REALM)` or the KRB5CCNAME. */
  ccache: string;
}

const SPN_HINT =
  'The KDC needs a service principal HTTP/<name> for the name this tool uses: set the host address (or winrm.tls.serverName) to the host\'s DNS name, or winrm.spn to the registered SPN (on a domain machine: setspn -Q HTTP/<name>).';
const SKEW_HINT =
  'Kerberos allows 5 minutes between the clocks of this machine, the KDC and the host: synchronise them (on the host: w32tm /resync; here: chrony or systemd-timesyncd).';

/** Map a kinit or GSS-API failure message (MIT wording) to a KerberosError. */
export function kerberosFailure(message: string, c: KerberosErrorContext, cause?: unknown): KerberosError {
  const who = c.principal ?? 'the default principal';
  const m = message.replace(/\s+/g, ' ').trim();
  const e = (failure: KerberosFailure, detail: string, hint: string) => new KerberosError(failure, detail, { host: c.host, hint }, cause);
  if (/Password incorrect|Preauthentication failed/i.test(m)) {
    return e('wrong-password', `Kerberos login as ${who} failed: the KDC refused the password`, 'Check winrm.password (after several failures the domain may lock the account).');
  }
  let x = /Client '?([^' ]+)'? not found in Kerberos database/i.exec(m);
  if (x) {
    return e('unknown-principal', `Kerberos login failed: the KDC does not know the principal ${x[1]}`, 'Write winrm.user as user@REALM, the realm being the AD domain in capitals (svc-cortex@CORP.EXAMPLE.COM); a local account needs auth: ntlm.');
  }
  x = /Server '?([^' ]+)'? not found in Kerberos database/i.exec(m);
  if (x) return e('wrong-spn', `the KDC has no service principal ${x[1]} (asked for ${c.spn})`, SPN_HINT);
  if (/Clock skew too great/i.test(m)) return e('clock-skew', `Kerberos refused: clock skew too great (${who}, ${c.spn})`, SKEW_HINT);
  if (/Ticket expired|credentials? (have|has) expired|Credentials cache .*expired/i.test(m)) {
    return e('expired', `the Kerberos ticket of ${who} in ${c.ccache} has expired`, 'Run kinit again, or set winrm.password so cortex-deploy gets its own tickets.');
  }
  if (/Cannot contact any KDC|Cannot find KDC|Cannot resolve network address for KDC|Connection refused while getting/i.test(m)) {
    return e('kdc-unreachable', `no KDC answered for ${who}: ${m}`, 'Check krb5.conf (KRB5_CONFIG) or the DNS SRV records of the realm, and that this machine reaches a domain controller on port 88.');
  }
  if (/No credentials cache found|No Kerberos credentials available|SPNEGO cannot find mechanisms|Can't find client principal|No credentials were supplied/i.test(m)) {
    return e('no-credentials', `no Kerberos ticket for ${who} in ${c.ccache}`, 'Run kinit user@REALM first (or use a keytab), or set winrm.password so cortex-deploy logs in itself.');
  }
  if (/credentials have been revoked|Password has expired|Client not yet valid|account.*(locked|disabled)/i.test(m)) {
    return e('account-unusable', `Kerberos login as ${who} failed: ${m}`, 'The account is disabled, locked or its password expired: ask the domain administrators.');
  }
  return e('other', `Kerberos failed for ${who} and ${c.spn}: ${m}`, 'See docs/authentication.md, "Kerberos errors".');
}

/** The error for a 401 in answer to our Kerberos ticket, with the host's KRB-ERROR when it sent one. */
export function kerberosRefused(krb: KrbError | null, c: KerberosErrorContext, now = new Date()): KerberosError {
  const who = c.principal ?? 'the default principal';
  if (!krb) {
    return new KerberosError('refused', `the host refused the Kerberos ticket of ${who} for ${c.spn} (HTTP 401, no reason given)`, {
      host: c.host,
      hint: `Check that the account may use WinRM (local Administrators or Remote Management Users), that Kerberos is enabled on the WinRM service, and that ${c.spn} is registered to this host's computer account.`,
    });
  }
  const code = krbErrorName(krb.errorCode);
  switch (krb.errorCode) {
    case KrbErrorCode.KRB_AP_ERR_SKEW: {
      const diffSec = Math.round((krb.serverTime.getTime() - now.getTime()) / 1000);
      const side = diffSec === 0 ? 'agrees with this machine\'s' : `is ${Math.abs(diffSec)} s ${diffSec > 0 ? 'ahead of' : 'behind'} this machine's`;
      return new KerberosError('clock-skew', `the host refused the Kerberos ticket: clock skew too great (${code}); its clock reads ${krb.serverTime.toISOString()}, which ${side}`, { host: c.host, hint: SKEW_HINT });
    }
    case KrbErrorCode.KRB_AP_ERR_TKT_EXPIRED:
      return new KerberosError('expired', `the host refused the Kerberos ticket of ${who}: it has expired (${code})`, { host: c.host, hint: 'Run kinit again (or set winrm.password); if tickets are fresh, the host\'s clock is ahead: ' + SKEW_HINT });
    case KrbErrorCode.KRB_AP_ERR_MODIFIED:
    case KrbErrorCode.KRB_AP_ERR_NOT_US:
    case KrbErrorCode.KRB_AP_ERR_BADMATCH:
    case KrbErrorCode.KRB_AP_ERR_NOKEY:
    case KrbErrorCode.KRB_AP_ERR_BADKEYVER:
      return new KerberosError('wrong-spn', `the host cannot read the ticket for ${c.spn} (${code}): that SPN belongs to another account or host, or the host's key changed`, { host: c.host, hint: SPN_HINT });
    default:
      return new KerberosError('refused', `the host refused the Kerberos ticket of ${who} for ${c.spn} (${code}${krb.text ? `: ${krb.text}` : ''})`, { host: c.host, hint: 'See docs/authentication.md, "Kerberos errors".' });
  }
}
