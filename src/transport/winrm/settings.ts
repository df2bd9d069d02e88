/**
 * What the WinRM transport needs to open a session, after the inventory has been validated and its
 * secret references resolved. The inventory's zod schema (src/inventory/) enforces the cross-field
 * rules (Basic over plain HTTP only with allowUnencrypted); the transport re-checks them.
 */
export type WinrmAuth = 'ntlm' | 'basic' | 'kerberos' | 'negotiate' | 'certificate';

/** A TLS client certificate (certificate authentication), PEM text. */
export interface WinrmClientCertificate {
  /** The client certificate (optionally followed by its chain). */
  cert: string;
  /** Its private key; a resolved secret, already registered with the redactor. */
  key: string;
}

export interface WinrmTlsSettings {
  /** PEM text of the CA bundle to trust (null: the system's roots). */
  ca: string | null;
  /** Name to verify the certificate against (null: the connection address). */
  serverName: string | null;
  /** Skip verification. Explicit inventory switch; the CLI warns on every run. */
  insecure: boolean;
  /** Presented in the handshake (certificate authentication); absent otherwise. */
  clientCertificate?: WinrmClientCertificate;
}

export interface WinrmConnectSettings {
  scheme: 'http' | 'https';
  port: number;
  auth: WinrmAuth;
  /** `DOMAIN\user`, `user@domain` or `user`. */
  user: string;
  /** Resolved secret, already registered with the redactor ('' when none: Kerberos with a ticket, certificates). */
  password: string;
  /**
   * Kerberos service principal, `HTTP/<host name>` (default: HTTP/ + tls.serverName, else the address
   * when it is a name, else the inventory host name).
   */
  spn?: string;
  allowUnencrypted: boolean;
  tls: WinrmTlsSettings;
  /** WS-Man OperationTimeout for Receive long polls, seconds (default 20). */
  operationTimeoutSec: number;
  /** TCP connect + TLS handshake timeout (default 10 000 ms). */
  connectTimeoutMs: number;
  /** Upper bound for any single HTTP exchange beyond the long poll (default 60 000 ms). */
  requestTimeoutMs: number;
  /**
   * The service's MaxEnvelopeSizekb, which sizes stdin Send requests (default 500, Windows 2012+;
   * older hosts have 150 — the transport falls back to 150 by itself after an HTTP 413).
   */
  maxEnvelopeSizeKb?: number;
  /**
   * Largest HTTP response body accepted, KiB (default: twice the envelope size plus 64 KiB, see
   * responseBodyLimit). Bounds what a hostile host or a man in the middle can make us hold.
   */
  maxResponseSizeKb?: number;
}

export const winrmDefaults = {
  httpPort: 5985,
  httpsPort: 5986,
  operationTimeoutSec: 20,
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  maxEnvelopeSizeKb: 500,
} as const;
