/**
 * `auth: negotiate`, the way Windows' Negotiate package chooses: Kerberos when this machine can get
 * a ticket for the host, NTLM when it cannot (no KDC, no SPN registered, no ticket, an account the
 * KDC does not know, such as a local one). A host that refuses a Kerberos ticket, a wrong password
 * or clock skew are errors, not reasons to retry with NTLM. The connection records which one was
 * used and why. Over plain HTTP only NTLM can encrypt the traffic, so NTLM is used and says so.
 */
import { AuthError } from '../../../errors.js';
import { authRefused } from '../errors.js';
import type { HttpConnection } from '../http-connection.js';
import type { AuthContext, Authenticator, ConnectionSecurity } from './authenticator.js';
import { KerberosError } from './kerberos-errors.js';

/** An NTLM refusal that says why NTLM was tried at all: the Kerberos reason is often the real problem. */
function withNote(e: AuthError, note: string): AuthError {
  return new AuthError(`${e.detail} (auth: negotiate used NTLM because ${note.charAt(0).toLowerCase()}${note.slice(1)})`, e.context, { cause: e });
}

export function negotiateAuthenticator(kerberos: Authenticator, ntlm: Authenticator | null, localAccount: boolean): Authenticator {
  let lastUsed: 'kerberos' | 'ntlm' = 'kerberos';
  /** Why the latest connection used NTLM. */
  let ntlmNote = '';
  return {
    scheme: 'negotiate',
    async establish(conn: HttpConnection, ctx: AuthContext): Promise<ConnectionSecurity> {
      let note: string;
      if (!ntlm) {
        lastUsed = 'kerberos';
        return kerberos.establish(conn, ctx);
      }
      if (!ctx.https) note = 'Kerberos over plain HTTP is not supported (use https for Kerberos)';
      else if (localAccount) note = 'a local account cannot use Kerberos';
      else {
        try {
          const s = await kerberos.establish(conn, ctx);
          lastUsed = 'kerberos';
          return s;
        } catch (e) {
          if (!(e instanceof KerberosError && e.canFallBack)) throw e;
          note = `Kerberos was not possible: ${e.detail}`;
        }
      }
      lastUsed = 'ntlm';
      ntlmNote = note;
      try {
        const s = await ntlm.establish(conn, ctx);
        return { ...s, used: { scheme: 'ntlm', note } };
      } catch (e) {
        if (e instanceof AuthError) throw withNote(e, note);
        throw e;
      }
    },
    refused(res, hostName) {
      if (lastUsed === 'kerberos' && kerberos.refused) return kerberos.refused(res, hostName);
      // NTLM's AUTHENTICATE goes with the first request, so its refusal arrives here.
      const e = ntlm?.refused?.(res, hostName) ?? authRefused(hostName, 'ntlm', '(as configured)', 'the service answered 401 Unauthorized');
      return ntlmNote ? withNote(e, ntlmNote) : e;
    },
  };
}
