/**
 * The NServiceBus queues on a lab machine's RabbitMQ broker (docs/nservicebus.md): what rabbitmqctl
 * lists and what `rabbitmq-transport delays create` / `endpoint create` declare, over the machine's
 * `amqpVhosts`. The RabbitMQ model (src/lab/components/rabbitmq.ts) owns the broker and its vhosts: a
 * vhost its node lists (rabbitmq_config made it) starts here with no queues; a vhost neither knows is not
 * emulated. Pure functions over a machine.
 */
import { DELAY_DELIVERY_EXCHANGE, DELAY_LEVELS, delayLevelName } from '../../resources/nservicebus-queues.js';
import { V1_DELAY_QUEUE } from '../../resources/nservicebus-migrate.js';
import type { LabMachine } from '../state/types.js';

export type AmqpVhost = LabMachine['amqpVhosts'][string];

/** The broker's Windows service must run for rabbitmqctl to reach the node. */
export function brokerRunning(m: LabMachine): boolean {
  return m.services.some((s) => s.name.toLowerCase() === 'rabbitmq' && s.state === 'Running');
}

/** rabbitmqctl's answer when the node is down (exit code 69, EX_UNAVAILABLE). */
export function nodeDownMessage(m: LabMachine): string {
  return `Error: unable to perform an operation on node 'rabbit@${m.computerName}'. Please see diagnostics information and suggestions below.`;
}

export function findVhost(m: LabMachine, vhost: string): AmqpVhost | undefined {
  if (m.amqpVhosts[vhost]) return m.amqpVhosts[vhost];
  // A vhost the RabbitMQ node has (rabbitmq_config added it) and no queue was declared on yet.
  if (m.rabbitmq?.db.vhosts.some((v) => v.name === vhost)) return (m.amqpVhosts[vhost] = { queues: {}, exchanges: [] });
  return undefined;
}

/** Every v2 delay exchange exists. */
export function hasDelayInfrastructure(v: AmqpVhost): boolean {
  const names = new Set(v.exchanges);
  if (!names.has(DELAY_DELIVERY_EXCHANGE)) return false;
  for (let i = 0; i < DELAY_LEVELS; i++) if (!names.has(delayLevelName(i))) return false;
  return true;
}

function addExchange(v: AmqpVhost, name: string): void {
  if (!v.exchanges.includes(name)) v.exchanges.push(name);
}

/** `rabbitmq-transport delays create`: the delay levels' exchanges and quorum queues, and the delivery exchange. */
export function createDelayInfrastructure(v: AmqpVhost): void {
  for (let i = 0; i < DELAY_LEVELS; i++) {
    addExchange(v, delayLevelName(i));
    v.queues[delayLevelName(i)] ??= 'quorum';
  }
  addExchange(v, DELAY_DELIVERY_EXCHANGE);
}

/** `rabbitmq-transport endpoint create <name> --queueType Quorum ...`: its queue and exchange, and the error and audit queues. */
export function createEndpoint(v: AmqpVhost, endpoint: string, errorQueue: string, auditQueue: string): void {
  for (const q of [endpoint, errorQueue, auditQueue]) v.queues[q] ??= 'quorum';
  addExchange(v, endpoint);
}

// ---- the broker-side migrations of a transport upgrade (nservicebus_migrate) ----

/** Messages waiting in the v1 delay queues (nsb.delay-level-NN). */
export function v1DelayedMessages(v: AmqpVhost): number {
  // What rabbitmqctl lists: the queues that exist (a count kept for a queue that does not is not listed).
  return Object.keys(v.queues)
    .filter((q) => V1_DELAY_QUEUE.test(q))
    .reduce((n, q) => n + (v.messages?.[q] ?? 0), 0);
}

/** `rabbitmq-transport queue migrate-to-quorum <queue>`: the classic queue becomes a quorum queue of that name, its messages kept. */
export function migrateQueueToQuorum(v: AmqpVhost, queue: string): void {
  v.queues[queue] = 'quorum';
}

/**
 * `rabbitmq-transport delays migrate`: the v1 delay queues' messages moved to the v2 delay level of the
 * same number (which must exist: the tool needs the v2 infrastructure); the v1 queues are left, empty.
 */
export function migrateDelays(v: AmqpVhost): number {
  const messages = (v.messages ??= {});
  let moved = 0;
  for (const q of Object.keys(v.queues)) {
    const n = messages[q] ?? 0;
    if (!V1_DELAY_QUEUE.test(q) || n === 0) continue;
    const level = `nsb.v2.${q.slice('nsb.'.length)}`;
    messages[level] = (messages[level] ?? 0) + n;
    messages[q] = 0;
    moved += n;
  }
  return moved;
}
