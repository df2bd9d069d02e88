/** Ansible's host ranges: expansion (the conformance test compares whole inventories with ansible-inventory) and errors with the line. */
import { describe, expect, it } from 'vitest';
import { expandHostRange, HostRangeError } from '../../src/inventory/host-range.js';
import { parseInventory, InventoryError } from '../../src/inventory/loader.js';

describe('expandHostRange', () => {
  it.each([
    ['web[01:03]', ['web01', 'web02', 'web03']],
    ['web[1:3].corp', ['web1.corp', 'web2.corp', 'web3.corp']],
    ['db-[a:c]', ['db-a', 'db-b', 'db-c']],
    ['x[y:B]', ['xy', 'xz', 'xA', 'xB']],
    ['app[1:10:3]', ['app1', 'app4', 'app7', 'app10']],
    ['n[:2]', ['n0', 'n1', 'n2']],
    ['n[8:11]', ['n8', 'n9', 'n10', 'n11']],
    ['r[1:2]-[a:b]', ['r1-a', 'r1-b', 'r2-a', 'r2-b']],
    ['plain', ['plain']],
  ])('%s', (pattern, names) => {
    expect(expandHostRange(pattern, 5000)).toEqual(names);
  });

  it.each([
    ['web[3:1]', 'begin 3 is greater than end 1'],
    ['web[c:a]', "begin 'c' comes after end 'a'"],
    ['web[01:100]', 'must have the same width'],
    ['web[1:]', 'needs an end value'],
    ['web[1:3:0]', "the step '0' must be a whole number"],
    ['web[1]', 'is [begin:end] or [begin:end:step]'],
    ['web[a:9]', 'neither a number range'],
    ['web[01:03', "'[' without ']'"],
    ['web[0:9999][0:9]', 'more than 5000 hosts'],
  ])('%s is refused: %s', (pattern, message) => {
    expect(() => expandHostRange(pattern, 5000)).toThrow(HostRangeError);
    expect(() => expandHostRange(pattern, 5000)).toThrow(message);
  });
});

describe('host ranges in inventories', () => {
  it('YAML: an error about an expanded host points at the line of its range', () => {
    const text = ['all:', '  vars: { transport: local }', '  children:', '    app:', '      hosts:', '        app[1:3]: { webApps: [gateway] }', ''].join('\n');
    try {
      parseInventory(text, 'site.yaml');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InventoryError);
      const p = (err as InventoryError).problems;
      // One problem per host, each at the range's line.
      expect(p.map((x) => `${x.position.line}:${x.position.col}`)).toEqual(['6:30', '6:30', '6:30']);
      expect(p[0]!.message).toMatch(/host 'app1' sets webApps but is not in the web group/);
    }
  });

  it('YAML: a bad range and a host written twice are errors with the line', () => {
    const text = ['all:', '  hosts:', '    web[3:1]: {}', '    app[1:2]: {}', '    app2: {}', ''].join('\n');
    expect(() => parseInventory(text, 'site.yaml')).toThrow(InventoryError);
    try {
      parseInventory(text, 'site.yaml');
    } catch (err) {
      expect((err as InventoryError).problems.map((x) => `${x.position.line}:${x.position.col} ${x.field}: ${x.message}`)).toEqual([
        "3:5 all.hosts.web[3:1]: host range 'web[3:1]': begin 3 is greater than end 1.",
        "5:5 all.hosts.app2: host 'app2' is written twice in this hosts: mapping (by 'app[1:2]' and by 'app2').",
      ]);
    }
  });

  it('INI: a bad range is an error naming the INI file, line and column', () => {
    expect(() => parseInventory('[web]\n  web[01:100] ansible_host=x\n', 'hosts.ini')).toThrow(/hosts\.ini:2:3, field web\.hosts\.web\[01:100\]: host range 'web\[01:100\]': begin '01' and end '100' must have the same width/);
  });

  it("INI: each host of a range gets the line's vars, and errors about them point at that line", () => {
    const inv = parseInventory('[app]\napp[1:3] ansible_connection=local\n', 'hosts.ini');
    expect(inv.hosts.map((h) => [h.name, h.transport])).toEqual([
      ['app1', 'local'],
      ['app2', 'local'],
      ['app3', 'local'],
    ]);
    expect(() => parseInventory('[app]\napp[1:3] ansible_connection=local webApps="[\'gateway\']"\n', 'hosts.ini')).toThrow(/hosts\.ini:2:43, field all\.children\.app\.hosts\.app1\.webApps: host 'app1' sets webApps/);
  });
});
