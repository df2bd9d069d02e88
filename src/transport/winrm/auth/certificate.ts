/**
 * Certificate authentication (docs/authentication.md, "Certificates"):
 * the client certificate goes in the TLS handshake (the connection presents it, see
 * WinrmTlsSettings.clientCertificate), and every request says so with the WS-Management HTTPS
 * mutual security profile as its Authorization value. The host maps the certificate (issuer and
 * the UPN in its subjectAltName) to a local account; there is no handshake at the HTTP level.
 */
import { X509Certificate } from 'node:crypto';
import { AuthError, InputError } from '../../../errors.js';
import { certificateUpn, HTTPS_MUTUAL_PROFILE } from '../../../protocol/wsman/client-certificate.js';
import { CONTENT_TYPE_SOAP } from '../../../protocol/wsman/namespaces.js';
import { payloadBytes, type Authenticator, type ConnectionSecurity } from './authenticator.js';

/** Subject, UPN and issuer of a PEM certificate, for messages. */
export function describeClientCertificate(pem: string): string {
  try {
    const c = new X509Certificate(pem);
    const upn = certificateUpn(c);
    return `subject ${c.subject.replace(/\n/g, ', ')}${upn ? `, UPN ${upn}` : ', no UPN'}, issuer ${c.issuer.replace(/\n/g, ', ')}, SHA-1 thumbprint ${c.fingerprint.replace(/:/g, '')}`;
  } catch (e) {
    return `an unreadable certificate (${(e as Error).message})`;
  }
}

export function certificateAuthenticator(clientCert: string | null, hostName: string): Authenticator {
  const security: ConnectionSecurity = {
    headers: () => ({ Authorization: HTTPS_MUTUAL_PROFILE }),
    wrap: (soap) => ({ body: payloadBytes(soap), contentType: CONTENT_TYPE_SOAP }),
    unwrap: (res) => res.body,
  };
  const what = clientCert ? describeClientCertificate(clientCert) : 'none';
  return {
    scheme: 'certificate',
    establish: (_conn, ctx) => {
      if (!ctx.https) return Promise.reject(new InputError('certificate authentication needs HTTPS', { host: ctx.hostName, field: 'winrm.scheme', hint: 'Set winrm.scheme: https.' }));
      if (!clientCert) {
        return Promise.reject(new InputError('certificate authentication needs a client certificate', { host: ctx.hostName, field: 'winrm.certificate', hint: 'Set winrm.certificate.cert: file:PATH and winrm.certificate.key: file:PATH.' }));
      }
      return Promise.resolve(security);
    },
    refused: () =>
      new AuthError(`the host did not accept the client certificate (${what}): it maps no account to it`, {
        host: hostName,
        hint: "On the host: enable Service/Auth/Certificate, trust the issuing CA, and map the certificate's UPN and issuer to a local account (New-Item WSMan:\\localhost\\ClientCertificate -Subject <UPN> -URI * -Issuer <CA thumbprint> -Credential ...). See docs/authentication.md.",
      }),
  };
}
