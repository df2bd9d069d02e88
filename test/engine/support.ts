/**
 * Test support for the planner and executor: Test results that put a step in sync or out of it, built
 * from the step's params the way a Test script on a host in that state would report them.
 */
import { join } from 'node:path';
import { loadInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/types.js';
import { loadPlaybook } from '../../src/engine/playbook/loader.js';
import { stepsOf, type Playbook } from '../../src/engine/playbook/types.js';
import type { Readings } from '../../src/engine/plan/plan.js';

export const fixtures = join(import.meta.dirname, '../fixtures/playbooks');

export async function loadSite(file = 'site.yaml'): Promise<{ inv: Inventory; pb: Playbook }> {
  const inv = await loadInventory(join(fixtures, 'inventory.yaml'));
  return { inv, pb: await loadPlaybook(join(fixtures, file), inv) };
}

type P = Record<string, unknown>;

/** A current state in which the step's desired state already holds. */
export function inSync(resource: string, p: P): unknown {
  switch (resource) {
    case 'package':
      return { installed: p.state !== 'absent', version: p.version ?? '1.0', view: '64', displayName: p.name };
    case 'file':
      return { exists: p.state !== 'absent', sha256: p.state === 'absent' ? null : p.sha256 };
    case 'directory':
      return { exists: p.state !== 'absent', isDirectory: p.state !== 'absent' };
    case 'archive':
      return { destinationExists: true, markerSha256: p.sha256 };
    case 'windows_feature':
      return { known: true, installed: p.state !== 'absent' };
    case 'service':
      return { exists: true, state: p.state ?? 'running', startupType: p.startupType ?? 'automatic' };
    case 'env_var':
      return { value: p.state === 'absent' ? null : p.value };
    case 'registry_value':
      return { keyExists: true, value: p.state === 'absent' ? null : { type: p.type, data: p.data } };
    case 'scheduled_task':
      return { lastRun: { token: p.token, exitCode: 0, finishedAt: '2026-01-01T00:00:00Z' } };
    case 'exec':
      return { done: true };
    case 'reboot':
      return { pending: false, bootTime: '2026-01-01T00:00:00Z' };
    case 'firewall_rule':
      return { exists: true, direction: p.direction, protocol: p.protocol, localPorts: (p.localPorts as unknown[]).map(String), action: p.action, profiles: p.profiles, enabled: p.enabled };
    case 'acl':
      return { exists: true, inheritance: true, rules: p.rules };
    case 'rabbitmq_upgrade':
      return { installed: true, version: p.version, erlangVersion: (p.erlang as { version: string }).version, nodeName: 'rabbit@node', running: true, featureFlagsDisabled: [] };
    case 'service_fabric_cluster':
      return { fabricHostService: true, fabricVersion: '10.1.2448.9590', reachable: true, connectError: null, codeVersion: '10.1.2448.9590', configVersion: '1.0.0', nodes: (p.nodes as string[]).map((name) => ({ name, status: 'Up', health: 'Ok', upgradeDomain: null })), health: 'Ok', packageCodeVersion: '10.1.2448.9590', packagePresent: true };
    case 'nservicebus_queues': {
      const queues = [...(p.endpoints as string[]), (p.errorQueue as string | undefined) ?? 'error', (p.auditQueue as string | undefined) ?? 'audit'];
      return { cliInstalled: true, queues: Object.fromEntries(queues.map((q) => [q, 'quorum'])), delayInfrastructure: true };
    }
  }
  throw new Error(`no in-sync state for ${resource}`);
}

/** A current state in which nothing of the step is there yet (a new host). */
export function fresh(resource: string): unknown {
  switch (resource) {
    case 'package':
      return { installed: false, version: null, view: null, displayName: null };
    case 'file':
      return { exists: false, sha256: null };
    case 'directory':
      return { exists: false, isDirectory: false };
    case 'archive':
      return { destinationExists: false, markerSha256: null };
    case 'windows_feature':
      return { known: true, installed: false };
    case 'service':
      return { exists: true, state: 'stopped', startupType: 'manual' };
    case 'env_var':
      return { value: null };
    case 'registry_value':
      return { keyExists: true, value: null };
    case 'scheduled_task':
      return { lastRun: null };
    case 'exec':
      return { done: false };
    case 'reboot':
      return { pending: true, bootTime: '2026-01-01T00:00:00Z' };
    case 'firewall_rule':
      return { exists: false, direction: null, protocol: null, localPorts: [], action: null, profiles: [], enabled: null };
    case 'nservicebus_queues':
      // No RabbitMQ yet: rabbitmqctl, which the Test lists with, is not there.
      return { cliInstalled: false, queues: {}, delayInfrastructure: false };
    case 'acl':
      return { exists: true, inheritance: true, rules: [] };
    case 'rabbitmq_upgrade':
      return { installed: false, version: null, erlangVersion: null, nodeName: null, running: false, featureFlagsDisabled: [] };
    case 'service_fabric_cluster':
      return { fabricHostService: false, fabricVersion: null, reachable: false, connectError: null, codeVersion: null, configVersion: null, nodes: [], health: null, packageCodeVersion: null, packagePresent: true };
  }
  throw new Error(`no fresh state for ${resource}`);
}

export const FACTS = { os: { build: 17763, caption: 'Microsoft Windows Server 2019 Datacenter' }, dotnetRelease: 528049 };

export interface ReadingOverrides {
  states?: Record<string, Record<string, unknown>>;
  facts?: Record<string, unknown>;
  unreachable?: Record<string, string>;
  testErrors?: Record<string, Record<string, string>>;
}

/** What plan would read from every host: every step in sync or fresh, with overrides. */
export function readingsFor(pb: Playbook, start: 'in-sync' | 'fresh', c: ReadingOverrides = {}): Readings {
  const r: Readings = {};
  for (const h of Object.keys(pb.reboots)) r[h] = { facts: c.facts?.[h] ?? FACTS, states: {}, testErrors: c.testErrors?.[h] };
  for (const s of stepsOf(pb)) for (const h of s.hosts) r[h]!.states[s.id] = start === 'fresh' ? fresh(s.resource) : inSync(s.resource, s.params[h] as Record<string, unknown>);
  for (const [h, states] of Object.entries(c.states ?? {})) Object.assign(r[h]!.states, states);
  for (const [h, why] of Object.entries(c.unreachable ?? {})) r[h] = { unreachable: why, states: {} };
  return r;
}
