/**
 * An in-memory HostAgent for executor tests: each host holds the current state of each step as its
 * Test script would report it; Set moves it to the desired state. It records every call in one list,
 * in the order made, and tracks how many members of each group are down (rebooting) at once.
 */
import type { HostAgent, ResourceRequest, SetResult, TestResults } from '../../src/engine/apply/agent.js';
import { UnreachableError } from '../../src/errors.js';
import type { Playbook } from '../../src/engine/playbook/types.js';
import { stepsOf } from '../../src/engine/playbook/types.js';
import { FACTS, fresh, inSync } from './support.js';

export interface SetBehaviour {
  /** Fail this many Sets first (then succeed). Infinity: always fail. */
  failTimes?: number;
  /** Report a reboot required (exit code 3010). */
  rebootRequired?: boolean;
  /** Never finish (until the timeout aborts it). */
  hang?: boolean;
  /** Succeed but leave the state unchanged (verification must catch it). */
  noEffect?: boolean;
  /** Called when the Set starts (e.g. to press Ctrl-C mid-step). */
  onStart?: () => void;
  /** Milliseconds the Set takes. */
  ms?: number;
  /** Other effects of the change on the host's state (a package installs a service). */
  effect?: (states: Map<string, unknown>) => void;
}

export class FakeWorld {
  readonly calls: string[] = [];
  readonly states = new Map<string, Map<string, unknown>>();
  readonly behaviour = new Map<string, SetBehaviour>();
  readonly unreachable = new Set<string>();
  readonly down = new Set<string>();
  readonly maxDown = new Map<string, number>();
  readonly setAborted: string[] = [];
  bootCount = new Map<string, number>();
  rebootMs = 5;
  /** Agents also offer setAndTest(), as the session agent does: the verifying Test runs right after the Set, whatever its outcome. */
  pipelined = false;

  constructor(
    private readonly pb: Playbook,
    start: 'fresh' | 'in-sync',
    readonly groups: Record<string, string[]>,
  ) {
    const all = [...stepsOf(pb), ...pb.phases.flatMap((p) => p.health?.checks ?? []), ...Object.values(pb.handlers)];
    for (const s of all) {
      for (const h of s.runOnceOf ?? s.hosts) {
        if (!this.states.has(h)) this.states.set(h, new Map());
        const p = s.params[h] as Record<string, unknown> | undefined;
        this.states.get(h)!.set(s.id, start === 'fresh' && s.kind === 'step' ? fresh(s.resource) : p ? inSync(s.resource, p) : fresh(s.resource));
      }
    }
  }

  on(host: string, step: string, b: SetBehaviour): this {
    this.behaviour.set(`${host}/${step}`, b);
    return this;
  }

  setsOf(host?: string): string[] {
    return this.calls.filter((c) => c.includes(' set ') && (!host || c.startsWith(`${host} `)));
  }

  agents(): Record<string, HostAgent> {
    return Object.fromEntries([...this.states.keys()].map((h) => [h, this.agent(h)]));
  }

  /** Hosts the executor said it was done with (HostAgent.done), in order. */
  readonly ended: string[] = [];
  /** How many calls had been made when each host was told done. */
  readonly endedAfterCalls = new Map<string, number>();
  /** Calls that came for a host after done(): the session agent would have had to open a new session. */
  readonly usedAfterDone: string[] = [];

  check(h: string): void {
    if (this.ended.includes(h)) this.usedAfterDone.push(h);
    if (this.unreachable.has(h) || this.down.has(h)) throw new UnreachableError('connection refused', { host: h });
  }

  agent(host: string): HostAgent {
    return makeAgent(this, host, this.pb);
  }
}

function makeAgent(world: FakeWorld, host: string, pb: Playbook): HostAgent {
  const a = makeBasicAgent(world, host, pb);
  if (!world.pipelined) return a;
  return {
    ...a,
    async setAndTest(req: ResourceRequest, verify: ResourceRequest[], signal: AbortSignal) {
      world.calls.push(`${host} set+test ${req.step}`);
      const set = await a.set(req, signal);
      // Sent with the Set, so it runs after a failed one too; its answer is then not read.
      const tested = a.test(verify);
      tested.catch(() => undefined);
      return { set, tested: () => tested };
    },
  };
}

function makeBasicAgent(world: FakeWorld, host: string, pb: Playbook): HostAgent {
  {
    const steps = new Map([...stepsOf(pb), ...pb.phases.flatMap((p) => p.health?.checks ?? []), ...Object.values(pb.handlers)].map((s) => [s.id, s]));
    return {
      host,
      done() {
        world.ended.push(host);
        world.endedAfterCalls.set(host, world.calls.length);
      },
      async facts() {
        world.calls.push(`${host} facts`);
        world.check(host);
        return FACTS;
      },
      async test(reqs: ResourceRequest[]): Promise<TestResults> {
        world.calls.push(`${host} test ${reqs.map((r) => r.step).join(',')}`);
        world.check(host);
        return Object.fromEntries(reqs.map((r) => [r.step, { state: world.states.get(host)!.get(r.step) }]));
      },
      async set(req: ResourceRequest, signal: AbortSignal): Promise<SetResult> {
        world.calls.push(`${host} set ${req.step}`);
        world.check(host);
        const key = `${host}/${req.step}`;
        const b = world.behaviour.get(key) ?? {};
        b.onStart?.();
        if (b.hang) {
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
          world.setAborted.push(key);
          return { ok: false, rebootRequired: false, message: 'aborted' };
        }
        if (b.ms) await new Promise((r) => setTimeout(r, b.ms));
        if ((b.failTimes ?? 0) > 0) {
          b.failTimes = (b.failTimes ?? 0) - 1;
          return { ok: false, rebootRequired: false, exitCode: 1603, message: 'msiexec exit code 1603: fatal error during installation' };
        }
        b.effect?.(world.states.get(host)!);
        if (!b.noEffect) {
          const s = steps.get(req.step)!;
          if (s.resource === 'scheduled_task') world.states.get(host)!.set(req.step, { lastRun: { token: (req.params as { token: string }).token, exitCode: 0, finishedAt: 'now' } });
          else world.states.get(host)!.set(req.step, inSync(s.resource, req.params as Record<string, unknown>));
        }
        return { ok: true, rebootRequired: b.rebootRequired === true, exitCode: b.rebootRequired ? 3010 : 0 };
      },
      async reboot() {
        world.calls.push(`${host} reboot`);
        world.check(host);
        world.down.add(host);
        for (const [g, members] of Object.entries(world.groups)) {
          if (!members.includes(host)) continue;
          const n = members.filter((m) => world.down.has(m)).length;
          world.maxDown.set(g, Math.max(world.maxDown.get(g) ?? 0, n));
        }
        await new Promise((r) => setTimeout(r, world.rebootMs));
        world.down.delete(host);
        world.bootCount.set(host, (world.bootCount.get(host) ?? 0) + 1);
        // A reboot clears the pending-reboot state, as on Windows (and in the lab).
        for (const s of steps.values()) if (s.resource === 'reboot' && world.states.get(host)!.has(s.id)) world.states.get(host)!.set(s.id, { pending: false, bootTime: `boot-${world.bootCount.get(host)}` });
      },
    };
  }
}
