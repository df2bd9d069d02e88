/**
 * How SSH failures reach the user: one place turns what ssh2 and the socket report into the
 * project's error classes, always naming the host.
 */
import { AuthError, CortexError, OperationTimeoutError, ProtocolError, UnreachableError } from '../../errors.js';
import type { KnownKey } from './known-hosts.js';

/** The host offered a key that known_hosts does not hold (or holds as revoked). Exit 2, like TLS failures. */
export class HostKeyError extends CortexError {
  readonly kind = 'tls' as const;
}

export function hostKeyChangedError(host: string, endpoint: string, offered: { keyType: string; fingerprint: string }, known: KnownKey[], knownHostsPath: string): HostKeyError {
  const recorded = known.map((k) => `${k.keyType} ${k.fingerprint} (${knownHostsPath}:${k.line})`).join(', ');
  return new HostKeyError(
    `host key of ${endpoint} has changed: it offered ${offered.keyType} ${offered.fingerprint}, known_hosts has ${recorded}; connection refused`,
    { host, hint: `If the host was reinstalled, remove the old line from ${knownHostsPath} (ssh-keygen -R) and connect again; otherwise suspect a man-in-the-middle.` },
  );
}

export function hostKeyUnknownError(host: string, endpoint: string, offered: { keyType: string; fingerprint: string }, knownHostsPath: string): HostKeyError {
  return new HostKeyError(`host key of ${endpoint} is not in ${knownHostsPath} (it offered ${offered.keyType} ${offered.fingerprint}); connection refused`, {
    host,
    hint: 'Verify the fingerprint out of band, then run again with --accept-new-host-keys to record it.',
  });
}

export function hostKeyRevokedError(host: string, endpoint: string, offered: { keyType: string; fingerprint: string }, knownHostsPath: string, line: number): HostKeyError {
  return new HostKeyError(`host key of ${endpoint} (${offered.keyType} ${offered.fingerprint}) is marked @revoked in ${knownHostsPath}:${line}; connection refused`, { host });
}

interface Ssh2Error extends Error {
  level?: string;
  code?: string;
}

/** Classify an error from connecting (socket, handshake, authentication). */
export function classifyConnectError(err: unknown, host: string, endpoint: string, methods: string[]): CortexError {
  if (err instanceof CortexError) return err;
  const e = err as Ssh2Error;
  const message = e?.message ?? String(err);
  if (e?.level === 'client-authentication' || /authentication methods failed/i.test(message)) {
    return new AuthError(`authentication refused by ${host} (${methods.join(', ') || 'none'})`, {
      host,
      hint: 'Check the user, key, passphrase, agent or password in the inventory, and the account\'s authorized_keys on the host.',
    }, { cause: err });
  }
  if (/timed out/i.test(message)) {
    return new UnreachableError(`${endpoint} did not complete the SSH handshake in time (${message})`, { host }, { cause: err });
  }
  const code = e?.code ?? '';
  if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EADDRNOTAVAIL'].includes(code)) {
    return new UnreachableError(`cannot reach ${endpoint} over SSH: ${code}`, { host, hint: 'Check the address and port, and that sshd runs on the host.' }, { cause: err });
  }
  if (e?.level === 'client-socket') {
    return new UnreachableError(`cannot reach ${endpoint} over SSH: ${message}`, { host }, { cause: err });
  }
  if (e?.level === 'protocol' || e?.level === 'handshake') {
    return new ProtocolError(`SSH handshake with ${endpoint} failed: ${message}`, { host }, { cause: err });
  }
  return new UnreachableError(`SSH connection to ${endpoint} failed: ${message}`, { host }, { cause: err });
}

export function connectionLostError(host: string, endpoint: string, cause?: unknown): UnreachableError {
  return new UnreachableError(`SSH connection to ${endpoint} was lost`, { host }, { cause });
}

export function channelTimeoutError(host: string, what: string, ms: number): OperationTimeoutError {
  return new OperationTimeoutError(`${what} did not answer within ${ms} ms`, { host });
}
