/**
 * exec (ps1/resources/exec.ps1; its Test in test-batch.ps1's Get-CortexExecState). The guard `creates`
 * is a path the lab knows; the step's PowerShell (`run`, and the guard `unless`) runs in a runspace of
 * its own on Windows, where the lab's Windows shim is not loaded, so the lab does not run it: both fail
 * with "not emulated by the lab" (docs/lab.md, "Resource scripts"), never with a made-up success.
 */
import { testPath } from './files.js';
import { resourceParam, stringParam } from './params.js';
import { defineResourceModel, LabResourceError } from './types.js';

const R = 'exec';

export function notEmulatedRun(resource: string): LabResourceError {
  return new LabResourceError(`${resource}: running a step's PowerShell in a runspace of its own: not emulated by the lab (see docs/lab.md, "The Windows shim")`, 'NotImplemented');
}

export const execModel = defineResourceModel({
  type: 'exec',
  read: ({ machine, params }) => {
    const creates = stringParam(params, R, 'creates', { default: '' });
    const unless = resourceParam(params, R, 'unless', { default: '' });
    if (creates && testPath(machine, creates)) return { done: true };
    if (unless) throw notEmulatedRun('exec: unless');
    return { done: false };
  },
  set: ({ params }) => {
    stringParam(params, R, 'run', { required: true });
    throw notEmulatedRun('exec');
  },
});
