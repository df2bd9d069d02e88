/**
 * nssm_service: the Test (test-batch.ps1's Get-CortexNssmServiceTestState, over ps1/lib/nssm.ps1) and the
 * Set (ps1/resources/nssm-service.ps1) on the machine, through NSSM's model (src/lab/components/nssm.ts):
 * install when the service is missing, then set (or reset, for an empty value) each parameter that reads
 * differently; a service of that name run by another program, or a missing nssm.exe, is refused.
 */
import { nssmParameterKey } from '../../../resources/nssm-service.js';
import { findNssmService, nssmInstall, nssmParameter, nssmSet } from '../../components/nssm.js';
import type { LabMachine } from '../../state/types.js';
import { machineRegistry, REG } from '../../shim/windows-view.js';
import { testPath } from './files.js';
import { resourceParam, stringParam, psString } from './params.js';
import { registryEntry } from './registry.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'nssm_service';

interface Parameter {
  name: string;
  sub: string;
  value: string;
}

/** ConvertTo-CortexNssmParameterList: Application (from program) first, then the rest in order. */
function parameterList(params: Record<string, unknown>): Parameter[] {
  const program = stringParam(params, R, 'program', { required: true });
  const list: Parameter[] = [{ name: 'Application', sub: '', value: program }];
  const given = resourceParam(params, R, 'parameters', { default: [] });
  for (const p of Array.isArray(given) ? given : [given]) {
    if (p === null || p === undefined) continue;
    const name = stringParam(p, R, 'name', { required: true });
    if (name === 'Application') continue;
    list.push({ name, sub: stringParam(p, R, 'sub', { default: '' }), value: stringParam(p, R, 'value', { default: '' }) });
  }
  return list;
}

function read(m: LabMachine, svc: string, list: Parameter[]) {
  const service = findNssmService(m, svc);
  const values: Record<string, string | null> = {};
  if (!service) return { exists: false, imagePath: null, values };
  const image = registryEntry(machineRegistry(m), `${REG.services}\\${svc}`, 'ImagePath');
  for (const p of list) {
    try {
      values[nssmParameterKey({ name: p.name, sub: p.sub || undefined })] = nssmParameter(m, svc, p.name, p.sub);
    } catch (err) {
      throw new LabResourceError((err as Error).message);
    }
  }
  return { exists: true, imagePath: image ? psString(image.data) : null, values };
}

/** Test-CortexNssmSameValue. */
function same(name: string, current: string | null, wanted: string): boolean {
  if (current === null) return false;
  const unquote = (s: string) => s.replace(/^"+|"+$/g, '');
  if (['Application', 'AppDirectory', 'AppStdout', 'AppStderr'].includes(name)) return unquote(current).toLowerCase() === unquote(wanted).toLowerCase();
  return current === wanted;
}

export const nssmServiceModel = defineResourceModel({
  type: 'nssm_service',
  read: ({ machine, params }) => {
    const svc = stringParam(params, R, 'serviceName', { required: true });
    return read(machine, svc, parameterList(params));
  },
  set: ({ machine, params }) => {
    const svc = stringParam(params, R, 'serviceName', { required: true });
    const nssm = stringParam(params, R, 'nssmExe', { required: true });
    stringParam(params, R, 'program', { required: true });
    const list = parameterList(params);
    if (!testPath(machine, nssm, 'Leaf')) throw new LabResourceError(`${R}: ${nssm} does not exist; unzip NSSM there in an earlier step`);
    const done: string[] = [];
    let state = read(machine, svc, list);
    if (!state.exists) {
      nssmInstall(machine, nssm, svc, list[0]!.value);
      done.push(`installed ${svc}`);
      state = read(machine, svc, list);
    } else if (state.imagePath === null || state.imagePath.trim().replace(/^"+|"+$/g, '').toLowerCase() !== nssm.toLowerCase()) {
      throw new LabResourceError(`${R}: service ${svc} exists but is not run by ${nssm} (its ImagePath is ${state.imagePath ?? ''}); remove it, or set nssmExe to the NSSM that runs it`);
    }
    const changed: string[] = [];
    for (const p of list) {
      const key = nssmParameterKey({ name: p.name, sub: p.sub || undefined });
      if (same(p.name, state.values[key] ?? null, p.value)) continue;
      nssmSet(machine, svc, p.name, p.sub, p.value === '' ? null : p.value);
      changed.push(key);
    }
    if (changed.length) done.push(`set ${changed.join(', ')}`);
    return setResult(done.join('; '));
  },
});
