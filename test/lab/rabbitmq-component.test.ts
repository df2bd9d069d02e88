/**
 * The lab's RabbitMQ (src/lab/components/rabbitmq.ts), pure: which nodes form a cluster, whose data
 * counts, what `lab status` shows, and the refusals of join_cluster.
 */
import { describe, expect, it } from 'vitest';
import { clusterDb, clusterOf, joinCluster, labNodes, rabbitmqClusterStatus } from '../../src/lab/components/rabbitmq.js';
import { LabResourceError } from '../../src/lab/handlers/resources/types.js';
import type { LabView } from '../../src/lab/handlers/types.js';
import type { LabHostState } from '../../src/lab/state/types.js';
import { rabbitmqNode } from '../helpers/rabbitmq-node.js';

function lab(states: LabHostState[], down: string[] = []): LabView {
  return { hosts: () => states.map((s) => s.host), findHost: () => undefined, getHostState: (n) => states.find((s) => s.host.name === n), isUp: (n) => !down.includes(n), canConnect: () => false };
}

describe('lab RabbitMQ', () => {
  it('joins link nodes either way; the cluster data is the newest copy; status lists one cluster per group', () => {
    const [a, b, c, d] = ['app1', 'app2', 'app3', 'app4'].map((n) => rabbitmqNode(n));
    const l = lab([a!, b!, c!, d!], ['app4']);
    joinCluster(l, 'app2', b!.machine, 'rabbit@app1');
    // app3 joins app2, which joined app1: one cluster of three.
    joinCluster(l, 'app3', c!.machine, 'rabbit@app2');
    const nodes = labNodes(l, { host: 'app1', machine: a!.machine });
    expect(clusterOf(nodes, 'rabbit@app3').map((n) => n.node.nodeName)).toEqual(['rabbit@app1', 'rabbit@app2', 'rabbit@app3']);
    b!.machine.rabbitmq!.db = { ...b!.machine.rabbitmq!.db, version: 7, vhosts: [{ name: 'cortex', defaultQueueType: 'quorum' }] };
    expect(clusterDb(clusterOf(labNodes(l, { host: 'app1', machine: a!.machine }), 'rabbit@app1')).vhosts).toEqual([{ name: 'cortex', defaultQueueType: 'quorum' }]);
    const status = rabbitmqClusterStatus(l);
    expect(status.map((s) => [s.name, s.members, s.running, s.downNow, s.quorumLost])).toEqual([
      ['rabbitmq:rabbit@app1', ['app1', 'app2', 'app3'], ['app1', 'app2', 'app3'], [], false],
      ['rabbitmq:rabbit@app4', ['app4'], [], ['app4'], true],
    ]);
  });

  it('join_cluster refuses a seed that is down, unknown or presents another cookie; a node not running cannot run it', () => {
    const a = rabbitmqNode('app1');
    const b = rabbitmqNode('app2', 'b'.repeat(64));
    const c = rabbitmqNode('app3');
    const refuse = (l: LabView, st: LabHostState, seed: string) => {
      try {
        joinCluster(l, st.host.name, st.machine, seed);
      } catch (err) {
        return err instanceof LabResourceError ? err.message : String(err);
      }
      return 'joined';
    };
    expect(refuse(lab([a, c], ['app1']), c, 'rabbit@app1')).toMatch(/exited with code 70: Error:\n\{:cannot_discover_cluster/);
    expect(refuse(lab([a, c]), c, 'rabbit@nobody')).toMatch(/cannot_discover_cluster/);
    expect(refuse(lab([a, b]), b, 'rabbit@app1')).toMatch(/cannot_discover_cluster/);
    c.machine.services = c.machine.services.map((s) => (s.name === 'RabbitMQ' ? { ...s, state: 'Stopped' as const } : s));
    expect(refuse(lab([a, c]), c, 'rabbit@app1')).toMatch(/exited with code 69: Error: unable to perform an operation on node 'rabbit@app3'/);
    expect(c.machine.rabbitmq).toBeNull();
  });
});
