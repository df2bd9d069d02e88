/**
 * RabbitMQ on the application servers (docs/rabbitmq.md): the machine environment set
 * before the installer runs (RABBITMQ_BASE keeps data, logs and config out of the install account's
 * roaming profile; RABBITMQ_NODENAME makes the node name deterministic), and rabbitmq.conf in
 * %RABBITMQ_BASE%. Both are embedded in the Windows service at install time, which is why they are
 * written first. The Erlang cookie rules are in ./erlang-cookie.ts.
 */
import { z } from 'zod';
import { ComponentConfigError, settingsError } from './errors.js';
import { hostsWithRole, type ComponentHost } from './hosts.js';
import { WindowsPath } from './windows-path.js';

const Port = z.number().int().min(1).max(65535);

export const RabbitmqSettings = z.strictObject({
  base: WindowsPath.default('C:\\ProgramData\\RabbitMQ'),
  clusterName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'letters, digits, - and _, at most 64' }).default('cortex'),
  amqpPort: Port.default(5672),
  managementPort: Port.default(15672),
  /**
   * cli-join: nodes start alone and join the seed with rabbitmqctl join_cluster, one at a time (the
   * default: deterministic and verifiable). classic-config: rabbitmq.conf lists every node, which only
   * acts on a blank node's first boot (UNCONFIRMED with the Windows installer).
   */
  peerDiscovery: z.enum(['cli-join', 'classic-config']).default('cli-join'),
  /** With an odd cluster, the minority side pauses on a partition instead of diverging. */
  partitionHandling: z.enum(['pause_minority', 'autoheal', 'ignore']).default('pause_minority'),
});
export type RabbitmqSettingsInput = z.input<typeof RabbitmqSettings>;
export type RabbitmqSettingsOutput = z.output<typeof RabbitmqSettings>;

/** The inter-node and CLI port is always the AMQP port + 20000 (RabbitMQ's rule). */
export const EPMD_PORT = 4369;
export const distributionPort = (amqpPort: number) => amqpPort + 20000;

const HINT = 'Fix the RabbitMQ settings (docs/rabbitmq.md).';
/** A short host name as Erlang uses it after the @ of a node name. */
const SHORT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function parse(settings: RabbitmqSettingsInput): RabbitmqSettingsOutput {
  const parsed = RabbitmqSettings.safeParse(settings);
  if (!parsed.success) throw settingsError('rabbitmq', parsed.error.issues, HINT);
  const s = parsed.data;
  if (distributionPort(s.amqpPort) > 65535) throw new ComponentConfigError('rabbitmq', `amqpPort ${s.amqpPort} leaves no distribution port (AMQP port + 20000 = ${distributionPort(s.amqpPort)}).`, { field: 'amqpPort', hint: 'Use an AMQP port below 45536 (default 5672).' });
  const fixed = new Map<number, string>([[EPMD_PORT, 'epmd']]);
  for (const [name, port] of [['amqpPort', s.amqpPort], ['managementPort', s.managementPort], ['distribution (amqpPort + 20000)', distributionPort(s.amqpPort)]] as const) {
    const other = fixed.get(port);
    if (other) throw new ComponentConfigError('rabbitmq', `${name} is ${port}, the port of ${other}.`, { field: name.split(' ')[0], hint: 'Give every RabbitMQ listener its own port.' });
    fixed.set(port, name);
  }
  return s;
}

/**
 * rabbit@<short name>. The short name must be what Erlang's own host-name lookup gives on that machine
 * (case matters): pass the machine's name from the host's facts when known; the inventory name's first
 * label otherwise.
 */
export function rabbitmqNodeName(host: Pick<ComponentHost, 'name'>, machineName?: string): string {
  const short = (machineName ?? host.name).split('.')[0] ?? '';
  if (!SHORT_NAME.test(short)) {
    throw new ComponentConfigError('rabbitmq', `'${short}' cannot be the host part of a RabbitMQ node name (letters, digits and -, at most 63).`, { host: host.name, hint: "Name the host as its computer name is, or pass the machine's name from its facts." });
  }
  return `rabbit@${short}`;
}

/** The machine environment variables, in the order to set them (before the installer runs). */
export function rabbitmqEnvironment(host: Pick<ComponentHost, 'name'>, settings: RabbitmqSettingsInput = {}, machineName?: string): Array<{ name: string; value: string }> {
  const s = parse(settings);
  return [
    { name: 'RABBITMQ_BASE', value: s.base },
    { name: 'RABBITMQ_NODENAME', value: rabbitmqNodeName(host, machineName) },
  ];
}

/**
 * %RABBITMQ_BASE%\rabbitmq.conf for the cluster (the same on every node). ASCII, LF line ends.
 * `machineNames`: host name → the machine's computer name, for node names (see rabbitmqNodeName).
 */
export function rabbitmqConf(hosts: readonly ComponentHost[], settings: RabbitmqSettingsInput = {}, machineNames: Readonly<Record<string, string>> = {}): string {
  const s = parse(settings);
  const app = hostsWithRole(hosts, 'app');
  if (app.length === 0) throw new ComponentConfigError('rabbitmq', 'the inventory has no application servers to run RabbitMQ on.', { field: 'app', hint: 'Put 3, 5, 7 or 9 hosts in the app group.' });
  const lines = [
    '# RabbitMQ configuration, written by cortex-deploy (docs/rabbitmq.md); edits here are overwritten.',
    `cluster_name = ${s.clusterName}`,
    `listeners.tcp.default = ${s.amqpPort}`,
    `management.tcp.port = ${s.managementPort}`,
    `cluster_partition_handling = ${s.partitionHandling}`,
    '# guest may only log in from the node itself (RabbitMQ\'s default, kept explicit).',
    'loopback_users.guest = true',
  ];
  if (s.peerDiscovery === 'classic-config') {
    lines.push('# Every node of the cluster; read only on a blank node\'s first boot.', 'cluster_formation.peer_discovery_backend = classic_config');
    app.forEach((h, i) => lines.push(`cluster_formation.classic_config.nodes.${i + 1} = ${rabbitmqNodeName(h, machineNames[h.name])}`));
  }
  const text = `${lines.join('\n')}\n`;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(text)) throw new ComponentConfigError('rabbitmq', 'rabbitmq.conf would hold non-ASCII text.', { hint: HINT });
  return text;
}
