/**
 * What `plan` (and `apply PLAN`'s drift check) reads from each host through its HostAgent: the facts
 * (when a condition reads them), then every step that applies to the host, of every phase, in ONE
 * test batch. A host that cannot be reached is marked unreachable; a batch that fails as a whole
 * (a script error, a malformed reply) becomes each step's Test error, naming the reason.
 */
import { CortexError } from '../../errors.js';
import type { Inventory } from '../../inventory/types.js';
import { forEachLimit } from '../../lifecycle/fan-out.js';
import type { HostAgent } from '../apply/agent.js';
import { ConditionContext } from '../plan/conditions.js';
import { stepsToTest, type HostReading, type Readings } from '../plan/plan.js';
import type { Playbook } from '../playbook/types.js';

const UNREACHABLE = new Set(['unreachable', 'auth', 'tls']);

function messageOf(err: unknown): string {
  return err instanceof CortexError ? err.detail : err instanceof Error ? err.message : String(err);
}

export async function readHosts(o: { inventory: Inventory; playbook: Playbook; agents: Record<string, HostAgent>; hosts: readonly string[]; forks: number; signal?: AbortSignal | undefined }): Promise<Readings> {
  const cond = new ConditionContext(o.inventory, o.playbook);
  const readings: Readings = {};
  await forEachLimit(
    o.hosts,
    o.forks,
    async (host) => {
      const agent = o.agents[host]!;
      const reading: HostReading = { states: {} };
      readings[host] = reading;
      try {
        reading.facts = await agent.facts();
      } catch (err) {
        if (err instanceof CortexError && UNREACHABLE.has(err.kind)) {
          reading.unreachable = messageOf(err);
          return;
        }
        // Conditions that read facts then fail with this reason; the other steps are still tested.
        reading.testErrors = {};
        reading.facts = undefined;
        for (const p of o.playbook.phases) for (const s of p.steps) if (s.hosts.includes(host) && s.when) reading.testErrors[s.id] = `facts probe: ${messageOf(err)}`;
      }
      const steps = o.playbook.phases.flatMap((p) => stepsToTest(o.playbook, cond, host, p.name, reading.facts));
      if (!steps.length) return;
      try {
        const results = await agent.test(steps.map((s) => ({ step: s.id, resource: s.resource, params: s.params[host] })));
        for (const [id, r] of Object.entries(results)) {
          if ('error' in r) (reading.testErrors ??= {})[id] = r.error;
          else reading.states[id] = r.state;
        }
      } catch (err) {
        if (err instanceof CortexError && UNREACHABLE.has(err.kind)) {
          reading.unreachable = messageOf(err);
          return;
        }
        reading.testErrors ??= {};
        for (const s of steps) reading.testErrors[s.id] = messageOf(err);
      }
    },
    () => o.signal?.aborted !== true,
  );
  return readings;
}
