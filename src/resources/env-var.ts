/** env_var: a machine-scope environment variable (HKLM\SYSTEM\...\Session Manager\Environment). */
import { z } from 'zod';
import { defineResource, NONE } from './resource.js';

export const EnvVarParams = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_().-]*$/, { message: 'an environment variable name: letters, digits, _ ( ) . -' }),
    value: z.string().optional(),
    state: z.enum(['present', 'absent']).default('present'),
  })
  .refine((p) => p.state === 'absent' || p.value !== undefined, { message: 'value is required for a present variable', path: ['value'] });

export const EnvVarState = z.object({ value: z.string().nullable() });

export const envVarResource = defineResource({
  type: 'env_var',
  description: 'A machine-scope environment variable',
  params: EnvVarParams,
  state: EnvVarState,
  label: (p) => `env_var ${p.name}`,
  diff(p, s) {
    if (p.state === 'absent') return s.value === null ? NONE : { action: 'update', from: { value: s.value }, to: { value: null } };
    if (s.value === null) return { action: 'create', from: null, to: { value: p.value } };
    // Values are case-sensitive (paths may not be, but a PATH-like value is compared as written).
    return s.value === p.value ? NONE : { action: 'update', from: { value: s.value }, to: { value: p.value } };
  },
});
