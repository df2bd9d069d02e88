/**
 * The lab's models of an NServiceBus upgrade: nservicebus_migrate on the broker model (classic
 * queues to quorum in order, v1 delayed messages moved to v2, the version recorded; a re-read finds
 * nothing; the node down refused as rabbitmqctl refuses) and service_fabric_restart on a three-node
 * cluster (every node's code packages restarted once, in upgrade-domain order; a node down stops it
 * before any restart; no application: nothing restarted).
 */
import { describe, expect, it } from 'vitest';
import { serviceFabricClusterConfig } from '../../src/components/service-fabric.js';
import { clusterRecord, installNode, parseClusterConfig, type ClusterConfigDoc } from '../../src/lab/components/service-fabric.js';
import { nservicebusMigrateModel } from '../../src/lab/handlers/resources/nservicebus-migrate.js';
import { serviceFabricRestartModel } from '../../src/lab/handlers/resources/service-fabric-restart.js';
import { LabResourceError } from '../../src/lab/handlers/resources/types.js';
import type { LabView } from '../../src/lab/handlers/types.js';
import type { LabHostState } from '../../src/lab/state/types.js';
import { nservicebusMigrateResource } from '../../src/resources/nservicebus-migrate.js';
import { machineFrom, withFile } from './differential/resources-b-harness.js';

const CTL = 'C:\\Program Files\\RabbitMQ Server\\rabbitmq_server-4.1.4\\sbin\\rabbitmqctl.bat';
const TOOL = 'C:\\Program Files\\NServiceBus.Transport.RabbitMQ.CommandLine\\rabbitmq-transport.exe';
const now = () => new Date('2026-12-02T12:00:00Z');
const migrate = { version: '10.2.0', tool: TOOL, rabbitmqctl: CTL, endpoints: ['Cortex.Flow', 'Cortex.Gateway'], connection: { url: 'amqp://cortex@localhost:5672/cortex', password: 'pw' } };

function broker(running = true): LabHostState {
  const st = machineFrom({ services: [{ name: 'RabbitMQ', state: running ? 'Running' : 'Stopped', startType: 'Automatic' }] }, 'app1');
  st.host = { name: 'app1', address: '127.0.0.10' };
  withFile(st.machine, CTL, 'a'.repeat(64), 10);
  withFile(st.machine, TOOL, 'b'.repeat(64), 10);
  const queues: Record<string, 'quorum' | 'classic'> = { 'Cortex.Flow': 'quorum', 'Cortex.Gateway': 'classic', error: 'quorum', audit: 'classic', 'nsb.delay-level-03': 'classic', 'nsb.delay-level-10': 'classic' };
  st.machine.amqpVhosts.cortex = { queues, exchanges: [], messages: { 'nsb.delay-level-03': 4, 'nsb.delay-level-10': 1, 'Cortex.Gateway': 2 } };
  st.machine.registry['HKLM\\SOFTWARE\\CortexInstall\\NServiceBus'] = { TransportVersion: { kind: 'String', data: '10.1.0' } };
  return st;
}

const noLab: LabView = { hosts: () => [], findHost: () => undefined, getHostState: () => undefined, isUp: () => true, canConnect: () => false };

describe('lab nservicebus_migrate', () => {
  it('migrates classic queues (audit before the endpoints), then the v1 delayed messages, records the version; a re-read finds nothing to do', () => {
    const st = broker();
    const ctx = { machine: st.machine, params: migrate, host: st.host, lab: noLab, now };
    const p = nservicebusMigrateResource.params.parse({ ...migrate, connection: { ...migrate.connection, password: 'env:CORTEX_RABBITMQ_APP_PASSWORD' } });
    const before = nservicebusMigrateResource.state.parse(nservicebusMigrateModel.read(ctx));
    expect(before).toEqual({ cliInstalled: true, transportVersion: '10.1.0', classicQueues: ['Cortex.Gateway', 'audit'], v1DelayedMessages: 5, delayInfrastructure: false });
    expect(nservicebusMigrateResource.diff(p, before).to).toEqual({ transportVersion: '10.2.0', migrations: ['queue migrate-to-quorum audit', 'queue migrate-to-quorum Cortex.Gateway', 'delays create', 'delays migrate'] });
    expect(nservicebusMigrateResource.upgrades!(p, before)).toEqual({ nservicebusRabbitMq: { from: '10.1.0', to: '10.2.0' } });
    expect(nservicebusMigrateModel.set!(ctx).message).toBe('queue audit to quorum, queue Cortex.Gateway to quorum, delay infrastructure, 5 delayed messages from v1 to v2, transport version 10.1.0 -> 10.2.0');
    const v = st.machine.amqpVhosts.cortex!;
    expect([v.queues.audit, v.queues['Cortex.Gateway'], v.messages!['Cortex.Gateway']]).toEqual(['quorum', 'quorum', 2]);
    expect([v.messages!['nsb.delay-level-03'], v.messages!['nsb.v2.delay-level-03'], v.messages!['nsb.v2.delay-level-10']]).toEqual([0, 4, 1]);
    const after = nservicebusMigrateResource.state.parse(nservicebusMigrateModel.read(ctx));
    expect(nservicebusMigrateResource.diff(p, after).action).toBe('none');
    expect(nservicebusMigrateResource.upgrades!(p, after)).toEqual({});
    // The Set again changes nothing and says nothing.
    const snapshot = JSON.stringify(st.machine);
    expect(nservicebusMigrateModel.set!(ctx).message).toBeNull();
    expect(JSON.stringify(st.machine)).toBe(snapshot);
  });

  it('the node down: the Test and the Set fail as rabbitmqctl does (exit 69), and nothing changes', () => {
    const st = broker(false);
    const ctx = { machine: st.machine, params: migrate, host: st.host, lab: noLab, now };
    const snapshot = JSON.stringify(st.machine);
    expect(() => nservicebusMigrateModel.read(ctx)).toThrow(/rabbitmqctl\.bat exited with code 69: Error: unable to perform an operation on node 'rabbit@/);
    expect(() => nservicebusMigrateModel.set!(ctx)).toThrow(LabResourceError);
    expect(JSON.stringify(st.machine)).toBe(snapshot);
  });

  it('no rabbitmqctl yet: cliInstalled false (the diff makes it known after RabbitMQ installs); the Set refuses; no tool: refused', () => {
    const st = broker();
    delete st.machine.files[CTL];
    const ctx = { machine: st.machine, params: migrate, host: st.host, lab: noLab, now };
    expect(nservicebusMigrateModel.read(ctx)).toMatchObject({ cliInstalled: false, transportVersion: '10.1.0' });
    expect(() => nservicebusMigrateModel.set!(ctx)).toThrow(/rabbitmqctl\.bat does not exist; install RabbitMQ first/);
    const st2 = broker();
    delete st2.machine.files[TOOL];
    expect(() => nservicebusMigrateModel.set!({ ...ctx, machine: st2.machine })).toThrow(/rabbitmq-transport\.exe does not exist; unzip the transport tool/);
  });
});

const PREPARED = { services: [{ name: 'RemoteRegistry', state: 'Running', startType: 'Automatic' }] };

function sfCluster(withApp = true) {
  const names = ['app1', 'app2', 'app3'];
  const states = new Map(names.map((n, i) => [n, { ...machineFrom(PREPARED, n), host: { name: n, address: `127.0.0.${10 + i}` } }]));
  const config = parseClusterConfig(serviceFabricClusterConfig(names.map((n) => ({ name: n, address: n, roles: ['app'] })), { security: { kind: 'machineGroup', clusterIdentity: 'LAB\\SfNodes' }, clientIdentities: [{ identity: 'LAB\\Admins', isAdmin: true }] }).text) as ClusterConfigDoc;
  const record = clusterRecord(config, new Map(names.map((n) => [n, states.get(n)!.host])));
  if (withApp) record.applications.push({ name: 'fabric:/Cortex', typeName: 'CortexType', typeVersion: '1.0.0', parameters: {} });
  for (const n of config.nodes) installNode(states.get(n.nodeName)!.machine, n.nodeName, '10.1', config, record);
  const up = new Set(names);
  const changed: string[] = [];
  const view: LabView = {
    hosts: () => [...states.values()].map((s) => s.host),
    findHost: () => undefined,
    getHostState: (n) => states.get(n),
    isUp: (n) => up.has(n),
    canConnect: () => false,
    changeHost: (n, change) => {
      changed.push(n);
      change(states.get(n)!);
    },
  };
  return { states, up, view, changed };
}

const restart = { application: 'fabric:/Cortex', reason: 'the NServiceBus licence changed' };

describe('lab service_fabric_restart', () => {
  it("restarts every node's code packages once, in upgrade-domain order, from the deploy node", () => {
    const l = sfCluster();
    const st = l.states.get('app1')!;
    const ctx = { machine: st.machine, params: restart, host: st.host, lab: l.view, now };
    expect(serviceFabricRestartModel.read(ctx)).toEqual({ reachable: true, applicationExists: true });
    expect(serviceFabricRestartModel.set!(ctx).message).toBe('restarted fabric:/Cortex one node at a time (the NServiceBus licence changed): app1 (UD0), app2 (UD1), app3 (UD2)');
    for (const s of l.states.values()) expect(s.machine.serviceFabric!.codePackageRestarts).toEqual({ 'fabric:/Cortex': 1 });
    expect(l.changed).toEqual(['app2', 'app3']);
  });

  it('a node down: refused before any restart, naming it', () => {
    const l = sfCluster();
    l.up.delete('app3');
    const st = l.states.get('app1')!;
    expect(() => serviceFabricRestartModel.set!({ machine: st.machine, params: restart, host: st.host, lab: l.view, now })).toThrow(/node\(s\) app3 not Up; fabric:\/Cortex was not restarted on app1 \(restarted before: none\)/);
    for (const s of l.states.values()) expect(s.machine.serviceFabric!.codePackageRestarts).toBeUndefined();
  });

  it('no application yet, or no Service Fabric on the node: nothing to restart, nothing counted', () => {
    const l = sfCluster(false);
    const st = l.states.get('app1')!;
    expect(serviceFabricRestartModel.set!({ machine: st.machine, params: restart, host: st.host, lab: l.view, now }).message).toBe('nothing to restart: fabric:/Cortex is not deployed yet (the NServiceBus licence changed)');
    const bare = { ...machineFrom({}, 'web1'), host: { name: 'web1', address: '127.0.0.20' } };
    expect(serviceFabricRestartModel.set!({ machine: bare.machine, params: restart, host: bare.host, lab: l.view, now }).message).toMatch(/^nothing to restart: no Service Fabric on this node yet/);
    expect(serviceFabricRestartModel.read({ machine: bare.machine, params: restart, host: bare.host, lab: l.view, now })).toEqual({ reachable: false, applicationExists: false });
    for (const s of l.states.values()) expect(s.machine.serviceFabric!.codePackageRestarts).toBeUndefined();
  });
});
