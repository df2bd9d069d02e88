/**
 * The Session contract over WinRM: the native client (NTLM, sealed HTTP) against the lab's WinRM
 * server, whose dispatcher runs the contract program (127.0.70.20; .21 has no listener).
 */
import { afterAll, beforeAll } from 'vitest';
import { makeSelfSignedCert, startWinrmLab, type WinrmLab } from '../../src/lab/winrm/index.js';
import { openWinrmSession } from '../../src/transport/winrm/index.js';
import { winrmDefaults, type WinrmConnectSettings } from '../../src/transport/winrm/settings.js';
import { describeSessionContract } from './contract.js';
import { contractDispatcher } from './contract-program.mjs';

const host = { name: 'wincontract', address: '127.0.70.20' };
const user = { user: 'Administrator', domain: 'LAB', password: 'Contract-Pa55!' };
let lab: WinrmLab;
let cert: string;
beforeAll(async () => {
  const tls = makeSelfSignedCert([host.address, host.name]);
  cert = tls.cert;
  lab = await startWinrmLab({ hosts: [{ ref: host, users: [user], http: true, https: false }], dispatcher: contractDispatcher, tls });
});
afterAll(async () => {
  await lab?.close();
});

const settings = (): WinrmConnectSettings => ({
  scheme: 'http',
  port: winrmDefaults.httpPort,
  auth: 'ntlm',
  user: `${user.domain}\\${user.user}`,
  password: user.password,
  allowUnencrypted: false,
  tls: { ca: cert, serverName: null, insecure: false },
  operationTimeoutSec: 20,
  connectTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
});

describeSessionContract(
  'winrm (lab WinRM server, NTLM over sealed HTTP)',
  async () => {
    const session = await openWinrmSession(host, settings());
    return { session, cleanup: () => session.close() };
  },
  {
    largeExitCodes: true, // WinRS carries the DWORD
    concurrentSpawns: true,
    openDead: () => openWinrmSession({ name: 'windown', address: '127.0.70.21' }, settings()),
  },
);
