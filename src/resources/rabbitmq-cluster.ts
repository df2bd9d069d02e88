/**
 * rabbitmq_cluster: this node is a member of the seed's cluster (docs/rabbitmq.md).
 * The Test reads this node's name and `rabbitmqctl cluster_status --formatter json` (members, running
 * nodes); the Set runs `join_cluster <seed>` (RabbitMQ 4.1 and later) or stop_app / reset / join_cluster /
 * start_app (4.0 and earlier). Joining resets the joining node's data, so a playbook runs this step
 * with `serial: 1`, after every node runs (barrier B2), and verifies each join before the next.
 */
import { z } from 'zod';
import { defineResource, NONE, UnreachableStateError } from './resource.js';

export const RabbitmqNodeName = z.string().regex(/^[A-Za-z0-9_-]+@[A-Za-z0-9.-]+$/, { message: 'a RabbitMQ node name like rabbit@app01 (case matters)' });

export const RabbitmqClusterParams = z.strictObject({
  seed: RabbitmqNodeName.meta({ description: 'The node every other node joins, e.g. rabbit@app01 (the first app server)' }),
});

export const RabbitmqClusterState = z.object({
  installed: z.boolean(),
  /** This node's name (RABBITMQ_NODENAME, else rabbit@<host name>); null when not installed. */
  nodeName: z.string().nullable(),
  /** The node answers (rabbitmqctl cluster_status succeeded). */
  running: z.boolean(),
  /** Cluster members (disk nodes) as this node sees them. */
  members: z.array(z.string()),
  runningNodes: z.array(z.string()),
});

export const rabbitmqClusterResource = defineResource({
  type: 'rabbitmq_cluster',
  description: "This RabbitMQ node joined to the seed node's cluster (rabbitmqctl join_cluster)",
  params: RabbitmqClusterParams,
  state: RabbitmqClusterState,
  label: (p) => `rabbitmq_cluster ${p.seed}`,
  diff(p, s) {
    if (!s.installed) throw new UnreachableStateError('RabbitMQ is not installed on this host; install it in an earlier step');
    // Node names are case-sensitive (Erlang atoms).
    if (s.nodeName === p.seed || s.members.includes(p.seed)) return NONE;
    if (!s.running) throw new UnreachableStateError(`the RabbitMQ node ${s.nodeName ?? ''} is not running; start the RabbitMQ service before it joins ${p.seed}`);
    return { action: 'update', from: { members: s.members }, to: { joins: p.seed } };
  },
});
