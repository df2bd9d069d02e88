/**
 * The upgrades a plan makes (docs/upgrades.md): each component version a change moves (a resource's
 * `upgrades`, read from its Test result), with the hosts in the order apply takes them and how many at
 * once. Pure: built from the schedule and the planner's diffs.
 */
import type { ComponentUpgrade, UpgradeWithin } from '../../resources/index.js';
import type { PhaseSchedule } from './schedule.js';

/** One host's upgrade of a component: its version now, and the wave it runs in (hosts of one wave run at once). */
export interface PlanUpgradeHost {
  host: string;
  from: string | null;
  wave: number;
}

/** `plan --json` upgrades[]: one per component and step, hosts in apply's order. */
export interface PlanUpgrade {
  component: string;
  /** The versions the hosts run now (distinct, in host order; null where a host does not say). */
  from: Array<string | null>;
  to: string;
  phase: string;
  step: string;
  /** The most hosts upgraded at the same time (1: one at a time). */
  atOnce: number;
  hosts: PlanUpgradeHost[];
  /** The order inside the step, when the step walks the members itself (Service Fabric's upgrade domains). */
  within?: UpgradeWithin;
}

/** Per (step, host): its wave, counted over the step's phase batches and the step's own host batches. */
function wavesOf(sched: readonly PhaseSchedule[]): Map<string, number> {
  const out = new Map<string, number>();
  const next = new Map<string, number>();
  for (const p of sched) {
    for (const b of p.batches) {
      for (const r of b.steps) {
        for (const hb of r.hostBatches) {
          const w = next.get(r.step.id) ?? 0;
          next.set(r.step.id, w + 1);
          for (const h of hb) out.set(`${r.step.id}\u0000${h}`, w);
        }
      }
    }
  }
  return out;
}

export class UpgradeTracker {
  private readonly waves: Map<string, number>;
  /** Per host and component: the version an earlier step moves it to, and that step. */
  private readonly moved = new Map<string, Map<string, { to: string; step: string }>>();
  readonly entries: Array<{ component: string; to: string; phase: string; step: string; host: string; from: string | null; wave: number; within?: UpgradeWithin }> = [];

  constructor(sched: readonly PhaseSchedule[]) {
    this.waves = wavesOf(sched);
  }

  /** The earlier steps that already move every one of these components to the same version on the host; [] when any is new. */
  coveredBy(host: string, ups: Record<string, ComponentUpgrade>): string[] {
    const keys = Object.keys(ups);
    if (!keys.length) return [];
    const mine = this.moved.get(host);
    const by = keys.map((k) => (mine?.get(k)?.to === ups[k]!.to ? mine.get(k)!.step : null));
    return by.every((s) => s !== null) ? [...new Set(by as string[])] : [];
  }

  add(host: string, phase: string, step: string, ups: Record<string, ComponentUpgrade>): void {
    for (const [component, u] of Object.entries(ups)) {
      let mine = this.moved.get(host);
      if (!mine) this.moved.set(host, (mine = new Map()));
      mine.set(component, { to: u.to, step });
      this.entries.push({ component, to: u.to, phase, step, host, from: u.from, wave: this.waves.get(`${step}\u0000${host}`) ?? 0, ...(u.within ? { within: u.within } : {}) });
    }
  }
}

/** The tracker's entries as upgrades: one per (component, step, to), in the order first seen. */
export function collectUpgrades(t: UpgradeTracker): PlanUpgrade[] {
  const out: PlanUpgrade[] = [];
  for (const e of t.entries) {
    let u = out.find((x) => x.component === e.component && x.step === e.step && x.to === e.to);
    if (!u) out.push((u = { component: e.component, from: [], to: e.to, phase: e.phase, step: e.step, atOnce: 0, hosts: [] }));
    u.hosts.push({ host: e.host, from: e.from, wave: e.wave });
    if (e.within && !u.within) u.within = e.within;
    if (!u.from.includes(e.from)) u.from.push(e.from);
  }
  for (const u of out) {
    u.hosts.sort((a, b) => a.wave - b.wave);
    const perWave = new Map<number, number>();
    for (const h of u.hosts) perWave.set(h.wave, (perWave.get(h.wave) ?? 0) + 1);
    u.atOnce = Math.max(...perWave.values());
  }
  return out;
}

/**
 * The upgrades as people read them: `rabbitmq: 4.1.4 -> 4.2.1 (phase p, step s): one host at a time: a, then b`;
 * a step that walks upgrade domains itself: `serviceFabric: a -> b (phase p, step s): from app1, one upgrade domain at a time: UD0 (app1), then ...`.
 */
export function upgradeLines(ups: readonly PlanUpgrade[]): string[] {
  if (!ups.length) return [];
  const lines = ['Upgrades (in the order apply takes them):'];
  for (const u of ups) {
    const from = u.from.map((f) => f ?? '(unknown)').join(', ');
    const waves: string[][] = [];
    for (const h of u.hosts) (waves[h.wave] ??= []).push(h.host);
    const order = waves.filter(Boolean).map((w) => (w.length === 1 ? w[0]! : `[${w.join(', ')}]`));
    const how = u.atOnce === 1 ? 'one host at a time' : order.length === 1 ? 'all at once' : `up to ${u.atOnce} hosts at a time`;
    // A step that walks the members itself (a monitored upgrade from the deploy node): its own order.
    const line = u.within
      ? `from ${order.join(', then ')}, one ${u.within.unit} at a time: ${u.within.order.join(', then ')}`
      : `${how}: ${order.join(', then ')}`;
    lines.push(`  ${u.component}: ${from} -> ${u.to} (phase ${u.phase}, step ${u.step}): ${line}`);
  }
  return lines;
}
