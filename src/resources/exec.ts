/**
 * exec: a PowerShell action guarded by a test, so a re-run does nothing. The guard is either
 * `unless` (a PowerShell expression; when it is true the action is already done) or `creates`
 * (a path; when it exists the action is already done). Handlers may omit the guard: they run
 * only when notified.
 */
import { z } from 'zod';
import { WindowsPath } from './common.js';
import { defineResource, NONE } from './resource.js';

export const ExecParams = z.strictObject({
  run: z.string().min(1).meta({ description: 'PowerShell to run (sent on stdin, never on a command line)' }),
  unless: z.string().min(1).optional().meta({ description: 'PowerShell expression; true means already done' }),
  creates: WindowsPath.optional().meta({ description: 'Path that exists once the action has run' }),
  successExitCodes: z.array(z.number().int()).default([0]),
});

export const ExecState = z.object({
  /** true when the guard says the action has already had its effect. */
  done: z.boolean(),
});

export const execResource = defineResource({
  type: 'exec',
  mayRequireReboot: true,
  description: 'A PowerShell action guarded by a test (unless / creates)',
  params: ExecParams,
  state: ExecState,
  label: (p) => `exec ${p.run.split('\n')[0]!.slice(0, 40)}`,
  diff(_p, s) {
    return s.done ? NONE : { action: 'create', from: null, to: { ran: true } };
  },
});

export function hasGuard(p: z.output<typeof ExecParams>): boolean {
  return p.unless !== undefined || p.creates !== undefined;
}
