/**
 * `plan --out FILE` / `apply FILE` (docs/playbooks.md): a saved plan holds the plan and a digest of every
 * input it read — the playbook and inventory files, each fact a condition read, each step's Test
 * result — so apply can refuse a plan whose world has moved, and say where. Digests, not values:
 * a saved plan stays small and holds nothing a Test result might carry that should not be on disk.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../../errors.js';
import { resolvePath } from '../expr/evaluate.js';
import type { Playbook } from '../playbook/types.js';
import { factPathsOf } from './conditions.js';
import type { Plan, Readings } from './plan.js';

export const SAVED_PLAN_FORMAT = 'cortex-deploy-plan';
export const SAVED_PLAN_VERSION = 1;

/** JSON with keys sorted at every level, so equal data has one text and one digest. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

export function digestOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export interface PlanInputs {
  playbook: { file: string; sha256: string };
  inventory: { file: string; sha256: string };
  /**
   * Every step's rendered parameters, as one digest: what the files above do not show, such as the
   * artifact store's hashes and paths (artifacts.*), so a store that changed under a saved plan is drift.
   */
  params?: { sha256: string } | undefined;
  /** The artifact store the plan read (`--store`), which `apply FILE` reads again by default. */
  store?: string | undefined;
}

/** The digest of every step's parameters per host (handlers included), as the playbook rendered them. */
export function paramsDigest(pb: Playbook): string {
  const steps = [...pb.phases.flatMap((p) => p.steps), ...Object.values(pb.handlers)];
  return digestOf(steps.map((s) => ({ id: s.id, params: s.params })));
}

const Digest = z.string().regex(/^[0-9a-f]{64}$/);
const HostReads = z.object({ facts: z.record(z.string(), Digest), states: z.record(z.string(), Digest) });

export const SavedPlanSchema = z.object({
  format: z.literal(SAVED_PLAN_FORMAT),
  version: z.literal(SAVED_PLAN_VERSION),
  createdAt: z.string(),
  inputs: z.object({
    playbook: z.object({ file: z.string(), sha256: Digest }),
    inventory: z.object({ file: z.string(), sha256: Digest }),
    params: z.object({ sha256: Digest }).optional(),
    store: z.string().optional(),
  }),
  plan: z.custom<Plan>((v) => v !== null && typeof v === 'object' && Array.isArray((v as Plan).changes)),
  reads: z.record(z.string(), HostReads),
});
export type SavedPlan = z.infer<typeof SavedPlanSchema>;

/** What a host's plan read: the facts its steps' conditions use and its steps' Test results. */
function readsOf(pb: Playbook, plan: Plan, readings: Readings): SavedPlan['reads'] {
  const steps = new Map(pb.phases.flatMap((p) => p.steps).map((s) => [s.id, s]));
  const out: SavedPlan['reads'] = {};
  const hosts = new Set([...plan.changes.map((c) => c.host), ...plan.skipped.map((s) => s.host)]);
  for (const host of hosts) {
    const reading = readings[host];
    if (!reading) continue;
    const facts: Record<string, string> = {};
    const stepIds = new Set([...plan.changes.filter((c) => c.host === host).map((c) => c.step), ...plan.skipped.filter((s) => s.host === host).map((s) => s.step)]);
    for (const id of stepIds) {
      // A drain line (<step>@<host>) reads no facts: its step is tested at apply.
      const step = steps.get(id);
      if (!step) continue;
      for (const path of factPathsOf(step)) {
        const r = resolvePath({ facts: reading.facts ?? {} }, ['facts', ...path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s))]);
        facts[path] = digestOf(r.found ? r.value : { missing: true });
      }
    }
    const states: Record<string, string> = {};
    for (const c of plan.changes) if (c.host === host) states[c.step] = digestOf(reading.states[c.step]);
    out[host] = { facts, states };
  }
  return out;
}

export function savePlan(pb: Playbook, plan: Plan, readings: Readings, inputs: PlanInputs, createdAt: Date): SavedPlan {
  return { format: SAVED_PLAN_FORMAT, version: SAVED_PLAN_VERSION, createdAt: createdAt.toISOString(), inputs, plan, reads: readsOf(pb, plan, readings) };
}

export function savedPlanText(saved: SavedPlan): string {
  return `${JSON.stringify(saved, null, 2)}\n`;
}

export function parseSavedPlan(text: string, file: string): SavedPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InputError(`${file} is not a saved plan: it is not JSON.`, { field: 'plan file', hint: 'Save one with: cortex-deploy plan -i site.yaml --out plan.json' });
  }
  const r = SavedPlanSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InputError(`${file} is not a saved plan of this version: ${issue.path.join('.') || '(document)'}: ${issue.message}.`, { field: 'plan file', hint: 'Make a new plan with: cortex-deploy plan -i site.yaml --out plan.json' });
  }
  return r.data;
}

export interface Drift {
  host?: string | undefined;
  step?: string | undefined;
  message: string;
}

/**
 * What changed since the plan was saved: the inputs, a fact a condition read, a step's current state,
 * or a host that cannot be read now. Empty: the plan still describes the world.
 */
export function driftOf(saved: SavedPlan, pb: Playbook, inputs: PlanInputs, readings: Readings): Drift[] {
  const drift: Drift[] = [];
  if (saved.inputs.playbook.sha256 !== inputs.playbook.sha256) drift.push({ message: `the playbook ${inputs.playbook.file} changed since the plan was made` });
  if (saved.inputs.inventory.sha256 !== inputs.inventory.sha256) drift.push({ message: `the inventory ${inputs.inventory.file} changed since the plan was made` });
  else if (saved.inputs.params && inputs.params && saved.inputs.params.sha256 !== inputs.params.sha256) {
    drift.push({ message: `the steps' parameters changed since the plan was made, with the same playbook and inventory: the artifact store${inputs.store ? ` ${inputs.store}` : ''} holds other files` });
  }
  const now = readsOf(pb, saved.plan, readings);
  for (const [host, then] of Object.entries(saved.reads)) {
    const reading = readings[host];
    if (!reading || reading.unreachable !== undefined) {
      drift.push({ host, message: `cannot be read now (${reading?.unreachable ?? 'not read'}), so the plan cannot be checked` });
      continue;
    }
    const cur = now[host] ?? { facts: {}, states: {} };
    for (const [path, d] of Object.entries(then.facts)) if (cur.facts[path] !== d) drift.push({ host, message: `fact facts.${path} changed since the plan was made` });
    for (const [step, d] of Object.entries(then.states)) {
      if (cur.states[step] !== d) {
        const planned = saved.plan.changes.find((c) => c.host === host && c.step === step);
        drift.push({ host, step, message: `current state changed since the plan was made (planned: ${planned?.action === 'none' ? 'unchanged' : planned?.action ?? '?'})` });
      }
    }
  }
  return drift;
}
