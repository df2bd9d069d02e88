/**
 * `lab up --fault HOST:KIND[:ARG]` → a partial faults object for that host, merged over the profile's
 * `lab.faults`. Kinds and arguments (docs/lab.md, "Faults"):
 *
 *   latency:MS            every request waits MS first
 *   drop-after:N          the connection drops at request N+1 (once)
 *   drop-mid-command[:once|always]
 *   http500[:N]           HTTP 500 to every request, or to the next N
 *   refuse-auth
 *   fail-script:ID[:once|always]   (default always)
 *   down
 *   slow:K                every script takes K times as long
 *   reboot:T              after the next Set-type script, down for T seconds
 *   corrupt-transfers     every file the host receives (upload or download) has its first byte changed
 *   fail-upgrade[:once|always]   the host's node fails in the middle of its upgrade (default once)
 *   at-step:STEP          the host's other faults wait until a script of playbook step STEP starts
 */
import { InputError } from '../../errors.js';
import { FAULT_KINDS, type FaultKind, type LabFaults } from './schema.js';

export interface FaultFlag {
  host: string;
  faults: Partial<LabFaults>;
}

function bad(flag: string, why: string): never {
  throw new InputError(`--fault ${flag}: ${why}`, {
    field: '--fault',
    hint: `Write HOST:KIND[:ARG] with KIND one of ${FAULT_KINDS.join(', ')} (docs/lab.md, "Faults").`,
  });
}

function number(flag: string, arg: string | undefined, what: string, opts: { min: number; integer: boolean }): number {
  if (arg === undefined || arg === '') bad(flag, `needs ${what}`);
  const n = Number(arg);
  if (!Number.isFinite(n) || n < opts.min || (opts.integer && !Number.isInteger(n))) bad(flag, `${what} must be a number ≥ ${opts.min}, not '${arg}'`);
  return n;
}

export function parseFaultFlag(flag: string): FaultFlag {
  const first = flag.indexOf(':');
  if (first <= 0) bad(flag, 'missing HOST:KIND');
  const host = flag.slice(0, first);
  const rest = flag.slice(first + 1);
  const second = rest.indexOf(':');
  const kind = (second < 0 ? rest : rest.slice(0, second)) as FaultKind;
  const arg = second < 0 ? undefined : rest.slice(second + 1);
  if (!FAULT_KINDS.includes(kind)) bad(flag, `unknown fault kind '${kind}'`);
  const onceOrAlways = (a: string | undefined, dflt: 'once' | 'always'): 'once' | 'always' => {
    if (a === undefined || a === '') return dflt;
    if (a === 'once' || a === 'always') return a;
    return bad(flag, `expected once or always, not '${a}'`);
  };
  switch (kind) {
    case 'latency':
      return { host, faults: { latencyMs: number(flag, arg, 'milliseconds', { min: 0, integer: true }) } };
    case 'drop-after':
      return { host, faults: { dropAfterRequests: number(flag, arg, 'a request count', { min: 0, integer: true }) } };
    case 'drop-mid-command':
      return { host, faults: { dropMidCommand: onceOrAlways(arg, 'once') } };
    case 'http500':
      return { host, faults: { http500: arg === undefined || arg === 'always' ? 'always' : number(flag, arg, 'a request count', { min: 1, integer: true }) } };
    case 'refuse-auth':
      return { host, faults: { refuseAuth: true } };
    case 'fail-script': {
      if (!arg) bad(flag, 'needs a script id, e.g. fail-script:probes.facts:once');
      const m = /^(.+?)(?::(once|always))?$/.exec(arg);
      const id = m?.[1] ?? arg;
      return { host, faults: { failScripts: { [id]: onceOrAlways(m?.[2], 'always') } } };
    }
    case 'down':
      return { host, faults: { down: true } };
    case 'slow':
      return { host, faults: { slowFactor: number(flag, arg, 'a factor', { min: 0.01, integer: false }) } };
    case 'reboot':
      return { host, faults: { reboot: { downSec: number(flag, arg ?? '5', 'seconds', { min: 0, integer: false }) } } };
    case 'corrupt-transfers':
      return { host, faults: { corruptTransfers: true } };
    case 'fail-upgrade':
      return { host, faults: { failUpgrade: onceOrAlways(arg, 'once') } };
    case 'fail-rabbitmq-upgrade':
      return { host, faults: { failRabbitmqUpgrade: onceOrAlways(arg, 'once') } };
    case 'at-step':
      if (!arg) bad(flag, 'needs a step id, e.g. at-step:install-erlang');
      return { host, faults: { atStep: arg } };
  }
}

/** Merge several flags' faults for one host (failScripts accumulate). */
export function mergeFaults(base: LabFaults, extra: Array<Partial<LabFaults>>): LabFaults {
  let out: LabFaults = { ...base, failScripts: { ...base.failScripts } };
  for (const f of extra) out = { ...out, ...f, failScripts: { ...out.failScripts, ...(f.failScripts ?? {}) } };
  return out;
}
