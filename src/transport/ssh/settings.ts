/**
 * What the SSH transport needs to open a session, after the inventory has been validated and its
 * secret references resolved (and registered with the redactor). The inventory's `ssh:` block maps
 * onto this; src/connection/settings.ts does the mapping.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SshJumpHost {
  address: string;
  port: number;
  /** Login on the bastion (null: the same user as the target). */
  user: string | null;
}

export interface SshConnectSettings {
  port: number;
  user: string;
  /** Private key text (OpenSSH or PEM format), already resolved. */
  privateKey: string | null;
  /** Passphrase of `privateKey`, when it is encrypted. */
  passphrase: string | null;
  password: string | null;
  /** ssh-agent socket path (e.g. $SSH_AUTH_SOCK). */
  agent: string | null;
  /** known_hosts file host keys are verified against (default ~/.ssh/known_hosts). */
  knownHostsPath: string;
  /** TCP connect + SSH handshake + authentication (default 10 000 ms). */
  connectTimeoutMs: number;
  /** SSH keep-alive interval; the connection is declared dead after 3 unanswered ones (default 15 000 ms; 0: off). */
  keepaliveIntervalMs: number;
  /** Upper bound for opening a channel or an SFTP transfer step (default 60 000 ms). */
  commandTimeoutMs: number;
  /** Reach the host through a bastion (ssh -J): a direct-tcpip channel on the bastion's connection. */
  jumpHost?: SshJumpHost | null;
}

export const sshDefaults = {
  port: 22,
  connectTimeoutMs: 10_000,
  keepaliveIntervalMs: 15_000,
  commandTimeoutMs: 60_000,
} as const;

export function defaultKnownHostsPath(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

/** Which authentication methods the settings offer, in the words of the SSH protocol (for messages). */
export function authMethodNames(s: Pick<SshConnectSettings, 'privateKey' | 'agent' | 'password'>): string[] {
  const methods: string[] = [];
  if (s.privateKey) methods.push('publickey');
  if (s.agent) methods.push('agent');
  if (s.password !== null && s.password !== undefined) methods.push('password');
  return methods;
}
