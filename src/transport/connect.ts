/**
 * The session factory: from an inventory host (secret fields still references) to an open Session on
 * the host's transport. Secrets are resolved here, at the moment the connection needs them, and are
 * registered with the redactor by the resolver before anything else sees them.
 *
 * SSH and local are loaded lazily: a run that only uses WinRM never loads ssh2.
 */
import { dirname } from 'node:path';
import { InputError } from '../errors.js';
import { readFileRef, resolveHostSecret } from '../inventory/secrets.js';
import type { HostConfig, Inventory } from '../inventory/types.js';
import type { HostRef, Session } from './session.js';
import type { SshConnectSettings } from './ssh/settings.js';
import { openWinrmSession, type WinrmClientCertificate, type WinrmConnectSettings } from './winrm/index.js';

/** The slice of a pino logger the factory uses. */
export interface ConnectLog {
  debug(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
}

export interface OpenSessionOptions {
  /** The inventory file: relative file: references start at its folder (default: the current directory). */
  inventoryFile?: string;
  /** The loaded inventory: errors about secret references then name the file:line that wrote them. */
  inventory?: Pick<Inventory, 'file' | 'positionOf'>;
  log?: ConnectLog;
  /** SSH: trust and record a host key seen for the first time. */
  acceptNewHostKeys?: boolean;
  /** An interrupted run: a WinRM session still connecting or logging in is given up at once. */
  signal?: AbortSignal;
}

function inventoryOf(opts: OpenSessionOptions): Pick<Inventory, 'file'> & Partial<Pick<Inventory, 'positionOf'>> {
  if (opts.inventory) return opts.inventory;
  return { file: opts.inventoryFile ?? `${process.cwd()}/inventory.yaml` };
}

export function hostRefOf(host: HostConfig): HostRef {
  return { name: host.name, address: host.address };
}

/** A warning to print on every run when the host skips TLS verification, else null. */
export function insecureTlsWarning(host: HostConfig): string | null {
  if (host.transport !== 'winrm' || host.winrm.scheme !== 'https' || !host.winrm.tls.insecure) return null;
  return `WARNING: ${host.name}: TLS certificate verification is OFF (winrm.tls.insecure: true). Anyone on the path can impersonate this host and read its credentials. Set winrm.tls.ca instead.`;
}

export async function winrmSettingsOf(host: HostConfig, opts: OpenSessionOptions = {}): Promise<WinrmConnectSettings> {
  const w = host.winrm;
  const inv = inventoryOf(opts);
  // Kerberos can use the operator's tickets and certificates map to an account: no user needed.
  if (!w.user && (w.auth === 'ntlm' || w.auth === 'basic')) {
    throw new InputError('winrm.user is not set', { host: host.name, field: 'winrm.user', hint: "Set winrm.user, e.g. 'CORP\\svc-cortex', in the host's or a group's vars." });
  }
  const password = w.auth === 'certificate' ? null : await resolveHostSecret(inv, host, 'winrm.password');
  if (password === null && (w.auth === 'ntlm' || w.auth === 'basic')) {
    throw new InputError(`winrm.password is not set (needed for ${w.auth} authentication)`, {
      host: host.name,
      field: 'winrm.password',
      hint: 'Set it to a secret reference: env:NAME, file:PATH or prompt.',
    });
  }
  let clientCertificate: WinrmClientCertificate | undefined;
  if (w.auth === 'certificate' && w.certificate) {
    const cert = await readFileRef(inv, w.certificate.cert, { host: host.name, field: 'winrm.certificate.cert' });
    const key = await resolveHostSecret(inv, host, 'winrm.certificate.key');
    if (cert && key) clientCertificate = { cert, key };
  }
  return {
    scheme: w.scheme,
    port: w.port,
    auth: w.auth,
    user: w.user ?? '',
    password: password ?? '',
    ...(w.spn ? { spn: w.spn } : {}),
    allowUnencrypted: w.allowUnencrypted,
    tls: {
      ca: await readFileRef(inv, w.tls.ca, { host: host.name, field: 'winrm.tls.ca' }),
      serverName: w.tls.serverName,
      insecure: w.tls.insecure,
      ...(clientCertificate ? { clientCertificate } : {}),
    },
    operationTimeoutSec: w.operationTimeoutSec,
    connectTimeoutMs: w.connectTimeoutMs,
    requestTimeoutMs: w.requestTimeoutMs,
    ...(w.maxResponseSizeKb ? { maxResponseSizeKb: w.maxResponseSizeKb } : {}),
  };
}

export async function sshSettingsOf(host: HostConfig, opts: OpenSessionOptions = {}): Promise<SshConnectSettings> {
  const s = host.ssh;
  const inv = inventoryOf(opts);
  const { sshDefaults, defaultKnownHostsPath } = await import('./ssh/settings.js');
  if (!s.user) throw new InputError('ssh.user is not set', { host: host.name, field: 'ssh.user' });
  const agent = s.agent === true ? (process.env.SSH_AUTH_SOCK ?? null) : s.agent === false ? null : s.agent;
  const privateKey = await resolveHostSecret(inv, host, 'ssh.key');
  const password = await resolveHostSecret(inv, host, 'ssh.password');
  if (!privateKey && !password && !agent) {
    throw new InputError('no SSH credentials: set ssh.key, ssh.password or ssh.agent', {
      host: host.name,
      field: 'ssh.key',
      hint: s.agent === true ? 'ssh.agent is on but SSH_AUTH_SOCK is not set.' : 'e.g. key: file:~/.ssh/id_ed25519',
    });
  }
  const knownHosts = s.knownHosts ? (s.knownHosts.startsWith('file:') ? s.knownHosts.slice(5) : s.knownHosts) : null;
  const { filePath } = await import('../inventory/secrets.js');
  return {
    port: s.port,
    user: s.user,
    privateKey,
    passphrase: await resolveHostSecret(inv, host, 'ssh.passphrase'),
    password,
    agent,
    knownHostsPath: knownHosts ? filePath(knownHosts, { baseDir: dirname(inv.file) }) : defaultKnownHostsPath(),
    connectTimeoutMs: s.connectTimeoutMs,
    keepaliveIntervalMs: sshDefaults.keepaliveIntervalMs,
    commandTimeoutMs: sshDefaults.commandTimeoutMs,
    jumpHost: s.jumpHost ? { address: s.jumpHost.address, port: s.jumpHost.port, user: s.jumpHost.user ?? null } : null,
  };
}

/** Open a session to an inventory host on its transport. */
export async function openSession(host: HostConfig, opts: OpenSessionOptions = {}): Promise<Session> {
  const ref = hostRefOf(host);
  opts.log?.debug({ host: host.name, transport: host.transport, address: host.address }, 'opening session');
  switch (host.transport) {
    case 'winrm': {
      const session = await openWinrmSession(ref, await winrmSettingsOf(host, opts), opts.signal ? { signal: opts.signal } : {});
      // Which mechanism authenticated (auth: negotiate may have fallen back to NTLM), in the run log.
      const used = session.authUsed;
      if (used) (opts.log?.info ?? opts.log?.debug)?.call(opts.log, { host: host.name, auth: used.scheme, configured: host.winrm.auth, ...(used.note ? { why: used.note } : {}) }, `authenticated with ${used.scheme}`);
      return session;
    }
    case 'ssh': {
      const settings = await sshSettingsOf(host, opts);
      const { openSshSession } = await import('./ssh/index.js');
      return openSshSession(ref, settings, { acceptNewHostKeys: opts.acceptNewHostKeys ?? false });
    }
    case 'local': {
      const { openLocalSession } = await import('./local/index.js');
      return openLocalSession(ref);
    }
    default:
      throw new InputError(`unknown transport '${String(host.transport)}'`, { host: host.name, field: 'transport', hint: 'Use winrm, ssh or local.' });
  }
}
