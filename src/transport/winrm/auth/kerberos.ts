/**
 * Kerberos over HTTP `Negotiate` (RFC 4559), HTTPS only: one leg on the new connection with an
 * empty body — `Authorization: Negotiate <SPNEGO token with the AP-REQ>` — answered by a 200 whose
 * `WWW-Authenticate: Negotiate <AP-REP>` proves the host holds the service key (mutual
 * authentication, required). The host keeps the connection authenticated, as HTTP.sys does, so
 * later requests carry no header. TLS protects the bodies: Kerberos message encryption over plain
 * HTTP needs gss_wrap_iov, which the GSS binding does not offer (docs/authentication.md).
 */
import { InputError, ProtocolError } from '../../../errors.js';
import { krbErrorInToken } from '../../../protocol/kerberos/index.js';
import { CONTENT_TYPE_SOAP } from '../../../protocol/wsman/namespaces.js';
import type { HttpConnection } from '../http-connection.js';
import { header, type HttpResponse } from '../http-parser.js';
import { payloadBytes, type AuthContext, type Authenticator, type ConnectionSecurity } from './authenticator.js';
import { ambientCacheName, loadGss, loginWithPassword, privateCollection, withCcache, type GssClient } from './gssapi.js';
import { KerberosError, kerberosFailure, kerberosRefused, type KerberosErrorContext } from './kerberos-errors.js';

export interface KerberosAuthOptions {
  /** `user@REALM`, `DOMAIN\user` or `user`; null: the ticket cache's default principal. */
  user: string | null;
  /** With a password this tool logs in itself (kinit into a private cache); without, it uses the operator's tickets. */
  password: string | null;
  /** `HTTP/<host name>`. */
  spn: string;
}

/**
 * The Kerberos principal for an inventory user: `user@dns.domain` → `user@DNS.DOMAIN` (realms are
 * the AD domain in capitals); `CORP.EXAMPLE\user` likewise; a NetBIOS `CORP\user` or a bare `user`
 * → `user` in the default realm of krb5.conf. Null when the user names a local account (`.\user`).
 */
export function principalOf(user: string | null): string | null | 'local' {
  if (!user) return null;
  const slash = user.indexOf('\\');
  if (slash >= 0) {
    const domain = user.slice(0, slash);
    const name = user.slice(slash + 1);
    if (domain === '.' || domain === '') return 'local';
    return domain.includes('.') ? `${name}@${domain.toUpperCase()}` : name;
  }
  const at = user.lastIndexOf('@');
  return at > 0 ? `${user.slice(0, at)}@${user.slice(at + 1).toUpperCase()}` : user;
}

/** `HTTP/host` → `HTTP@host`, the host-based service name GSS-API imports. */
function gssServiceName(spn: string): string {
  const slash = spn.indexOf('/');
  return slash > 0 ? `${spn.slice(0, slash)}@${spn.slice(slash + 1)}` : spn;
}

/** The base64 token of a `WWW-Authenticate: Negotiate <token>` header, if any. */
export function negotiateToken(res: HttpResponse): string | null {
  for (const v of res.headers.get('www-authenticate') ?? []) {
    const m = /^Negotiate\s+([A-Za-z0-9+/=]+)\s*$/i.exec(v.trim());
    if (m) return m[1]!;
  }
  return null;
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms)))]).finally(() => clearTimeout(timer));
}

export function kerberosAuthenticator(opts: KerberosAuthOptions): Authenticator {
  const principal = principalOf(opts.user);
  const errCtx = (host: string): KerberosErrorContext => ({
    host,
    principal: principal === 'local' ? opts.user : principal,
    spn: opts.spn,
    ccache: opts.password ? `a private ticket cache (kinit as ${principal ?? 'the default principal'})` : ambientCacheName(),
  });

  /** The SPNEGO token for the host (a TGS exchange with the KDC, unless the ticket is cached). */
  async function firstToken(host: string, timeoutMs: number, fresh: boolean): Promise<{ client: GssClient; token: string }> {
    const gss = loadGss(host);
    const c = errCtx(host);
    if (principal === 'local') {
      throw new KerberosError('unknown-principal', `${opts.user} is a local account, which Kerberos cannot log in`, { host, hint: 'Use auth: ntlm (or negotiate) for local accounts.' });
    }
    let ccache: string | null = null;
    if (opts.password) {
      if (!principal) throw new InputError('Kerberos with a password needs winrm.user', { host, field: 'winrm.user', hint: 'Set winrm.user: user@REALM.' });
      await loginWithPassword(principal, opts.password, c, timeoutMs, fresh);
      ccache = privateCollection();
    }
    return withCcache(ccache, async () => {
      try {
        const work = (async () => {
          const client = await gss.initializeClient(gssServiceName(opts.spn), {
            mechOID: gss.GSS_MECH_OID_SPNEGO,
            gssFlag: gss.GSS_C_MUTUAL_FLAG | gss.GSS_C_SEQUENCE_FLAG,
            ...(principal ? { principal } : {}),
          });
          return { client, token: await client.step('') };
        })();
        return await withTimeout(work, timeoutMs, () => kerberosFailure(`Cannot contact any KDC: no ticket for ${opts.spn} within ${timeoutMs} ms`, c));
      } catch (e) {
        if (e instanceof KerberosError || e instanceof InputError) throw e;
        throw kerberosFailure((e as Error).message, errCtx(host), e);
      }
    });
  }

  return {
    scheme: 'kerberos',
    async establish(conn: HttpConnection, ctx: AuthContext): Promise<ConnectionSecurity> {
      if (!ctx.https) {
        throw new InputError('Kerberos over plain HTTP needs message encryption (gss_wrap_iov) that this tool cannot do', {
          host: ctx.hostName,
          field: 'winrm.scheme',
          hint: 'Use scheme: https (port 5986) with auth: kerberos; see docs/authentication.md.',
        });
      }
      let first;
      try {
        first = await firstToken(ctx.hostName, ctx.timeoutMs, false);
      } catch (e) {
        // Our own tickets ran out during a long run: log in again once.
        if (!(e instanceof KerberosError && e.failure === 'expired' && opts.password)) throw e;
        first = await firstToken(ctx.hostName, ctx.timeoutMs, true);
      }
      const res = await conn.request(
        { method: 'POST', path: ctx.path, headers: { Authorization: `Negotiate ${first.token}`, 'Content-Type': CONTENT_TYPE_SOAP }, body: Buffer.alloc(0) },
        ctx.timeoutMs,
        'Kerberos authentication',
      );
      if (res.status === 401) {
        const t = negotiateToken(res);
        throw kerberosRefused(t ? krbErrorInToken(Buffer.from(t, 'base64')) : null, errCtx(ctx.hostName));
      }
      if (res.status !== 200) {
        const text = (header(res, 'content-type') ?? '').startsWith('text/plain') ? `: ${res.body.subarray(0, 300).toString('utf8')}` : '';
        throw new ProtocolError(`WinRM answered the Kerberos authentication with HTTP ${res.status} ${res.reason}${text}`.trim(), { host: ctx.hostName });
      }
      const mutual = negotiateToken(res);
      if (!mutual) {
        throw new KerberosError('refused', `the host accepted the ticket but sent no Kerberos reply (AP-REP), so it did not prove it holds the key of ${opts.spn}`, {
          host: ctx.hostName,
          hint: 'Something between this machine and the host answers in its place; check proxies and the address.',
        });
      }
      try {
        await first.client.step(mutual);
      } catch (e) {
        throw new KerberosError('refused', `the host's Kerberos reply did not verify (mutual authentication failed): ${(e as Error).message}`, { host: ctx.hostName }, e);
      }
      if (!first.client.contextComplete) throw new ProtocolError('the Kerberos exchange did not complete in one round trip', { host: ctx.hostName });
      return {
        headers: () => ({}),
        wrap: (soap) => ({ body: payloadBytes(soap), contentType: CONTENT_TYPE_SOAP }),
        unwrap: (r) => r.body,
        used: { scheme: 'kerberos', note: null },
      };
    },
    refused(res, hostName) {
      const t = negotiateToken(res);
      const krb = t ? krbErrorInToken(Buffer.from(t, 'base64')) : null;
      return kerberosRefused(krb, errCtx(hostName));
    },
  };
}
