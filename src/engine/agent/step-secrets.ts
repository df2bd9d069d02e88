/**
 * Secrets in step params (scheduled_task.runAs.password: env:NAME, file:PATH or prompt) resolved
 * before any host is touched, as connection secrets are (src/connection/settings.ts): a `prompt` asks
 * once, up front, never mid-run. Each value is registered with the redactor by resolveSecret, and only
 * the params a Set script receives on stdin ever hold it: Tests, plans, journals and logs keep the
 * reference.
 */
import { dirname } from 'node:path';
import { resolveSecret } from '../../inventory/secrets.js';
import type { ResourceTypeName } from '../../resources/index.js';
import type { Playbook, Step } from '../playbook/types.js';
import { stepsOf } from '../playbook/types.js';

/** Where each resource type keeps secret references in its params. */
export const SECRET_PARAM_PATHS: Partial<Record<ResourceTypeName, ReadonlyArray<readonly string[]>>> = {
  scheduled_task: [['runAs', 'password']],
  nservicebus_queues: [['connection', 'password']],
};

export interface StepSecrets {
  /** The params to send for a step's Set on a host: secret references replaced by their values. */
  paramsFor(step: string, host: string, params: unknown): unknown;
  /** How many values were resolved (for the run log; never the values). */
  readonly count: number;
}

function getPath(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const k of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

function withPath(v: unknown, path: readonly string[], value: string): unknown {
  if (path.length === 0) return value;
  const obj = v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  return { ...obj, [path[0]!]: withPath(obj[path[0]!], path.slice(1), value) };
}

/** Resolve every secret reference of the steps that run on `hosts`, in playbook order. */
export async function resolveStepSecrets(pb: Playbook, hosts: readonly string[]): Promise<StepSecrets> {
  const only = new Set(hosts);
  const values = new Map<string, Map<string, string>>(); // `${step}\0${host}` -> path -> value
  const steps: Step[] = [...stepsOf(pb), ...Object.values(pb.handlers)];
  for (const step of steps) {
    const paths = SECRET_PARAM_PATHS[step.resource];
    if (!paths) continue;
    for (const host of step.hosts) {
      if (!only.has(host)) continue;
      for (const path of paths) {
        const ref = getPath(step.params[host], path);
        if (typeof ref !== 'string') continue;
        const value = await resolveSecret(ref, {
          host,
          field: `${step.resource}.${path.join('.')}`,
          position: step.position,
          baseDir: dirname(pb.file),
          // A reference written once in the step asks once, whatever the number of hosts.
          promptKey: `${pb.file}:${step.position.line}:${step.id}:${path.join('.')}`,
        });
        const key = `${step.id}\0${host}`;
        if (!values.has(key)) values.set(key, new Map());
        values.get(key)!.set(path.join('.'), value);
      }
    }
  }
  let count = 0;
  for (const m of values.values()) count += m.size;
  return {
    count,
    paramsFor(step, host, params) {
      const m = values.get(`${step}\0${host}`);
      if (!m) return params;
      let out = params;
      for (const [path, value] of m) out = withPath(out, path.split('.'), value);
      return out;
    },
  };
}
