/**
 * The lab's RabbitMQ (docs/lab.md, "RabbitMQ"): pure functions over lab machines. A node exists once
 * the RabbitMQ installer put its service on a machine (src/lab/artifacts/components/rabbitmq.ts); its
 * name is RABBITMQ_NODENAME (else rabbit@<computer name>), it runs while its host is up and the service
 * is Running, and it presents the cookie of the service's profile (systemprofile\.erlang.cookie).
 * A cluster is the nodes linked by join_cluster; its cluster-wide data (vhosts, users, permissions,
 * policies, feature flags) is the newest copy among its members (machine.rabbitmq.db, versioned), so a
 * handler changes only its own machine. What rabbitmqctl refuses, the lab refuses with its text:
 * any command to a node that is not running, a join to a seed that is down or presents another cookie.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { LabRabbitmqDbSchema, type LabRabbitmqNodeSchema } from '../profile/schema.js';
import type { LabView } from '../handlers/types.js';
import type { LabClusterStatus } from '../clusters.js';
import type { LabMachine } from '../state/types.js';
import { systemRoot } from '../state/system-files.js';
import { findFile } from '../handlers/resources/files.js';
import { registryValueData } from '../handlers/resources/registry.js';
import { machineRegistry, wow6432Path } from '../shim/windows-view.js';
import { LabResourceError } from '../handlers/resources/types.js';

export type RabbitNode = z.output<typeof LabRabbitmqNodeSchema>;
export type RabbitDb = z.output<typeof LabRabbitmqDbSchema>;

export const RABBITMQ_SERVICE = 'RabbitMQ';

/** rabbitmqctl's exit code when the node cannot be reached (EX_UNAVAILABLE). */
export const EX_UNAVAILABLE = 69;
/** rabbitmqctl's exit code for a command that failed on the node (EX_SOFTWARE). */
export const EX_SOFTWARE = 70;

/** The plugins RabbitMQ ships that the lab knows (rabbitmq-plugins list). */
export const KNOWN_PLUGINS = [
  'rabbitmq_management',
  'rabbitmq_management_agent',
  'rabbitmq_web_dispatch',
  'rabbitmq_prometheus',
  'rabbitmq_shovel',
  'rabbitmq_shovel_management',
  'rabbitmq_federation',
  'rabbitmq_federation_management',
  'rabbitmq_consistent_hash_exchange',
  'rabbitmq_stream',
  'rabbitmq_stream_management',
  'rabbitmq_auth_backend_ldap',
];

export function systemprofileCookiePath(m: LabMachine): string {
  return `${systemRoot(m)}\\System32\\config\\systemprofile\\.erlang.cookie`;
}

/** RabbitMQ as its uninstall entry says (Get-CortexRabbitmqInstall): version and sbin; null when not installed. */
export function rabbitmqInstall(m: LabMachine): { version: string; sbin: string } | null {
  // Find-CortexInstalledPackage's lookup: the 64-bit view, then the 32-bit one (where NSIS registers it).
  // Not the package model's function: windows-view.ts imports this module, and that one needs windows-view at load.
  const sub = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\RabbitMQ';
  const reg = machineRegistry(m);
  const text = (key: string, v: string) => {
    const d = registryValueData(reg, key, v);
    return d === null ? null : Array.isArray(d) ? d.join(' ') : String(d);
  };
  const keys = m.os.is64Bit ? [sub, wow6432Path(sub)] : [sub];
  const key = keys.find((k) => Object.keys(reg).some((x) => x.toLowerCase() === k.toLowerCase() || x.toLowerCase().startsWith(`${k.toLowerCase()}\\`)));
  if (key === undefined) return null;
  const found = { UninstallString: text(key, 'UninstallString'), DisplayVersion: text(key, 'DisplayVersion') };
  if (!found.UninstallString || !found.DisplayVersion) throw new LabResourceError('RabbitMQ: its uninstall entry has no UninstallString or DisplayVersion, so its sbin folder cannot be found; reinstall RabbitMQ');
  const t = found.UninstallString.trim();
  const file = t.startsWith('"') ? t.slice(1, t.indexOf('"', 1)) : (/^(.+?\.exe)(\s|$)/i.exec(t)?.[1] ?? t);
  const root = file.slice(0, file.lastIndexOf('\\'));
  return { version: found.DisplayVersion, sbin: `${root}\\rabbitmq_server-${found.DisplayVersion}\\sbin` };
}

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function service(m: LabMachine) {
  return m.services.find((s) => sameText(s.name, RABBITMQ_SERVICE));
}

/** The node name the CLI targets (Get-CortexRabbitmqNodeName): RABBITMQ_NODENAME, else rabbit@<short host name>. */
export function cliNodeName(m: LabMachine): string {
  const key = Object.keys(m.env).find((k) => sameText(k, 'RABBITMQ_NODENAME'));
  // The lab's DNS host name is its computer name (windows-view.ts), as Get-CortexHostName answers it.
  return key && m.env[key] ? m.env[key] : `rabbit@${m.computerName.split('.')[0]}`;
}

/** This machine's node (a new one when the service was installed and nothing ran yet), or null without the service. */
export function nodeOf(m: LabMachine): RabbitNode | null {
  if (!service(m)) return null;
  return m.rabbitmq ?? { nodeName: cliNodeName(m), plugins: [], joinedTo: null, alarms: [], db: LabRabbitmqDbSchema.parse({}) };
}

/** The node, kept on the machine (a Set changes it). */
export function ownNode(m: LabMachine): RabbitNode {
  const n = nodeOf(m);
  if (!n) throw new LabResourceError('RabbitMQ: the RabbitMQ service is not installed');
  m.rabbitmq = n;
  return n;
}

export interface LabNode {
  host: string;
  machine: LabMachine;
  node: RabbitNode;
  running: boolean;
  /** SHA-256 of the cookie the node presents; null without a cookie file. */
  cookieSha256: string | null;
}

function labNode(host: string, m: LabMachine, up: boolean): LabNode | null {
  const node = nodeOf(m);
  if (!node) return null;
  return { host, machine: m, node, running: up && service(m)?.state === 'Running', cookieSha256: findFile(m, systemprofileCookiePath(m))?.sha256 ?? null };
}

/** Every RabbitMQ node of the lab; `self` with the machine a handler is changing. */
export function labNodes(lab: LabView, self: { host: string; machine: LabMachine }): LabNode[] {
  const out: LabNode[] = [];
  const me = labNode(self.host, self.machine, true);
  if (me) out.push(me);
  for (const h of lab.hosts()) {
    if (h.name === self.host) continue;
    const st = lab.getHostState(h.name);
    const n = st ? labNode(h.name, st.machine, lab.isUp(h.name)) : null;
    if (n) out.push(n);
  }
  return out;
}

/** The members of `node`'s cluster: the nodes linked to it by joins, either way (itself included), by name. */
export function clusterOf(nodes: readonly LabNode[], nodeName: string): LabNode[] {
  const seen = new Set([nodeName]);
  const queue = [nodeName];
  while (queue.length) {
    const at = queue.shift()!;
    for (const n of nodes) {
      const next = n.node.nodeName === at ? n.node.joinedTo : n.node.joinedTo === at ? n.node.nodeName : null;
      if (next !== null && !seen.has(next) && nodes.some((x) => x.node.nodeName === next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return nodes.filter((n) => seen.has(n.node.nodeName)).sort((a, b) => a.node.nodeName.localeCompare(b.node.nodeName));
}

/** The cluster's data: the newest copy among its members. */
export function clusterDb(members: readonly LabNode[]): RabbitDb {
  return members.reduce<RabbitDb | null>((best, n) => (best === null || n.node.db.version > best.version ? n.node.db : best), null) ?? LabRabbitmqDbSchema.parse({});
}

/** Invoke-CortexNative's message for a CLI tool that exited with `code`. */
export function toolFailed(sbin: string, tool: string, code: number, lines: readonly string[]): LabResourceError {
  return new LabResourceError(`${sbin}\\${tool}.bat exited with code ${code}: ${lines.join('\n')}`.trim());
}

/** rabbitmqctl's answer when it cannot reach the node (the service is stopped, the host is down). */
export function unreachableLines(nodeName: string): string[] {
  return [
    `Error: unable to perform an operation on node '${nodeName}'. Please see diagnostics information and suggestions below.`,
    '',
    'Most common reasons for this are:',
    '',
    ' * Target node is unreachable (e.g. due to hostname resolution, TCP connection or firewall issues)',
    " * CLI tool fails to authenticate with the server (e.g. due to CLI tool's Erlang cookie not matching that of the server)",
    ' * Target node is not running',
  ];
}

/** join_cluster's answer when the seed cannot be reached or refuses the joining node (another cookie). */
export const CANNOT_DISCOVER_CLUSTER = ['Error:', "{:cannot_discover_cluster, 'The nodes provided are either offline or not running'}"];

/** The node, running, for a CLI command; else rabbitmqctl's refusal (exit code 69). */
export function runningNode(lab: LabView, host: string, m: LabMachine, tool = 'rabbitmqctl'): { install: { version: string; sbin: string }; me: LabNode; nodes: LabNode[] } {
  const install = rabbitmqInstall(m);
  if (!install) throw new LabResourceError('RabbitMQ is not installed');
  const nodes = labNodes(lab, { host, machine: m });
  const me = nodes.find((n) => n.host === host);
  if (!me || !me.running) throw toolFailed(install.sbin, tool, EX_UNAVAILABLE, unreachableLines(cliNodeName(m)));
  return { install, me, nodes };
}

/** join_cluster <seed> run on `host`: this node joins the seed's cluster and takes the cluster's data. */
export function joinCluster(lab: LabView, host: string, m: LabMachine, seed: string): void {
  const { install, me, nodes } = runningNode(lab, host, m);
  const target = nodes.find((n) => n.node.nodeName === seed);
  // A seed that is down, unknown, or that refuses our cookie: the joining node cannot reach it.
  if (!target || !target.running || target.cookieSha256 === null || target.cookieSha256 !== me.cookieSha256) throw toolFailed(install.sbin, 'rabbitmqctl', EX_SOFTWARE, CANNOT_DISCOVER_CLUSTER);
  if (clusterOf(nodes, seed).some((n) => n.host === host)) return;
  const node = ownNode(m);
  const db = clusterDb(clusterOf(nodes, seed));
  node.joinedTo = seed;
  // Joining resets this node: its own data is replaced by the cluster's.
  node.db = structuredClone(db);
}

export function sha256Text(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/**
 * The lab's RabbitMQ clusters now, for `lab status` (clusters[] kind rabbitmq): per cluster its member
 * hosts, their node names, the hosts whose node runs; a node that is not running counts as down.
 */
export function rabbitmqClusterStatus(lab: LabView): LabClusterStatus[] {
  const all: LabNode[] = [];
  for (const h of lab.hosts()) {
    const st = lab.getHostState(h.name);
    const n = st ? labNode(h.name, st.machine, lab.isUp(h.name)) : null;
    if (n) all.push(n);
  }
  const done = new Set<string>();
  const out: LabClusterStatus[] = [];
  for (const n of all) {
    if (done.has(n.node.nodeName)) continue;
    const members = clusterOf(all, n.node.nodeName);
    for (const x of members) done.add(x.node.nodeName);
    const seed = members.find((x) => x.node.joinedTo === null) ?? members[0]!;
    const down = members.filter((x) => !x.running).map((x) => x.host);
    out.push({
      name: `rabbitmq:${seed.node.nodeName}`,
      kind: 'rabbitmq',
      members: members.map((x) => x.host),
      downNow: down,
      maxDownAtOnce: down.length,
      maxDownAt: null,
      faultTolerance: Math.floor((members.length - 1) / 2),
      quorumLost: down.length > (members.length - 1) / 2,
      nodes: members.map((x) => x.node.nodeName),
      running: members.filter((x) => x.running).map((x) => x.host),
    });
  }
  return out;
}

/**
 * The most nodes of each RabbitMQ cluster that were not running at once, over the lab's life: a model
 * that stops a node (a rolling upgrade) notes the clusters while it is down, so `lab status` keeps the
 * moment even though the Set has finished (docs/lab.md, "Clusters").
 */
export class RabbitmqDownHistory {
  private readonly most = new Map<string, { n: number; at: string }>();

  note(now: readonly LabClusterStatus[], at: Date = new Date()): void {
    for (const c of now) {
      const had = this.most.get(c.name);
      if (c.downNow.length > 0 && (!had || c.downNow.length > had.n)) this.most.set(c.name, { n: c.downNow.length, at: at.toISOString() });
    }
  }

  /** The clusters now, with the most down at once since the lab started (or reset). */
  apply(now: readonly LabClusterStatus[]): LabClusterStatus[] {
    return now.map((c) => {
      const had = this.most.get(c.name);
      if (!had || had.n <= c.maxDownAtOnce) return c;
      return { ...c, maxDownAtOnce: had.n, maxDownAt: had.at, quorumLost: had.n > (c.members.length - 1) / 2 };
    });
  }

  reset(): void {
    this.most.clear();
  }
}
