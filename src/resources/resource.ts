/**
 * What every resource type is on the TypeScript side (resource diffs are pure: no host in the loop):
 * - `params`: the desired state a playbook step writes (zod; validated at load, after templating);
 * - `state`: the shape of the current state its Test returns (ps1/resources/test-batch.ps1, one batch per
 *   host and phase; the Set is ps1/resources/<type>.ps1, see script-results.ts);
 * - `diff`: desired + current → what apply would do. Pure; no host in the loop.
 * Scripts gather facts; every judgement is here.
 */
import type { z } from 'zod';

/** The plan's actions (`plan --json`). Removing something (state: absent) is an update towards 'absent'. */
export type DiffAction = 'create' | 'update' | 'none';

export interface Diff {
  action: DiffAction;
  /** What is there now, limited to what would change (null when nothing is there). */
  from: unknown;
  /** What there will be, limited to what would change. */
  to: unknown;
}

export interface ResourceType<P extends z.ZodType = z.ZodType, S extends z.ZodType = z.ZodType> {
  type: string;
  /** One line for docs and the schema. */
  description: string;
  params: P;
  state: S;
  diff(desired: z.output<P>, current: z.output<S>): Diff;
  /** A short name for a step's resource in plans and reports, e.g. `package Erlang`. */
  label(desired: z.output<P>): string;
  /**
   * Its Set may leave a reboot required (an installer's 3010/1641, a feature's RestartNeeded, a command
   * or task that says so): whether it will is known only after apply, so plan shows a later `reboot`
   * step as known after this change rather than as unchanged.
   */
  mayRequireReboot?: boolean;
  /**
   * Services its Set stops, when they run, on the way to the change (an archive extracted over a running
   * program's files): plan shows a later `service` step that wants one of them running as known after
   * this change rather than as unchanged.
   */
  stopsServices?(desired: z.output<P>): string[];
  /**
   * The component versions (inventory `versions.<key>`) this change moves, by key: plan lists them as
   * upgrades (docs/upgrades.md). Empty or absent: the change upgrades nothing.
   */
  upgrades?(desired: z.output<P>, current: z.output<S>): Record<string, ComponentUpgrade>;
}

/** One component's version before and after a change. */
export interface ComponentUpgrade {
  /** What the host has now; null when it does not say. */
  from: string | null;
  to: string;
  /**
   * The order the change takes inside the step, when the step itself walks the members (a Service
   * Fabric monitored upgrade from the deploy node: its upgrade domains, one at a time).
   */
  within?: UpgradeWithin;
}

/** A walk inside one step: the unit it goes by, and the units in order (e.g. `UD0 (app1)`). */
export interface UpgradeWithin {
  unit: string;
  order: string[];
}

export function defineResource<P extends z.ZodType, S extends z.ZodType>(r: ResourceType<P, S>): ResourceType<P, S> {
  return r;
}

/**
 * The host is in a state the desired state cannot be reached from by this step (a service that is not
 * installed yet, a feature name the OS does not know). The planner reports it with host and step.
 */
export class UnreachableStateError extends Error {}

/**
 * The version the step asks for cannot be reached from what the host runs (a skipped release series,
 * an unsupported runtime): the message says what to do instead. The planner refuses the plan with it
 * (exit code 3: the inventory's versions are the input to fix); apply fails the step before its Set.
 * A kind of unreachable state, so whatever handles those handles it; the planner tells them apart.
 */
export class UpgradeRefusedError extends UnreachableStateError {}

export const NONE: Diff = { action: 'none', from: null, to: null };

/**
 * An update limited to the fields that differ (`equal` decides what "differs" means per field);
 * `none` when every field matches.
 */
export function fieldDiff<T extends Record<string, unknown>>(desired: T, current: Partial<T>, equal: (k: keyof T, a: unknown, b: unknown) => boolean = (_k, a, b) => JSON.stringify(a) === JSON.stringify(b)): Diff {
  const from: Record<string, unknown> = {};
  const to: Record<string, unknown> = {};
  for (const k of Object.keys(desired) as Array<keyof T>) {
    if (desired[k] === undefined) continue;
    if (!equal(k, desired[k], current[k])) {
      from[k as string] = current[k] ?? null;
      to[k as string] = desired[k];
    }
  }
  return Object.keys(to).length ? { action: 'update', from, to } : NONE;
}

/** Windows names (services, features, env vars, registry value names) compare case-insensitively. */
export function sameText(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
}
