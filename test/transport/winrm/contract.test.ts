/**
 * The Session contract (test/transport/contract.ts) over WinRM against the lab's WinRM server:
 * NTLM sealed over plain HTTP and NTLM over HTTPS, the contract program behind the dispatcher.
 */
import { afterAll, beforeAll } from 'vitest';
import { makeSelfSignedCert, startWinrmLab, type WinrmLab } from '../../../src/lab/winrm/index.js';
import { openWinrmSession } from '../../../src/transport/winrm/index.js';
import { describeSessionContract } from '../contract.js';
import { contractDispatcher } from '../contract-program.mjs';
import { settings, USER } from './helpers.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

// .10: the contract host; .99: nothing listens there.
const host = { name: 'contract11', address: net.addr(10) };
const tls = makeSelfSignedCert([host.address, host.name]);
let lab: WinrmLab;
beforeAll(async () => {
  lab = await startWinrmLab({ hosts: [{ ref: host, users: [USER], http: true, https: true }], dispatcher: contractDispatcher, tls });
});
afterAll(async () => {
  await lab?.close();
});

for (const kind of ['ntlm-http', 'ntlm-https'] as const) {
  describeSessionContract(
    `winrm ${kind} (lab)`,
    async () => {
      const session = await openWinrmSession(host, settings(kind, tls.cert));
      return { session, cleanup: () => session.close() };
    },
    {
      largeExitCodes: true,
      concurrentSpawns: true,
      openDead: () => openWinrmSession({ name: 'dead11', address: net.addr(99) }, settings(kind, tls.cert)),
    },
  );
}
