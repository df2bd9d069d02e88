/** Firewall rules per role: valid firewall_rule params whose ports follow the components' settings. */
import { describe, expect, it } from 'vitest';
import { ComponentConfigError, firewallRulesForHost, firewallRulesForRole } from '../../src/components/index.js';
import { FirewallRuleParams } from '../../src/resources/firewall-rule.js';

const ports = (role: Parameters<typeof firewallRulesForRole>[0], settings = {}) => Object.fromEntries(firewallRulesForRole(role, settings).map((r) => [r.params.name, `${r.params.protocol} ${r.params.localPorts.join(',')}`]));

describe('firewall rules per role', () => {
  it('app: RabbitMQ cluster and clients, Service Fabric endpoints and application range, SMB/RPC, the gateway from the LB', () => {
    expect(ports('app')).toEqual({
      'cortex-app-rabbitmq-cluster': 'tcp 4369,25672',
      'cortex-app-rabbitmq-clients': 'tcp 5672,15672',
      'cortex-app-servicefabric': 'tcp 19000,19001,19002,19003,19080,19081,20001-20031',
      'cortex-app-servicefabric-smb-rpc': 'tcp 135,139,445',
      'cortex-app-servicefabric-netbios': 'udp 137,138',
      'cortex-app-gateway-from-lb': 'tcp 8443',
    });
  });

  it('ports follow the settings the generators use', () => {
    const p = ports('app', { rabbitmq: { amqpPort: 5673 }, serviceFabric: { ports: { reverseProxy: null, application: { startPort: 30001, endPort: 30001 } } }, gobetween: { servers: [{ name: 'gw', role: 'app', backendPort: 9443, bindPort: 443 }] } });
    expect(p['cortex-app-rabbitmq-cluster']).toBe('tcp 4369,25673');
    expect(p['cortex-app-servicefabric']).toBe('tcp 19000,19001,19002,19003,19080,30001');
    expect(p['cortex-app-gateway-from-lb']).toBe('tcp 9443');
    expect(ports('lb', { gobetween: { servers: [{ name: 'gw', role: 'app', backendPort: 9443, bindPort: 443 }] } })).toEqual({ 'cortex-lb-gobetween': 'tcp 443' });
    expect(ports('db', { sqlPort: 14330 })).toEqual({ 'cortex-db-sqlserver': 'tcp 14330' });
    expect(ports('web')).toEqual({ 'cortex-web-http': 'tcp 80,443' });
  });

  it('every rule is a valid firewall_rule: inbound, allow, domain profile, enabled', () => {
    for (const role of ['app', 'web', 'db', 'lb'] as const) {
      for (const r of firewallRulesForRole(role)) {
        expect(FirewallRuleParams.parse(r.params)).toEqual(r.params);
        expect(r.params).toMatchObject({ direction: 'inbound', action: 'allow', profiles: ['domain'], enabled: true, state: 'present' });
        expect(r.params.name.startsWith(`cortex-${role}-`)).toBe(true);
        expect(r.allowFrom.length).toBeGreaterThan(0);
      }
    }
  });

  it('a host with two roles gets each rule once; bad settings name their field', () => {
    const rules = firewallRulesForHost({ roles: ['web', 'lb', 'web'] });
    expect(rules.map((r) => r.params.name)).toEqual(['cortex-web-http', 'cortex-lb-gobetween']);
    const e = (() => {
      try {
        firewallRulesForRole('db', { sqlPort: 0 });
      } catch (err) {
        return err as ComponentConfigError;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(ComponentConfigError);
    expect(e!.context.field).toBe('sqlPort');
  });
});
