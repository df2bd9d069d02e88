/**
 * The Cortex components' generated configuration (docs/component-config.md): every file and parameter set
 * cortex-deploy writes, as pure functions of the inventory's hosts and the component settings.
 */
import { z } from 'zod';
import { asciiJson, serviceFabricClusterConfig, ServiceFabricSettings } from './service-fabric.js';
import { gobetweenConfig, GobetweenSettings } from './gobetween.js';
import { gobetweenNssmService, NssmSettings } from './nssm.js';
import { rabbitmqConf, rabbitmqEnvironment, RabbitmqSettings } from './rabbitmq.js';
import { firewallRulesForHost } from './firewall.js';
import { NservicebusSettings } from './nservicebus.js';
import { settingsError } from './errors.js';
import { hostsWithRole, type ComponentHost } from './hosts.js';

export { ComponentConfigError } from './errors.js';
export type { ComponentHost } from './hosts.js';
export * from './service-fabric.js';
export * from './gobetween.js';
export * from './nssm.js';
export * from './rabbitmq.js';
export * from './erlang-cookie.js';
export * from './firewall.js';
export * from './nservicebus.js';

export const ComponentSettings = z.strictObject({
  serviceFabric: ServiceFabricSettings,
  gobetween: GobetweenSettings.default(() => GobetweenSettings.parse({})),
  rabbitmq: RabbitmqSettings.default(() => RabbitmqSettings.parse({})),
  nssm: NssmSettings.default(() => NssmSettings.parse({})),
  nservicebus: NservicebusSettings.default(() => NservicebusSettings.parse({})),
  sqlPort: z.number().int().min(1).max(65535).default(1433),
  /** Inventory host name → the machine's computer name (from its facts), for RabbitMQ node names. */
  machineNames: z.record(z.string(), z.string()).default({}),
});
export type ComponentSettingsInput = z.input<typeof ComponentSettings>;

/**
 * What an inventory's `components:` block (all.vars) may hold: the settings, minus what comes from the
 * hosts themselves (machine names: RabbitMQ node names follow the inventory host names, docs/component-config.md).
 */
export const InventoryComponentSettings = ComponentSettings.omit({ machineNames: true });
export type InventoryComponents = z.output<typeof InventoryComponentSettings>;

export interface GeneratedFile {
  /** Which host(s) get it: a host name, or a role for files that are the same on each host of it. */
  target: string;
  name: string;
  text: string;
}

/** Every generated file, in a stable order (the golden tests compare these). */
export function generateComponentFiles(hosts: readonly ComponentHost[], settings: ComponentSettingsInput): GeneratedFile[] {
  const parsed = ComponentSettings.safeParse(settings);
  if (!parsed.success) throw settingsError('components', parsed.error.issues, 'Fix the component settings (docs/component-config.md).');
  const s = parsed.data;
  const out: GeneratedFile[] = [];
  out.push({ target: 'app', name: 'ClusterConfig.json', text: serviceFabricClusterConfig(hosts, s.serviceFabric).text });
  out.push({ target: 'app', name: 'rabbitmq.conf', text: rabbitmqConf(hosts, s.rabbitmq, s.machineNames) });
  for (const h of hostsWithRole(hosts, 'app')) {
    out.push({ target: h.name, name: 'rabbitmq-environment.json', text: asciiJson(rabbitmqEnvironment(h, s.rabbitmq, s.machineNames[h.name])) });
  }
  for (const f of gobetweenConfig(hosts, s.gobetween).files) out.push({ target: 'lb', name: f.name, text: f.text });
  out.push({ target: 'lb', name: 'nssm-gobetween.json', text: asciiJson(gobetweenNssmService(s.gobetween, s.nssm)) });
  for (const h of hosts) {
    const rules = firewallRulesForHost(h, { serviceFabric: s.serviceFabric, gobetween: s.gobetween, rabbitmq: s.rabbitmq, sqlPort: s.sqlPort });
    out.push({ target: h.name, name: 'firewall-rules.json', text: asciiJson(rules) });
  }
  return out;
}
