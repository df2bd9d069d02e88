/**
 * Which process listens on which TCP port of a simulated machine: the ports of its profile
 * (listeningPorts), each owned by the process a real host with the machine's services would show.
 * A machine fact, not a script's logic: the facts handler (probes.facts) and the Windows view of the
 * shim (src/lab/shim/windows-view.ts) both read it, so the differential test compares the script's
 * querying and filtering with the handler's, over one set of listeners.
 */
import type { LabMachine } from './types.js';

export interface MachineListener {
  port: number;
  address: string;
  processId: number;
  /** Null: a port nothing known owns (Get-Process finds no such process). */
  processName: string | null;
}

/** The process Get-Process names for a listener on this port, as on a real host with the machine's services. */
export function listenerProcessName(m: Pick<LabMachine, 'services'>, port: number): string | null {
  const running = (name: string) => m.services.some((s) => s.name.toLowerCase() === name.toLowerCase() && s.state === 'Running');
  if ([4369].includes(port) && running('RabbitMQ')) return 'epmd';
  if ([5672, 5671, 15672, 25672].includes(port) && running('RabbitMQ')) return 'erl';
  if ([19000, 19080].includes(port) && running('FabricHostSvc')) return 'Fabric';
  if ([8443, 8888].includes(port) && running('gobetween')) return 'gobetween';
  if (port === 1433) return 'sqlservr';
  if ([80, 443, 445, 5985, 5986].includes(port)) return 'System';
  if ([135, 3389].includes(port)) return 'svchost';
  return null;
}

/** Every listener of the machine, one per listening port on 0.0.0.0, in the profile's order; owners as portOwners says. */
export function machineListeners(m: LabMachine): MachineListener[] {
  return m.listeningPorts.map((port) => {
    // A port another program holds (profile portOwners), else the process the services imply.
    const owner = m.portOwners?.[String(port)];
    return { port, address: '0.0.0.0', processId: owner?.pid ?? 1000 + port, processName: owner ? owner.process : listenerProcessName(m, port) };
  });
}
