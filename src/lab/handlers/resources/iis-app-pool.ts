/**
 * iis_app_pool (ps1/resources/iis-app-pool.ps1; its Test in test-batch.ps1's Get-CortexIisAppPoolState):
 * the machine's IIS application pools (src/lab/components/iis.ts). A host without IIS has none, and the
 * Set refuses there, as the script does.
 */
import { findAppPool, iisInstalled, writableIis, type LabAppPool } from '../../components/iis.js';
import { stringParam } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'iis_app_pool';
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
export const NO_IIS = (resource: string) => `${resource}: IIS is not installed on this host (no HKLM\\SOFTWARE\\Microsoft\\InetStp); install the Web-Server feature in an earlier step`;

/** Get-CortexIisAppPool's answer. */
export function poolState(p: LabAppPool) {
  return { runtime: p.runtime, pipeline: p.pipeline.toLowerCase(), identity: p.identity, user: p.userName, state: p.state.toLowerCase() };
}

export const iisAppPoolModel = defineResourceModel({
  type: 'iis_app_pool',
  read: ({ machine: m, params }) => {
    const name = stringParam(params, R, 'name', { required: true });
    const none = { iisInstalled: false, exists: false, runtime: null, pipeline: null, identity: null, user: null, state: null };
    if (!iisInstalled(m)) return none;
    const pool = findAppPool(m, name);
    if (!pool) return { ...none, iisInstalled: true };
    const s = poolState(pool);
    return { iisInstalled: true, exists: true, runtime: s.runtime, pipeline: s.pipeline as 'integrated' | 'classic', identity: s.identity, user: s.user, state: s.state };
  },
  set: ({ machine: m, params }) => {
    const name = stringParam(params, R, 'name', { required: true });
    const runtime = stringParam(params, R, 'runtime', { default: 'v4.0' });
    const pipeline = stringParam(params, R, 'pipeline', { default: 'integrated' });
    const identity = stringParam(params, R, 'identity', { default: 'ApplicationPoolIdentity' });
    const state = stringParam(params, R, 'state', { default: 'started' });
    if (!['integrated', 'classic'].includes(pipeline.toLowerCase())) throw new LabResourceError(`iis_app_pool: parameter pipeline must be integrated or classic, not ${pipeline}`);
    if (!['started', 'stopped'].includes(state.toLowerCase())) throw new LabResourceError(`iis_app_pool: parameter state must be started or stopped, not ${state}`);
    let user = '';
    if (same(identity, 'SpecificUser')) {
      user = stringParam(params, R, 'user', { required: true });
      stringParam(params, R, 'password', { required: true });
    }
    if (!iisInstalled(m)) throw new LabResourceError(NO_IIS(R));
    const done: string[] = [];
    let pool = findAppPool(m, name);
    if (!pool) {
      // New-WebAppPool: IIS 10's defaults.
      pool = { name, runtime: 'v4.0', pipeline: 'Integrated', identity: 'ApplicationPoolIdentity', userName: '', state: 'Started' };
      writableIis(m).appPools.push(pool);
      done.push('created');
    } else {
      pool = writableIis(m).appPools.find((p) => same(p.name, name))!;
    }
    if (!same(pool.runtime, runtime)) {
      pool.runtime = runtime;
      done.push(`runtime ${runtime}`);
    }
    if (!same(pool.pipeline, pipeline)) {
      pool.pipeline = same(pipeline, 'classic') ? 'Classic' : 'Integrated';
      done.push(`pipeline ${pipeline}`);
    }
    if (!same(pool.identity, identity) || !same(pool.userName, user) || same(identity, 'SpecificUser')) {
      const known = ['ApplicationPoolIdentity', 'NetworkService', 'LocalSystem', 'LocalService', 'SpecificUser'].find((x) => same(x, identity));
      if (!known) throw new LabResourceError(`identityType: the value ${identity} is not one IIS knows: not emulated by the lab (see docs/lab.md, "The Windows shim")`, 'NotImplemented');
      pool.identity = known as LabAppPool['identity'];
      pool.userName = user;
      done.push(`identity ${identity}`);
    }
    if (same(state, 'started') && pool.state !== 'Started') {
      pool.state = 'Started';
      done.push('started');
    } else if (same(state, 'stopped') && pool.state !== 'Stopped') {
      pool.state = 'Stopped';
      done.push('stopped');
    }
    return setResult(done.length ? `app pool ${name}: ${done.join(', ')}` : `app pool ${name}: nothing to change`);
  },
});
