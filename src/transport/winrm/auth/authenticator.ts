/**
 * The seam between the WinRM channel and an authentication scheme. An Authenticator turns a fresh
 * TCP connection into an authenticated one (handshaking on it if the scheme needs to) and returns
 * the connection's security: the headers each request carries and how bodies are wrapped
 * (NTLM sealing over plain HTTP) or left alone (TLS protects them).
 */
import type { HttpConnection } from '../http-connection.js';
import type { HttpResponse } from '../http-parser.js';
import type { AuthError } from '../../../errors.js';
import { envelopeBytes, type EnvelopePart } from '../../../protocol/wsman/envelope-bytes.js';

/** A SOAP request as text, or as parts whose binary pieces go in as base64 (a Send's stdin). */
export type SoapPayload = string | readonly EnvelopePart[];

/** The request's bytes (for connections that send the envelope as is). */
export function payloadBytes(soap: SoapPayload): Buffer {
  return typeof soap === 'string' ? Buffer.from(soap, 'utf8') : envelopeBytes(soap);
}

export type AuthScheme = 'basic' | 'ntlm' | 'kerberos' | 'negotiate' | 'certificate';

/** What authenticated a connection: `negotiate` resolves to kerberos or ntlm, with why. */
export interface AuthUsed {
  scheme: Exclude<AuthScheme, 'negotiate'>;
  /** Why this one (e.g. why Negotiate fell back to NTLM); null when it is simply the configured one. */
  note: string | null;
}

export interface ConnectionSecurity {
  /**
   * Headers for the next request on this connection: Basic sends credentials each time; NTLM sends
   * its AUTHENTICATE once, on the connection's first request, and nothing after.
   */
  headers(): Record<string, string>;
  /** The next request finishes the login: it carries the handshake's last leg (NTLM's AUTHENTICATE). */
  loginPending?(): boolean;
  /** Body and Content-Type of a SOAP request. */
  wrap(soap: SoapPayload): { body: Buffer; contentType: string };
  /** The SOAP bytes of a response (decrypting when sealed); ProtocolError when it cannot. */
  unwrap(res: HttpResponse): Buffer;
  /** The mechanism that authenticated this connection (default: the authenticator's scheme). */
  used?: AuthUsed;
}

export interface AuthContext {
  hostName: string;
  path: string;
  https: boolean;
  timeoutMs: number;
  /**
   * Send the handshake's last leg with the connection's first request rather than on its own with an
   * empty body: one round trip fewer. Default true; the channel turns it off for a host that
   * answered such a request with HTTP 400.
   */
  lastLegWithRequest?: boolean;
}

export interface Authenticator {
  readonly scheme: AuthScheme;
  /** Authenticate a new connection. Rejects with AuthError when the host refuses the credentials. */
  establish(conn: HttpConnection, ctx: AuthContext): Promise<ConnectionSecurity>;
  /** The error for a 401 on an established connection (default: a generic refusal). */
  refused?(res: HttpResponse, hostName: string): AuthError;
}
