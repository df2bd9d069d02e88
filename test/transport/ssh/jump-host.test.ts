/**
 * A host reached through a bastion (ssh -J): the session's connection is a direct-tcpip channel on
 * the bastion's own authenticated, host-key-verified connection.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CortexError } from '../../../src/errors.js';
import { openSshSession } from '../../../src/transport/ssh/index.js';
import { runToCompletion } from '../../../src/transport/session.js';
import { program } from '../contract.js';
import { startContractLab, type ContractLab } from './lab-fixture.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

let lab: ContractLab;
beforeAll(async () => {
  lab = await startContractLab([net.addr(1), net.addr(2)]);
});
afterAll(async () => {
  await lab?.stop();
});

const accepted = (): number => (readFileSync(lab.lab.logPath, 'utf8').match(/Accepted publickey/g) ?? []).length;

describe('SSH jump host', () => {
  it('runs on the target through the bastion (two authenticated connections, one session)', async () => {
    const before = accepted();
    const session = await openSshSession(
      { name: 'behindbastion', address: net.addr(2) },
      lab.settings({ jumpHost: { address: net.addr(1), port: lab.lab.port, user: null } }),
    );
    try {
      const r = await runToCompletion(session, program('count'), { stdin: Buffer.alloc(300_000, 7), timeoutMs: 20_000 });
      expect(r.stdout.toString()).toMatch(/^300000 /);
      expect(accepted() - before).toBe(2); // bastion + target
    } finally {
      await session.close();
    }
  });

  it('a target the bastion cannot reach is unreachable, naming the bastion', async () => {
    const err = await openSshSession(
      { name: 'nowhere', address: net.addr(99) },
      lab.settings({ jumpHost: { address: net.addr(1), port: lab.lab.port, user: null } }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CortexError);
    expect((err as CortexError).kind).toBe('unreachable');
    expect((err as Error).message).toContain(`bastion ${net.addr(1)}:5922`);
  });
});
