/**
 * Opening an authenticated ssh2 connection: host key verification against known_hosts (with
 * trust-on-first-use when asked), key / agent / password authentication, timeouts and keep-alive,
 * and the optional bastion (a direct-tcpip channel on the bastion's own verified connection).
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import ssh2, { type Client as Ssh2Client, type ConnectConfig } from 'ssh2';
import { AuthError, UnreachableError, type CortexError } from '../../errors.js';
import {
  classifyConnectError,
  hostKeyChangedError,
  hostKeyRevokedError,
  hostKeyUnknownError,
} from './errors.js';
import { fingerprintOf, keyTypeOf, knownHostsLine, knownKeyTypes, verifyHostKey } from './known-hosts.js';
import { authMethodNames, type SshConnectSettings } from './settings.js';

// ssh2 is CommonJS: Node's ESM loader only offers its default export (named imports work in
// bundlers and vitest, not in `node dist/...`).
const { Client, utils } = ssh2;
type Client = Ssh2Client;

export interface Endpoint {
  address: string;
  port: number;
  user: string;
}

export function describeEndpoint(e: { address: string; port: number }): string {
  return e.port === 22 ? e.address : `${e.address}:${e.port}`;
}

function readKnownHosts(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;

/** Ask for the key types known_hosts already holds first, so a host with several keys is not "changed". */
export function hostKeyAlgorithms(knownTypes: string[]): string[] {
  const preferred = knownTypes.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const supported = new Set<string>(DEFAULT_HOST_KEY_ALGORITHMS);
  const first = preferred.filter((a) => supported.has(a));
  return [...new Set([...first, ...DEFAULT_HOST_KEY_ALGORITHMS])];
}

/** Check that the private key can be used before the network is involved: a clear message for a wrong passphrase. */
export function checkPrivateKey(hostName: string, privateKey: string, passphrase: string | null): void {
  const parsed = utils.parseKey(privateKey, passphrase ?? undefined);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || !key) {
    const message = key instanceof Error ? key.message : 'no key found';
    const encrypted = /encrypted|passphrase|decrypt/i.test(message);
    throw new AuthError(
      encrypted
        ? `cannot decrypt the private key (publickey): ${passphrase ? 'wrong passphrase' : 'it is encrypted and no passphrase was given'}`
        : `the private key (publickey) cannot be read: ${message}`,
      { host: hostName, field: 'ssh.key', hint: encrypted ? 'Set ssh.passphrase to a secret reference holding the key\'s passphrase.' : 'Use an OpenSSH or PEM private key file.' },
    );
  }
}

export interface OpenClientOptions {
  hostName: string;
  endpoint: Endpoint;
  settings: SshConnectSettings;
  acceptNewHostKeys: boolean;
  /** An already-open stream to the endpoint (through a bastion). */
  sock?: Duplex;
}

/** Connect and authenticate one ssh2 Client. Rejects with a classified CortexError. */
export function openClient(o: OpenClientOptions): Promise<Client> {
  const { settings, endpoint, hostName } = o;
  const where = describeEndpoint(endpoint);
  const knownHostsPath = settings.knownHostsPath;
  const knownText = readKnownHosts(knownHostsPath);
  let verificationError: CortexError | null = null;

  const hostVerifier = (key: Buffer): boolean => {
    const offered = { keyType: keyTypeOf(key), fingerprint: fingerprintOf(key) };
    // Re-read: another session in this run may just have recorded it.
    const verdict = verifyHostKey(readKnownHosts(knownHostsPath), endpoint.address, endpoint.port, key);
    switch (verdict.status) {
      case 'known':
        return true;
      case 'revoked':
        verificationError = hostKeyRevokedError(hostName, where, offered, knownHostsPath, verdict.line);
        return false;
      case 'changed':
        verificationError = hostKeyChangedError(hostName, where, offered, verdict.known, knownHostsPath);
        return false;
      case 'unknown':
        if (!o.acceptNewHostKeys) {
          verificationError = hostKeyUnknownError(hostName, where, offered, knownHostsPath);
          return false;
        }
        mkdirSync(dirname(knownHostsPath), { recursive: true, mode: 0o700 });
        appendFileSync(knownHostsPath, knownHostsLine(endpoint.address, endpoint.port, key), { mode: 0o600 });
        return true;
    }
  };

  const config: ConnectConfig = {
    host: endpoint.address,
    port: endpoint.port,
    username: endpoint.user,
    readyTimeout: settings.connectTimeoutMs,
    keepaliveInterval: settings.keepaliveIntervalMs,
    keepaliveCountMax: 3,
    hostVerifier,
    algorithms: { serverHostKey: hostKeyAlgorithms(knownKeyTypes(knownText, endpoint.address, endpoint.port)) as never },
  };
  if (o.sock) config.sock = o.sock;
  if (settings.privateKey) {
    config.privateKey = settings.privateKey;
    if (settings.passphrase) config.passphrase = settings.passphrase;
  }
  if (settings.agent) config.agent = settings.agent;
  if (settings.password !== null && settings.password !== undefined) config.password = settings.password;
  const methods = authMethodNames(settings);

  return new Promise<Client>((resolve, reject) => {
    const client = new Client();
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      client.end();
      reject(verificationError ?? classifyConnectError(err, hostName, where, methods));
    };
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      resolve(client);
    });
    client.on('error', fail);
    client.once('close', () => fail(new UnreachableError(`${where} closed the SSH connection during the handshake`, { host: hostName })));
    try {
      client.connect(config);
    } catch (err) {
      fail(err);
    }
  });
}

/** Open a direct-tcpip channel on the bastion to the target (what `ssh -J` does). */
export function forwardThrough(bastion: Client, hostName: string, bastionWhere: string, target: { address: string; port: number }): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    bastion.forwardOut('127.0.0.1', 0, target.address, target.port, (err, channel) => {
      if (err) {
        reject(
          new UnreachableError(`bastion ${bastionWhere} could not reach ${describeEndpoint(target)}: ${err.message}`, {
            host: hostName,
            hint: 'Check that the bastion allows TCP forwarding and can reach the host.',
          }),
        );
      } else resolve(channel);
    });
  });
}
