/**
 * gobetween_backend (ps1/resources/gobetween-backend.ps1; its Test in test-batch.ps1's
 * Get-CortexGobetweenBackendTestState, lib/gobetween.ps1): the drain marker is a file on the load
 * balancer, as the script writes it; what gobetween's API shows is derived, since the lab runs no
 * gobetween (the shim's Get-CortexHttpJson answers the same from its view: src/lab/shim/windows-view.ts,
 * projectGobetween). No answer (live null) unless the gobetween service runs on this host. The lab holds
 * no gobetween configuration: a server lists a lab host (by name in any case, or by address) on each port
 * one of its IIS sites is bound to; any other backend is not listed (null). A listed backend is live
 * when gobetween's health check would pass: no marker in drain\ of gobetween's folder (its NSSM
 * AppDirectory, else the install's default), the host up, and a started site with a started pool bound
 * to the port. The lab's checks are instant: the Set sees the new state at its first poll, and one whose
 * backend never shows the wanted state fails as the script does after its timeout.
 */
import { createHash } from 'node:crypto';
import { drainMarkerName } from '../../../resources/gobetween-backend.js';
import { appPools, sites } from '../../components/iis.js';
import { machineRegistry, REG } from '../../shim/windows-view.js';
import type { LabMachine } from '../../state/types.js';
import type { LabHostRef, LabView } from '../types.js';
import { createDirectory, parentPath, removeItem, testPath, writeFile } from './files.js';
import { resourceParam, stringParam } from './params.js';
import { registryEntry } from './registry.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'gobetween_backend';
const BACKEND = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$/;
const MARKER_TEXT = 'drained by cortex-deploy';
/** gobetween's folder when its service has no NSSM AppDirectory (a profile's service): the install's default. */
const DEFAULT_FOLDER = 'C:\\Program Files\\gobetween';

interface Backend {
  server: string;
  backend: string;
  host: string;
  port: number;
  marker: string;
  statsUri: string;
}

function backendOf(params: Record<string, unknown>): Backend {
  const server = stringParam(params, R, 'server', { required: true });
  const backend = stringParam(params, R, 'backend', { required: true });
  const installDir = stringParam(params, R, 'installDir', { default: 'C:\\Program Files\\gobetween' });
  const api = stringParam(params, R, 'api', { default: '127.0.0.1:8888' });
  if (!/^[a-z][a-z0-9_]*$/.test(server)) throw new LabResourceError(`gobetween_backend: server ${server} is not a gobetween server name (lower-case letters, digits and _)`);
  const m = BACKEND.exec(backend);
  if (!m) throw new LabResourceError(`gobetween_backend: backend ${backend} is not host:port`);
  if (!/^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost):\d{1,5}$/.test(api)) throw new LabResourceError(`gobetween_backend: api ${api} is not a loopback address and port`);
  const dir = `${installDir.replace(/\\+$/, '')}\\drain`;
  return { server, backend, host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]), marker: `${dir}\\${drainMarkerName(backend)}`, statsUri: `http://${api}/servers/${server}/stats` };
}

/** A lab host as gobetween lists it: by name (DNS: any case) or by address. */
function labHost(lab: LabView, host: string): LabHostRef | undefined {
  return lab.hosts().find((h) => h.name.toLowerCase() === host.toLowerCase() || h.address === host);
}

/** Whether a server lists the backend: a lab host, with an IIS site bound to the port. */
function listed(lab: LabView, ref: LabHostRef, port: number): boolean {
  const m = lab.getHostState(ref.name)?.machine;
  return !!m && sites(m).some((s) => s.bindings.some((b) => bindingPort(b.bindingInformation) === port));
}

const bindingPort = (bindingInformation: string) => Number(bindingInformation.split(':')[1]);

/** Whether the host answers on the port: up, and a started site in a started pool is bound to it. */
function serves(lab: LabView, ref: LabHostRef, port: number): boolean {
  if (!lab.isUp(ref.name)) return false;
  const m = lab.getHostState(ref.name)?.machine;
  if (!m) return false;
  const pools = appPools(m);
  return sites(m).some(
    (s) => s.state === 'Started' && pools.some((p) => p.name.toLowerCase() === s.appPool.toLowerCase() && p.state === 'Started') && s.bindings.some((b) => bindingPort(b.bindingInformation) === port),
  );
}

function gobetweenRunning(m: LabMachine): boolean {
  return m.services.some((s) => s.name.toLowerCase() === 'gobetween' && s.state === 'Running');
}

/** Where gobetween runs and its health check looks for drain\ (the service's NSSM AppDirectory). */
function gobetweenFolder(m: LabMachine): string {
  const dir = registryEntry(machineRegistry(m), `${REG.services}\\gobetween\\Parameters`, 'AppDirectory');
  return dir ? String(dir.data).replace(/\\+$/, '') : DEFAULT_FOLDER;
}

function stateOf(m: LabMachine, lab: LabView, b: Backend): { drained: boolean; live: boolean | null; activeConnections: number | null } {
  const drained = testPath(m, b.marker, 'Leaf');
  const ref = labHost(lab, b.host);
  if (!gobetweenRunning(m) || !ref || !listed(lab, ref, b.port)) return { drained, live: null, activeConnections: null };
  const seen = testPath(m, `${gobetweenFolder(m)}\\drain\\${drainMarkerName(b.backend)}`, 'Leaf');
  // The lab carries no traffic: a backend out of the pool has no connections, and a live one none either.
  return { drained, live: !seen && serves(lab, ref, b.port), activeConnections: 0 };
}

/** The lab's record of the balanced server (docs/lab.md, "Clusters"): the backend out (drained) or back. */
function noteOut(lab: LabView, b: Backend, out: boolean): void {
  const c = lab.cluster?.(`gobetween/${b.server}`);
  const member = labHost(lab, b.host)?.name;
  if (c && member && c.members.includes(member)) lab.clusterMemberDown?.({ name: c.name, kind: 'gobetween', members: c.members }, member, out);
}

export const gobetweenBackendModel = defineResourceModel({
  type: 'gobetween_backend',
  read: ({ machine, lab, params }) => stateOf(machine, lab, backendOf(params)),
  set: ({ machine: m, lab, params }) => {
    const b = backendOf(params);
    const state = stringParam(params, R, 'state', { required: true });
    const timeoutSec = Number(resourceParam(params, R, 'timeoutSec', { default: 300 }));
    if (state !== 'drained' && state !== 'live') throw new LabResourceError(`gobetween_backend: parameter state must be drained or live, not ${state}`);
    if (state === 'drained') {
      const dir = parentPath(b.marker);
      if (!testPath(m, dir, 'Container')) createDirectory(m, dir);
      if (!testPath(m, b.marker, 'Leaf')) writeFile(m, b.marker, createHash('sha256').update(MARKER_TEXT, 'ascii').digest('hex'), MARKER_TEXT.length);
      noteOut(lab, b, true);
      const now = stateOf(m, lab, b);
      if (now.live === true) throw new LabResourceError(`gobetween_backend: ${b.backend} is still live in server ${b.server} after ${timeoutSec} s with the drain marker ${b.marker} in place; is the health check the one cortex-deploy writes (gobetween-healthcheck.ps1 reads the marker)?`);
      return setResult(`drained ${b.backend} from gobetween server ${b.server}: no new connections (active now: ${now.activeConnections ?? ''})`);
    }
    if (testPath(m, b.marker, 'Leaf')) removeItem(m, b.marker);
    const now = stateOf(m, lab, b);
    if (now.live === true) noteOut(lab, b, false);
    if (now.live !== true) {
      throw new LabResourceError(`gobetween_backend: ${b.backend} did not turn live in server ${b.server} within ${timeoutSec} s (${now.live === null ? 'not listed' : 'not live'} in ${b.statsUri}); the drain marker is removed: check that the site answers the health check (cmd /c healthcheck-<server>.cmd host port prints 1)`);
    }
    return setResult(`${b.backend} is live again in gobetween server ${b.server}`);
  },
});
