/**
 * nservicebus_queues: the NServiceBus queues and delay infrastructure of the Cortex endpoints on the
 * RabbitMQ broker, made with the transport's own tool (docs/nservicebus.md): `rabbitmq-transport delays
 * create`, then `endpoint create <name>` per endpoint. The Test needs no broker password: it lists the
 * vhost's queues and exchanges with rabbitmqctl (which authenticates with the Erlang cookie; on a fresh
 * host RabbitMQ's install, an earlier step, has not brought it yet: cliInstalled false); only the
 * Set, which runs the tool, receives the password (a secret reference, resolved before the run and sent
 * in the Set's parameters on stdin; the tool reads it from the environment, never a command line).
 */
import { z } from 'zod';
import { SecretRef, WindowsPath } from './common.js';
import { defineResource, NONE, UnreachableStateError } from './resource.js';

/** The v2 delay infrastructure: 28 levels of exchanges and queues, and the delivery exchange (NServiceBus.Transport.RabbitMQ 7+). */
export const DELAY_LEVELS = 28;
export const DELAY_DELIVERY_EXCHANGE = 'nsb.v2.delay-delivery';

export function delayLevelName(level: number): string {
  return `nsb.v2.delay-level-${String(level).padStart(2, '0')}`;
}

/** The parameters nservicebus_queues and nservicebus_migrate share. */
export const EndpointName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, { message: 'an endpoint (queue) name: letters, digits, . _ -' });
export const Rabbitmqctl = WindowsPath.default('C:\\Program Files\\RabbitMQ Server\\rabbitmq_server-4.1.4\\sbin\\rabbitmqctl.bat').meta({ description: 'rabbitmqctl.bat, for the Test' });
/** amqp://user@host:port/vhost — without the password, which is a secret reference of its own. */
export const BrokerConnection = z.strictObject({
  url: z
    .string()
    .regex(/^amqps?:\/\/[^:@/\s]+@[^@/\s]+(:\d{1,5})?\/[^/\s?#]+$/, { message: 'an AMQP URL without a password, e.g. amqp://cortex@localhost:5672/cortex (the password is connection.password)' }),
  password: SecretRef,
});

export const NservicebusQueuesParams = z.strictObject({
  tool: WindowsPath.meta({ description: 'rabbitmq-transport.exe (the transport\'s command line, unzipped from its artifact)' }),
  rabbitmqctl: Rabbitmqctl,
  endpoints: z.array(EndpointName).min(1),
  connection: BrokerConnection,
  errorQueue: EndpointName.default('error'),
  auditQueue: EndpointName.default('audit'),
});

export const NservicebusQueuesState = z.object({
  /** rabbitmqctl, which the Test lists with, exists: RabbitMQ's install (an earlier step) brings it. */
  cliInstalled: z.boolean(),
  /** Queues of the vhost that the step cares about: name → type (quorum, classic, stream). */
  queues: z.record(z.string(), z.string()),
  /** Whether every v2 delay exchange exists. */
  delayInfrastructure: z.boolean(),
});

/** The vhost of a connection URL, decoded (%2F is '/'). */
export function vhostOf(url: string): string {
  return decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
}

/** The queues the step wants: each endpoint's, and the error and audit queues. */
export function wantedQueues(p: z.output<typeof NservicebusQueuesParams>): string[] {
  return [...new Set([...p.endpoints, p.errorQueue, p.auditQueue])];
}

export const nservicebusQueuesResource = defineResource({
  type: 'nservicebus_queues',
  description: "NServiceBus queues and delay infrastructure, made with the RabbitMQ transport's own tool",
  params: NservicebusQueuesParams,
  state: NservicebusQueuesState,
  label: (p) => `nservicebus_queues ${vhostOf(p.connection.url)} (${p.endpoints.length} endpoints)`,
  diff(p, s) {
    // Not installed yet: plan shows the queues as created once the earlier steps that install it ran
    // (known after them); with no earlier change on the host, nothing will install it, an error.
    if (!s.cliInstalled) throw new UnreachableStateError(`${p.rabbitmqctl} is not installed yet; the queues are created once an earlier step installs RabbitMQ (or fix rabbitmqctl)`);
    const wrongType = wantedQueues(p).filter((q) => s.queues[q] !== undefined && s.queues[q] !== 'quorum');
    if (wrongType.length) {
      throw new UnreachableStateError(`queue(s) ${wrongType.map((q) => `${q} (${s.queues[q]})`).join(', ')} exist but are not quorum queues; migrate them with rabbitmq-transport queue migrate-to-quorum (docs/nservicebus.md)`);
    }
    const missing = wantedQueues(p).filter((q) => s.queues[q] === undefined);
    if (s.delayInfrastructure && missing.length === 0) return NONE;
    const to = { delayInfrastructure: true, queues: missing };
    if (!s.delayInfrastructure && Object.keys(s.queues).length === 0) return { action: 'create', from: null, to };
    return { action: 'update', from: { delayInfrastructure: s.delayInfrastructure, queues: Object.keys(s.queues).sort() }, to };
  },
});
