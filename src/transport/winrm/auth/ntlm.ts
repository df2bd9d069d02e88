/**
 * NTLMv2 over HTTP `Negotiate`/`NTLM`: the NEGOTIATE goes on its own with an empty body; the
 * AUTHENTICATE goes with the connection's first request, whose body is already sealed with the keys
 * it establishes (as the Ruby WinRM gem did against Windows for years; pywinrm spends a round trip
 * sending it with an empty body first). After that every request on the socket is authenticated.
 * A host that answers such a first request with HTTP 400 gets the AUTHENTICATE on its own instead
 * (the channel asks for that with `lastLegWithRequest: false`). Over plain HTTP the context must
 * grant SEAL and every body travels sealed (multipart/encrypted, MS-WSMV 2.2.9.1); over HTTPS, TLS
 * protects the bodies and the AUTHENTICATE carries a channel binding to the server certificate
 * (RFC 5929 tls-server-end-point), so a relayed handshake fails.
 * See docs/winrm.md, "How a session works".
 */
import { CortexError, ProtocolError } from '../../../errors.js';
import { NtlmClient, tlsServerEndPointAppData } from '../../../protocol/ntlm/index.js';
import { BodyBuffer, decryptBody, encryptBody } from '../../../protocol/wsman/encryption.js';
import { CONTENT_TYPE_SOAP } from '../../../protocol/wsman/namespaces.js';
import { authRefused } from '../errors.js';
import type { HttpConnection } from '../http-connection.js';
import { header, type HttpResponse } from '../http-parser.js';
import { payloadBytes, type AuthContext, type Authenticator, type ConnectionSecurity } from './authenticator.js';

export interface NtlmAuthOptions {
  /** `DOMAIN\user`, `user@domain` or `user`. */
  user: string;
  password: string;
  /** Name the certificate is checked against (for MsvAvTargetName `HTTP/<name>`). */
  serviceName: string;
}

/** The NTLM token in a 401's WWW-Authenticate headers, with the scheme that carried it. */
export function challengeToken(res: HttpResponse): { scheme: string; token: Buffer } | null {
  for (const v of res.headers.get('www-authenticate') ?? []) {
    const m = /^(Negotiate|NTLM)\s+([A-Za-z0-9+/=]+)\s*$/i.exec(v.trim());
    if (m) return { scheme: m[1]!, token: Buffer.from(m[2]!, 'base64') };
  }
  return null;
}

export function offeredSchemes(res: HttpResponse): string[] {
  return (res.headers.get('www-authenticate') ?? []).map((v) => v.trim().split(/\s+/)[0]!.toLowerCase());
}

function withHost(e: unknown, host: string): unknown {
  if (e instanceof ProtocolError && !e.context.host) return new ProtocolError(e.detail, { ...e.context, host }, { cause: e });
  return e;
}

export function ntlmAuthenticator(opts: NtlmAuthOptions): Authenticator {
  return {
    scheme: 'ntlm',
    async establish(conn: HttpConnection, ctx: AuthContext): Promise<ConnectionSecurity> {
      const client = new NtlmClient();
      const negotiate = client.negotiate();
      const leg = (scheme: string, token: Buffer, what: string) =>
        conn.request(
          {
            method: 'POST',
            path: ctx.path,
            headers: { Authorization: `${scheme} ${token.toString('base64')}`, 'Content-Type': CONTENT_TYPE_SOAP },
            body: Buffer.alloc(0),
          },
          ctx.timeoutMs,
          what,
        );
      let scheme = 'Negotiate';
      let res = await leg(scheme, negotiate, 'NTLM negotiate');
      let found = res.status === 401 ? challengeToken(res) : null;
      if (res.status === 401 && !found && offeredSchemes(res).includes('ntlm')) {
        // A service that offers only the `NTLM` header scheme: answer in that one.
        scheme = 'NTLM';
        res = await leg(scheme, negotiate, 'NTLM negotiate');
        found = res.status === 401 ? challengeToken(res) : null;
      }
      if (res.status !== 401) {
        throw new ProtocolError(`WinRM answered the NTLM NEGOTIATE with HTTP ${res.status} ${res.reason} instead of a challenge`, { host: ctx.hostName });
      }
      if (!found) {
        const offered = offeredSchemes(res);
        if (offered.includes('negotiate') || offered.includes('ntlm')) throw authRefused(ctx.hostName, 'ntlm', opts.user, 'the NEGOTIATE was rejected');
        throw authRefused(ctx.hostName, 'ntlm', opts.user, `the service does not offer NTLM (it offers: ${offered.join(', ') || 'nothing'})`);
      }
      if (found.token.subarray(0, 8).toString('latin1') !== 'NTLMSSP\0') {
        throw new ProtocolError('the WinRM service answered with a SPNEGO-wrapped token; only raw NTLMSSP is supported', { host: ctx.hostName });
      }
      let result;
      try {
        result = client.authenticate(
          found.token,
          { user: opts.user, password: opts.password },
          {
            requireSeal: !ctx.https,
            targetName: `HTTP/${opts.serviceName}`,
            ...(ctx.https && conn.peerCertificate ? { channelBindings: tlsServerEndPointAppData(conn.peerCertificate) } : {}),
          },
        );
      } catch (e) {
        throw withHost(e, ctx.hostName);
      }
      // The AUTHENTICATE's header, until a request has carried it.
      let login: string | null = null;
      if (ctx.lastLegWithRequest === false) {
        res = await leg(found.scheme, result.message, 'NTLM authenticate');
        if (res.status === 401) throw authRefused(ctx.hostName, 'ntlm', opts.user);
      } else {
        login = `${found.scheme} ${result.message.toString('base64')}`;
      }
      const loginLeg = {
        headers: (): Record<string, string> => {
          if (login === null) return {};
          const h = { Authorization: login };
          login = null;
          return h;
        },
        loginPending: () => login !== null,
      };
      const security = result.security;
      if (ctx.https) {
        return {
          ...loginLeg,
          wrap: (soap) => ({ body: payloadBytes(soap), contentType: CONTENT_TYPE_SOAP }),
          unwrap: (r) => r.body,
        };
      }
      // Request bodies of this connection are built in one reused buffer: the channel waits for each
      // reply before the next request, and a new connection (after a failure) has its own.
      const reuse = new BodyBuffer();
      return {
        ...loginLeg,
        wrap: (soap) => encryptBody(soap, security, { reuse }),
        unwrap: (r) => {
          const type = header(r, 'content-type') ?? '';
          if (!type.toLowerCase().startsWith('multipart/encrypted')) {
            if (r.body.length === 0) return r.body;
            throw new ProtocolError(`WinRM sent an unencrypted HTTP ${r.status} reply on a sealed NTLM connection`, { host: ctx.hostName });
          }
          try {
            // The reply's bytes are ours alone (read from the socket, used once): decrypt where they lie.
            return decryptBody(r.body, type, security, { inPlace: true });
          } catch (e) {
            if (e instanceof CortexError) throw withHost(e, ctx.hostName);
            throw new ProtocolError(`cannot decrypt the WinRM reply: ${(e as Error).message}`, { host: ctx.hostName });
          }
        },
      };
    },
    // The host refused the AUTHENTICATE (with the first request), or a later request.
    refused: (_res, hostName) => authRefused(hostName, 'ntlm', opts.user),
  };
}
