/**
 * Everything src/transport needs to open a session to one host: plain values, every secret already
 * resolved and registered with the redactor (src/connection/settings.ts builds them from the
 * inventory, before any host is touched). Nothing here knows the inventory.
 */
import type { HostRef } from './session.js';
import type { SshConnectSettings } from './ssh/settings.js';
import type { WinrmConnectSettings } from './winrm/settings.js';

export type ConnectionSettings =
  | { transport: 'winrm'; host: HostRef; winrm: WinrmConnectSettings }
  | { transport: 'ssh'; host: HostRef; ssh: SshConnectSettings }
  | { transport: 'local'; host: HostRef };
