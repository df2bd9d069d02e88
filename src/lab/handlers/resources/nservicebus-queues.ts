/**
 * nservicebus_queues: the Test (ps1/lib/nservicebus.ps1's Get-CortexNservicebusQueueState: rabbitmqctl
 * list_queues / list_exchanges) and the Set (ps1/resources/nservicebus-queues.ps1: rabbitmq-transport)
 * on the broker model (src/lab/components/nservicebus.ts). Without rabbitmqctl the Test reads
 * cliInstalled false and the Set refuses; rabbitmqctl fails as it does when the node is down; a vhost the
 * model does not hold is not emulated (the RabbitMQ model owns vhosts).
 */
import { createDelayInfrastructure, createEndpoint, findVhost, hasDelayInfrastructure, brokerRunning, nodeDownMessage, type AmqpVhost } from '../../components/nservicebus.js';
import type { LabMachine } from '../../state/types.js';
import { notEmulated, testPath } from './files.js';
import { resourceParam, stringParam, psString } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'nservicebus_queues';

/** Get-CortexAmqpVhost: the URL's last segment, unescaped (nservicebus_migrate's model reads it too). */
export function vhostOf(url: string): string {
  return decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
}

function wantedQueues(params: Record<string, unknown>): string[] {
  const endpoints = resourceParam(params, R, 'endpoints', { required: true });
  const all = [...(Array.isArray(endpoints) ? endpoints : [endpoints]).map(psString), stringParam(params, R, 'errorQueue', { default: 'error' }), stringParam(params, R, 'auditQueue', { default: 'audit' })];
  return [...new Set(all)];
}

/** rabbitmqctl's view of the vhost, with its failures; null while rabbitmqctl is not there (RabbitMQ not installed yet). */
export function brokerVhost(m: LabMachine, rabbitmqctl: string, vhost: string): AmqpVhost | null {
  if (!testPath(m, rabbitmqctl, 'Leaf')) return null;
  if (!brokerRunning(m)) throw new LabResourceError(`${rabbitmqctl} exited with code 69: ${nodeDownMessage(m)}`);
  const v = findVhost(m, vhost);
  if (!v) throw notEmulated(`rabbitmqctl list_queues -p ${vhost} (the vhost's state belongs to the RabbitMQ model, which does not hold it here)`);
  return v;
}

function readState(v: AmqpVhost | null, wanted: string[]) {
  if (!v) return { cliInstalled: false, queues: {}, delayInfrastructure: false };
  const queues: Record<string, string> = {};
  for (const q of wanted) if (v.queues[q] !== undefined) queues[q] = v.queues[q];
  return { cliInstalled: true, queues, delayInfrastructure: hasDelayInfrastructure(v) };
}

export const nservicebusQueuesModel = defineResourceModel({
  type: 'nservicebus_queues',
  read: ({ machine, params }) => {
    const connection = resourceParam(params, R, 'connection', { required: true });
    const url = stringParam(connection, R, 'url', { required: true });
    const rabbitmqctl = stringParam(params, R, 'rabbitmqctl', { required: true });
    const wanted = wantedQueues(params);
    return readState(brokerVhost(machine, rabbitmqctl, vhostOf(url)), wanted);
  },
  set: ({ machine, params }) => {
    const tool = stringParam(params, R, 'tool', { required: true });
    const rabbitmqctl = stringParam(params, R, 'rabbitmqctl', { required: true });
    const connection = resourceParam(params, R, 'connection', { required: true });
    const url = stringParam(connection, R, 'url', { required: true });
    stringParam(connection, R, 'password', { required: true });
    const endpointsParam = resourceParam(params, R, 'endpoints', { required: true });
    const endpoints = (Array.isArray(endpointsParam) ? endpointsParam : [endpointsParam]).map(psString);
    const errorQueue = stringParam(params, R, 'errorQueue', { default: 'error' });
    const auditQueue = stringParam(params, R, 'auditQueue', { default: 'audit' });
    if (!testPath(machine, tool, 'Leaf')) throw new LabResourceError(`${R}: ${tool} does not exist; unzip the transport tool there in an earlier step`);
    const wanted = wantedQueues(params);
    const v = brokerVhost(machine, rabbitmqctl, vhostOf(url));
    if (!v) throw new LabResourceError(`${R}: ${rabbitmqctl} does not exist; install RabbitMQ first (or fix rabbitmqctl)`);
    const state = readState(v, wanted);
    const done: string[] = [];
    if (!state.delayInfrastructure) {
      createDelayInfrastructure(v);
      done.push('delay infrastructure');
    }
    let sharedMissing = state.queues[errorQueue] === undefined || state.queues[auditQueue] === undefined;
    for (const e of endpoints) {
      if (state.queues[e] !== undefined && !sharedMissing) continue;
      createEndpoint(v, e, errorQueue, auditQueue);
      done.push(`endpoint ${e}`);
      sharedMissing = false;
    }
    return setResult(done.join(', '));
  },
});
