/**
 * env_var: the Test (test-batch.ps1's Get-CortexEnvVarState: the machine-scope value as stored, unexpanded)
 * and the Set (ps1/resources/env-var.ps1) on the machine's `env`, which the projection stores under
 * HKLM\SYSTEM\...\Session Manager\Environment (REG_EXPAND_SZ when the value refers to %OTHERS%).
 */
import type { LabMachine } from '../../state/types.js';
import { machineRegistry, REG } from '../../shim/windows-view.js';
import { resourceParam, stringParam, psString } from './params.js';
import { dropOverlayValue, registryEntry } from './registry.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

/** Set-CortexMachineEnvironmentVariable: the value under the name as first stored; null removes it. */
function setMachineVariable(m: LabMachine, name: string, value: string | null): void {
  const stored = Object.keys(m.env).find((k) => k.toLowerCase() === name.toLowerCase());
  dropOverlayValue(m, 'HKLM', REG.environment, name);
  if (value === null) {
    if (stored !== undefined) delete m.env[stored];
    return;
  }
  m.env[stored ?? name] = value;
}

export const envVarModel = defineResourceModel({
  type: 'env_var',
  read: ({ machine, params }) => {
    const name = psString(resourceParam(params, 'env_var', 'name', { required: true }));
    const entry = registryEntry(machineRegistry(machine), REG.environment, name);
    return { value: entry === undefined ? null : psString(entry.data) };
  },
  set: ({ machine, params }) => {
    const name = stringParam(params, 'env_var', 'name', { required: true });
    const state = stringParam(params, 'env_var', 'state', { default: 'present' });
    if (!['present', 'absent'].includes(state)) throw new LabResourceError(`env_var: parameter state must be present or absent, not ${state}`);
    if (state === 'absent') {
      setMachineVariable(machine, name, null);
      return setResult(`removed ${name}`);
    }
    const value = resourceParam(params, 'env_var', 'value');
    if (value === null || psString(value) === '') throw new LabResourceError('env_var: parameter value is missing (an empty value would remove the variable; use state: absent)');
    setMachineVariable(machine, name, psString(value));
    return setResult(`set ${name}`);
  },
});
