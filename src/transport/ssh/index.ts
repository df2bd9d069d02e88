/**
 * SSH transport entry point: `openSshSession` connects (through a bastion when configured),
 * verifies the host key, authenticates, and returns a Session.
 */
import type { HostRef, Session } from '../session.js';
import { checkPrivateKey, describeEndpoint, forwardThrough, openClient } from './connect.js';
import { SshSession } from './session.js';
import type { SshConnectSettings } from './settings.js';

export { HostKeyError } from './errors.js';
export { sshDefaults, defaultKnownHostsPath, type SshConnectSettings, type SshJumpHost } from './settings.js';

export interface OpenSshOptions {
  /** Trust a host key seen for the first time and append it to known_hosts (--accept-new-host-keys). */
  acceptNewHostKeys?: boolean;
}

export async function openSshSession(host: HostRef, settings: SshConnectSettings, opts: OpenSshOptions = {}): Promise<Session> {
  if (settings.privateKey) checkPrivateKey(host.name, settings.privateKey, settings.passphrase);
  const acceptNewHostKeys = opts.acceptNewHostKeys ?? false;
  const target = { address: host.address, port: settings.port, user: settings.user };
  const where = describeEndpoint(target);
  if (!settings.jumpHost) {
    const client = await openClient({ hostName: host.name, endpoint: target, settings, acceptNewHostKeys });
    return new SshSession(host, client, null, settings, where);
  }
  const jump = settings.jumpHost;
  const bastionEndpoint = { address: jump.address, port: jump.port, user: jump.user ?? settings.user };
  const bastion = await openClient({ hostName: host.name, endpoint: bastionEndpoint, settings, acceptNewHostKeys });
  try {
    const sock = await forwardThrough(bastion, host.name, describeEndpoint(bastionEndpoint), target);
    const client = await openClient({ hostName: host.name, endpoint: target, settings, acceptNewHostKeys, sock });
    return new SshSession(host, client, bastion, settings, where);
  } catch (err) {
    bastion.end();
    throw err;
  }
}
