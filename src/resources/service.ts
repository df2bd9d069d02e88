/** service: a Windows service's run state and startup type (the service itself comes from a package). */
import { z } from 'zod';
import { defineResource, fieldDiff, UnreachableStateError } from './resource.js';

export const STARTUP_TYPES = ['automatic', 'automatic_delayed', 'manual', 'disabled'] as const;

export const ServiceParams = z.strictObject({
  name: z.string().min(1).meta({ description: 'Service name (not the display name)' }),
  state: z.enum(['running', 'stopped']).optional(),
  startupType: z.enum(STARTUP_TYPES).optional(),
});

export const ServiceState = z.object({
  exists: z.boolean(),
  /** Win32 state lower-cased: running, stopped, start_pending, stop_pending, paused … */
  state: z.string().nullable(),
  startupType: z.enum(STARTUP_TYPES).nullable(),
});

export const serviceResource = defineResource({
  type: 'service',
  description: "A Windows service's state and startup type",
  params: ServiceParams,
  state: ServiceState,
  label: (p) => `service ${p.name}`,
  diff(p, s) {
    // A service is installed by its package; a step that wants it configured before then is misordered.
    if (!s.exists) throw new UnreachableStateError(`service '${p.name}' does not exist on the host; install it in an earlier step`);
    return fieldDiff({ state: p.state, startupType: p.startupType }, { state: (s.state ?? undefined) as typeof p.state, startupType: s.startupType ?? undefined });
  },
});
