/**
 * WS-Management certificate authentication, the parts both sides need: the Authorization value a
 * client sends with its TLS client certificate (DSP0226 HTTPS mutual security profile) and the UPN
 * a certificate carries in its subjectAltName, which WinRM's ClientCertificate mapping matches.
 */
import type { X509Certificate } from 'node:crypto';

export const HTTPS_MUTUAL_PROFILE = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual';

/** The UPN of a certificate's subjectAltName otherName, as Node prints it (`othername:UPN:user@domain`). */
export function certificateUpn(cert: X509Certificate): string | null {
  const san = cert.subjectAltName ?? '';
  const m = /othername:UPN:("(?:[^"\\]|\\.)*"|[^,]*)/i.exec(san);
  if (!m) return null;
  const v = m[1]!.trim();
  return v.startsWith('"') ? (JSON.parse(v) as string) : v;
}
