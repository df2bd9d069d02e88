import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTopology, RULES, tierFor, type TopologyHost } from '../../src/inventory/topology/index.js';
import { loadInventory } from '../../src/inventory/loader.js';

type Role = TopologyHost['roles'][number];
let n = 0;
const host = (name: string, roles: Role[], webApps: TopologyHost['webApps'] = [], address = `10.0.0.${++n}`): TopologyHost => ({ name, address, roles, webApps });

/** The recommended 7 servers, optionally changed. */
function seven(): TopologyHost[] {
  return [
    host('web1', ['web'], ['gateway']),
    host('web2', ['web'], ['liveportal']),
    host('app1', ['app']),
    host('app2', ['app']),
    host('app3', ['app']),
    host('db1', ['db']),
    host('lb1', ['lb']),
  ];
}
const apps = (count: number) => Array.from({ length: count }, (_, i) => host(`app${i + 1}`, ['app']));
const ids = (hosts: TopologyHost[]) => checkTopology({ hosts }).findings.map((f) => f.id);
const rule = (id: string) => RULES.find((r) => r.id === id)!;

describe('topology: the recommended 7 servers', () => {
  it('has no findings, tier Bronze, and a role map per host', () => {
    const report = checkTopology({ hosts: seven() });
    expect(report.findings).toEqual([]);
    expect(report.tier).toBe('Bronze');
    expect(report.roleMap.map((r) => [r.host, r.roles, r.webApps])).toEqual([
      ['web1', ['web'], ['gateway']],
      ['web2', ['web'], ['liveportal']],
      ['app1', ['app'], []],
      ['app2', ['app'], []],
      ['app3', ['app'], []],
      ['db1', ['db'], []],
      ['lb1', ['lb'], []],
    ]);
  });
  it('every rule has a stable id, a severity and a source', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^topology\.[a-z-]+$/);
      expect(['error', 'warning']).toContain(r.severity);
      expect(r.source.length).toBeGreaterThan(10);
    }
  });
});

describe('tier', () => {
  it.each([
    [0, null],
    [1, null],
    [2, null],
    [3, 'Bronze'],
    [4, 'Bronze'],
    [5, 'Silver'],
    [6, 'Silver'],
    [7, 'Gold'],
    [8, 'Gold'],
    [9, 'Platinum'],
    [11, 'Platinum'],
    [15, 'Platinum'],
  ])('%i application servers → %s', (count, tier) => {
    expect(tierFor(count)).toBe(tier);
  });
});

describe('topology.app-count-min / app-count-odd', () => {
  it.each([1, 2])('%i app servers is an error', (count) => {
    const hosts = [...seven().filter((h) => !h.roles.includes('app')), ...apps(count)];
    const f = rule('topology.app-count-min').check(hosts);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', hosts: apps(count).map((h) => h.name) });
    expect(f[0]!.message).toContain('at least 3');
  });
  it.each([4, 6, 8, 10])('%i app servers (even) is an error', (count) => {
    const hosts = [...seven().filter((h) => !h.roles.includes('app')), ...apps(count)];
    expect(ids(hosts)).toEqual(['topology.app-count-odd']);
    expect(rule('topology.app-count-odd').check(hosts)[0]!.message).toContain(`use an odd number (${count - 1} or ${count + 1})`);
  });
  it.each([3, 5, 7, 9, 11])('%i app servers passes', (count) => {
    const hosts = [...seven().filter((h) => !h.roles.includes('app')), ...apps(count)];
    expect(rule('topology.app-count-min').check(hosts)).toEqual([]);
    expect(rule('topology.app-count-odd').check(hosts)).toEqual([]);
  });
  it('2 app servers is reported once (min), not also as even', () => {
    const hosts = [...seven().filter((h) => !h.roles.includes('app')), ...apps(2)];
    expect(ids(hosts)).toContain('topology.app-count-min');
    expect(ids(hosts)).not.toContain('topology.app-count-odd');
  });
});

describe('topology.db-count', () => {
  it('no db server is an error', () => {
    expect(ids(seven().filter((h) => h.name !== 'db1'))).toContain('topology.db-count');
  });
  it('two db servers is an error naming both', () => {
    const f = rule('topology.db-count').check([...seven(), host('db2', ['db'])]);
    expect(f[0]).toMatchObject({ severity: 'error', hosts: ['db1', 'db2'] });
  });
  it('exactly one passes', () => {
    expect(rule('topology.db-count').check(seven())).toEqual([]);
  });
});

describe('topology.lb-count / lb-on-app / lb-shared', () => {
  it('no lb is an error', () => {
    expect(ids(seven().filter((h) => h.name !== 'lb1'))).toContain('topology.lb-count');
  });
  it('two lbs is an error', () => {
    expect(rule('topology.lb-count').check([...seven(), host('lb2', ['lb'])])[0]!.hosts).toEqual(['lb1', 'lb2']);
  });
  it('lb on an application server (same host) is an error', () => {
    const hosts = seven()
      .filter((h) => h.name !== 'lb1')
      .map((h) => (h.name === 'app3' ? { ...h, roles: ['app', 'lb'] as Role[] } : h));
    const f = rule('topology.lb-on-app').check(hosts);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('gobetween cannot route to itself');
    expect(f[0]!.hosts).toEqual(['app3']);
  });
  it('lb on an application server (same address, other name) is an error', () => {
    const hosts = seven().map((h) => (h.name === 'lb1' ? { ...h, address: '10.9.9.9' } : h.name === 'app2' ? { ...h, address: '10.9.9.9' } : h));
    expect(rule('topology.lb-on-app').check(hosts)[0]!.hosts).toEqual(['lb1', 'app2']);
  });
  it('lb on its own server passes', () => {
    expect(rule('topology.lb-on-app').check(seven())).toEqual([]);
    expect(rule('topology.lb-shared').check(seven())).toEqual([]);
  });
  it('lb sharing with web or db is a warning', () => {
    const hosts = seven().map((h) => (h.name === 'db1' ? { ...h, roles: ['db', 'lb'] as Role[] } : h)).filter((h) => h.name !== 'lb1');
    const f = rule('topology.lb-shared').check(hosts);
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', hosts: ['db1'] })]);
    expect(ids(hosts)).not.toContain('topology.lb-on-app');
  });
});

describe('topology.web-gateway / web-apps-together / web-no-apps', () => {
  it('no web server hosting the Gateway is an error', () => {
    const hosts = seven().map((h) => (h.name === 'web1' ? { ...h, webApps: ['liveportal'] as TopologyHost['webApps'] } : h));
    expect(ids(hosts)).toContain('topology.web-gateway');
  });
  it('no web server at all is an error', () => {
    expect(rule('topology.web-gateway').check(seven().filter((h) => !h.roles.includes('web')))[0]!.message).toContain('no web server');
  });
  it('Gateway and LivePortal on one server is a warning', () => {
    const hosts = seven()
      .filter((h) => h.name !== 'web2')
      .map((h) => (h.name === 'web1' ? { ...h, webApps: ['gateway', 'liveportal'] as TopologyHost['webApps'] } : h));
    const f = checkTopology({ hosts }).findings.filter((x) => x.id === 'topology.web-apps-together');
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', hosts: ['web1'] })]);
  });
  it('apart passes', () => {
    expect(rule('topology.web-apps-together').check(seven())).toEqual([]);
    expect(rule('topology.web-gateway').check(seven())).toEqual([]);
  });
  it('a web server with no web app is a warning', () => {
    expect(rule('topology.web-no-apps').check([...seven(), host('web3', ['web'])])).toEqual([expect.objectContaining({ hosts: ['web3'] })]);
  });
});

describe('topology.servers-min / servers-recommended', () => {
  it('fewer than 4 distinct servers is an error (hosts sharing an address count once)', () => {
    const hosts = [host('a', ['app', 'web'], ['gateway'], '10.1.0.1'), host('b', ['app', 'db'], [], '10.1.0.2'), host('c', ['app'], [], '10.1.0.3'), host('c-lb', ['lb'], [], '10.1.0.3')];
    expect(rule('topology.servers-min').check(hosts)[0]!.message).toContain('3 distinct servers');
    expect(rule('topology.servers-recommended').check(hosts)).toEqual([]);
  });
  it('4 to 6 servers is a warning', () => {
    const hosts = [host('a', ['app', 'web'], ['gateway']), host('b', ['app', 'db']), host('c', ['app']), host('d', ['lb'])];
    expect(ids(hosts)).toEqual(['topology.servers-recommended']);
  });
  it('7 passes', () => {
    expect(rule('topology.servers-min').check(seven())).toEqual([]);
    expect(rule('topology.servers-recommended').check(seven())).toEqual([]);
  });
});

describe('topology.host-no-role', () => {
  it('a host in no role group is a warning', () => {
    const f = checkTopology({ hosts: [...seven(), host('jump1', [])] }).findings;
    expect(f).toEqual([expect.objectContaining({ id: 'topology.host-no-role', severity: 'warning', hosts: ['jump1'] })]);
  });
  it('every host with a role passes', () => {
    expect(rule('topology.host-no-role').check(seven())).toEqual([]);
  });
});

describe('findings on fixture inventories', () => {
  const fixture = (name: string) => relative(process.cwd(), join(import.meta.dirname, '../fixtures/inventory', name));
  it.each([
    ['even-app-count.yaml', ['topology.app-count-odd'], 'Bronze'],
    ['two-lbs.yaml', ['topology.lb-count'], 'Bronze'],
    ['lb-on-app.yaml', ['topology.lb-on-app', 'topology.servers-recommended'], 'Bronze'],
    ['too-few-servers.yaml', ['topology.servers-min', 'topology.lb-count'].sort(), 'Bronze'],
    ['no-role.yaml', ['topology.host-no-role'], 'Bronze'],
  ])('%s → %j', async (file, expected, tier) => {
    const report = checkTopology(await loadInventory(fixture(file)));
    expect(report.findings.map((f) => f.id).sort()).toEqual([...expected].sort());
    expect(report.tier).toBe(tier);
  });
  it('errors come before warnings', async () => {
    const report = checkTopology(await loadInventory(fixture('lb-on-app.yaml')));
    expect(report.findings.map((f) => f.severity)).toEqual(['error', 'warning']);
  });
});
