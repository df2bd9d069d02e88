/**
 * Secrets in step params (scheduled_task.runAs.password, erlang_cookie.cookie, rabbitmq_config's user
 * passwords: env:NAME, file:PATH or prompt) resolved before any host is touched, as connection secrets
 * are (src/connection/settings.ts): a `prompt` asks once, up front, never mid-run. Each value is
 * registered with the redactor by resolveSecret, and only the params a Set script receives on stdin ever
 * hold it: Tests, plans, journals and logs keep the reference.
 *
 * A type whose diff must compare a secret with what a host holds (erlang_cookie: the cookie files'
 * SHA-256; nservicebus_license: the licence file's) gets the secret's SHA-256 instead (SECRET_DIGEST_PARAMS, withSecretDigests): a digest, never
 * the value, goes into the params the Test and the plan see.
 *
 * A secret whose value must keep a rule (erlang_cookie: 20 to 255 ASCII letters and digits) is checked
 * as it is resolved (SECRET_VALUE_RULES): a bad value is an input error naming the step's file:line and
 * the reference, never the value, before any host is touched.
 */
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { erlangCookieProblem, ERLANG_COOKIE_MAX_LENGTH, ERLANG_COOKIE_MIN_LENGTH } from '../../components/erlang-cookie.js';
import { InputError } from '../../errors.js';
import { resolveSecret } from '../../inventory/secrets.js';
import type { ResourceTypeName } from '../../resources/index.js';
import type { Playbook, Step } from '../playbook/types.js';
import { stepsOf } from '../playbook/types.js';

/** Where each resource type keeps secret references in its params; `*` is every item of a list. */
export const SECRET_PARAM_PATHS: Partial<Record<ResourceTypeName, ReadonlyArray<readonly string[]>>> = {
  scheduled_task: [['runAs', 'password']],
  nservicebus_queues: [['connection', 'password']],
  nservicebus_migrate: [['connection', 'password']],
  certificate: [['password']],
  iis_app_pool: [['password']],
  erlang_cookie: [['cookie']],
  nservicebus_license: [['license']],
  rabbitmq_config: [['users', '*', 'password']],
};

/**
 * Secrets whose SHA-256 (of the value's ASCII/UTF-8 bytes, lower-case hex) the type's diff needs: the
 * secret's path → the param that receives the digest.
 */
export const SECRET_DIGEST_PARAMS: Partial<Record<ResourceTypeName, { secret: readonly string[]; digest: string }>> = {
  erlang_cookie: { secret: ['cookie'], digest: 'cookieSha256' },
  nservicebus_license: { secret: ['license'], digest: 'licenseSha256' },
};

/**
 * Rules a resolved secret's value must keep, per type: the secret's path, why a value breaks the rule (or
 * null; never quoting the value) and how to fix it.
 */
export const SECRET_VALUE_RULES: Partial<Record<ResourceTypeName, { secret: readonly string[]; problem: (value: string) => string | null; hint: string }>> = {
  erlang_cookie: {
    secret: ['cookie'],
    problem: erlangCookieProblem,
    hint: `An Erlang cookie is ${ERLANG_COOKIE_MIN_LENGTH} to ${ERLANG_COOKIE_MAX_LENGTH} ASCII letters and digits and nothing else (no newline): give the reference such a value, e.g. one made with LC_ALL=C tr -dc A-Z0-9 </dev/urandom | head -c 32 (docs/rabbitmq.md).`,
  },
};

export interface StepSecrets {
  /** The params to send for a step's Set on a host: secret references replaced by their values. */
  paramsFor(step: string, host: string, params: unknown): unknown;
  /** How many values were resolved (for the run log; never the values). */
  readonly count: number;
  /** SHA-256 of a resolved secret (step, host, path joined with '.'), for SECRET_DIGEST_PARAMS; undefined when not resolved. */
  digestOf?(step: string, host: string, path: string): string | undefined;
}

/** The concrete paths (list items numbered) a path with `*` names in `v`, with the value found there. */
function valuesAt(v: unknown, path: readonly string[], prefix: string[] = []): Array<{ path: string[]; value: unknown }> {
  if (path.length === 0) return [{ path: prefix, value: v }];
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '*') return Array.isArray(v) ? v.flatMap((item, i) => valuesAt(item, rest, [...prefix, String(i)])) : [];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
  return valuesAt((v as Record<string, unknown>)[head], rest, [...prefix, head]);
}

function withPath(v: unknown, path: readonly string[], value: string): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(v)) {
    const copy = [...v];
    copy[Number(head)] = withPath(copy[Number(head)], rest, value);
    return copy;
  }
  const obj = v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  return { ...obj, [head]: withPath(obj[head], rest, value) };
}

export const sha256Text = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Resolve every secret reference of the steps that run on `hosts`, in playbook order. `only`: just the
 * secrets of these types (a plan resolves only what a diff needs: SECRET_DIGEST_PARAMS).
 */
export async function resolveStepSecrets(pb: Playbook, hosts: readonly string[], only?: readonly ResourceTypeName[]): Promise<StepSecrets> {
  const onHosts = new Set(hosts);
  const values = new Map<string, Map<string, string>>(); // `${step}\0${host}` -> path -> value
  const steps: Step[] = [...stepsOf(pb), ...Object.values(pb.handlers)];
  for (const step of steps) {
    if (only && !only.includes(step.resource)) continue;
    const paths = SECRET_PARAM_PATHS[step.resource];
    if (!paths) continue;
    for (const host of step.hosts) {
      if (!onHosts.has(host)) continue;
      for (const pattern of paths) {
        for (const { path, value: ref } of valuesAt(step.params[host], pattern)) {
          if (typeof ref !== 'string') continue;
          const value = await resolveSecret(ref, {
            host,
            field: `${step.resource}.${path.join('.')}`,
            position: step.position,
            baseDir: dirname(pb.file),
            // A reference written once in the step asks once, whatever the number of hosts.
            promptKey: `${pb.file}:${step.position.line}:${step.id}:${path.join('.')}`,
          });
          const rule = SECRET_VALUE_RULES[step.resource];
          const problem = rule && rule.secret.join('.') === path.join('.') ? rule.problem(value) : null;
          if (problem) throw new InputError(`${problem} (the value of ${ref}).`, { host, step: step.id, position: step.position, field: `${step.resource}.${path.join('.')}`, hint: rule!.hint });
          const key = `${step.id}\0${host}`;
          if (!values.has(key)) values.set(key, new Map());
          values.get(key)!.set(path.join('.'), value);
        }
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
    digestOf(step, host, path) {
      const v = values.get(`${step}\0${host}`)?.get(path);
      return v === undefined ? undefined : sha256Text(v);
    },
  };
}

/** The types whose diffs need a secret's digest (a plan resolves these secrets, and only these). */
export const DIGEST_TYPES = Object.keys(SECRET_DIGEST_PARAMS) as ResourceTypeName[];

/**
 * The playbook with each SECRET_DIGEST_PARAMS step's params given the digest of its resolved secret
 * (params per host copied, the rest shared). Steps whose secret was not resolved are left as they are.
 */
export function withSecretDigests(pb: Playbook, secrets: StepSecrets): Playbook {
  const digestStep = (s: Step): Step => {
    const spec = SECRET_DIGEST_PARAMS[s.resource];
    if (!spec || !secrets.digestOf) return s;
    const params: Record<string, unknown> = {};
    for (const [host, p] of Object.entries(s.params)) {
      const d = secrets.digestOf(s.id, host, spec.secret.join('.'));
      params[host] = d === undefined || p === null || typeof p !== 'object' ? p : { ...(p as Record<string, unknown>), [spec.digest]: d };
    }
    return { ...s, params };
  };
  return {
    ...pb,
    phases: pb.phases.map((ph) => ({ ...ph, steps: ph.steps.map(digestStep) })),
    handlers: Object.fromEntries(Object.entries(pb.handlers).map(([k, s]) => [k, digestStep(s)])),
  };
}
