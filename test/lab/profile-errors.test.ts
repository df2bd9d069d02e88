/**
 * Lab profile errors, as the inventory reports its own: every problem of every host at once, each at
 * file:line:col with its field, with did-you-mean suggestions; a problem in a group's vars once, naming
 * the hosts it breaks; a value a preset supplied points at the `preset:` that named it.
 */
import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import { parseInventory } from '../../src/inventory/index.js';
import { labHostsFromInventory, labProfilesOf } from '../../src/lab/profile/from-inventory.js';
import { LabProfileError, resolveProfile } from '../../src/lab/profile/resolve.js';

function inventory(lines: string[]) {
  return parseInventory(['all:', '  vars:', "    winrm: { user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD }", ...lines].join('\n'), 'lab.yaml');
}

function errorOf(lines: string[]): LabProfileError {
  const inv = inventory(lines);
  return thrown(() => labProfilesOf(inv, inv.hosts), LabProfileError);
}

describe('lab profile errors', () => {
  it('lists every problem of every host and level at once, with positions and suggestions', () => {
    const err = errorOf([
      '    lab: { ramGb: 8 }', //                                                      line 4: all.vars, every host
      '  hosts:',
      '    h1: { address: 127.0.0.2, lab: { preset: ws2106 } }', //                   line 6
      '    h2: { address: 127.0.0.3, lab: { cpuCores: four } }', //                   line 7
      '    h3:', //                                                                   line 8
      '      address: 127.0.0.4',
      '      lab:',
      '        volumes: [ { drive: "C:", sizeGB: 10, freeGB: 20 } ]', //             line 11
    ]);
    expect(err.exitCode).toBe(3);
    const got = err.problems.map((p) => ({ at: `${p.position.line}:${p.position.col}`, field: p.field, message: p.message }));
    expect(got).toEqual([
      { at: '4:12', field: 'all.vars.lab.ramGb', message: "unknown key 'ramGb'. Did you mean 'ramGB'? (hosts h1, h2, h3)" },
      { at: '6:46', field: 'all.hosts.h1.lab.preset', message: "unknown preset 'ws2106'. Did you mean 'ws2016'?" },
      { at: '7:48', field: 'all.hosts.h2.lab.cpuCores', message: 'expected a number, got a string "four".' },
      { at: '11:55', field: 'all.hosts.h3.lab.volumes[0].freeGB', message: 'freeGB cannot exceed sizeGB.' },
    ]);
    expect(err.message).toContain('4 problems in lab profiles, the first here:');
    for (const line of ['lab.yaml:4:12', 'lab.yaml:6:46', 'lab.yaml:7:48', 'lab.yaml:11:55']) expect(err.message).toContain(line);
    expect(err.problems[1]!.hint).toContain('Presets: ws2019, ws2016');
  });

  it('a group problem shared by many hosts is reported once, naming a few of them', () => {
    const hosts = Array.from({ length: 6 }, (_, i) => `    h${i + 1}: { address: 127.0.0.${i + 2} }`);
    const err = errorOf(['    lab: { cpuCore: 2 }', '  hosts:', ...hosts]);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]!.message).toBe("unknown key 'cpuCore'. Did you mean 'cpuCores'? (hosts h1, h2, h3 and 3 more)");
    // One problem: the message is the problem itself, with its hint.
    expect(err.message).toMatch(/^lab\.yaml:4:12, field all\.vars\.lab\.cpuCore: invalid lab profile: unknown key 'cpuCore'/);
    expect(err.message).toContain('Allowed here:');
  });

  it("a preset's value that clashes with a narrower level points at the preset that supplied it", () => {
    const err = errorOf([
      '  children:',
      '    app:',
      '      vars:',
      '        lab: { preset: fat32-programdata }', //                                 line 7
      '      hosts:',
      '        app1: { address: 127.0.0.2, lab: { volumes: [ { drive: "C:" } ] } }',
      '        app2: { address: 127.0.0.3 }',
    ]);
    expect(err.problems).toHaveLength(1);
    const p = err.problems[0]!;
    expect(`${p.position.line}:${p.position.col}`).toBe('7:24');
    expect(p.field).toBe('all.children.app.vars.lab.programData');
    expect(p.message).toBe(
      "%ProgramData% (D:\\ProgramData) is on D:, a drive the host does not have (the host has C:). (set by preset 'fat32-programdata', named at all.children.app.vars.lab.preset) (host app1)",
    );
    expect(p.hint).toBe('Add D: to volumes, or set programData to a folder on one of them.');
    expect(err.context.host).toBe('app1');
  });

  it('a lab: that is not a mapping, and a nested unknown key', () => {
    const err = errorOf(['  hosts:', '    h1: { address: 127.0.0.2, lab: [ ramGB ] }', '    h2: { address: 127.0.0.3, lab: { os: { editionID: ServerStandard } } }']);
    expect(err.problems.map((p) => [p.field, p.message])).toEqual([
      ['all.hosts.h1.lab', 'expected a mapping of profile keys, got a list.'],
      ['all.hosts.h2.lab.os.editionID', "unknown key 'editionID'. Did you mean 'editionId'?"],
    ]);
  });

  it('refuses what cannot exist: duplicate drives, no C:, a computer name NetBIOS does not allow', () => {
    const r = resolveProfile({ volumes: [{ drive: 'D:' }, { drive: 'd:' }], computerName: 'APP*1' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.path.join('.'), i.message])).toEqual(
      expect.arrayContaining([
        ['volumes.1.drive', 'drive D: is listed twice in volumes.'],
        ['volumes', 'volumes has no C:, the system drive (the host has D:).'],
        ['computerName', expect.stringContaining('a NetBIOS name')],
      ]),
    );
    for (const name of ['1234', '.APP', 'A-VERY-LONG-NAME-16', 'APP 1']) expect(resolveProfile({ computerName: name }).ok, name).toBe(false);
    for (const name of ['APP1', "O'BRIEN-PC", 'WEB_01', 'X{1}~']) expect(resolveProfile({ computerName: name }).ok, name).toBe(true);
  });

  it('a __proto__ key is an unknown key, not a silent prototype', () => {
    const r = resolveProfile(JSON.parse('{"__proto__": {"ramGB": 1}}'));
    expect(!r.ok && r.issues.map((i) => i.message)).toEqual(["unknown key '__proto__'."]);
  });

  it('lab up reports profile problems before resolving any password', async () => {
    const inv = inventory(['  hosts:', '    h1: { address: 127.0.0.2, lab: { ramGB: lots } }']);
    const saved = process.env.CORTEX_LAB_PASSWORD;
    delete process.env.CORTEX_LAB_PASSWORD;
    try {
      await expect(labHostsFromInventory(inv)).rejects.toBeInstanceOf(LabProfileError);
    } finally {
      if (saved !== undefined) process.env.CORTEX_LAB_PASSWORD = saved;
    }
  });
});
