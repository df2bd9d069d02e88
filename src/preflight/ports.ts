/**
 * The TCP ports the platform uses, per role (docs/preflight.md, "Ports"). One place: the
 * "ports free" probe (net.ports), the cross-host plan (net.reach) and docs/preflight.md read them.
 *
 * Cortex-specific values (the API Gateway Service port behind gobetween) are UNCONFIRMED in the
 * reference; 8443 is the documented example.
 */
import type { Role } from './finding.js';

export const PORTS = {
  rabbitmq: { epmd: 4369, amqp: 5672, amqps: 5671, distribution: 25672, management: 15672 },
  serviceFabric: { client: 19000, cluster: 19001, lease: 19002, service: 19003, httpGateway: 19080 },
  /** Service Fabric applicationPorts (ClusterConfig startPort..endPort). */
  serviceFabricApplicationRange: { start: 20001, end: 20031 },
  /** SMB/RPC that Service Fabric's deployment uses between nodes. */
  smbRpc: [135, 445],
  apiGateway: 8443,
  gobetweenBind: 8443,
  gobetweenApi: 8888,
  sql: 1433,
  web: [80, 443],
} as const;

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

/** Ports that must be free (or held by the platform's own process) before install, per role (docs/preflight.md, "Ports"). */
export const PORTS_FREE_BY_ROLE: Record<Role, readonly number[]> = {
  app: [
    PORTS.rabbitmq.epmd,
    PORTS.rabbitmq.amqp,
    PORTS.rabbitmq.management,
    PORTS.rabbitmq.distribution,
    PORTS.serviceFabric.client,
    PORTS.serviceFabric.httpGateway,
  ],
  web: [...PORTS.web],
  lb: [PORTS.gobetweenBind, PORTS.gobetweenApi],
  db: [],
};

/**
 * Processes that may already hold a port (an earlier install of the same component): a listener
 * owned by one of these is not a conflict. Names as Get-Process reports them (no .exe).
 */
export const EXPECTED_PORT_OWNERS: Record<number, readonly string[]> = {
  4369: ['epmd'],
  5672: ['erl'],
  15672: ['erl'],
  25672: ['erl'],
  19000: ['Fabric', 'FabricGateway'],
  19080: ['Fabric', 'FabricGateway'],
  80: ['System'],
  443: ['System'],
  8443: ['gobetween'],
  8888: ['gobetween'],
};

export function portsFreeFor(roles: readonly Role[]): number[] {
  return [...new Set(roles.flatMap((r) => PORTS_FREE_BY_ROLE[r]))].sort((a, b) => a - b);
}

/** Ports one app server must reach on every other app server: RabbitMQ clustering, Service Fabric cluster, SF deployment. */
export const APP_TO_APP_PORTS: readonly number[] = [
  PORTS.rabbitmq.epmd,
  PORTS.rabbitmq.amqp,
  PORTS.rabbitmq.distribution,
  PORTS.serviceFabric.client,
  PORTS.serviceFabric.cluster,
  PORTS.serviceFabric.lease,
  PORTS.serviceFabric.service,
  PORTS.serviceFabric.httpGateway,
  ...range(PORTS.serviceFabricApplicationRange.start, PORTS.serviceFabricApplicationRange.end),
  ...PORTS.smbRpc,
].sort((a, b) => a - b);

/** Why a port is needed, for messages ("4369 (RabbitMQ epmd)"). */
export function portLabel(port: number): string {
  const names: Record<number, string> = {
    4369: 'RabbitMQ epmd',
    5671: 'AMQPS',
    5672: 'AMQP',
    15672: 'RabbitMQ management',
    25672: 'RabbitMQ distribution',
    19000: 'SF client',
    19001: 'SF cluster',
    19002: 'SF lease',
    19003: 'SF service',
    19080: 'SF HTTP gateway',
    135: 'RPC',
    445: 'SMB',
    8443: 'API gateway / gobetween',
    8888: 'gobetween API',
    1433: 'SQL Server',
    80: 'HTTP',
    443: 'HTTPS',
  };
  if (port >= PORTS.serviceFabricApplicationRange.start && port <= PORTS.serviceFabricApplicationRange.end) return 'SF application';
  return names[port] ?? 'port';
}

/** Compact text of a port list: "4369, 5672, 19000-19003, 20001-20031". */
export function formatPorts(ports: readonly number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}
