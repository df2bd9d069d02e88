/**
 * The Session contract over SSH: openSshSession (ssh2) against the lab's real OpenSSH sshd, whose
 * ForceCommand hands every command to the contract program through the lab bridge.
 */
import { afterAll, beforeAll } from 'vitest';
import { openSshSession } from '../../src/transport/ssh/index.js';
import { describeSessionContract } from './contract.js';
import { startContractLab, type ContractLab } from './ssh/lab-fixture.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

let lab: ContractLab;
beforeAll(async () => {
  lab = await startContractLab([net.addr(1)]);
});
afterAll(async () => {
  await lab?.stop();
});

describeSessionContract(
  'ssh (lab sshd)',
  async () => {
    const session = await openSshSession({ name: 'sshhost1', address: net.addr(1) }, lab.settings());
    return { session, cleanup: () => session.close() };
  },
  {
    largeExitCodes: false, // a POSIX sshd reports 8-bit exit codes; Windows' sshd reports the DWORD
    concurrentSpawns: true,
    // Nothing listens on .99 of this file's block.
    openDead: () => openSshSession({ name: 'downhost', address: net.addr(99) }, lab.settings()),
  },
);
