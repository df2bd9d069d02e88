/**
 * The planner (docs/playbooks.md): inventory + playbook + what was read from each host (facts and
 * the Test results of its steps) → the changes apply would make, in the order it would make them.
 * Pure: no host in the loop. Test results are validated here against each resource's state schema,
 * so a malformed reply is an error naming host and step, never a crash.
 */
import type { Inventory } from '../../inventory/types.js';
import { resourceOf, UnreachableStateError, UpgradeRefusedError, type ComponentUpgrade, type DiffAction } from '../../resources/index.js';
import type { Playbook, Step } from '../playbook/types.js';
import { ConditionContext } from './conditions.js';
import { schedule, scheduleOrder, type PhaseSchedule } from './schedule.js';
import { collectUpgrades, UpgradeTracker, type PlanUpgrade } from './upgrades.js';
import { withDrainLines } from './drain-plan.js';

/** What was read from one host for the plan. */
export interface HostReading {
  /** Set when the host could not be reached or authenticated: the reason. */
  unreachable?: string | undefined;
  /** The host's facts (preflight's schema), for `when:` conditions. */
  facts?: unknown;
  /** Raw Test results by step id, as the scripts returned them. */
  states: Record<string, unknown>;
  /** Test scripts that failed, by step id: the error message. */
  testErrors?: Record<string, string> | undefined;
}

export type Readings = Record<string, HostReading>;

/** One line of the plan document (`plan --json`). */
export interface PlanChange {
  host: string;
  step: string;
  phase: string;
  resource: string;
  action: DiffAction;
  from: unknown;
  to: unknown;
}

export interface PlanSkip {
  host: string;
  step: string;
  reason: string;
}

export interface PlanProblem {
  host: string;
  step?: string | undefined;
  /** refused: the version asked for cannot be reached from what the host runs (docs/upgrades.md). */
  kind: 'unreachable' | 'error' | 'refused';
  message: string;
}

export interface PlanSummary {
  hosts: number;
  create: number;
  update: number;
  unchanged: number;
  skipped: number;
  errors: number;
  unreachable: number;
  /** Steps whose version change was refused (docs/upgrades.md): the plan cannot be applied as it is. */
  refused: number;
}

export interface Plan {
  playbook: string;
  /** Every (host, step) with its action, in the order apply runs them. */
  changes: PlanChange[];
  skipped: PlanSkip[];
  problems: PlanProblem[];
  summary: PlanSummary;
  /** Per host, the step ids that apply to it (condition true), in order. */
  hostSteps: Record<string, string[]>;
  /** The component versions the changes move, each with the order apply takes its hosts in. */
  upgrades: PlanUpgrade[];
}

/** Which steps to Test on a host for a phase (condition true), for one batched round trip. */
export function stepsToTest(pb: Playbook, cond: ConditionContext, host: string, phase: string, facts: unknown): Step[] {
  const ph = pb.phases.find((p) => p.name === phase);
  if (!ph) return [];
  return ph.steps.filter((s) => {
    if (!s.hosts.includes(host)) return false;
    const r = cond.evaluate(s, host, facts);
    // A condition that cannot be evaluated is reported by buildPlan; testing the step costs nothing extra.
    return 'holds' in r ? r.holds : true;
  });
}

/** Diff of one step on one host from its raw Test result: a change, or an error message. */
export function diffStep(
  step: Step,
  host: string,
  raw: unknown,
): { change: Omit<PlanChange, 'host' | 'step' | 'phase'>; upgrades: Record<string, ComponentUpgrade> } | { error: string; unreachableState?: boolean; refused?: boolean } {
  const r = resourceOf(step.resource);
  const params = step.params[host];
  if (params === undefined) return { error: `no parameters for host ${host} (internal)` };
  const state = r.state.safeParse(raw);
  if (!state.success) {
    const issue = state.error.issues[0]!;
    return { error: `the ${step.resource} Test result is malformed: ${issue.path.join('.') || '(result)'}: ${issue.message}` };
  }
  try {
    const d = r.diff(params as never, state.data as never);
    const upgrades = d.action !== 'none' && r.upgrades ? r.upgrades(params as never, state.data as never) : {};
    return { change: { resource: r.label(params as never), action: d.action, from: d.from, to: d.to }, upgrades };
  } catch (err) {
    if (err instanceof UpgradeRefusedError) return { error: err.message, refused: true };
    if (err instanceof UnreachableStateError) return { error: err.message, unreachableState: true };
    throw err;
  }
}

/** The earlier steps that stop the service a `service` step wants running; [] when none does (or it wants it stopped). */
function serviceStoppedBy(stops: ReadonlyMap<string, string[]> | undefined, params: unknown): string[] {
  const p = params as { name?: unknown; state?: unknown } | undefined;
  if (!stops || p?.state !== 'running' || typeof p.name !== 'string') return [];
  return stops.get(p.name.toLowerCase()) ?? [];
}

/** `only`: plan these hosts alone (--limit); the others are left out, not reported unread. */
export function buildPlan(inv: Inventory, pb: Playbook, readings: Readings, sched: PhaseSchedule[] = schedule(pb), only?: ReadonlySet<string>): Plan {
  const cond = new ConditionContext(inv, pb);
  const changes: PlanChange[] = [];
  const skipped: PlanSkip[] = [];
  const problems: PlanProblem[] = [];
  const hostSteps: Record<string, string[]> = {};
  const seenHosts = new Set<string>();
  const unreachable = new Set<string>();
  /** Per host, the steps planned to change whose Set may leave a reboot required. */
  const mayReboot = new Map<string, string[]>();
  /** Per host, the services (lower-case name) that steps planned to change stop on the way, with those steps. */
  const mayStop = new Map<string, Map<string, string[]>>();
  const upgrades = new UpgradeTracker(sched);

  for (const { phase, step, host } of scheduleOrder(sched)) {
    if (only && !only.has(host)) continue;
    seenHosts.add(host);
    const reading = readings[host];
    if (!reading || reading.unreachable !== undefined) {
      if (!unreachable.has(host)) problems.push({ host, kind: 'unreachable', message: reading?.unreachable ?? 'not read' });
      unreachable.add(host);
      continue;
    }
    const c = cond.evaluate(step, host, reading.facts);
    if ('error' in c) {
      problems.push({ host, step: step.id, kind: 'error', message: c.error });
      continue;
    }
    if (!c.holds) {
      skipped.push({ host, step: step.id, reason: `when: ${step.when!.text}` });
      continue;
    }
    (hostSteps[host] ??= []).push(step.id);
    const testError = reading.testErrors?.[step.id];
    if (testError !== undefined) {
      // A Test that could not run (access denied). A Test whose tool an earlier step installs says so in
      // its state instead (nservicebus_queues: cliInstalled), and its diff makes that known after them.
      problems.push({ host, step: step.id, kind: 'error', message: `Test failed: ${testError}` });
      continue;
    }
    if (!(step.id in reading.states)) {
      problems.push({ host, step: step.id, kind: 'error', message: 'no Test result for this step' });
      continue;
    }
    const d = diffStep(step, host, reading.states[step.id]);
    const earlier = changes.filter((c) => c.host === host && c.action !== 'none').map((c) => c.step);
    const resource = resourceOf(step.resource);
    let change: PlanChange;
    if ('error' in d && d.refused) {
      problems.push({ host, step: step.id, kind: 'refused', message: `refused: ${d.error}` });
      continue;
    }
    if ('error' in d) {
      // A service an earlier step installs does not exist yet: the change is known after that step, not an error.
      if (!(d.unreachableState && earlier.length)) {
        problems.push({ host, step: step.id, kind: 'error', message: d.error });
        continue;
      }
      change = { host, step: step.id, phase, resource: resource.label(step.params[host] as never), action: 'create', from: null, to: { knownAfter: earlier, now: d.error } };
    } else {
      const causes = mayReboot.get(host) ?? [];
      // Nothing pending now, but an earlier change may ask for a reboot (an installer's 3010): known after it.
      // A version an earlier step on this host already moves (the roll before the install steps): known after it.
      const by = upgrades.coveredBy(host, d.upgrades);
      const stoppedBy = step.resource === 'service' && d.change.action === 'none' ? serviceStoppedBy(mayStop.get(host), step.params[host]) : [];
      if (step.resource === 'reboot' && d.change.action === 'none' && causes.length) change = { host, step: step.id, phase, resource: d.change.resource, action: 'update', from: { pending: false }, to: { knownAfter: [...causes], now: 'no reboot pending' } };
      // Running now, but an earlier change stops it on the way (an archive over its program): known after it.
      else if (stoppedBy.length) change = { host, step: step.id, phase, resource: d.change.resource, action: 'update', from: { state: 'running' }, to: { knownAfter: stoppedBy, now: 'running' } };
      else if (by.length) change = { host, step: step.id, phase, resource: d.change.resource, action: d.change.action, from: d.change.from, to: { knownAfter: by, now: d.change.from } };
      else {
        change = { host, step: step.id, phase, ...d.change };
        upgrades.add(host, phase, step.id, d.upgrades);
      }
    }
    changes.push(change);
    // After a reboot step, what earlier changes asked for is done (or was never asked for).
    if (step.resource === 'reboot') mayReboot.delete(host);
    else if (change.action !== 'none' && resource.mayRequireReboot === true) mayReboot.set(host, [...(mayReboot.get(host) ?? []), step.id]);
    if (change.action !== 'none' && resource.stopsServices) {
      const stops = mayStop.get(host) ?? new Map<string, string[]>();
      for (const name of resource.stopsServices(step.params[host] as never)) stops.set(name.toLowerCase(), [...(stops.get(name.toLowerCase()) ?? []), step.id]);
      mayStop.set(host, stops);
    }
  }

  // A phase's drain: its steps on the load balancer around each host that changes (drain-plan.ts).
  const planned = withDrainLines(pb, changes);
  const count = (a: DiffAction) => planned.filter((c) => c.action === a).length;
  return {
    playbook: pb.name,
    changes: planned,
    skipped,
    problems,
    hostSteps,
    upgrades: collectUpgrades(upgrades),
    summary: {
      hosts: seenHosts.size,
      create: count('create'),
      update: count('update'),
      unchanged: count('none'),
      skipped: skipped.length,
      errors: problems.filter((p) => p.kind === 'error').length,
      unreachable: unreachable.size,
      refused: problems.filter((p) => p.kind === 'refused').length,
    },
  };
}

/** The `plan --json` document: {changes:[{host,step,resource,action,from,to}],summary}, with upgrades. */
export function planDocument(plan: Plan): { changes: Array<Pick<PlanChange, 'host' | 'step' | 'resource' | 'action' | 'from' | 'to'>>; upgrades: PlanUpgrade[]; summary: PlanSummary; skipped: PlanSkip[]; problems: PlanProblem[] } {
  return {
    changes: plan.changes.map(({ host, step, resource, action, from, to }) => ({ host, step, resource, action, from, to })),
    upgrades: plan.upgrades,
    summary: plan.summary,
    skipped: plan.skipped,
    problems: plan.problems,
  };
}
