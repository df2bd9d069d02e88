/**
 * Every preset through the real protocol: a lab host per preset, the facts probe run by the script
 * runner over a sealed NTLM WinRM session, and the facts it returns are the preset's profile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLab } from '../../src/lab/lab.js';
import { PRESET_NAMES } from '../../src/lab/profile/presets.js';
import { resolveProfile } from '../../src/lab/profile/resolve.js';
import { Facts } from '../../src/preflight/facts.js';
import { loadScript } from '../../src/runner/index.js';
import { closeRunner, openRunner, startTestLab } from './helpers.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const hosts = PRESET_NAMES.map((preset, i) => ({ name: `p-${preset}`, address: `${net.prefix}${i + 1}`, lab: { preset, powershellStartMs: 0 } }));
let lab: RunningLab;

beforeAll(async () => {
  lab = await startTestLab(hosts);
});
afterAll(async () => {
  await lab?.stop();
});

describe('presets through the real protocol', () => {
  for (const h of hosts) {
    it(`${h.lab.preset}: probes.facts returns the profile's facts`, async () => {
      const r = resolveProfile(h.lab);
      if (!r.ok) throw new Error('preset does not resolve');
      const p = r.profile;
      const runner = await openRunner(h);
      try {
        const data = await runner.runData(loadScript('probes.facts'), { roles: ['app'], installPath: null, ports: [1433, 5672] });
        const f = Facts.parse(data);
        expect(f.os.build).toBe(p.os.build);
        expect(f.os.caption).toBe(p.os.caption);
        expect(f.os.editionId).toBe(p.os.editionId);
        expect(f.dotnetRelease).toBe(p.dotnetRelease);
        expect(f.powershell.engineVersion).toBe(p.psVersion);
        expect(f.cpu.cores).toBe(p.cpuCores);
        expect(f.memory.totalPhysicalBytes).toBe(p.ramGB * 1024 ** 3);
        expect(f.domain.partOfDomain).toBe(p.domain.joined);
        expect(f.domain.name).toBe(p.domain.name);
        const pd = f.volumes.find((v) => v.drive === f.drives.programData.drive);
        const want = p.volumes.find((v) => v.drive === p.programData.slice(0, 2))!;
        expect(pd?.fileSystem).toBe(want.fileSystem);
        expect(pd?.freeBytes).toBe(want.freeGB * 1024 ** 3);
        const ipv4 = f.ipv4.map((a) => a.address).filter((a) => a !== '127.0.0.1');
        expect(ipv4).toEqual(p.ipv4 ?? [h.address]);
        expect(f.sql.map((s) => s.edition)).toEqual(p.sql.map((s) => s.edition));
        expect(f.iis === null).toBe(p.iis === null);
      } finally {
        await closeRunner(runner);
      }
    });
  }
});
