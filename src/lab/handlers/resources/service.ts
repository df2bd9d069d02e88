/**
 * service: the Test (test-batch.ps1's Get-CortexServiceState) and the Set (ps1/resources/service.ps1) on
 * the machine's `services`: the startup type (sc.exe for the automatic ones, which also sets or clears
 * the delayed flag; Set-Service for manual and disabled, which leave it), then the run state with
 * Windows' refusals (a disabled service, or one it depends on, does not start; a service a running one
 * depends on does not stop without -Force).
 */
import type { LabMachine } from '../../state/types.js';
import { machineRegistry, REG } from '../../shim/windows-view.js';
import { notEmulated } from './files.js';
import { resourceParam, stringParam, psString } from './params.js';
import { dropOverlayValue, registryValueData } from './registry.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

type Service = LabMachine['services'][number];

/** Get-Service -Name n | Where-Object Name -eq n: the name without regard to case. */
export function findService(m: LabMachine, name: string): Service | undefined {
  return m.services.find((s) => s.name.toLowerCase() === name.toLowerCase());
}

/** Running -> running, StartPending -> start_pending. */
function stateName(status: string): string {
  return status.replace(/(?<=[a-z])([A-Z])/g, '_$1').toLowerCase();
}

/** The services a start starts, dependencies first; null when one of them is disabled or not installed (then none starts). */
function startOrder(m: LabMachine, name: string, order: Service[] = []): Service[] | null {
  const svc = findService(m, name);
  if (!svc || svc.startType === 'Disabled') return null;
  if (order.includes(svc)) return order;
  for (const dep of svc.dependsOn ?? []) if (startOrder(m, dep, order) === null) return null;
  order.push(svc);
  return order;
}

function startService(m: LabMachine, svc: Service): void {
  if (svc.state === 'Running') return;
  if (svc.state === 'Paused') throw notEmulated(`Start-Service of the paused service ${svc.name}`);
  const order = startOrder(m, svc.name);
  if (!order) throw new LabResourceError(`Service '${svc.name} (${svc.name})' cannot be started due to the following error: Cannot start service ${svc.name} on computer '.'.`, 'OpenError');
  for (const s of order) s.state = 'Running';
}

/** Stop-Service without -Force: refused while a running service depends on it. */
export function stopService(m: LabMachine, svc: Service): void {
  const name = svc.name.toLowerCase();
  if (m.services.some((s) => s.state !== 'Stopped' && (s.dependsOn ?? []).some((d) => d.toLowerCase() === name))) {
    throw new LabResourceError(`Cannot stop service '${svc.name} (${svc.name})' because it has dependent services. It can only be stopped if the Force flag is set.`, 'InvalidOperation');
  }
  svc.state = 'Stopped';
}

/** The start type as the SCM keeps it; the registry overlay's Start / DelayedAutostart give way to it. */
function setStartType(m: LabMachine, svc: Service, type: Service['startType'], delayed?: boolean): void {
  const sub = `${REG.services}\\${svc.name}`;
  svc.startType = type;
  dropOverlayValue(m, 'HKLM', sub, 'Start');
  if (delayed !== undefined) {
    svc.delayedAutoStart = delayed;
    dropOverlayValue(m, 'HKLM', sub, 'DelayedAutostart');
  }
}

export const serviceModel = defineResourceModel({
  type: 'service',
  read: ({ machine, params }) => {
    const name = psString(resourceParam(params, 'service', 'name', { required: true }));
    const svc = findService(machine, name);
    if (!svc) return { exists: false, state: null, startupType: null };
    let startupType: 'automatic' | 'automatic_delayed' | 'manual' | 'disabled' = 'disabled';
    if (svc.startType === 'Automatic') {
      const delayed = registryValueData(machineRegistry(machine), `${REG.services}\\${svc.name}`, 'DelayedAutostart');
      startupType = delayed !== null && Number(delayed) === 1 ? 'automatic_delayed' : 'automatic';
    } else if (svc.startType === 'Manual') startupType = 'manual';
    return { exists: true, state: stateName(svc.state), startupType };
  },
  set: ({ machine, params }) => {
    const name = stringParam(params, 'service', 'name', { required: true });
    const state = stringParam(params, 'service', 'state', { default: '' });
    const startupType = stringParam(params, 'service', 'startupType', { default: '' });
    if (state && !['running', 'stopped'].includes(state)) throw new LabResourceError(`service: parameter state must be running or stopped, not ${state}`);
    if (startupType && !['automatic', 'automatic_delayed', 'manual', 'disabled'].includes(startupType)) {
      throw new LabResourceError(`service: parameter startupType must be automatic, automatic_delayed, manual or disabled, not ${startupType}`);
    }
    const svc = findService(machine, name);
    if (!svc) throw new LabResourceError(`service: ${name} does not exist on this host; install it in an earlier step`);
    const done: string[] = [];
    if (startupType === 'automatic') setStartType(machine, svc, 'Automatic', false);
    else if (startupType === 'automatic_delayed') setStartType(machine, svc, 'Automatic', true);
    else if (startupType === 'manual') setStartType(machine, svc, 'Manual');
    else if (startupType === 'disabled') setStartType(machine, svc, 'Disabled');
    if (startupType) done.push(`startup type ${startupType}`);
    if (state === 'running') {
      startService(machine, svc);
      done.push('started');
    } else if (state === 'stopped') {
      stopService(machine, svc);
      done.push('stopped');
    }
    return setResult(done.join(', '));
  },
});
