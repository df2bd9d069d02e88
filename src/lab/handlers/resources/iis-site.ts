/**
 * iis_site (ps1/resources/iis-site.ps1; its Test in test-batch.ps1's Get-CortexIisSiteState): the
 * machine's IIS sites and bindings (src/lab/components/iis.ts), with the script's refusals: no IIS, a
 * missing folder or pool, an https certificate not in LocalMachine\My, a binding another site holds.
 */
import { findAppPool, findCertificate, findSite, iisInstalled, nextSiteId, siteHoldingBinding, writableIis, type LabSite } from '../../components/iis.js';
import { psBool } from './bool.js';
import { testPath } from './files.js';
import { NO_IIS } from './iis-app-pool.js';
import { resourceParam, stringParam } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'iis_site';
const same = (a: string | null, b: string | null) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

interface Binding {
  protocol: string;
  bindingInformation: string;
  certificateHash: string | null;
  sslFlags: number;
}

/** Get-CortexIisBinding: the certificate hash upper case, null when none. */
export function bindingsOf(site: LabSite): Binding[] {
  return site.bindings.map((b) => ({ protocol: b.protocol, bindingInformation: b.bindingInformation, certificateHash: b.certificateHash ? b.certificateHash.toUpperCase() : null, sslFlags: b.sslFlags }));
}

/** ConvertTo-CortexDesiredBinding. */
function desiredBinding(b: unknown): Binding & { port: number; host: string } {
  const protocol = stringParam(b, R, 'protocol', { required: true });
  const port = Math.trunc(Number(resourceParam(b, R, 'port', { required: true })));
  const host = stringParam(b, R, 'host', { default: '' });
  const sni = psBool(resourceParam(b, R, 'sni', { default: false }));
  let hash: string | null = null;
  if (same(protocol, 'https')) hash = stringParam(b, R, 'thumbprint', { required: true }).toUpperCase();
  else if (!same(protocol, 'http')) throw new LabResourceError(`iis_site: a binding's protocol must be http or https, not ${protocol}`);
  return { protocol, bindingInformation: `*:${port}:${host}`, certificateHash: hash, sslFlags: sni ? 1 : 0, port, host };
}

const find = <T extends Binding>(list: readonly T[], b: Binding): T | undefined => list.find((x) => same(x.protocol, b.protocol) && same(x.bindingInformation, b.bindingInformation));

export const iisSiteModel = defineResourceModel({
  type: 'iis_site',
  read: ({ machine: m, params }) => {
    const name = stringParam(params, R, 'name', { required: true });
    const none = { iisInstalled: false, exists: false, physicalPath: null, appPool: null, state: null, bindings: [] };
    if (!iisInstalled(m)) return none;
    const site = findSite(m, name);
    if (!site) return { ...none, iisInstalled: true };
    return { iisInstalled: true, exists: true, physicalPath: site.physicalPath, appPool: site.appPool, state: site.state.toLowerCase(), bindings: bindingsOf(site) };
  },
  set: ({ machine: m, params }) => {
    const name = stringParam(params, R, 'name', { required: true });
    const physicalPath = stringParam(params, R, 'physicalPath', { required: true });
    const appPool = stringParam(params, R, 'appPool', { required: true });
    const state = stringParam(params, R, 'state', { default: 'started' });
    const raw = resourceParam(params, R, 'bindings', { required: true });
    const desired = (Array.isArray(raw) ? raw : [raw]).map(desiredBinding);
    if (desired.length === 0) throw new LabResourceError('iis_site: parameter bindings is empty; a site needs at least one binding');
    if (!['started', 'stopped'].includes(state.toLowerCase())) throw new LabResourceError(`iis_site: parameter state must be started or stopped, not ${state}`);
    if (!iisInstalled(m)) throw new LabResourceError(NO_IIS(R));
    if (!testPath(m, physicalPath, 'Container')) throw new LabResourceError(`iis_site: the physical path ${physicalPath} does not exist; create it in an earlier step (archive or directory)`);
    if (!findAppPool(m, appPool)) throw new LabResourceError(`iis_site: the application pool ${appPool} does not exist; create it in an earlier step (iis_app_pool)`);
    for (const d of desired) {
      if (!same(d.protocol, 'https')) continue;
      if (!findCertificate(m, 'LocalMachine\\My', d.certificateHash!)) throw new LabResourceError(`iis_site: the certificate ${d.certificateHash} of binding https ${d.bindingInformation} is not in Cert:\\LocalMachine\\My; import it in an earlier step (certificate)`);
    }
    for (const d of desired) {
      const other = siteHoldingBinding(m, d.protocol, d.bindingInformation, name);
      if (other) throw new LabResourceError(`iis_site: binding ${d.protocol} ${d.bindingInformation} is already used by the site ${other.name}; two sites cannot listen on the same binding`);
    }

    const iis = writableIis(m);
    const done: string[] = [];
    let site = iis.sites.find((s) => same(s.name, name));
    if (!site) {
      const first = desired[0]!;
      const https = same(first.protocol, 'https');
      site = { name, id: nextSiteId(m), physicalPath, appPool, bindings: [{ protocol: https ? 'https' : 'http', bindingInformation: first.bindingInformation, certificateHash: '', sslFlags: https ? first.sslFlags : 0 }], state: 'Started' };
      iis.sites.push(site);
      done.push('created');
    } else {
      if (!same(site.physicalPath.replace(/\\+$/, ''), physicalPath.replace(/\\+$/, ''))) {
        site.physicalPath = physicalPath;
        done.push(`physicalPath ${physicalPath}`);
      }
      if (!same(site.appPool, appPool)) {
        site.appPool = appPool;
        done.push(`appPool ${appPool}`);
      }
    }
    const s = site;
    const current = bindingsOf(s);
    const startState = s.state.toLowerCase();
    for (const c of current) {
      if (find(desired, c)) continue;
      s.bindings = s.bindings.filter((b) => !(same(b.protocol, c.protocol) && same(b.bindingInformation, c.bindingInformation)));
      done.push(`removed ${c.protocol} ${c.bindingInformation}`);
    }
    for (const d of desired) {
      const c = find(current, d);
      const https = same(d.protocol, 'https');
      if (!c) {
        s.bindings.push({ protocol: https ? 'https' : 'http', bindingInformation: d.bindingInformation, certificateHash: '', sslFlags: d.sslFlags });
        done.push(`added ${d.protocol} ${d.bindingInformation}`);
      } else if (https && c.sslFlags !== d.sslFlags) {
        s.bindings.find((b) => same(b.protocol, d.protocol) && same(b.bindingInformation, d.bindingInformation))!.sslFlags = d.sslFlags;
      }
      if (!https) continue;
      if (c && same(c.certificateHash, d.certificateHash) && c.sslFlags === d.sslFlags) continue;
      const live = s.bindings.find((b) => same(b.protocol, 'https') && same(b.bindingInformation, d.bindingInformation))!;
      live.certificateHash = d.certificateHash!;
      done.push(`certificate ${d.certificateHash} on https ${d.bindingInformation}`);
    }
    if (same(state, 'started') && startState !== 'started') {
      s.state = 'Started';
      done.push('started');
    } else if (same(state, 'stopped') && startState !== 'stopped') {
      s.state = 'Stopped';
      done.push('stopped');
    }
    return setResult(done.length ? `site ${name}: ${done.join(', ')}` : `site ${name}: nothing to change`);
  },
});
