/**
 * putFile over SFTP against the lab's sshd: the file arrives complete in the simulated host's state
 * under its Windows path; missing folders are no obstacle; a server without SFTP gives a clear error.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CortexError } from '../../../src/errors.js';
import { windowsPathOf } from '../../../src/lab/ssh/index.js';
import { openSshSession } from '../../../src/transport/ssh/index.js';
import { sftpPath } from '../../../src/transport/ssh/session.js';
import { contractDispatcher } from '../contract-program.mjs';
import { startContractLab, type ContractLab } from './lab-fixture.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const received: Array<{ host: string; path: string; content: Buffer }> = [];
let lab: ContractLab;
let noSftp: ContractLab;
beforeAll(async () => {
  lab = await startContractLab([net.addr(1)], contractDispatcher, {
    files: { writeFile: (host, path, content) => void received.push({ host: host.name, path, content }) },
  });
  noSftp = await startContractLab([net.addr(2)]);
});
afterAll(async () => {
  await Promise.all([lab?.stop(), noSftp?.stop()]);
});

describe('SSH putFile (SFTP)', () => {
  it('maps Windows paths to the SFTP form and back', () => {
    expect(sftpPath('C:\\ProgramData\\Cortex\\a.zip')).toBe('/C:/ProgramData/Cortex/a.zip');
    expect(sftpPath('/opt/x')).toBe('/opt/x');
    expect(windowsPathOf('/C:/ProgramData/Cortex/a.zip')).toBe('C:\\ProgramData\\Cortex\\a.zip');
  });

  it('uploads a file byte for byte to the host', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const local = join(lab.stateDir, 'payload.bin');
    writeFileSync(local, data);
    const session = await openSshSession({ name: 'sftp1', address: net.addr(1) }, lab.settings());
    try {
      await session.putFile!(local, 'C:\\ProgramData\\Cortex\\payload.bin');
      await session.putFile!(local, 'C:\\ProgramData\\Cortex\\copy.bin'); // the SFTP channel is reused
    } finally {
      await session.close();
    }
    expect(received.map((r) => [r.host, r.path])).toEqual([
      ['sshhost1', 'C:\\ProgramData\\Cortex\\payload.bin'],
      ['sshhost1', 'C:\\ProgramData\\Cortex\\copy.bin'],
    ]);
    expect(received[0]!.content.equals(data)).toBe(true);
  });

  it('a server without SFTP: a clear error naming the host', async () => {
    const local = join(noSftp.stateDir, 'p.bin');
    writeFileSync(local, 'x');
    const session = await openSshSession({ name: 'nosftp', address: net.addr(2) }, noSftp.settings());
    try {
      const err = await session.putFile!(local, 'C:\\x.bin').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CortexError);
      expect((err as Error).message).toContain('host nosftp');
    } finally {
      await session.close();
    }
  });
});
