/**
 * Turning what the network and the WinRM service say into the project's typed errors, always with
 * the host named: unreachable (refused, DNS, connect timeout), TLS (with the certificate's subject
 * and SHA-256 fingerprint), authentication refused (with the scheme), protocol faults (WSManFault
 * code and message) and timeouts.
 */
import type { PeerCertificate } from 'node:tls';
import { AuthError, OperationTimeoutError, ProtocolError, TlsError, UnreachableError, type ErrorContext } from '../../errors.js';
import { describeFault, type WsmanFault } from '../../protocol/wsman/faults.js';

/** A SOAP fault from the service; `fault.wsmanCode` is what callers branch on. */
export class WsmanFaultError extends ProtocolError {
  readonly fault: WsmanFault;
  constructor(fault: WsmanFault, what: string, context: ErrorContext) {
    super(`${what} failed: ${describeFault(fault)}`, context);
    this.fault = fault;
  }
}

/** HTTP 413: the request exceeded the service's MaxEnvelopeSizekb. */
export class EnvelopeTooLargeError extends ProtocolError {}

/** The connection closed or reset while a request was outstanding. */
export class ConnectionLostError extends UnreachableError {
  /** True when no byte of the response had arrived (the server may not have processed the request). */
  readonly beforeResponse: boolean;
  constructor(detail: string, context: ErrorContext, beforeResponse: boolean, cause?: unknown) {
    super(detail, context, { cause });
    this.beforeResponse = beforeResponse;
  }
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ETIMEDOUT',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

/** Classify an error raised while connecting (TCP connect, DNS). */
export function connectError(err: unknown, host: string, endpoint: string, scheme: 'http' | 'https'): UnreachableError {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME'
        ? 'name does not resolve'
        : code === 'ETIMEDOUT'
          ? 'connect timed out'
          : code || e?.message || 'connection failed';
  const port = scheme === 'https' ? '5986 (HTTPS)' : '5985 (HTTP)';
  return new UnreachableError(
    `cannot reach WinRM at ${endpoint}: ${why}${code && why !== code ? ` (${code})` : ''}`,
    { host, hint: `Check the address, that the WinRM listener is enabled (winrm quickconfig) and that the firewall allows port ${port}.` },
    { cause: err },
  );
}

export function isUnreachableCode(err: unknown): boolean {
  return UNREACHABLE_CODES.has((err as NodeJS.ErrnoException)?.code ?? '');
}

export function connectTimeout(host: string, endpoint: string, ms: number): UnreachableError {
  return new UnreachableError(`cannot reach WinRM at ${endpoint}: no connection within ${ms} ms`, {
    host,
    hint: 'Check that the host is up and the address and port are right; raise winrm.connectTimeoutMs for slow links.',
  });
}

function subjectOf(cert: PeerCertificate | undefined): string {
  if (!cert || !cert.subject) return 'unknown subject';
  const s = cert.subject as unknown as Record<string, string | string[]>;
  const parts = Object.entries(s).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`);
  return parts.join(', ') || 'empty subject';
}

export function describeCertificate(cert: PeerCertificate | undefined): string {
  if (!cert || Object.keys(cert).length === 0) return 'no certificate presented';
  const san = cert.subjectaltname ? `, names ${cert.subjectaltname}` : '';
  return `certificate subject ${subjectOf(cert)}${san}, SHA-256 fingerprint ${cert.fingerprint256 ?? 'unknown'}`;
}

export function tlsError(host: string, endpoint: string, reason: string, cert: PeerCertificate | undefined, cause?: unknown): TlsError {
  return new TlsError(
    `TLS verification of ${endpoint} failed: ${reason}; ${describeCertificate(cert)}`,
    {
      host,
      hint: 'Trust the issuing CA with winrm.tls.ca, or set winrm.tls.serverName to a name the certificate lists (winrm.tls.insecure skips verification: lab use only).',
    },
    { cause },
  );
}

export function authRefused(host: string, scheme: 'ntlm' | 'basic' | 'kerberos' | 'negotiate' | 'certificate', user: string, detail = ''): AuthError {
  return new AuthError(`authentication refused by ${host} (${scheme}) for user ${user}${detail ? `: ${detail}` : ''}`, {
    host,
    hint: 'Check winrm.user and winrm.password, that the account is a local administrator (or in Remote Management Users), and that the auth scheme is enabled on the WinRM service.',
  });
}

export function requestTimeout(host: string, what: string, ms: number): OperationTimeoutError {
  return new OperationTimeoutError(`WinRM ${what} got no answer within ${ms} ms`, {
    host,
    hint: 'The host or network is slow or stuck; raise winrm.requestTimeoutMs if this is expected.',
  });
}
