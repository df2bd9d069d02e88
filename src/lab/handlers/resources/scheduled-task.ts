/**
 * scheduled_task (ps1/resources/scheduled-task.ps1; its Test in test-batch.ps1's
 * Get-CortexScheduledTaskState): a one-shot task run as an account. What the run does is not something
 * the lab can know from a command line: the profile says how a task of that name ends
 * (scheduledTaskRuns: exit code, whether it leaves a reboot pending, how long it runs); a task it does
 * not list fails as not emulated. The run's marker (HKLM\SOFTWARE\Cortex\Deploy\Tasks\<name>: Token,
 * ExitCode, FinishedAt) goes to the machine's registry overlay, as the script writes it.
 */
import { machineRegistry } from '../../shim/windows-view.js';
import type { LabMachine } from '../../state/types.js';
import { resourceParam, stringParam } from './params.js';
import { rebootPending } from './reboot.js';
import { overlayKeyName, registryValueData } from './registry.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'scheduled_task';
export const TASK_MARKER = 'SOFTWARE\\Cortex\\Deploy\\Tasks\\';
/** The script polls every 2 s, ceil(timeout / 2) + 1 times. */
const POLL_SECONDS = 2;

/** How the profile says a task of this name ends, or undefined. */
export function taskRun(m: LabMachine, name: string): LabMachine['scheduledTaskRuns'][string] | undefined {
  const key = Object.keys(m.scheduledTaskRuns).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : m.scheduledTaskRuns[key];
}

export function notEmulatedTask(name: string): string {
  return `the run of scheduled task \\cortex-deploy\\cortex-${name} (the lab profile's scheduledTaskRuns.${name} says how it ends): not emulated by the lab (see docs/lab.md, "The Windows shim")`;
}

const int32 = (v: unknown) => {
  const n = Math.trunc(Number(v));
  return n > 2147483647 ? n - 4294967296 : n;
};

export const scheduledTaskModel = defineResourceModel({
  type: 'scheduled_task',
  read: ({ machine, params }) => {
    const name = stringParam(params, R, 'name', { required: true });
    const reg = machineRegistry(machine);
    const token = registryValueData(reg, TASK_MARKER + name, 'Token');
    if (token === null) return { lastRun: null };
    const code = registryValueData(reg, TASK_MARKER + name, 'ExitCode');
    const finished = registryValueData(reg, TASK_MARKER + name, 'FinishedAt');
    return { lastRun: { token: String(token), exitCode: code === null ? -1 : int32(code), finishedAt: finished === null ? '' : String(finished) } };
  },
  set: ({ machine: m, params: p, now }) => {
    const name = stringParam(p, R, 'name', { required: true });
    stringParam(p, R, 'command', { required: true });
    const token = stringParam(p, R, 'token', { required: true });
    const timeout = Math.trunc(Number(resourceParam(p, R, 'timeout', { default: 3600 })));
    const codesRaw = resourceParam(p, R, 'successExitCodes', { default: [0] });
    const successCodes = (Array.isArray(codesRaw) ? codesRaw : [codesRaw]).map((x) => Math.trunc(Number(x)));
    const runAs = resourceParam(p, R, 'runAs', { required: true });
    const user = stringParam(runAs, R, 'user', { required: true });
    stringParam(runAs, R, 'password', { required: true });
    if (timeout < 1) throw new LabResourceError(`scheduled_task: parameter timeout must be at least 1 second, not ${timeout}`);

    const pendingBefore = rebootPending(m);
    const run = taskRun(m, name);
    if (!run) throw new LabResourceError(notEmulatedTask(name), 'NotImplemented');
    const polls = Math.ceil(timeout / POLL_SECONDS) + 1;
    if (run.runSec > polls * POLL_SECONDS) throw new LabResourceError(`scheduled_task: ${name} (as ${user}) did not finish within ${timeout} s; it was stopped`);
    if (run.setsPendingReboot) m.pendingReboot = true;
    const exit = run.exitCode;
    const key = overlayKeyName(m, 'HKLM', TASK_MARKER + name);
    m.registry[key] = {
      ...(m.registry[key] ?? {}),
      Token: { kind: 'String', data: token },
      // REG_DWORD as the registry keeps it: 32 bits, a negative code above 0x7FFFFFFF.
      ExitCode: { kind: 'DWord', data: exit < 0 ? exit + 4294967296 : exit },
      FinishedAt: { kind: 'String', data: now().toISOString().replace(/\.(\d{3})Z$/, '.$10000Z') },
    };
    if (!successCodes.includes(exit)) throw new LabResourceError(`scheduled_task: ${name} ran as ${user} and exited with code ${exit}; the next apply runs it again`);
    const reboot = exit === 3010 || exit === 1641 || (rebootPending(m) && !pendingBefore);
    return setResult(`ran ${name} as ${user}: exit code ${exit}${reboot ? ', reboot required' : ''}`, { rebootRequired: reboot, exitCode: exit });
  },
});
