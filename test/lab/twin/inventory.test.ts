/**
 * The twin's inventory (src/lab/twin/inventory.ts and twinHosts in build.ts), read back by the real
 * inventory loader and the lab's profile resolution: same names, roles, groups, web apps, versions,
 * install paths, component settings and own variables; loopback addresses; the lab's connection settings per transport; local hosts left out.
 */
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/loader.js';
import { labProfilesOf } from '../../../src/lab/profile/from-inventory.js';
import { twinHosts } from '../../../src/lab/twin/build.js';
import { renderTwinInventory } from '../../../src/lab/twin/inventory.js';
import type { SiteFacts, SiteFactsHost } from '../../../src/preflight/site-facts.js';
import { InventoryComponentSettings } from '../../../src/components/index.js';

function host(name: string, over: Partial<SiteFactsHost>): SiteFactsHost {
  return {
    name,
    address: `10.0.0.${name.length}`,
    roles: [],
    groups: [],
    webApps: [],
    versions: { rabbitmq: '4.1.4' },
    installPath: null,
    vars: {},
    varsLeftOut: [],
    transport: 'winrm',
    winrm: { scheme: 'http', port: 5985, auth: 'ntlm' },
    ssh: null,
    session: 'connected',
    facts: null,
    factsFailed: false,
    reach: null,
    reachFailed: false,
    clockSkewMs: null,
    ...over,
  };
}

const doc: SiteFacts = {
  kind: 'cortex-deploy/site-facts',
  schemaVersion: 2,
  capturedAt: '2026-12-02T07:00:00.000Z',
  toolVersion: '0.1.0',
  inventory: 'site.yaml',
  components: InventoryComponentSettings.parse({ serviceFabric: { security: { kind: 'machineGroup', clusterIdentity: 'CORP\\CortexSfNodes' }, clientIdentities: [{ identity: 'CORP\\CortexAdmins', isAdmin: true }] }, rabbitmq: { clusterName: 'cortex-site' } }),
  hosts: [
    host('web1', { roles: ['web'], groups: ['web', 'dmz'], webApps: ['gateway', 'liveportal'], installPath: 'D:\\Cortex', vars: { gatewayHostName: 'gateway.corp.example.com', gatewayThumbprint: 'AB12', owner: { team: 'ops' } } }),
    host('app1', { roles: ['app'], groups: ['app'], transport: 'ssh', winrm: null, ssh: { port: 22 } }),
    host('app2', { roles: ['app'], groups: ['app'], winrm: { scheme: 'https', port: 5986, auth: 'kerberos' }, session: 'tls' }),
    host('app3', { roles: ['app'], groups: ['app'], winrm: { scheme: 'https', port: 443, auth: 'certificate' } }),
    host('both1', { roles: ['app', 'db'], groups: ['app', 'db', 'dmz'], versions: { rabbitmq: '4.0.0' } }),
    host('ctl', { roles: [], groups: [], transport: 'local', winrm: null }),
    host('loose', { roles: [], groups: [] }),
  ],
};

describe("the twin's inventory", () => {
  const addresses = ['127.2.0.1', '127.2.0.2', '127.2.0.3', '127.2.0.4', '127.2.0.5', '127.2.0.6'];
  const hosts = twinHosts(doc, addresses, 'site.facts.json');
  const text = renderTwinInventory(doc, hosts, { factsFile: 'site.facts.json', stateDir: '/srv/twin-state', sshUser: 'rehearse' });
  const inv = parseInventory(text, 'twin.yaml');
  const byName = (n: string) => inv.hosts.find((h) => h.name === n)!;

  it('has every host but the local one, with the same roles, groups, web apps, versions and install path', () => {
    expect(inv.hosts.map((h) => [h.name, h.address])).toEqual([
      ['web1', '127.2.0.1'],
      ['app1', '127.2.0.2'],
      ['app2', '127.2.0.3'],
      ['app3', '127.2.0.4'],
      ['both1', '127.2.0.5'],
      ['loose', '127.2.0.6'],
    ]);
    expect(byName('both1').roles).toEqual(['app', 'db']);
    expect(byName('both1').groups.sort()).toEqual(['app', 'db', 'dmz']);
    expect(byName('web1').groups.sort()).toEqual(['dmz', 'web']);
    expect(byName('web1').webApps).toEqual(['gateway', 'liveportal']);
    expect(byName('web1').installPath).toBe('D:\\Cortex');
    expect(byName('web1').versions).toEqual({ rabbitmq: '4.1.4' });
    expect(byName('both1').versions).toEqual({ rabbitmq: '4.0.0' });
    expect(text).not.toContain('ctl');
  });

  it('carries what the install reads besides the facts: the component settings and each host\'s own variables', () => {
    // The loader validates components: again; the settings come back as the site had them, defaults included.
    // The facts carry no licence reference; the twin names the lab's synthetic licence beside its inventory.
    expect(doc.components?.nservicebus.license).toBeUndefined();
    expect(inv.components).toEqual({ ...doc.components, nservicebus: { license: 'file:nservicebus-license.xml' } });
    expect(inv.components?.rabbitmq.clusterName).toBe('cortex-site');
    expect(byName('web1').vars).toEqual({ gatewayHostName: 'gateway.corp.example.com', gatewayThumbprint: 'AB12', owner: { team: 'ops' } });
    expect(byName('app1').vars ?? {}).toEqual({});
  });

  it("uses the lab's account and listeners: NTLM over the host's scheme, the lab's certificate, its SSH key", () => {
    expect(byName('web1').winrm).toMatchObject({ scheme: 'http', port: 5985, auth: 'ntlm', user: 'LAB\\cortex', password: 'env:CORTEX_LAB_PASSWORD' });
    expect(byName('app3').winrm).toMatchObject({ scheme: 'https', port: 5986, auth: 'ntlm', tls: { ca: 'file:/srv/twin-state/tls/cert.pem' } });
    // app2's certificate was refused at capture: the twin leaves the lab's certificate untrusted.
    expect(byName('app2').winrm).toMatchObject({ scheme: 'https', port: 5986, tls: { ca: null } });
    expect(byName('app1').transport).toBe('ssh');
    expect(byName('app1').ssh).toMatchObject({ port: 5922, user: 'rehearse', key: 'file:/srv/twin-state/ssh/client_ed25519', knownHosts: '/srv/twin-state/ssh/known_hosts' });
  });

  it("every host's lab: resolves to a profile that names the facts file and what it assumed", () => {
    const profiles = labProfilesOf(inv, inv.hosts);
    expect(profiles.size).toBe(6);
    expect(profiles.get('app3')?.twin?.assumed).toContain("winrm.auth: ntlm (the host used certificate; the twin logs on with the lab's account over NTLM)");
    expect(profiles.get('app2')?.twin?.assumed.some((a) => a.startsWith('winrm.tls:'))).toBe(true);
    for (const p of profiles.values()) expect(p.twin?.source).toBe('site.facts.json');
  });
});
