/**
 * From inventory hosts to the plain connection settings src/transport opens sessions with. Every
 * secret reference (env:, file:, prompt) is resolved here, and registered with the redactor by the
 * resolver, before any host is touched: `prompt` asks once, up front, never in the middle of a run.
 * File references (tls.ca, a client certificate, known_hosts) are read here too.
 */
import { dirname } from 'node:path';
import { CortexError, formatContext, InputError, InternalError } from '../errors.js';
import { filePath, readFileRef, resolveHostSecret } from '../inventory/secrets.js';
import type { HostConfig, Inventory } from '../inventory/types.js';
import type { ConnectionSettings } from '../transport/connection-settings.js';
import type { HostRef } from '../transport/session.js';
import type { SshConnectSettings } from '../transport/ssh/settings.js';
import type { WinrmClientCertificate, WinrmConnectSettings } from '../transport/winrm/settings.js';

/** The inventory, for relative file: paths (its folder) and errors naming file:line. */
export type InventorySource = Pick<Inventory, 'file'> & Partial<Pick<Inventory, 'positionOf'>>;

export function hostRefOf(host: HostConfig): HostRef {
  return { name: host.name, address: host.address };
}

/** A warning to print on every run when the host skips TLS verification, else null. */
export function insecureTlsWarning(host: HostConfig): string | null {
  if (host.transport !== 'winrm' || host.winrm.scheme !== 'https' || !host.winrm.tls.insecure) return null;
  return `WARNING: ${host.name}: TLS certificate verification is OFF (winrm.tls.insecure: true). Anyone on the path can impersonate this host and read its credentials. Set winrm.tls.ca instead.`;
}

export async function winrmSettingsOf(host: HostConfig, inv: InventorySource): Promise<WinrmConnectSettings> {
  const w = host.winrm;
  // Kerberos can use the operator's tickets and certificates map to an account: no user needed.
  if (!w.user && (w.auth === 'ntlm' || w.auth === 'basic')) {
    throw new InputError('winrm.user is not set', { host: host.name, field: 'winrm.user', hint: "Set winrm.user, e.g. 'CORP\\svc-cortex', in the host's or a group's vars." });
  }
  // Kerberos with a password logs in itself (kinit into a private cache, src/transport/winrm/auth/kerberos.ts).
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

export async function sshSettingsOf(host: HostConfig, inv: InventorySource): Promise<SshConnectSettings> {
  const s = host.ssh;
  // Loaded lazily, as the SSH transport is: a WinRM-only run never loads it.
  const { sshDefaults, defaultKnownHostsPath } = await import('../transport/ssh/settings.js');
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

/** One host's connection settings, its secrets resolved. */
export async function connectionSettingsOf(host: HostConfig, inv: InventorySource): Promise<ConnectionSettings> {
  const ref = hostRefOf(host);
  switch (host.transport) {
    case 'winrm':
      return { transport: 'winrm', host: ref, winrm: await winrmSettingsOf(host, inv) };
    case 'ssh':
      return { transport: 'ssh', host: ref, ssh: await sshSettingsOf(host, inv) };
    case 'local':
      return { transport: 'local', host: ref };
    default:
      throw new InputError(`unknown transport '${String(host.transport)}'`, { host: host.name, field: 'transport', hint: 'Use winrm, ssh or local.' });
  }
}

/** A host's settings, or why it has none (an unset env: reference, an unreadable file: …): the host's own error. */
export type ResolvedConnection = { ok: true; settings: ConnectionSettings } | { ok: false; error: CortexError };

/**
 * Every selected host's settings, before the run touches any host. One host after another, so two
 * `prompt` references never ask at once (a reference written once, in all.vars, asks once for every
 * host). A host whose settings cannot be built gets its error, reported on that host as if its
 * session had failed (exit 3); the others run. Anything else (a bug, Ctrl-C at a prompt) stops the run.
 */
export async function resolveConnections(inv: InventorySource, hosts: readonly HostConfig[]): Promise<Map<string, ResolvedConnection>> {
  const out = new Map<string, ResolvedConnection>();
  for (const host of hosts) {
    try {
      out.set(host.name, { ok: true, settings: await connectionSettingsOf(host, inv) });
    } catch (err) {
      if (!(err instanceof CortexError)) throw err;
      out.set(host.name, { ok: false, error: err });
    }
  }
  return out;
}

/** The settings resolved for a host, or its error thrown (what a session opener does first). */
export function settingsOrThrow(resolved: ReadonlyMap<string, ResolvedConnection>, host: string): ConnectionSettings {
  const r = resolved.get(host);
  if (!r) throw new InternalError('no connection settings were resolved for this host before the run', { host });
  if (!r.ok) throw r.error;
  return r.settings;
}

/**
 * For commands that change hosts (apply): hosts whose connection settings cannot be used (an unset
 * env: variable, a missing file:, ...) as ONE invalid-input error, each distinct problem once with the
 * hosts it hits, so the run stops before it touches any host. Read-only commands report them per host
 * instead (resolveConnections). null when every host of `hosts` has its settings.
 */
export function unusableConnectionsError(resolved: ReadonlyMap<string, ResolvedConnection>, hosts: readonly string[]): InputError | null {
  const problems = new Map<string, { text: string; hint: string | undefined; hosts: string[] }>();
  for (const h of hosts) {
    const r = resolved.get(h);
    if (!r || r.ok) continue;
    const where = formatContext({ ...r.error.context, host: undefined, hint: undefined });
    const text = where ? `${where}: ${r.error.detail}` : r.error.detail;
    const p = problems.get(text) ?? { text, hint: r.error.context.hint, hosts: [] };
    p.hosts.push(h);
    problems.set(text, p);
  }
  if (!problems.size) return null;
  const count = [...problems.values()].reduce((n, p) => n + p.hosts.length, 0);
  const named = (list: string[]) => (list.length <= 5 ? list.join(', ') : `${list.slice(0, 5).join(', ')} and ${list.length - 5} more`);
  const lines = [...problems.values()].map((p) => `  ${p.text}${p.hint ? ` ${p.hint}` : ''}\n    host${p.hosts.length === 1 ? '' : 's'}: ${named(p.hosts)}`);
  return new InputError(`the connection settings of ${count} host${count === 1 ? '' : 's'} cannot be used, so no host was touched:\n${lines.join('\n')}`);
}
