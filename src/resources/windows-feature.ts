/** windows_feature: a Windows Server role or feature (Install-WindowsFeature). */
import { z } from 'zod';
import { defineResource, NONE, UnreachableStateError } from './resource.js';

export const WindowsFeatureParams = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9-]+$/, { message: 'a feature name such as Web-Server or NET-Framework-45-Core' }),
  state: z.enum(['present', 'absent']).default('present'),
  includeManagementTools: z.boolean().default(false),
});

export const WindowsFeatureState = z.object({
  /** false when Get-WindowsFeature does not know the name: Set would fail, so the diff does too. */
  known: z.boolean(),
  installed: z.boolean(),
});

export const windowsFeatureResource = defineResource({
  type: 'windows_feature',
  mayRequireReboot: true,
  description: 'A Windows Server role or feature',
  params: WindowsFeatureParams,
  state: WindowsFeatureState,
  label: (p) => `windows_feature ${p.name}`,
  diff(p, s) {
    if (!s.known) throw new UnreachableStateError(`the host does not know the Windows feature '${p.name}' (Get-WindowsFeature); check its name`);
    const want = p.state === 'present';
    if (s.installed === want) return NONE;
    return want ? { action: 'create', from: null, to: { installed: true } } : { action: 'update', from: { installed: true }, to: { installed: false } };
  },
});
