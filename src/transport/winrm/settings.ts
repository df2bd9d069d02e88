/**
 * What the WinRM transport needs to open a session, after the inventory has been validated and its
 * secret references resolved. The inventory's zod schema (src/inventory/) enforces the cross-field
 * rules (Basic over plain HTTP only with allowUnencrypted); the transport re-checks them.
 */
export type WinrmAuth = 'ntlm' | 'basic' | 'kerberos' | 'certificate';

export interface WinrmTlsSettings {
  /** PEM text of the CA bundle to trust (null: the system's roots). */
  ca: string | null;
  /** Name to verify the certificate against (null: the connection address). */
  serverName: string | null;
  /** Skip verification. Explicit inventory switch; the CLI warns on every run. */
  insecure: boolean;
}

export interface WinrmConnectSettings {
  scheme: 'http' | 'https';
  port: number;
  auth: WinrmAuth;
  /** `DOMAIN\user`, `user@domain` or `user`. */
  user: string;
  /** Resolved secret, already registered with the redactor. */
  password: string;
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
