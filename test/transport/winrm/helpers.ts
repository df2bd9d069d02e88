/** Shared set-up for the WinRM client ↔ lab tests: a certificate, a lab, and connect settings. */
import type { LabServerHooks } from '../../../src/lab/winrm/hooks.js';
import { makeSelfSignedCert, startWinrmLab, type WinrmLab } from '../../../src/lab/winrm/index.js';
import type { HostRef } from '../../../src/transport/session.js';
import { winrmDefaults, type WinrmConnectSettings } from '../../../src/transport/winrm/settings.js';
import { testDispatcher, type TestDispatcherLog } from '../../lab/winrm/test-dispatcher.js';

export const USER = { user: 'Administrator', domain: 'LAB', password: 'Pa$$w0rd-lab!' };

export interface TestLab {
  lab: WinrmLab;
  cert: string;
  log: TestDispatcherLog;
  hosts: HostRef[];
}

export async function startTestLab(
  addresses: string[],
  opts: { hooks?: LabServerHooks; maxShellsPerUser?: number; maxEnvelopeSizeKb?: number; names?: string[]; cbtHardening?: 'relaxed' | 'strict' } = {},
): Promise<TestLab> {
  const hosts = addresses.map((address, i) => ({ name: opts.names?.[i] ?? `win${address.split('.').slice(2).join('-')}`, address }));
  const tls = makeSelfSignedCert([...hosts.map((h) => h.address), ...hosts.map((h) => h.name)]);
  const dispatcher = testDispatcher();
  const lab = await startWinrmLab({
    hosts: hosts.map((ref) => ({ ref, users: [USER], http: true, https: true })),
    dispatcher,
    tls,
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
    ...(opts.maxShellsPerUser ? { maxShellsPerUser: opts.maxShellsPerUser } : {}),
    ...(opts.maxEnvelopeSizeKb ? { maxEnvelopeSizeKb: opts.maxEnvelopeSizeKb } : {}),
    ...(opts.cbtHardening ? { cbtHardening: opts.cbtHardening } : {}),
  });
  return { lab, cert: tls.cert, log: dispatcher.log, hosts };
}

export function settings(
  kind: 'basic-https' | 'ntlm-http' | 'ntlm-https' | 'basic-http',
  cert: string,
  over: Partial<WinrmConnectSettings> = {},
): WinrmConnectSettings {
  const https = kind.endsWith('https');
  return {
    scheme: https ? 'https' : 'http',
    port: https ? winrmDefaults.httpsPort : winrmDefaults.httpPort,
    auth: kind.startsWith('basic') ? 'basic' : 'ntlm',
    user: `${USER.domain}\\${USER.user}`,
    password: USER.password,
    allowUnencrypted: kind === 'basic-http',
    tls: { ca: cert, serverName: null, insecure: false },
    operationTimeoutSec: 20,
    connectTimeoutMs: 5000,
    requestTimeoutMs: 20_000,
    ...over,
  };
}
