/**
 * Inbound Windows Firewall rules per role (docs/firewall.md), as firewall_rule resource
 * parameters (src/resources/firewall-rule.ts). Ports follow the same settings the config generators use,
 * so a rule always opens what the generated configuration listens on. `allowFrom` says whose traffic a
 * rule is for; firewall_rule has no remote-address parameter yet, so the rules are scoped by profile
 * (Domain) only, and allowFrom is carried for when it has.
 * WinRM/SSH are not here: the orchestrator reaches the host through them already.
 */
import { z } from 'zod';
import { FirewallRuleParams } from '../resources/firewall-rule.js';
import type { Role } from '../inventory/types.js';
import { GobetweenSettings, type GobetweenSettingsInput } from './gobetween.js';
import { EPMD_PORT, RabbitmqSettings, distributionPort, type RabbitmqSettingsInput } from './rabbitmq.js';
import { ServiceFabricSettings, type ServiceFabricSettingsInput } from './service-fabric.js';
import { settingsError } from './errors.js';

export type TrafficSource = 'app' | 'web' | 'lb' | 'admins' | 'clients';

export interface RoleFirewallRule {
  role: Role;
  /** Whose traffic the rule admits (for remote-address scoping). */
  allowFrom: TrafficSource[];
  params: z.output<typeof FirewallRuleParams>;
}

export interface FirewallSettings {
  serviceFabric?: Partial<ServiceFabricSettingsInput>;
  gobetween?: GobetweenSettingsInput;
  rabbitmq?: RabbitmqSettingsInput;
  sqlPort?: number;
}

const range = (r: { startPort: number; endPort: number }) => (r.startPort === r.endPort ? r.startPort : `${r.startPort}-${r.endPort}`);

function rule(role: Role, name: string, protocol: 'tcp' | 'udp', localPorts: Array<number | string>, allowFrom: TrafficSource[]): RoleFirewallRule {
  return { role, allowFrom, params: FirewallRuleParams.parse({ name, direction: 'inbound', protocol, localPorts, action: 'allow', profiles: ['domain'], enabled: true, state: 'present' }) };
}

/** The rules one role needs, in a stable order; names are cortex-<role>-<what>. */
export function firewallRulesForRole(role: Role, settings: FirewallSettings = {}): RoleFirewallRule[] {
  // Service Fabric's security section is irrelevant to ports: parse the ports alone.
  const sfPorts = ServiceFabricSettings.shape.ports.safeParse(settings.serviceFabric?.ports);
  if (!sfPorts.success) throw settingsError('firewall', sfPorts.error.issues.map((i) => ({ ...i, path: ['serviceFabric', 'ports', ...i.path] })), 'Fix the Service Fabric ports (docs/service-fabric.md).');
  const gob = GobetweenSettings.safeParse(settings.gobetween ?? {});
  if (!gob.success) throw settingsError('firewall', gob.error.issues.map((i) => ({ ...i, path: ['gobetween', ...i.path] })), 'Fix the gobetween settings (docs/gobetween.md).');
  const rmq = RabbitmqSettings.safeParse(settings.rabbitmq ?? {});
  if (!rmq.success) throw settingsError('firewall', rmq.error.issues.map((i) => ({ ...i, path: ['rabbitmq', ...i.path] })), 'Fix the RabbitMQ settings (docs/rabbitmq.md).');
  const sf = sfPorts.data;
  const r = rmq.data;
  const balancedPorts = (backendRole: 'app' | 'web') => [...new Set(gob.data.servers.filter((s) => s.role === backendRole).map((s) => s.backendPort))];
  switch (role) {
    case 'app': {
      const sfEndpoints = [sf.clientConnection, sf.clusterConnection, sf.leaseDriver, sf.serviceConnection, sf.httpGateway, ...(sf.reverseProxy === null ? [] : [sf.reverseProxy])];
      const out = [
        rule('app', 'cortex-app-rabbitmq-cluster', 'tcp', [EPMD_PORT, distributionPort(r.amqpPort)], ['app']),
        rule('app', 'cortex-app-rabbitmq-clients', 'tcp', [r.amqpPort, r.managementPort], ['app', 'admins']),
        rule('app', 'cortex-app-servicefabric', 'tcp', [...sfEndpoints, range(sf.application)], ['app', 'admins']),
        rule('app', 'cortex-app-servicefabric-smb-rpc', 'tcp', [135, 139, 445], ['app']),
        rule('app', 'cortex-app-servicefabric-netbios', 'udp', [137, 138], ['app']),
      ];
      const gateway = balancedPorts('app');
      if (gateway.length) out.push(rule('app', 'cortex-app-gateway-from-lb', 'tcp', gateway, ['lb']));
      return out;
    }
    case 'web': {
      const out = [rule('web', 'cortex-web-http', 'tcp', [80, 443], ['clients'])];
      const balanced = balancedPorts('web').filter((p) => p !== 80 && p !== 443);
      if (balanced.length) out.push(rule('web', 'cortex-web-from-lb', 'tcp', balanced, ['lb']));
      return out;
    }
    case 'lb':
      return [rule('lb', 'cortex-lb-gobetween', 'tcp', gob.data.servers.map((s) => s.bindPort), ['web', 'clients'])];
    case 'db': {
      const sql = z.number().int().min(1).max(65535).default(1433).safeParse(settings.sqlPort);
      if (!sql.success) throw settingsError('firewall', sql.error.issues.map((i) => ({ ...i, path: ['sqlPort'] })), 'sqlPort is a TCP port, 1433 for a default instance.');
      return [rule('db', 'cortex-db-sqlserver', 'tcp', [sql.data], ['app'])];
    }
  }
}

/** Every rule a host needs for all its roles, each rule once. */
export function firewallRulesForHost(host: { roles: readonly Role[] }, settings: FirewallSettings = {}): RoleFirewallRule[] {
  const seen = new Set<string>();
  return host.roles.flatMap((role) => firewallRulesForRole(role, settings)).filter((r) => !seen.has(r.params.name) && seen.add(r.params.name));
}
