/**
 * nservicebus_migrate: the Test (ps1/lib/nservicebus.ps1's Get-CortexNservicebusMigrationState:
 * rabbitmqctl list_queues name type messages, list_exchanges, the recorded transport version) and the
 * Set (ps1/resources/nservicebus-migrate.ps1: rabbitmq-transport queue migrate-to-quorum, delays create,
 * delays migrate, then the version recorded) on the broker model (src/lab/components/nservicebus.ts).
 * rabbitmqctl and the tool fail as they do while the node is down; a vhost the model does not hold is
 * not emulated.
 */
import { createDelayInfrastructure, hasDelayInfrastructure, migrateDelays, migrateQueueToQuorum, v1DelayedMessages, type AmqpVhost } from '../../components/nservicebus.js';
import { migrationQueueOrder, NSB_MIGRATE_REGISTRY_KEY, NSB_MIGRATE_REGISTRY_VALUE } from '../../../resources/nservicebus-migrate.js';
import type { LabMachine } from '../../state/types.js';
import { testPath } from './files.js';
import { resourceParam, stringParam, psString } from './params.js';
import { overlayKeyName } from './registry.js';
import { brokerVhost, vhostOf } from './nservicebus-queues.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'nservicebus_migrate';

function queueParams(params: Record<string, unknown>) {
  const endpoints = resourceParam(params, R, 'endpoints', { required: true });
  return {
    endpoints: (Array.isArray(endpoints) ? endpoints : [endpoints]).map(psString),
    errorQueue: stringParam(params, R, 'errorQueue', { default: 'error' }),
    auditQueue: stringParam(params, R, 'auditQueue', { default: 'audit' }),
  };
}

/** The recorded transport version (HKLM\SOFTWARE\CortexInstall\NServiceBus TransportVersion), or null. */
function recordedVersion(m: LabMachine): string | null {
  const v = m.registry[overlayKeyName(m, 'HKLM', NSB_MIGRATE_REGISTRY_KEY)]?.[NSB_MIGRATE_REGISTRY_VALUE];
  return v && typeof v.data === 'string' && v.data !== '' ? v.data : null;
}

function readState(m: LabMachine, v: AmqpVhost | null, wanted: string[]) {
  const transportVersion = recordedVersion(m);
  if (!v) return { cliInstalled: false, transportVersion, classicQueues: [] as string[], v1DelayedMessages: 0, delayInfrastructure: false };
  return {
    cliInstalled: true,
    transportVersion,
    classicQueues: Object.keys(v.queues).filter((q) => wanted.includes(q) && v.queues[q] === 'classic'),
    v1DelayedMessages: v1DelayedMessages(v),
    delayInfrastructure: hasDelayInfrastructure(v),
  };
}

export const nservicebusMigrateModel = defineResourceModel({
  type: 'nservicebus_migrate',
  read: ({ machine, params }) => {
    const connection = resourceParam(params, R, 'connection', { required: true });
    const url = stringParam(connection, R, 'url', { required: true });
    const rabbitmqctl = stringParam(params, R, 'rabbitmqctl', { required: true });
    return readState(machine, brokerVhost(machine, rabbitmqctl, vhostOf(url)), migrationQueueOrder(queueParams(params)));
  },
  set: ({ machine: m, params }) => {
    const version = stringParam(params, R, 'version', { required: true });
    const tool = stringParam(params, R, 'tool', { required: true });
    const rabbitmqctl = stringParam(params, R, 'rabbitmqctl', { required: true });
    const connection = resourceParam(params, R, 'connection', { required: true });
    const url = stringParam(connection, R, 'url', { required: true });
    stringParam(connection, R, 'password', { required: true });
    const order = migrationQueueOrder(queueParams(params));
    if (!testPath(m, tool, 'Leaf')) throw new LabResourceError(`${R}: ${tool} does not exist; unzip the transport tool there in an earlier step`);
    const v = brokerVhost(m, rabbitmqctl, vhostOf(url));
    if (!v) throw new LabResourceError(`${R}: ${rabbitmqctl} does not exist; install RabbitMQ first (or fix rabbitmqctl)`);
    const state = readState(m, v, order);
    const done: string[] = [];
    for (const q of order) {
      if (!state.classicQueues.includes(q)) continue;
      migrateQueueToQuorum(v, q);
      done.push(`queue ${q} to quorum`);
    }
    if (state.v1DelayedMessages > 0) {
      if (!state.delayInfrastructure) {
        createDelayInfrastructure(v);
        done.push('delay infrastructure');
      }
      done.push(`${migrateDelays(v)} delayed messages from v1 to v2`);
    }
    if (state.transportVersion !== version) {
      const key = overlayKeyName(m, 'HKLM', NSB_MIGRATE_REGISTRY_KEY);
      m.registry[key] = { ...(m.registry[key] ?? {}), [NSB_MIGRATE_REGISTRY_VALUE]: { kind: 'String', data: version } };
      done.push(`transport version ${state.transportVersion ?? 'none recorded'} -> ${version}`);
    }
    return setResult(done.join(', '));
  },
});
