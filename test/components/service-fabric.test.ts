/** ClusterConfig.json: what Service Fabric (and Cortex) refuses is refused, with the field and a fix. */
import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import { ComponentConfigError, serviceFabricClusterConfig, type ServiceFabricSettingsInput } from '../../src/components/index.js';
import type { ComponentHost } from '../../src/components/index.js';

const app = (n: number): ComponentHost[] => Array.from({ length: n }, (_, i) => ({ name: `app${i + 1}`, address: `app${i + 1}.corp.example.com`, roles: ['app'] }));
const others: ComponentHost[] = [
  { name: 'web1', address: 'web1.corp.example.com', roles: ['web'] },
  { name: 'lb1', address: 'lb1.corp.example.com', roles: ['lb'] },
];
const settings: ServiceFabricSettingsInput = {
  security: { kind: 'gmsa', gmsa: 'sfgmsa@corp.example.com', spn: 'ServiceFabric/cortex.corp.example.com' },
  clientIdentities: [{ identity: 'CORP\\CortexAdmins', isAdmin: true }],
};

const errorOf = (fn: () => unknown) => thrown(fn, ComponentConfigError);

describe('serviceFabricClusterConfig', () => {
  it('one node per app server only, in inventory order, each its own fault and upgrade domain; tier from the count', () => {
    const r = serviceFabricClusterConfig([...others, ...app(5)], settings);
    const nodes = r.clusterConfig.nodes as Array<Record<string, string>>;
    expect(nodes.map((n) => n.nodeName)).toEqual(['app1', 'app2', 'app3', 'app4', 'app5']);
    expect(nodes.map((n) => n.upgradeDomain)).toEqual(['UD0', 'UD1', 'UD2', 'UD3', 'UD4']);
    expect(new Set(nodes.map((n) => n.faultDomain)).size).toBe(5);
    expect(r.tier).toBe('Silver');
    expect(serviceFabricClusterConfig(app(3), settings).tier).toBe('Bronze');
    expect(serviceFabricClusterConfig(app(9), settings).tier).toBe('Platinum');
  });

  it('never writes reliabilityLevel; telemetry and auto-upgrade are off; Windows security', () => {
    const r = serviceFabricClusterConfig(app(3), settings);
    expect(r.text).not.toMatch(/reliabilityLevel/i);
    const props = r.clusterConfig.properties as Record<string, unknown>;
    expect(props.enableTelemetry).toBe(false);
    expect(props.fabricClusterAutoupgradeEnabled).toBe(false);
    expect(props.security).toMatchObject({ ClusterCredentialType: 'Windows', ServerCredentialType: 'Windows', WindowsIdentities: { ClustergMSAIdentity: 'sfgmsa@corp.example.com' } });
    expect(JSON.parse(r.text)).toEqual(r.clusterConfig);
  });

  it.each([
    [1, /1 application server; a Service Fabric cluster needs at least 3 nodes/],
    [2, /2 application servers; a Service Fabric cluster needs at least 3/],
    [4, /4 application servers; Cortex runs an odd number/],
    [6, /6 application servers; Cortex runs an odd number/],
  ])('%i app servers: refused (typed, exit 3, field app)', (n, message) => {
    const e = errorOf(() => serviceFabricClusterConfig(app(n), settings));
    expect(e.message).toMatch(message);
    expect(e.exitCode).toBe(3);
    expect(e.context.field).toBe('app');
    expect(e.context.hint).toBeTruthy();
  });

  it('two nodes on one machine (same address) are refused', () => {
    const hosts = app(3);
    hosts[2] = { ...hosts[2]!, address: 'APP1.corp.example.com' };
    expect(errorOf(() => serviceFabricClusterConfig(hosts, settings)).message).toMatch(/nodes app1 and app3 have the same address/);
  });

  it.each<[string, ServiceFabricSettingsInput['ports'], RegExp, string]>([
    ['overlapping ranges', { application: { startPort: 49000, endPort: 49200 } }, /overlaps ports\.ephemeral/, 'ports.application'],
    ['too few ephemeral ports', { ephemeral: { startPort: 49152, endPort: 49300 } }, /holds 149 ports; Service Fabric needs at least 255/, 'ports.ephemeral'],
    ['start above end', { application: { startPort: 20031, endPort: 20001 } }, /startPort 20031 is above endPort 20001/, 'ports.application'],
    ['two endpoints on one port', { httpGateway: 19000 }, /ports\.httpGateway and ports\.clientConnection are both 19000/, 'ports.httpGateway'],
    ['an endpoint inside a range', { clientConnection: 20005 }, /ports\.clientConnection \(20005\) lies inside ports\.application/, 'ports.clientConnection'],
  ])('ports: %s', (_name, ports, message, field) => {
    const e = errorOf(() => serviceFabricClusterConfig(app(3), { ...settings, ports }));
    expect(e.message).toMatch(message);
    expect(e.context.field).toBe(field);
  });

  it('settings the schema refuses name the field: no client identity, no admin, a bad identity, a relative data root', () => {
    expect(errorOf(() => serviceFabricClusterConfig(app(3), { ...settings, clientIdentities: [] })).context.field).toBe('clientIdentities');
    expect(errorOf(() => serviceFabricClusterConfig(app(3), { ...settings, clientIdentities: [{ identity: 'CORP\\Readers', isAdmin: false }] })).message).toMatch(/no client identity is an admin/);
    expect(errorOf(() => serviceFabricClusterConfig(app(3), { ...settings, clientIdentities: [{ identity: 'nobody', isAdmin: true }] })).context.field).toBe('clientIdentities.0.identity');
    const e = errorOf(() => serviceFabricClusterConfig(app(3), { ...settings, dataRoot: 'SF\\data' }));
    expect(e.context.field).toBe('dataRoot');
    expect(e.message).toMatch(/absolute Windows path/);
    expect(errorOf(() => serviceFabricClusterConfig(app(3), { ...settings, security: { kind: 'certificate' } as never })).context.field).toBe('security.kind');
  });

  it('no reverse proxy: the port is left out of the node type', () => {
    const r = serviceFabricClusterConfig(app(3), { ...settings, ports: { reverseProxy: null } });
    expect(r.text).not.toContain('reverseProxyEndpointPort');
    expect(r.text).toContain('"httpGatewayEndpointPort": "19080"');
  });
});
