/**
 * The plan lines of phases' drains (docs/playbooks.md, "Drain"): apply drains a host just before its
 * first change of the phase and restores it after its last, on each of the drain's hosts, and only
 * hosts with a change are drained. So the plan shows exactly that: a `<before>@<host>` line on each
 * drain host before the host's first change, an `<after>@<host>` line after its last. Whether the
 * load balancer already has it drained is read at apply (the step is tested first): the plan says
 * what apply will run, not what the Test will find.
 */
import { resourceOf } from '../../resources/index.js';
import type { Playbook, Step } from '../playbook/types.js';
import type { PlanChange } from './plan.js';

function line(step: Step, on: string, h: string, phase: string, to: Record<string, string>): PlanChange {
  return { host: on, step: `${step.id}@${h}`, phase, resource: resourceOf(step.resource).label(step.params[h] as never), action: 'update', from: null, to: { for: h, ...to } };
}

/** `changes` (in apply's order) with each drain's lines around the hosts that change. */
export function withDrainLines(pb: Playbook, changes: readonly PlanChange[]): PlanChange[] {
  const out = [...changes];
  for (const phase of pb.phases) {
    const drain = phase.drain;
    if (!drain) continue;
    for (const h of phase.hosts) {
      // No drain for a host whose drain params render to null (no balanced server takes it).
      if (drain.before.params[h] === undefined && drain.after.params[h] === undefined) continue;
      const at = out.flatMap((c, i) => (c.host === h && c.phase === phase.name && c.action !== 'none' && !c.step.includes('@') ? [i] : []));
      if (!at.length) continue;
      const first = at[0]!;
      const last = at[at.length - 1]!;
      const after = drain.after.params[h] === undefined ? [] : drain.on.map((on) => line(drain.after, on, h, phase.name, { after: out[last]!.step }));
      const before = drain.before.params[h] === undefined ? [] : drain.on.map((on) => line(drain.before, on, h, phase.name, { before: out[first]!.step }));
      out.splice(last + 1, 0, ...after);
      out.splice(first, 0, ...before);
    }
  }
  return out;
}
