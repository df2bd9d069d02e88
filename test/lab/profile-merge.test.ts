/**
 * The merge order of lab profiles (docs/lab.md, "Merge order"), through real inventory YAML: the
 * built-in default, then each level that has `lab:` (all.vars, parent groups, child groups, groups of
 * one depth by name, the host's entry), at each level first its preset, then its own keys.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/index.js';
import { labLevelsOf, labProfilesOf } from '../../src/lab/profile/from-inventory.js';
import type { LabProfile } from '../../src/lab/profile/schema.js';

const ACCOUNT = "    winrm: { user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD }";

/** `yaml` is the inventory under `all:` (two-space indented); the account is added to all.vars. */
function inventory(yaml: string) {
  const body = yaml.startsWith('  vars:\n') ? yaml.replace('  vars:\n', `  vars:\n${ACCOUNT}\n`) : `  vars:\n${ACCOUNT}\n${yaml}`;
  return parseInventory(`all:\n${body}`, 'merge.yaml');
}

function profiles(yaml: string): Map<string, LabProfile> {
  const inv = inventory(yaml);
  return labProfilesOf(inv, inv.hosts);
}

function profileOf(yaml: string, host: string): LabProfile {
  const p = profiles(yaml).get(host);
  if (!p) throw new Error(`no profile for ${host}`);
  return p;
}

const C = (sizeGB: number, freeGB: number) => ({ drive: 'C:', fileSystem: 'NTFS', sizeGB, freeGB });

describe('lab profile merge order', () => {
  it('no lab: anywhere is the built-in default (ws2019)', () => {
    const p = profileOf(['  hosts:', '    h1: { address: 127.0.0.2 }'].join('\n'), 'h1');
    expect([p.os.build, p.dotnetRelease, p.volumes]).toEqual([17763, 528049, [C(127, 90)]]);
  });

  it("a host's preset beats a group's setting of the same key (the group volumes no longer hide low-disk)", () => {
    const yaml = [
      '  children:',
      '    app:',
      '      vars:',
      '        lab: { volumes: [ { drive: "C:", sizeGB: 500, freeGB: 400 } ], ramGB: 8 }',
      '      hosts:',
      '        app1: { address: 127.0.0.2, lab: { preset: low-disk } }',
      '        app2: { address: 127.0.0.3 }',
    ].join('\n');
    const all = profiles(yaml);
    expect(all.get('app1')!.volumes).toEqual([C(60, 3)]);
    // Keys the preset does not set stay as the group set them.
    expect(all.get('app1')!.ramGB).toBe(8);
    expect(all.get('app2')!.volumes).toEqual([C(500, 400)]);
  });

  it("keys written at the preset's own level beat the preset", () => {
    const p = profileOf(['  hosts:', '    h1:', '      address: 127.0.0.2', '      lab: { preset: low-disk, volumes: [ { drive: "C:", sizeGB: 80, freeGB: 70 } ] }'].join('\n'), 'h1');
    expect(p.volumes).toEqual([C(80, 70)]);
  });

  it("all.vars settings that the host's preset does not set survive it (tuning for every host)", () => {
    const yaml = ['  vars:', '    lab: { powershellStartMs: 0, faults: { latencyMs: 25 } }', '  hosts:', '    h1: { address: 127.0.0.2, lab: { preset: ws2016 } }'].join('\n');
    const p = profileOf(yaml, 'h1');
    expect([p.os.build, p.powershellStartMs, p.faults.latencyMs]).toEqual([14393, 0, 25]);
  });

  it('presets compose: an OS preset in all.vars and a disk preset on the host give that OS with that disk', () => {
    const yaml = ['  vars:', '    lab: { preset: ws2016 }', '  hosts:', '    h1: { address: 127.0.0.2, lab: { preset: low-disk } }'].join('\n');
    const p = profileOf(yaml, 'h1');
    expect([p.os.build, p.psVersion, p.volumes]).toEqual([14393, '5.1.14393.0', [C(60, 3)]]);
  });

  it('a narrower OS preset replaces the whole OS image of an outer one (no 2019 with .NET 4.7)', () => {
    const yaml = [
      '  vars:',
      '    lab: { preset: dotnet-4.7 }',
      '  children:',
      '    modern:',
      '      vars:',
      '        lab: { preset: ws2019 }',
      '      hosts:',
      '        new1: { address: 127.0.0.2 }',
      '    old:',
      '      hosts:',
      '        old1: { address: 127.0.0.3 }',
    ].join('\n');
    const all = profiles(yaml);
    const n = all.get('new1')!;
    expect([n.os.build, n.dotnetRelease, n.psVersion, n.sql[0]!.version]).toEqual([17763, 528049, '5.1.17763.1', '15.0.2000.5']);
    const o = all.get('old1')!;
    expect([o.os.build, o.dotnetRelease, o.psVersion]).toEqual([14393, 460805, '5.1.14393.0']);
  });

  it('an outer group preset, then a child group setting, then a host preset: each level in turn', () => {
    const yaml = [
      '  children:',
      '    site:',
      '      vars:',
      '        lab: { preset: small, os: { editionId: ServerStandard, caption: Microsoft Windows Server 2019 Standard } }',
      '      children:',
      '        app:',
      '          vars:',
      '            lab: { ramGB: 8 }',
      '          hosts:',
      '            app1: { address: 127.0.0.2 }',
      '            app2: { address: 127.0.0.3, lab: { preset: ws2016 } }',
      '            app3: { address: 127.0.0.4, lab: { preset: ws2016, os: { editionId: ServerStandard, caption: Microsoft Windows Server 2016 Standard } } }',
    ].join('\n');
    const all = profiles(yaml);
    // Outer preset small (2 cores, 4 GB), the child group's ramGB over it, the outer edition kept.
    expect(all.get('app1')).toMatchObject({ cpuCores: 2, ramGB: 8, os: { editionId: 'ServerStandard', build: 17763 } });
    // The host's OS preset sets the whole os mapping: the group's edition gives way, its other keys stay.
    expect(all.get('app2')).toMatchObject({ cpuCores: 2, ramGB: 8, os: { editionId: 'ServerDatacenter', caption: 'Microsoft Windows Server 2016 Datacenter', build: 14393 } });
    // ... unless the host writes it again at its own level, after its preset.
    expect(all.get('app3')!.os).toMatchObject({ editionId: 'ServerStandard', caption: 'Microsoft Windows Server 2016 Standard', build: 14393 });
  });

  it('groups of one depth apply by name (as Ansible does), whatever their order in the file', () => {
    const yaml = [
      '  children:',
      '    zeta:',
      '      vars:',
      '        lab: { preset: small }',
      '      hosts:',
      '        h1: { address: 127.0.0.2 }',
      '    alpha:',
      '      vars:',
      '        lab: { cpuCores: 8, ramGB: 32 }',
      '      hosts:',
      '        h1:',
    ].join('\n');
    // alpha, then zeta: zeta's preset (2 cores, 4 GB) is applied after alpha's keys.
    expect(profileOf(yaml, 'h1')).toMatchObject({ cpuCores: 2, ramGB: 4 });
    const inv = inventory(yaml);
    expect(labLevelsOf(inv.hosts[0]!).map((l) => l.path.join('.'))).toEqual(['all.children.alpha.vars.lab', 'all.children.zeta.vars.lab']);
  });

  it('a child group beats its parent; the host beats both', () => {
    const yaml = [
      '  vars:',
      '    lab: { ramGB: 2 }',
      '  children:',
      '    parent:',
      '      vars:',
      '        lab: { ramGB: 4, cpuCores: 3 }',
      '      children:',
      '        child:',
      '          vars:',
      '            lab: { ramGB: 6 }',
      '          hosts:',
      '            h1: { address: 127.0.0.2 }',
      '            h2: { address: 127.0.0.3, lab: { ramGB: 12 } }',
    ].join('\n');
    const all = profiles(yaml);
    expect([all.get('h1')!.ramGB, all.get('h1')!.cpuCores]).toEqual([6, 3]);
    expect([all.get('h2')!.ramGB, all.get('h2')!.cpuCores]).toEqual([12, 3]);
  });

  it('preset: null at a narrower level names no preset (the outer one stays)', () => {
    const yaml = ['  vars:', '    lab: { preset: ws2016 }', '  hosts:', '    h1: { address: 127.0.0.2, lab: { preset: null, ramGB: 8 } }'].join('\n');
    expect(profileOf(yaml, 'h1')).toMatchObject({ ramGB: 8, os: { build: 14393 } });
  });

  it('hosts with the same levels share one profile object; different levels do not', () => {
    const yaml = ['  vars:', '    lab: { preset: ws2016 }', '  hosts:', '    h1: { address: 127.0.0.2 }', '    h2: { address: 127.0.0.3 }', '    h3: { address: 127.0.0.4, lab: { ramGB: 8 } }'].join('\n');
    const all = profiles(yaml);
    expect(all.get('h1')).toBe(all.get('h2'));
    expect(all.get('h3')).not.toBe(all.get('h1'));
  });

  it('the example in docs/lab.md resolves as its comments say', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/lab.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### Merge order'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const inv = parseInventory(yaml.replace('  vars:\n', "  vars:\n    winrm: { user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD }\n"), 'lab.md');
    const all = labProfilesOf(inv, inv.hosts);
    const view = (h: string) => {
      const p = all.get(h)!;
      return { build: p.os.build, ramGB: p.ramGB, startMs: p.powershellStartMs, volumes: p.volumes };
    };
    expect(view('app1')).toEqual({ build: 14393, ramGB: 8, startMs: 0, volumes: [C(200, 150)] });
    expect(view('app2')).toEqual({ build: 14393, ramGB: 8, startMs: 0, volumes: [C(60, 3)] });
    expect(view('app3')).toEqual({ build: 17763, ramGB: 8, startMs: 0, volumes: [C(200, 150)] });
    expect(view('app4')).toEqual({ build: 14393, ramGB: 8, startMs: 0, volumes: [C(60, 10)] });
  });
});
