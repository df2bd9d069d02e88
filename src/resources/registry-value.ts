/** registry_value: one value under HKLM (or HKCU of the connecting account), in a chosen registry view. */
import { z } from 'zod';
import { defineResource, NONE } from './resource.js';

export const REGISTRY_TYPES = ['String', 'ExpandString', 'DWord', 'QWord', 'MultiString', 'Binary'] as const;

export const RegistryValueParams = z
  .strictObject({
    key: z.string().regex(/^(HKLM|HKCU|HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER):?\\/i, { message: 'must start with HKLM:\\ or HKCU:\\, e.g. HKLM:\\SOFTWARE\\Cortex' }),
    name: z.string().meta({ description: "Value name; '' for the key's default value" }),
    type: z.enum(REGISTRY_TYPES).default('String'),
    data: z.union([z.string(), z.number().int(), z.array(z.string())]).optional(),
    view: z.enum(['64', '32']).default('64'),
    state: z.enum(['present', 'absent']).default('present'),
  })
  .superRefine((p, ctx) => {
    if (p.state === 'absent') return;
    if (p.data === undefined) ctx.addIssue({ code: 'custom', message: 'data is required for a present value', path: ['data'] });
    else if ((p.type === 'DWord' || p.type === 'QWord') && typeof p.data !== 'number') ctx.addIssue({ code: 'custom', message: `a ${p.type} takes a number`, path: ['data'] });
    else if (p.type === 'DWord' && typeof p.data === 'number' && (p.data < 0 || p.data > 0xffffffff)) ctx.addIssue({ code: 'custom', message: 'a DWord is 0 to 4294967295', path: ['data'] });
    else if (p.type === 'MultiString' && !Array.isArray(p.data)) ctx.addIssue({ code: 'custom', message: 'a MultiString takes a list of strings', path: ['data'] });
    else if (p.type === 'Binary' && (typeof p.data !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(p.data))) ctx.addIssue({ code: 'custom', message: 'Binary data is written as hex, e.g. 0a0b0c', path: ['data'] });
    else if ((p.type === 'String' || p.type === 'ExpandString') && typeof p.data !== 'string') ctx.addIssue({ code: 'custom', message: `a ${p.type} takes a string (quote numbers)`, path: ['data'] });
  });

export const RegistryValueState = z.object({
  keyExists: z.boolean(),
  /** null when the value is absent. Binary data as lower-case hex; DWord/QWord as numbers. */
  value: z.object({ type: z.enum(REGISTRY_TYPES), data: z.union([z.string(), z.number(), z.array(z.string())]) }).nullable(),
});

export const registryValueResource = defineResource({
  type: 'registry_value',
  description: 'A registry value',
  params: RegistryValueParams,
  state: RegistryValueState,
  label: (p) => `registry_value ${p.key}\\${p.name || '(default)'}`,
  diff(p, s) {
    if (p.state === 'absent') return s.value === null ? NONE : { action: 'update', from: s.value, to: null };
    const want = { type: p.type, data: p.type === 'Binary' && typeof p.data === 'string' ? p.data.toLowerCase() : p.data };
    if (s.value === null) return { action: 'create', from: null, to: want };
    return JSON.stringify(s.value) === JSON.stringify(want) ? NONE : { action: 'update', from: s.value, to: want };
  },
});
