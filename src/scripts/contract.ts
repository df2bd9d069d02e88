/**
 * One typed contract per script under ps1/: its id (the `# cortex-script:` header), its file, the
 * parameters it accepts (zod, with the script's own defaults) and the `data` of its envelope result
 * when `ok` (zod). The orchestrator checks what it sends and what comes back against it (the runner's
 * `call`), and the lab's handler of the script takes its parameters from it: one schema each, used by
 * both sides. The contracts themselves are listed in ./catalog.ts.
 */
import type { z } from 'zod';
import { InternalError, ProtocolError } from '../errors.js';

export interface ScriptContract<Id extends string = string, P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  id: Id;
  /** The script, relative to the repository root (ps1/probes/facts.ps1). */
  file: string;
  /** What the script accepts; defaults are the script's own (a parameter it reads with a default). */
  params: P;
  /** The envelope's `data` when `ok`. */
  result: R;
}

export type AnyScriptContract = ScriptContract<string, z.ZodType, z.ZodType>;
/** What a caller may pass (defaults may be left out). */
export type ParamsOf<C extends AnyScriptContract> = z.input<C['params']>;
/** The parameters after defaults, as the script (and the lab's handler) sees them. */
export type ParamsSeen<C extends AnyScriptContract> = z.output<C['params']>;
export type ResultOf<C extends AnyScriptContract> = z.output<C['result']>;

export function defineScript<Id extends string, P extends z.ZodType, R extends z.ZodType>(c: ScriptContract<Id, P, R>): ScriptContract<Id, P, R> {
  return c;
}

/** `a.b[2].c` from a zod issue path. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

/**
 * The parameters the orchestrator is about to send, checked: a mismatch is a bug of ours (exit 4),
 * caught before the round trip, naming the host, the script and the field.
 */
export function checkParams<C extends AnyScriptContract>(contract: C, host: string, params: ParamsOf<C>): ParamsSeen<C> {
  const r = contract.params.safeParse(params);
  if (r.success) return r.data as ParamsSeen<C>;
  const issue = r.error.issues[0];
  throw new InternalError(`cortex-deploy built parameters ${contract.id} does not accept: ${issue?.message ?? 'invalid'}`, {
    host,
    script: contract.id,
    field: issue ? fieldPath(issue.path) : '(root)',
  });
}

/**
 * A script's `data`, checked: another shape is a ProtocolError naming the host, the script and the
 * first bad field (the host may run an older or modified script).
 */
export function parseData<C extends AnyScriptContract>(contract: C, host: string, data: unknown, what: string = contract.id): ResultOf<C> {
  const r = contract.result.safeParse(data);
  if (r.success) return r.data as ResultOf<C>;
  const issue = r.error.issues[0];
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : '';
  throw new ProtocolError(`${what} returned an unexpected shape: ${issue?.message ?? 'invalid'}${more}`, {
    host,
    script: contract.id,
    field: issue ? fieldPath(issue.path) : '(root)',
    hint: `The host may run an older or modified script; re-run with -v and compare with ${contract.file}.`,
  });
}
