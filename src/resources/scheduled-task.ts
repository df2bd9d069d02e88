/**
 * scheduled_task: a one-shot task that runs a command once as a given account, then is removed.
 * It exists for the double-hop case (Service Fabric cluster creation must run as a domain account
 * with its own credentials, not through the WinRM session's delegated token). "Once" is per `token`:
 * the Test script reads the token and exit code of the last completed run from the task's marker
 * (HKLM\SOFTWARE\Cortex\Deploy\Tasks\<name>), so changing the token runs it again.
 */
import { z } from 'zod';
import { SecretRef } from './common.js';
import { defineResource, NONE } from './resource.js';

export const ScheduledTaskParams = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9 _.-]+$/, { message: 'letters, digits, space, _ . -' }),
  command: z.string().min(1).meta({ description: 'Program to run, e.g. powershell.exe' }),
  arguments: z.string().default(''),
  runAs: z.strictObject({ user: z.string().min(1), password: SecretRef }),
  token: z.string().min(1).meta({ description: 'Runs again when this changes (e.g. a version)' }),
  timeout: z.number().int().min(1).default(3600).meta({ description: 'Seconds to wait for the run to finish' }),
  successExitCodes: z.array(z.number().int()).default([0]),
});

export const ScheduledTaskState = z.object({
  /** Token and exit code of the last completed run; null when it never ran. */
  lastRun: z.object({ token: z.string(), exitCode: z.number().int(), finishedAt: z.string() }).nullable(),
});

export const scheduledTaskResource = defineResource({
  type: 'scheduled_task',
  mayRequireReboot: true,
  description: 'A one-shot scheduled task run once (per token) as a given account',
  params: ScheduledTaskParams,
  state: ScheduledTaskState,
  label: (p) => `scheduled_task ${p.name}`,
  diff(p, s) {
    if (s.lastRun === null) return { action: 'create', from: null, to: { token: p.token } };
    // A failed last run with the same token is not "done": run it again.
    if (s.lastRun.token === p.token && p.successExitCodes.includes(s.lastRun.exitCode)) return NONE;
    return { action: 'update', from: { token: s.lastRun.token, exitCode: s.lastRun.exitCode }, to: { token: p.token } };
  },
});
