/**
 * nssm_service: a Windows service run by NSSM (docs/gobetween.md, "The Windows service (NSSM)"), its
 * parameters as NSSM names them — the object src/components/nssm.ts's gobetweenNssmService builds
 * (`{{ components.nssmGobetween }}`). The Test reads them where NSSM keeps them
 * (HKLM\SYSTEM\CurrentControlSet\Services\<svc> and its Parameters subkey) in the text `nssm get` prints,
 * a missing value as NSSM's default; the Set runs `nssm install` when the service does not exist, then
 * `nssm set` for each parameter that differs, as Ansible's win_nssm does. The run state is a `service` step.
 */
import { z } from 'zod';
import { WindowsPath } from './common.js';
import { defineResource, NONE, UnreachableStateError } from './resource.js';

/**
 * The parameters the Test can read back, with the value `nssm get` prints when NSSM keeps none (NSSM
 * deletes a numeric value set to its default, so "absent" must compare as that default).
 */
export const NSSM_PARAMETER_DEFAULTS: Readonly<Record<string, string | null>> = {
  Application: null,
  AppDirectory: null,
  AppParameters: '',
  DisplayName: null,
  Description: '',
  Start: 'SERVICE_AUTO_START',
  AppStdout: '',
  AppStderr: '',
  AppStdoutCreationDisposition: '4',
  AppStderrCreationDisposition: '4',
  AppRotateFiles: '0',
  AppRotateOnline: '0',
  AppRotateSeconds: '0',
  AppRotateBytes: '0',
  AppThrottle: '1500',
  'AppExit Default': 'Restart',
};

export const NSSM_START_TYPES = ['SERVICE_AUTO_START', 'SERVICE_DELAYED_AUTO_START', 'SERVICE_DEMAND_START', 'SERVICE_DISABLED'] as const;
export const NSSM_EXIT_ACTIONS = ['Restart', 'Ignore', 'Exit', 'Suicide'] as const;
const NUMERIC = new Set(['AppStdoutCreationDisposition', 'AppStderrCreationDisposition', 'AppRotateFiles', 'AppRotateOnline', 'AppRotateSeconds', 'AppRotateBytes', 'AppThrottle']);

/** The key a parameter has in the Test's `values`: the name, and the sub-parameter after a space (AppExit Default). */
export function nssmParameterKey(p: { name: string; sub?: string | undefined }): string {
  return p.sub === undefined ? p.name : `${p.name} ${p.sub}`;
}

export const NssmParameter = z.strictObject({
  name: z.string().min(1),
  sub: z.string().min(1).optional().meta({ description: "AppExit's exit code: Default (the only one managed)" }),
  value: z.string(),
});

export const NssmServiceParams = z
  .strictObject({
    serviceName: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,79}$/, { message: 'letters, digits, - and _ (a Windows service name)' }),
    nssmExe: WindowsPath.meta({ description: 'nssm.exe (win64) at its permanent path: the ImagePath of the service' }),
    program: WindowsPath.meta({ description: 'The program NSSM runs (nssm install <svc> <program>)' }),
    parameters: z.array(NssmParameter).default([]),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.parameters.forEach((x, i) => {
      const key = nssmParameterKey(x);
      if (!(key in NSSM_PARAMETER_DEFAULTS)) {
        ctx.addIssue({ code: 'custom', path: ['parameters', i, 'name'], message: `NSSM parameter '${key}' is not one cortex-deploy manages: ${Object.keys(NSSM_PARAMETER_DEFAULTS).join(', ')}` });
        return;
      }
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['parameters', i, 'name'], message: `NSSM parameter '${key}' is given twice` });
      seen.add(key);
      if (NUMERIC.has(x.name) && !/^\d{1,10}$/.test(x.value)) ctx.addIssue({ code: 'custom', path: ['parameters', i, 'value'], message: `${key} takes a whole number, e.g. "1"` });
      if (x.name === 'Start' && !(NSSM_START_TYPES as readonly string[]).includes(x.value)) ctx.addIssue({ code: 'custom', path: ['parameters', i, 'value'], message: `Start is one of ${NSSM_START_TYPES.join(', ')}` });
      if (x.name === 'AppExit' && !(NSSM_EXIT_ACTIONS as readonly string[]).includes(x.value)) ctx.addIssue({ code: 'custom', path: ['parameters', i, 'value'], message: `AppExit is one of ${NSSM_EXIT_ACTIONS.join(', ')}` });
      if (x.name === 'Application' && x.value.toLowerCase() !== p.program.toLowerCase()) ctx.addIssue({ code: 'custom', path: ['parameters', i, 'value'], message: 'Application must equal program (or be left out)' });
    });
  });

export const NssmServiceState = z.object({
  exists: z.boolean(),
  /** The service's ImagePath (the program the SCM starts); null when absent. */
  imagePath: z.string().nullable(),
  /** Each requested parameter (nssmParameterKey) as `nssm get` prints it; null: no value and no default. */
  values: z.record(z.string(), z.string().nullable()),
});

/** Paths compare without regard to case or quotes (the SCM keeps ImagePath quoted or not). */
function samePath(a: string, b: string): boolean {
  const n = (s: string) => s.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  return n(a) === n(b);
}

/** Values of paths compare without regard to case; the rest exactly (nssm get prints what was set). */
function sameValue(key: string, a: string | null, b: string): boolean {
  if (a === null) return false;
  return ['Application', 'AppDirectory', 'AppStdout', 'AppStderr'].includes(key) ? samePath(a, b) : a === b;
}

/** Every parameter the service should have, Application first (from program). */
export function desiredNssmParameters(p: z.output<typeof NssmServiceParams>): Array<{ name: string; sub?: string | undefined; value: string }> {
  return [{ name: 'Application', value: p.program }, ...p.parameters.filter((x) => x.name !== 'Application')];
}

export const nssmServiceResource = defineResource({
  type: 'nssm_service',
  description: 'A Windows service run by NSSM, with its NSSM parameters',
  params: NssmServiceParams,
  state: NssmServiceState,
  label: (p) => `nssm_service ${p.serviceName}`,
  diff(p, s) {
    const wanted = desiredNssmParameters(p);
    if (!s.exists) return { action: 'create', from: null, to: Object.fromEntries(wanted.map((x) => [nssmParameterKey(x), x.value])) };
    if (s.imagePath === null || !samePath(s.imagePath, p.nssmExe)) {
      throw new UnreachableStateError(`service '${p.serviceName}' exists but is not run by ${p.nssmExe} (its ImagePath is ${s.imagePath ?? 'empty'}); remove it, or set nssmExe to the NSSM that runs it`);
    }
    const from: Record<string, string | null> = {};
    const to: Record<string, string> = {};
    for (const x of wanted) {
      const key = nssmParameterKey(x);
      const current = key in s.values ? s.values[key]! : null;
      if (!sameValue(x.name, current, x.value)) {
        from[key] = current;
        to[key] = x.value;
      }
    }
    return Object.keys(to).length ? { action: 'update', from, to } : NONE;
  },
});
