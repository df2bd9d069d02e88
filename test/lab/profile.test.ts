import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { DEFAULT_PROFILE, PRESET_NAMES } from '../../src/lab/profile/presets.js';
import { mergeProfile, resolveProfile, resolveProfileOrThrow } from '../../src/lab/profile/resolve.js';
import { LabProfileSchema } from '../../src/lab/profile/schema.js';
import { deriveState } from '../../src/lab/state/derive.js';

describe('lab profile', () => {
  it('the default is a healthy domain-joined Windows Server 2019 Datacenter', () => {
    const r = resolveProfile(undefined);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.profile).toEqual(LabProfileSchema.parse(DEFAULT_PROFILE));
    expect(r.profile.os).toMatchObject({ editionId: 'ServerDatacenter', build: 17763, productType: 3, is64Bit: true });
    expect(r.profile.volumes).toEqual([{ drive: 'C:', fileSystem: 'NTFS', sizeGB: 127, freeGB: 90 }]);
    expect(r.profile.domain).toEqual({ joined: true, name: 'corp.example.com', role: 3 });
    expect([r.profile.cpuCores, r.profile.ramGB, r.profile.powershellStartMs]).toEqual([4, 16, 400]);
  });

  it('ipv4, computer name and logical processors default from the host', () => {
    const r = resolveProfile({});
    if (!r.ok) throw new Error('x');
    const s = deriveState({ name: 'app1', address: '127.0.20.9' }, r.profile, new Date('2026-01-01T00:00:00Z'));
    expect(s.machine.ipv4).toEqual(['127.0.20.9']);
    expect(s.machine.computerName).toBe('APP1');
    expect(s.machine.logicalProcessors).toBe(4);
    expect(s.machine.bootTime).toBe('2026-01-01T00:00:00.000Z');
  });

  it('every preset resolves, and differs from the default where it says', () => {
    for (const preset of PRESET_NAMES) expect(resolveProfile({ preset }).ok, preset).toBe(true);
    const small = resolveProfile({ preset: 'small' });
    expect(small.ok && [small.profile.cpuCores, small.profile.ramGB]).toEqual([2, 4]);
    const fat = resolveProfile({ preset: 'fat32-programdata' });
    expect(fat.ok && fat.profile.volumes.find((v) => v.drive === 'D:')?.fileSystem).toBe('FAT32');
  });

  it('preset plus overrides merge deep: objects by key, arrays replaced', () => {
    const r = resolveProfile({ preset: 'ws2016', os: { editionId: 'ServerStandard' }, volumes: [{ drive: 'C:', freeGB: 10 }] });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.profile.os).toMatchObject({ build: 14393, editionId: 'ServerStandard', caption: 'Microsoft Windows Server 2016 Datacenter' });
    expect(r.profile.volumes).toEqual([{ drive: 'C:', fileSystem: 'NTFS', sizeGB: 127, freeGB: 10 }]);
    expect(mergeProfile({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] })).toEqual({ a: { b: 1, c: 3 }, l: [9] });
    expect(mergeProfile({ iis: { version: '10.0' } }, { iis: null })).toEqual({ iis: null });
  });

  it('faults in the profile get their defaults', () => {
    const r = resolveProfile({ faults: { latencyMs: 50 } });
    expect(r.ok && r.profile.faults).toMatchObject({ latencyMs: 50, refuseAuth: false, slowFactor: 1, failScripts: {} });
  });

  it('reports unknown keys, wrong types, bad presets and impossible volumes by field path', () => {
    const r = resolveProfile({ ramGb: 8, cpuCores: 'four', volumes: [{ drive: 'C:', sizeGB: 10, freeGB: 20 }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['ramGb', 'cpuCores', 'volumes.0.freeGB']));
    const p = resolveProfile({ preset: 'ws2106' });
    expect(!p.ok && p.issues[0]).toMatchObject({ path: ['preset'], message: "unknown preset 'ws2106'. Did you mean 'ws2016'?", hint: expect.stringContaining('Presets: ws2019, ws2016, ws2012r2') });
  });

  it('names file:line:col of the offending key in the inventory', () => {
    const positions: Record<string, { file: string; line: number; col: number }> = {
      'all.children.app.hosts.app1.lab': { file: 'inv.yaml', line: 10, col: 9 },
      'all.children.app.hosts.app1.lab.ramGB': { file: 'inv.yaml', line: 12, col: 16 },
    };
    const src = {
      host: 'app1',
      labPath: ['all', 'children', 'app', 'hosts', 'app1', 'lab'],
      positionOf: (p: Array<string | number>) => positions[p.join('.')],
    };
    let err: unknown;
    try {
      resolveProfileOrThrow({ ramGB: -1 }, src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toContain('inv.yaml:12:16');
    expect((err as InputError).message).toContain('host app1');
    expect((err as InputError).context.field).toBe('all.children.app.hosts.app1.lab.ramGB');
    expect((err as InputError).exitCode).toBe(3);
    // A key the preset supplies but the file does not: the closest ancestor in the file.
    expect(() => resolveProfileOrThrow({ os: { build: 'x' } }, src)).toThrow(/inv\.yaml:10:9/);
  });
});
