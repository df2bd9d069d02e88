/**
 * A lab host with transport ssh: lab.ts starts the SSH endpoint for it, and a script reaches the same
 * executor and state through a real sshd, the SSH transport and the resident runner.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnreachableError } from '../../src/errors.js';
import type { RunningLab } from '../../src/lab/lab.js';
import { loadScript, ScriptRunner } from '../../src/runner/index.js';
import { openSshSession } from '../../src/transport/ssh/index.js';
import { labSshSettings } from '../transport/ssh/lab-fixture.js';
import { startTestLab } from './helpers.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

let lab: RunningLab;
beforeAll(async () => {
  lab = await startTestLab([
    { name: 'ssh-db1', address: net.addr(1), transport: 'ssh', lab: { preset: 'sql-express', powershellStartMs: 0 } },
    { name: 'win-app1', address: net.addr(2), lab: { powershellStartMs: 0 } },
  ]);
});
afterAll(async () => {
  await lab?.stop();
});

function openSsh() {
  return openSshSession({ name: 'ssh-db1', address: net.addr(1) }, labSshSettings(lab.status().ssh!, { keepaliveIntervalMs: 0 }));
}

describe('lab host over SSH', () => {
  it('serves probes.facts from the host profile through sshd', async () => {
    const st = lab.status();
    expect(st.ssh).not.toBeNull();
    const ssh = st.ssh!;
    expect(st.hosts.find((h) => h.name === 'ssh-db1')).toMatchObject({ up: true, endpoints: { ssh: `ssh://${net.addr(1)}:${ssh.port}`, http: null } });
    const session = await openSsh();
    const runner = new ScriptRunner(session, { startTimeoutMs: 10_000 });
    try {
      const facts = await runner.runData<{ sql: Array<{ edition: string }>; computerName: string }>(loadScript('probes.facts'), { roles: ['db'], installPath: null, ports: [] });
      expect(facts.computerName).toBe('SSH-DB1');
      expect(facts.sql[0]?.edition).toBe('Express Edition (64-bit)');
    } finally {
      await runner.close();
      await session.close();
    }
    expect(lab.status().hosts.find((h) => h.name === 'ssh-db1')!.counters).toMatchObject({ powershellStarts: 1, scripts: 1 });
  });

  it('the down fault takes the SSH host down and clearing it brings it back', async () => {
    await lab.setFaults('ssh-db1', { down: true });
    expect(lab.status().hosts.find((h) => h.name === 'ssh-db1')!.up).toBe(false);
    await expect(openSsh()).rejects.toBeInstanceOf(UnreachableError);
    await lab.setFaults('ssh-db1', {}, { replace: true });
    const session = await openSsh();
    await session.close();
  });

  it('an upload over SFTP lands in the host state, and the same upload again is skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-lab-sftp-'));
    const local = join(dir, 'payload.bin');
    const bytes = randomBytes(200_000);
    writeFileSync(local, bytes);
    const session = await openSsh();
    const runner = new ScriptRunner(session, { startTimeoutMs: 10_000 });
    try {
      const first = await runner.upload(local, 'C:\\ProgramData\\CortexInstall\\payload.bin');
      expect(first.skipped).toBe(false);
      const sha = createHash('sha256').update(bytes).digest('hex');
      expect(lab.host('ssh-db1')!.state.machine.files['C:\\ProgramData\\CortexInstall\\payload.bin']).toBe(sha);
      const second = await runner.upload(local, 'C:\\ProgramData\\CortexInstall\\payload.bin');
      expect(second.skipped).toBe(true);
    } finally {
      await runner.close();
      await session.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
