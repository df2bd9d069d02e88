/**
 * The session factory: from a host's connection settings (plain values, secrets already resolved:
 * src/connection/settings.ts) to an open Session on its transport. It never reads the inventory and
 * never prompts: by the time a host is touched, every secret of the run is known.
 *
 * SSH and local are loaded lazily: a run that only uses WinRM never loads ssh2.
 */
import { InputError } from '../errors.js';
import type { ConnectionSettings } from './connection-settings.js';
import type { Session } from './session.js';
import { openWinrmSession } from './winrm/index.js';

export type { ConnectionSettings } from './connection-settings.js';

/** The slice of a pino logger the factory uses. */
export interface ConnectLog {
  debug(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
}

export interface OpenSessionOptions {
  log?: ConnectLog;
  /** SSH: trust and record a host key seen for the first time. */
  acceptNewHostKeys?: boolean;
  /** An interrupted run: a WinRM session still connecting or logging in is given up at once. */
  signal?: AbortSignal;
}

/** Open a session to a host on its transport. */
export async function openSession(settings: ConnectionSettings, opts: OpenSessionOptions = {}): Promise<Session> {
  const { host } = settings;
  opts.log?.debug({ host: host.name, transport: settings.transport, address: host.address }, 'opening session');
  switch (settings.transport) {
    case 'winrm': {
      const session = await openWinrmSession(host, settings.winrm, opts.signal ? { signal: opts.signal } : {});
      // Which mechanism authenticated (auth: negotiate may have fallen back to NTLM), in the run log.
      const used = session.authUsed;
      if (used) (opts.log?.info ?? opts.log?.debug)?.call(opts.log, { host: host.name, auth: used.scheme, configured: settings.winrm.auth, ...(used.note ? { why: used.note } : {}) }, `authenticated with ${used.scheme}`);
      return session;
    }
    case 'ssh': {
      const { openSshSession } = await import('./ssh/index.js');
      return openSshSession(host, settings.ssh, { acceptNewHostKeys: opts.acceptNewHostKeys ?? false });
    }
    case 'local': {
      const { openLocalSession } = await import('./local/index.js');
      return openLocalSession(host);
    }
    default:
      throw new InputError(`unknown transport '${String((settings as { transport: unknown }).transport)}'`, { host: (settings as { host: { name: string } }).host.name, field: 'transport', hint: 'Use winrm, ssh or local.' });
  }
}
