/**
 * reboot: restart the host when a reboot is pending (CBS, Windows Update, PendingFileRenameOperations,
 * Server Manager, or a 3010/1641 earlier in the run). The executor carries it out under the reboot
 * policy (never two members of a quorum at once) and waits for a new boot time.
 */
import { z } from 'zod';
import { defineResource, NONE } from './resource.js';

// Only when pending: an unconditional reboot would happen again on every apply (not idempotent).
export const RebootParams = z.strictObject({
  reason: z.string().default('cortex-deploy'),
});

export const RebootState = z.object({
  pending: z.boolean(),
  /** Last boot time, ISO 8601 UTC; the executor waits for it to change. */
  bootTime: z.string(),
});

export const rebootResource = defineResource({
  type: 'reboot',
  description: 'A reboot when one is pending',
  params: RebootParams,
  state: RebootState,
  label: () => 'reboot',
  diff(_p, s) {
    if (s.pending) return { action: 'update', from: { bootTime: s.bootTime, pending: s.pending }, to: { rebooted: true } };
    return NONE;
  },
});
