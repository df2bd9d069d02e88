/**
 * iis_app_pool: an IIS application pool (WebAdministration: IIS:\AppPools\<name>): .NET CLR version,
 * pipeline mode, identity, and whether it runs. A SpecificUser identity's password is a secret
 * reference, resolved for the Set only; it cannot be read back, so a changed password alone is not seen
 * as drift (docs/iis.md). A host without IIS has no pools: every pool is to be created there.
 */
import { z } from 'zod';
import { SecretRef } from './common.js';
import { defineResource, fieldDiff, sameText } from './resource.js';

export const IIS_IDENTITIES = ['ApplicationPoolIdentity', 'NetworkService', 'LocalSystem', 'LocalService', 'SpecificUser'] as const;

/** IIS object names: no characters IIS:\ paths or appcmd refuse. */
export const IisName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, { message: 'letters, digits, space, . _ - (at most 64, starting with a letter or digit)' });

export const IisAppPoolParams = z
  .strictObject({
    name: IisName,
    runtime: z.enum(['v4.0', 'v2.0', '']).default('v4.0').meta({ description: "managedRuntimeVersion: v4.0 (default), v2.0, or '' (No Managed Code)" }),
    pipeline: z.enum(['integrated', 'classic']).default('integrated'),
    identity: z.enum(IIS_IDENTITIES).default('ApplicationPoolIdentity'),
    user: z.string().min(1).optional().meta({ description: "SpecificUser only: the account, e.g. 'CORP\\svc-gateway'" }),
    password: SecretRef.optional().meta({ description: 'SpecificUser only: the account password (env:NAME, file:PATH or prompt)' }),
    state: z.enum(['started', 'stopped']).default('started'),
  })
  .refine((p) => (p.identity === 'SpecificUser') === (p.user !== undefined && p.password !== undefined), {
    message: 'identity SpecificUser needs user and password; the other identities take neither',
    path: ['identity'],
  });

export const IisAppPoolState = z.object({
  /** IIS is installed (HKLM\SOFTWARE\Microsoft\InetStp); without it, nothing else is read. */
  iisInstalled: z.boolean(),
  exists: z.boolean(),
  runtime: z.string().nullable(),
  pipeline: z.enum(['integrated', 'classic']).nullable(),
  identity: z.string().nullable(),
  /** processModel.userName ('' unless SpecificUser). */
  user: z.string().nullable(),
  /** The pool's state, lower case: started, stopped, starting, stopping, unknown. */
  state: z.string().nullable(),
});

export const iisAppPoolResource = defineResource({
  type: 'iis_app_pool',
  description: 'An IIS application pool: runtime, pipeline, identity, started or stopped',
  params: IisAppPoolParams,
  state: IisAppPoolState,
  label: (p) => `iis_app_pool ${p.name}`,
  diff(p, s) {
    const want: Record<string, string> = { runtime: p.runtime, pipeline: p.pipeline, identity: p.identity, user: p.identity === 'SpecificUser' ? p.user! : '', state: p.state };
    if (!s.iisInstalled || !s.exists) return { action: 'create', from: null, to: want };
    return fieldDiff(want, { runtime: s.runtime ?? undefined, pipeline: s.pipeline ?? undefined, identity: s.identity ?? undefined, user: s.user ?? '', state: s.state ?? undefined }, (k, a, b) =>
      k === 'user' || k === 'identity' ? sameText(a, b) : a === b,
    );
  },
});
