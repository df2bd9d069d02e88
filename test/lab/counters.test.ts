/**
 * The counters lab status serves: resident mode starts one powershell.exe for many scripts, one-shot
 * one per script; Set-type calls are counted apart from reads.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLab } from '../../src/lab/lab.js';
import { loadScript, ScriptRunner } from '../../src/runner/index.js';
import { openWinrmSession } from '../../src/transport/winrm/index.js';
import { probesPing } from '../../src/scripts/catalog.js';
import { closeRunner, openRunner, startTestLab, winrmSettings } from './helpers.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

let lab: RunningLab;
const resident = { name: 'k-resident', address: net.addr(1) };
const oneshot = { name: 'k-oneshot', address: net.addr(2) };
beforeAll(async () => {
  lab = await startTestLab([
    { ...resident, lab: { powershellStartMs: 0 } },
    { ...oneshot, lab: { powershellStartMs: 0 } },
  ]);
});
afterAll(async () => {
  await lab?.stop();
});
const counters = (name: string) => lab.status().hosts.find((h) => h.name === name)!.counters;

describe('lab counters', () => {
  it('resident: one shell, one powershell.exe for every script; Set-type calls counted', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cortex-lab-k-')), 'a.txt');
    writeFileSync(file, 'abc');
    const r = await openRunner(resident);
    try {
      for (let i = 0; i < 5; i++) await r.runData(loadScript('probes.ping'));
      expect(counters(resident.name)).toMatchObject({ shells: 1, powershellStarts: 1, scripts: 5, setCalls: 0 });
      await r.upload(file, 'C:\\k\\a.txt');
    } finally {
      await closeRunner(r);
    }
    const c = counters(resident.name);
    expect(c.shells).toBe(1);
    // The upload's receiver is its own process (it reads raw stdin), and the runner releases its
    // resident process around it: + 1 receiver + 1 fresh resident.
    expect(c.powershellStarts).toBe(3);
    expect(c.setCalls).toBe(1);
    expect(c.scripts).toBeGreaterThanOrEqual(7); // 5 pings, file-hash before and after, receive-file
  });

  it('a pipelined pair answered together costs one Send and one Receive on a warm session', async () => {
    const r = await openRunner(resident);
    try {
      await r.runData(loadScript('probes.ping'));
      const ping = { contract: probesPing, params: {} };
      const before = counters(resident.name).requests;
      for (let i = 0; i < 5; i++) {
        const results = await Promise.all(r.callPipelined([ping, ping], { answerTogether: true }));
        expect(results.map((x) => x.ok)).toEqual([true, true]);
      }
      // Each pair: the Send of both frames, and the Receive of both answers (written in one write).
      // Answered apart, the first answer's Receive comes back alone and the second needs its own.
      expect(counters(resident.name).requests - before).toBe(10);
    } finally {
      await closeRunner(r);
    }
  });

  it('one-shot: a powershell.exe per script', async () => {
    const session = await openWinrmSession(oneshot, winrmSettings());
    const r = new ScriptRunner(session, { mode: 'oneshot' });
    try {
      for (let i = 0; i < 4; i++) await r.runData(loadScript('probes.ping'));
    } finally {
      await closeRunner(r);
    }
    expect(counters(oneshot.name)).toMatchObject({ shells: 1, powershellStarts: 4, scripts: 4, setCalls: 0 });
  });
});
