/**
 * What scripts install stays installed across lab restarts (state folder on disk); `reset` restores
 * the profile; a changed profile re-derives the machine. And the lab refuses non-loopback addresses.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadScript } from '../../src/runner/index.js';
import { WRITE_BEHIND_MS } from '../../src/lab/state/store.js';
import { closeRunner, openRunner, startTestLab, tempStateDir } from './helpers.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const host = { name: 's-app1', address: net.addr(1), lab: { powershellStartMs: 0 } };

async function fileOnHost(path: string): Promise<{ exists: boolean; sha256: string | null }> {
  const r = await openRunner(host);
  try {
    return await r.runData(loadScript('runner.file-hash'), { path });
  } finally {
    await closeRunner(r);
  }
}

describe('lab state', () => {
  it('persists what a Set-type script installed across a lab restart; reset restores the profile', async () => {
    const stateDir = tempStateDir();
    const local = join(mkdtempSync(join(tmpdir(), 'cortex-lab-state-')), 'setup.msi');
    writeFileSync(local, Buffer.from('not really an msi'));
    let lab = await startTestLab([host], { stateDir });
    try {
      const r = await openRunner(host);
      try {
        const up = await r.upload(local, 'C:\\Cortex\\setup.msi');
        expect(up).toMatchObject({ skipped: false });
      } finally {
        await closeRunner(r);
      }
      // Written behind the Set, within WRITE_BEHIND_MS (a lab stopped sooner writes it as it stops).
      const until = Date.now() + WRITE_BEHIND_MS + 5_000;
      while (!existsSync(join(stateDir, 'hosts', 's-app1.json')) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(readdirSync(join(stateDir, 'hosts'))).toEqual(['s-app1.json']);
    } finally {
      await lab.stop();
    }

    lab = await startTestLab([host], { stateDir });
    try {
      expect(await fileOnHost('C:\\Cortex\\setup.msi')).toMatchObject({ exists: true });
      // Uploading the same file again is skipped: the restarted host still has it.
      const r = await openRunner(host);
      try {
        expect(await r.upload(local, 'C:\\Cortex\\setup.msi')).toMatchObject({ skipped: true });
      } finally {
        await closeRunner(r);
      }
      await lab.reset();
      expect(await fileOnHost('C:\\Cortex\\setup.msi')).toMatchObject({ exists: false });
    } finally {
      await lab.stop();
    }
    lab = await startTestLab([host], { stateDir });
    try {
      expect(await fileOnHost('C:\\Cortex\\setup.msi')).toMatchObject({ exists: false });
    } finally {
      await lab.stop();
    }
  });

  it('a changed machine profile re-derives the state; changed faults do not', async () => {
    const stateDir = tempStateDir();
    const events: string[] = [];
    let lab = await startTestLab([host], { stateDir });
    lab.host('s-app1')!.state.machine.features.push('Marker');
    await lab.reboot('s-app1', 0); // persists
    await lab.stop();
    lab = await startTestLab([{ ...host, lab: { powershellStartMs: 0, faults: { latencyMs: 1 } } }], { stateDir, onEvent: (e) => events.push(`${e.kind}:${'origin' in e ? e.origin : ''}`) });
    expect(lab.host('s-app1')!.state.machine.features).toContain('Marker');
    await lab.stop();
    lab = await startTestLab([{ ...host, lab: { powershellStartMs: 0, ramGB: 32 } }], { stateDir, onEvent: (e) => events.push(`${e.kind}:${'origin' in e ? e.origin : ''}`) });
    expect(lab.host('s-app1')!.state.machine.features).not.toContain('Marker');
    expect(lab.host('s-app1')!.state.machine.ramGB).toBe(32);
    await lab.stop();
    expect(events).toEqual(['state:restored', 'state:profile-changed']);
  });

  it('refuses an address outside 127.0.0.0/8, naming the host and the address', async () => {
    for (const address of ['10.0.0.21', '::1', 'app1.corp.example.com']) {
      const err = await startTestLab([{ name: 'realhost', address }]).then(
        (l) => l.stop().then(() => null),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toContain('realhost');
      expect((err as InputError).message).toContain(address);
      expect((err as InputError).exitCode).toBe(3);
    }
  });
});
