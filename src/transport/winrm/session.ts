/**
 * The WinRM Session: one authenticated connection and one reused WinRS shell per host, opened
 * eagerly so unreachable hosts, TLS and authentication problems surface at open, with the host
 * named. Processes run as WinRS commands in the shell; close() terminates what still runs,
 * deletes the shell(s) and closes the socket.
 */
import { isIP } from 'node:net';
import type { HostRef, ProcessSpec, RemoteProcess, Session, SpawnOptions } from '../session.js';
import { InputError, UnreachableError } from '../../errors.js';
import { basicAuthenticator } from './auth/basic.js';
import type { Authenticator, AuthUsed } from './auth/authenticator.js';
import { ntlmAuthenticator } from './auth/ntlm.js';
import { certificateAuthenticator } from './auth/certificate.js';
import { kerberosAuthenticator, principalOf } from './auth/kerberos.js';
import { negotiateAuthenticator } from './auth/negotiate.js';
import { WsmanChannel } from './channel.js';
import { WinrmProcess } from './process.js';
import { winrmDefaults, type WinrmConnectSettings } from './settings.js';
import { WinrsShells } from './shell.js';
import { DEFAULT_MAX_HEAD_BYTES, responseBodyLimit } from './http-parser.js';

/** Receive OperationTimeout while a process's stdin is open: the longest a write may wait for a poll. */
const INTERACTIVE_POLL_MS = 1000;
/** The largest response we accept; every known client sends this value. */
const MAX_RESPONSE_ENVELOPE_BYTES = 153_600;

function interruptedError(host: string): UnreachableError {
  return new UnreachableError('the session was not opened: the run was interrupted', { host });
}

/** `p`, or a rejection as soon as `signal` aborts (the caller then closes what `p` was opening). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, host: string): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(interruptedError(host));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interruptedError(host));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Refuse settings the transport cannot honour safely (the inventory schema checks them too). */
export function checkSettings(host: HostRef, s: WinrmConnectSettings): void {
  if (s.auth === 'basic' && s.scheme === 'http' && !s.allowUnencrypted) {
    throw new InputError('Basic authentication over plain HTTP would send the password and all traffic in clear text', {
      host: host.name,
      field: 'winrm.auth',
      hint: 'Use scheme: https, or auth: ntlm (sealed over HTTP); set allowUnencrypted: true only for a lab.',
    });
  }
  if (s.auth === 'kerberos' && s.scheme === 'http') {
    throw new InputError('Kerberos over plain HTTP needs message encryption (gss_wrap_iov) that this tool cannot do', {
      host: host.name,
      field: 'winrm.auth',
      hint: 'Use scheme: https (port 5986) with auth: kerberos; see docs/authentication.md.',
    });
  }
  if (s.auth === 'certificate' && (s.scheme !== 'https' || !s.tls.clientCertificate)) {
    throw new InputError(s.scheme !== 'https' ? 'certificate authentication needs HTTPS' : 'certificate authentication needs a client certificate', {
      host: host.name,
      field: s.scheme !== 'https' ? 'winrm.scheme' : 'winrm.certificate',
      hint: 'Set winrm.scheme: https, winrm.certificate.cert: file:PATH and winrm.certificate.key: file:PATH.',
    });
  }
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) {
    throw new InputError(`WinRM port ${s.port} is not a TCP port`, { host: host.name, field: 'winrm.port' });
  }
}

/** The Kerberos SPN for the host: winrm.spn, else HTTP/ + the TLS name, the address when a name, or the inventory name. */
export function spnFor(host: HostRef, s: WinrmConnectSettings): string {
  if (s.spn) return s.spn;
  const name = s.tls.serverName ?? (isIP(host.address) ? host.name : host.address);
  return `HTTP/${name}`;
}

export function authenticatorFor(host: HostRef, s: WinrmConnectSettings): Authenticator {
  const ntlm = () => ntlmAuthenticator({ user: s.user, password: s.password, serviceName: s.tls.serverName ?? host.address });
  const kerberos = () => kerberosAuthenticator({ user: s.user || null, password: s.password || null, spn: spnFor(host, s) });
  switch (s.auth) {
    case 'basic':
      return basicAuthenticator(s.user, s.password);
    case 'ntlm':
      return ntlm();
    case 'kerberos':
      return kerberos();
    case 'negotiate':
      // NTLM needs a user and password; without them only the operator's Kerberos tickets can work.
      return negotiateAuthenticator(kerberos(), s.user && s.password ? ntlm() : null, principalOf(s.user || null) === 'local');
    case 'certificate':
      return certificateAuthenticator(s.tls.clientCertificate?.cert ?? null, host.name);
  }
}

export class WinrmSession implements Session {
  readonly host: HostRef;
  readonly transport = 'winrm' as const;
  readonly channel: WsmanChannel;
  private readonly shells: WinrsShells;
  private readonly settings: WinrmConnectSettings;
  private readonly live = new Set<WinrmProcess>();
  private closing: Promise<void> | null = null;

  constructor(host: HostRef, settings: WinrmConnectSettings) {
    checkSettings(host, settings);
    this.host = host;
    this.settings = settings;
    this.channel = new WsmanChannel(
      host,
      {
        hostName: host.name,
        address: host.address,
        port: settings.port,
        scheme: settings.scheme,
        tls: settings.tls,
        connectTimeoutMs: settings.connectTimeoutMs ?? winrmDefaults.connectTimeoutMs,
        limits: {
          maxHeadBytes: DEFAULT_MAX_HEAD_BYTES,
          maxBodyBytes: settings.maxResponseSizeKb ? settings.maxResponseSizeKb * 1024 : responseBodyLimit(settings.maxEnvelopeSizeKb ?? winrmDefaults.maxEnvelopeSizeKb),
        },
      },
      authenticatorFor(host, settings),
    );
    this.shells = new WinrsShells(host, this.channel, {
      operationTimeoutMs: (settings.operationTimeoutSec ?? winrmDefaults.operationTimeoutSec) * 1000,
      maxEnvelopeSizeKb: settings.maxEnvelopeSizeKb ?? winrmDefaults.maxEnvelopeSizeKb,
      maxResponseEnvelopeBytes: MAX_RESPONSE_ENVELOPE_BYTES,
    });
  }

  /** What authenticated the session (for auth: negotiate, Kerberos or NTLM and why); null before open. */
  get authUsed(): AuthUsed | null {
    return this.channel.authUsed;
  }

  private get requestTimeoutMs(): number {
    return this.settings.requestTimeoutMs ?? winrmDefaults.requestTimeoutMs;
  }

  /** Connect, authenticate and create the shell. */
  async open(signal?: AbortSignal): Promise<void> {
    await abortable(this.channel.connect(this.requestTimeoutMs), signal, this.host.name);
    if (signal?.aborted) throw interruptedError(this.host.name);
    await this.shells.acquire(this.requestTimeoutMs);
  }

  async spawn(spec: ProcessSpec, options: SpawnOptions = {}): Promise<RemoteProcess> {
    if (this.closing) throw new InputError('spawn() on a closed WinRM session', { host: this.host.name });
    const requestTimeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const longPollMs = Math.min((this.settings.operationTimeoutSec ?? winrmDefaults.operationTimeoutSec) * 1000, requestTimeoutMs);
    const { shell, commandId } = await this.shells.command(spec.command, spec.args, requestTimeoutMs);
    const proc = new WinrmProcess(this.host.name, this.shells, shell, commandId, {
      longPollMs,
      interactivePollMs: Math.min(INTERACTIVE_POLL_MS, longPollMs),
      requestTimeoutMs,
      shared: () => this.live.size > 1,
    });
    this.live.add(proc);
    const forget = () => this.live.delete(proc);
    proc.exit.then(forget, forget);
    return proc;
  }

  close(): Promise<void> {
    if (!this.closing) this.closing = this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    const t = Math.min(this.requestTimeoutMs, 15_000);
    // Deleting the shells ends their commands: no Signal for each first.
    await Promise.all([...this.live].map((p) => p.endWithShell()));
    await this.shells.deleteAll(t);
    this.channel.close();
  }
}

/**
 * Open a WinRM session to `host`: rejects with InputError, UnreachableError, TlsError, AuthError or
 * ProtocolError. `signal` (an interrupted run) abandons the connection and the login at once; once
 * the shell is being created the open completes, so the caller can delete the shell.
 */
export async function openWinrmSession(host: HostRef, settings: WinrmConnectSettings, opts: { signal?: AbortSignal } = {}): Promise<WinrmSession> {
  const session = new WinrmSession(host, settings);
  try {
    await session.open(opts.signal);
  } catch (e) {
    session.channel.close();
    throw e;
  }
  return session;
}
