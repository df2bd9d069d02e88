/**
 * rabbitmq_plugin, rabbitmq_cluster and rabbitmq_config (ps1/resources/rabbitmq-*.ps1; their Tests in
 * test-batch.ps1): what the scripts read and change through rabbitmq-plugins.bat and rabbitmqctl.bat,
 * on the lab's RabbitMQ nodes (src/lab/components/rabbitmq.ts), with the scripts' messages and the
 * tools' refusals (a node that is not running, a seed that is down or presents another cookie).
 */
import {
  clusterDb,
  clusterOf,
  cliNodeName,
  joinCluster,
  KNOWN_PLUGINS,
  labNodes,
  nodeOf,
  ownNode,
  rabbitmqInstall,
  runningNode,
  sha256Text,
  toolFailed,
  type RabbitDb,
} from '../../components/rabbitmq.js';
import type { LabMachine, LabView } from '../types.js';
import { psString, resourceParam, stringParam } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

/** EX_DATAERR: rabbitmq-plugins names a plugin RabbitMQ does not have. */
const EX_DATAERR = 65;

const list = (v: unknown): unknown[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const rabbitmqPluginModel = defineResourceModel({
  type: 'rabbitmq_plugin',
  read: ({ machine, params }) => {
    const name = stringParam(params, 'rabbitmq_plugin', 'name', { required: true });
    const install = rabbitmqInstall(machine);
    if (!install) return { installed: false, enabled: false };
    if (!KNOWN_PLUGINS.includes(name)) throw new LabResourceError(`rabbitmq_plugin: RabbitMQ ${install.version} has no plugin ${name}`);
    return { installed: true, enabled: nodeOf(machine)?.plugins.includes(name) ?? false };
  },
  set: ({ machine: m, params }) => {
    const R = 'rabbitmq_plugin';
    const name = stringParam(params, R, 'name', { required: true });
    const state = stringParam(params, R, 'state', { default: 'enabled' });
    if (state !== 'enabled' && state !== 'disabled') throw new LabResourceError(`rabbitmq_plugin: parameter state must be enabled or disabled, not ${state}`);
    const install = rabbitmqInstall(m);
    if (!install) throw new LabResourceError('rabbitmq_plugin: RabbitMQ is not installed (no RabbitMQ uninstall entry); install it in an earlier step');
    const verb = state === 'enabled' ? 'enable' : 'disable';
    if (!KNOWN_PLUGINS.includes(name)) throw toolFailed(install.sbin, 'rabbitmq-plugins', EX_DATAERR, [`Error:`, `The following plugins could not be found:`, `  ${name}`]);
    // enabled_plugins is a file: the tool writes it whether or not the node runs.
    const node = ownNode(m);
    node.plugins = verb === 'enable' ? [...new Set([...node.plugins, name])] : node.plugins.filter((p) => p !== name);
    return setResult(`${verb}d ${name} on RabbitMQ ${install.version}`);
  },
});

export const rabbitmqClusterModel = defineResourceModel({
  type: 'rabbitmq_cluster',
  read: ({ machine, params, host, lab }) => {
    stringParam(params, 'rabbitmq_cluster', 'seed', { required: true });
    if (!rabbitmqInstall(machine)) return { installed: false, nodeName: null, running: false, members: [], runningNodes: [] };
    const nodeName = cliNodeName(machine);
    const nodes = labNodes(lab, { host: host.name, machine });
    const me = nodes.find((n) => n.host === host.name);
    if (!me || !me.running) return { installed: true, nodeName, running: false, members: [], runningNodes: [] };
    const members = clusterOf(nodes, me.node.nodeName);
    return { installed: true, nodeName, running: true, members: members.map((n) => n.node.nodeName), runningNodes: members.filter((n) => n.running).map((n) => n.node.nodeName) };
  },
  set: ({ machine: m, params, host, lab }) => {
    const seed = stringParam(params, 'rabbitmq_cluster', 'seed', { required: true });
    const install = rabbitmqInstall(m);
    if (!install) throw new LabResourceError('rabbitmq_cluster: RabbitMQ is not installed (no RabbitMQ uninstall entry); install it in an earlier step');
    const node = cliNodeName(m);
    if (node === seed) return setResult(`${node} is the seed: nothing to join`);
    joinCluster(lab, host.name, m, seed);
    const nodes = labNodes(lab, { host: host.name, machine: m });
    const running = clusterOf(nodes, nodeOf(m)!.nodeName).filter((n) => n.running).map((n) => n.node.nodeName);
    if (!running.includes(seed) || !running.includes(node)) throw new LabResourceError(`rabbitmq_cluster: ${node} joined ${seed}, but cluster_status lists these running nodes: ${running.join(', ')}`);
    return setResult(`${node} joined the cluster of ${seed}: ${running.length} running nodes`);
  },
});

interface ConfigState {
  installed: boolean;
  running: boolean;
  featureFlagsDisabled: string[];
  vhost: { exists: boolean; defaultQueueType: string | null };
  users: Array<{ name: string; tags: string[] }>;
  permissions: Array<{ user: string; configure: string; write: string; read: string }>;
  policies: Array<{ name: string; pattern: string; applyTo: string; definition: Record<string, unknown>; priority: number }>;
}

/** The cluster's data as this node's rabbitmqctl lists it, or null when the node is not running. */
function readDb(lab: LabView, host: string, m: LabMachine): RabbitDb | null {
  const nodes = labNodes(lab, { host, machine: m });
  const me = nodes.find((n) => n.host === host);
  if (!me || !me.running) return null;
  return clusterDb(clusterOf(nodes, me.node.nodeName));
}

/** Get-CortexRabbitmqConfigState. */
function configState(lab: LabView, host: string, m: LabMachine, vhost: string): ConfigState {
  const state: ConfigState = { installed: false, running: false, featureFlagsDisabled: [], vhost: { exists: false, defaultQueueType: null }, users: [], permissions: [], policies: [] };
  if (!rabbitmqInstall(m)) return state;
  state.installed = true;
  const db = readDb(lab, host, m);
  if (!db) return state;
  state.running = true;
  state.featureFlagsDisabled = [...db.featureFlagsDisabled];
  const v = db.vhosts.find((x) => x.name === vhost);
  if (v) state.vhost = { exists: true, defaultQueueType: v.defaultQueueType };
  state.users = db.users.map((u) => ({ name: u.name, tags: [...u.tags] }));
  if (v) {
    state.permissions = db.permissions.filter((p) => p.vhost === vhost).map((p) => ({ user: p.user, configure: p.configure, write: p.write, read: p.read }));
    state.policies = db.policies.filter((p) => p.vhost === vhost).map((p) => ({ name: p.name, pattern: p.pattern, applyTo: p.applyTo, definition: structuredClone(p.definition), priority: p.priority }));
  }
  return state;
}

const R = 'rabbitmq_config';
const sortedJoin = (xs: readonly string[]) => [...xs].sort().join(',');

export const rabbitmqConfigModel = defineResourceModel({
  type: 'rabbitmq_config',
  read: ({ machine, params, host, lab }) => {
    const vhost = resourceParam(params, R, 'vhost', { required: true });
    return configState(lab, host.name, machine, stringParam(vhost, R, 'name', { required: true }));
  },
  set: ({ machine: m, params: p, host, lab }) => {
    const vhostParam = resourceParam(p, R, 'vhost', { required: true });
    const vhost = stringParam(vhostParam, R, 'name', { required: true });
    const queueType = stringParam(vhostParam, R, 'defaultQueueType', { default: 'quorum' });
    const featureFlags = stringParam(p, R, 'featureFlags', { default: 'all' });
    const guest = stringParam(p, R, 'guest', { default: 'remove' });
    const users = list(resourceParam(p, R, 'users', { default: [] }));
    const policies = list(resourceParam(p, R, 'policies', { default: [] }));
    const install = rabbitmqInstall(m);
    if (!install) throw new LabResourceError('rabbitmq_config: RabbitMQ is not installed (no RabbitMQ uninstall entry); install it in an earlier step');
    const now = configState(lab, host.name, m, vhost);
    if (!now.running) throw new LabResourceError('rabbitmq_config: the RabbitMQ node is not running; start the RabbitMQ service first');
    runningNode(lab, host.name, m);
    const node = ownNode(m);
    const nodes = labNodes(lab, { host: host.name, machine: m });
    const db = structuredClone(clusterDb(clusterOf(nodes, node.nodeName)));
    const done: string[] = [];

    if (featureFlags === 'all' && now.featureFlagsDisabled.length) {
      db.featureFlagsDisabled = [];
      done.push('feature flags enabled');
    }
    if (!now.vhost.exists) {
      db.vhosts.push({ name: vhost, defaultQueueType: queueType });
      done.push(`vhost ${vhost} added`);
    } else if (now.vhost.defaultQueueType !== queueType) {
      db.vhosts = db.vhosts.map((v) => (v.name === vhost ? { ...v, defaultQueueType: queueType } : v));
      done.push(`vhost ${vhost} default queue type ${queueType}`);
    }
    for (const u of users) {
      const name = stringParam(u, R, 'name', { required: true });
      const tags = list(resourceParam(u, R, 'tags', { default: [] })).filter((t) => t !== null && t !== '').map(psString);
      const have = now.users.find((x) => x.name === name);
      if (!have) {
        const password = stringParam(u, R, 'password', { required: true });
        db.users.push({ name, tags: [], passwordSha256: sha256Text(password) });
        done.push(`user ${name} added`);
      }
      if (!have || sortedJoin(have.tags) !== sortedJoin(tags)) {
        if (have || tags.length) {
          db.users = db.users.map((x) => (x.name === name ? { ...x, tags } : x));
          done.push(`tags of ${name}`);
        }
      }
      const permParam = resourceParam(u, R, 'permissions', { default: null });
      const perm = { configure: stringParam(permParam, R, 'configure', { default: '.*' }), write: stringParam(permParam, R, 'write', { default: '.*' }), read: stringParam(permParam, R, 'read', { default: '.*' }) };
      const havePerm = now.permissions.find((x) => x.user === name);
      if (!havePerm || havePerm.configure !== perm.configure || havePerm.write !== perm.write || havePerm.read !== perm.read) {
        db.permissions = [...db.permissions.filter((x) => !(x.vhost === vhost && x.user === name)), { vhost, user: name, ...perm }];
        done.push(`permissions of ${name} on ${vhost}`);
      }
    }
    if (guest === 'remove' && now.users.some((u) => u.name === 'guest')) {
      db.users = db.users.filter((u) => u.name !== 'guest');
      db.permissions = db.permissions.filter((x) => x.user !== 'guest');
      done.push('guest deleted');
    }
    for (const pol of policies) {
      const name = stringParam(pol, R, 'name', { required: true });
      const pattern = stringParam(pol, R, 'pattern', { required: true });
      const applyTo = stringParam(pol, R, 'applyTo', { default: 'queues' });
      const priority = Math.trunc(Number(resourceParam(pol, R, 'priority', { default: 0 })));
      const definition = resourceParam(pol, R, 'definition', { required: true }) as Record<string, unknown>;
      const have = now.policies.find((x) => x.name === name);
      if (have && have.pattern === pattern && have.applyTo === applyTo && have.priority === priority && JSON.stringify(have.definition) === JSON.stringify(definition)) continue;
      db.policies = [...db.policies.filter((x) => !(x.vhost === vhost && x.name === name)), { vhost, name, pattern, applyTo, definition: structuredClone(definition), priority }];
      done.push(`policy ${name}`);
    }
    // Each rabbitmqctl command that changes something writes a new version of the cluster's data.
    if (done.length) {
      db.version += done.length;
      node.db = db;
    }
    return setResult(done.length ? done.join('; ') : 'nothing to change');
  },
});
