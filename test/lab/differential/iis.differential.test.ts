/**
 * The lab models of certificate, iis_app_pool and iis_site held to their scripts through the Windows
 * shim (resources-b-harness.ts): the shim answers WebAdministration (IIS:\, the Web* cmdlets) and the
 * certificate store (Cert:\, Import-PfxCertificate) from the view's iis and certificates. Machine states
 * x parameters; views, envelopes (message and category) and the Test's state afterwards must be equal.
 */
import { describe, expect, it } from 'vitest';
import { artifactFile } from '../../../src/lab/artifacts/catalog.js';
import { handlerRegistry } from '../../../src/lab/handlers/index.js';
import { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import type { ResourceTypeName } from '../../../src/resources/index.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { withShimHost } from '../helpers.js';
import { compareSet, machineFrom, withFile } from './resources-b-harness.js';

const pwsh = pwshForTests('test/lab/differential (IIS)');
let host: ShimHost;

const THUMB = '916909FF7E3500C69B3B1E8184640F8E907D679C';
const RENEWED = '1020DD39520EE071380924C693D20186B6F4DE89';
const PFX = 'C:\\Staging\\gateway.pfx';
const V1 = 'C:\\inetpub\\cortex-gateway\\1.0.0';
const V2 = 'C:\\inetpub\\cortex-gateway\\1.1.0';
const HTTPS = { protocol: 'https', port: 443, host: 'gateway.corp.example.com', thumbprint: THUMB, sni: true };
const SITE = { name: 'CortexGateway', physicalPath: V1, appPool: 'CortexGateway', bindings: [HTTPS], state: 'started' };
const LIVE = { name: 'CortexGateway', id: 2, physicalPath: V1, appPool: 'CortexGateway', state: 'Started' as const, bindings: [{ protocol: 'https' as const, bindingInformation: '*:443:gateway.corp.example.com', certificateHash: THUMB, sslFlags: 1 }] };
const DEFAULT_SITE = { name: 'Default Web Site', id: 1, physicalPath: '%SystemDrive%\\inetpub\\wwwroot', appPool: 'DefaultAppPool', state: 'Started' as const, bindings: [{ protocol: 'http' as const, bindingInformation: '*:80:' }] };
const POOLS = [{ name: 'DefaultAppPool' }, { name: 'CortexGateway' }];
const CERT = { store: 'LocalMachine\\My', thumbprint: THUMB, subject: 'CN=gateway.corp.example.com' };

/** The Set scripts this file holds to their handlers (probes.differential.test.ts counts on it). */
const COMPARED_HERE: Record<string, ResourceTypeName> = { 'resources.certificate': 'certificate', 'resources.iis-app-pool': 'iis_app_pool', 'resources.iis-site': 'iis_site' };

it("the handlers compared here are the lab's Set handlers of these types", () => {
  const registry = handlerRegistry();
  for (const [id, type] of Object.entries(COMPARED_HERE)) expect(registry.get(id)?.script, id).toBe(`ps1/resources/${type.replace(/_/g, '-')}.ps1`);
});

/** A web server: IIS (the default preset) with these pools, sites, folders, certificates, and PFX files at PFX. */
function web(o: { pools?: unknown[]; sites?: unknown[]; certificates?: unknown[]; pfx?: string; noIis?: boolean } = {}): LabHostState {
  const iis = o.noIis ? null : { version: '10.0', urlRewrite: '7.2.1993', ...(o.pools ? { appPools: o.pools } : {}), ...(o.sites ? { sites: o.sites } : {}) };
  // Without IIS: no Web-* feature and no W3SVC, as a fresh server.
  const fresh = o.noIis ? { features: ['PowerShell'], services: [{ name: 'EventLog' }, { name: 'MpsSvc' }, { name: 'WinRM' }] } : {};
  const s = machineFrom({ iis, ...fresh, directories: [V1, V2], ...(o.certificates ? { certificates: o.certificates } : {}) }, 'web1');
  if (o.pfx) {
    const a = artifactFile(o.pfx);
    withFile(s.machine, PFX, a.sha256, a.bytes.length);
  }
  return s;
}

type Case = [label: string, state: LabHostState, params: Record<string, unknown>, error: RegExp | null, changes: boolean];

describe.skipIf(!pwsh)('IIS and certificates: lab models vs scripts through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  function run(type: ResourceTypeName, cases: Case[], readParams?: (p: Record<string, unknown>) => Record<string, unknown>) {
    for (const [label, state, params, error, changes] of cases) {
      it(label, async () => {
        const r = await compareSet(host, state, type, params, readParams?.(params));
        expect(r.diffs, r.diffs.join('\n')).toEqual([]);
        if (error) expect(r.script.error?.message).toMatch(error);
        else expect(r.script.ok, JSON.stringify(r.script.error)).toBe(true);
        // A case that should change the host does: the comparison is not of two no-ops.
        expect(r.viewChanged, 'view changed').toBe(changes);
      }, 60_000);
    }
  }

  describe('windows_feature Web-Server brings IIS', () => {
    run(
      'windows_feature',
      [
        ['Web-Server on a host without IIS: W3SVC, WAS, InetStp, DefaultAppPool, the Default Web Site', web({ noIis: true }), { name: 'Web-Server', includeManagementTools: true }, null, true],
        ['another Web-* feature alone does not', web({ noIis: true }), { name: 'Web-WebSockets' }, null, true],
      ],
      (p) => ({ name: p.name }),
    );
    it('after Web-Server, the pool and site Tests of both sides see IIS', async () => {
      const r = await compareSet(host, web({ noIis: true }), 'windows_feature', { name: 'Web-Server' });
      expect(r.diffs).toEqual([]);
      expect(r.machine.iis).toEqual({ version: '10.0', urlRewrite: null });
      expect(r.machine.services.map((x) => x.name)).toEqual(expect.arrayContaining(['WAS', 'W3SVC']));
    }, 60_000);
  });

  describe('package: URL Rewrite 2.1 (an IIS extension)', () => {
    const MSI = 'C:\\Staging\\rewrite_amd64_en-US.msi';
    const pkg = { name: 'IIS URL Rewrite Module 2', path: MSI, productCode: '{9BCA2118-F753-4A1E-BCF3-5A820729965C}', version: '7.2.1993' };
    const withMsi = (s: LabHostState) => {
      const a = artifactFile('urlrewrite-2.1');
      withFile(s.machine, MSI, a.sha256, a.bytes.length);
      return s;
    };
    run(
      'package',
      [
        ['installs on a host with IIS (no URL Rewrite yet): uninstall entry, the IIS Extensions key, rewrite.dll', withMsi(machineFrom({ iis: { version: '10.0', urlRewrite: null } }, 'web1')), pkg, null, true],
        ['refuses with 1603 on a host without IIS; nothing installed', withMsi(web({ noIis: true })), pkg, /^package: installing IIS URL Rewrite Module 2 failed: msiexec\.exe exited with code 1603: Fatal error during installation\./, true],
      ],
      (p) => ({ productCode: p.productCode }),
    );
  });

  describe('certificate', () => {
    const cert = { path: PFX, password: 'Lab-Pfx!2026', thumbprint: THUMB };
    run(
      'certificate',
      [
        ['import a PFX into LocalMachine\\My', web({ pfx: 'cortex-gateway-pfx-2026' }), cert, null, true],
        ['exportable, into another store', web({ pfx: 'cortex-gateway-pfx-2026' }), { ...cert, exportable: true, store: 'LocalMachine\\WebHosting' }, null, true],
        ['import again (already there)', web({ pfx: 'cortex-gateway-pfx-2026', certificates: [CERT] }), cert, null, false],
        ['a wrong password', web({ pfx: 'cortex-gateway-pfx-2026' }), { ...cert, password: 'wrong' }, /failed: The PFX file you are trying to import requires either a different password/, false],
        ['the PFX holds another thumbprint (imported, then refused)', web({ pfx: 'cortex-gateway-pfx-2027' }), cert, new RegExp(`holds ${RENEWED}, not the expected ${THUMB}`), true],
        ['the PFX is not on the host', web(), cert, /^certificate: the PFX C:\\Staging\\gateway\.pfx is not on the host/, false],
        ['a file that is no PFX the lab knows', web({ pfx: 'lab-sample-1.0.0' }), cert, /not emulated by the lab/, false],
        ['no password', web({ pfx: 'cortex-gateway-pfx-2026' }), { path: PFX, thumbprint: THUMB }, /^certificate: parameter password is missing$/, false],
      ],
      (p) => ({ thumbprint: THUMB, ...(p.store ? { store: p.store } : {}) }),
    );
  });

  describe('iis_app_pool', () => {
    const pool = { name: 'CortexGateway' };
    run(
      'iis_app_pool',
      [
        ['create a pool with IIS defaults', web(), pool, null, true],
        ['create: no managed code, classic, NetworkService, stopped', web(), { name: 'Legacy', runtime: '', pipeline: 'classic', identity: 'NetworkService', state: 'stopped' }, null, true],
        ['create as a SpecificUser', web(), { name: 'Svc', identity: 'SpecificUser', user: 'CORP\\svc-gateway', password: 'P00l!' }, null, true],
        ['a stopped classic pool: pipeline, started', web({ pools: [{ name: 'CortexGateway', pipeline: 'Classic', state: 'Stopped' }] }), pool, null, true],
        ['already as wanted', web({ pools: [{ name: 'CortexGateway' }] }), pool, null, false],
        ['no IIS', web({ noIis: true }), pool, /^iis_app_pool: IIS is not installed on this host/, false],
        ['bad pipeline', web(), { name: 'P', pipeline: 'fast' }, /^iis_app_pool: parameter pipeline must be integrated or classic, not fast$/, false],
      ],
      (p) => ({ name: p.name }),
    );
  });

  describe('iis_site', () => {
    const full = { pools: POOLS, certificates: [CERT] };
    run(
      'iis_site',
      [
        ['create with an https binding and its certificate', web(full), SITE, null, true],
        ['create: an http binding first, the https one added, stopped', web(full), { ...SITE, bindings: [{ protocol: 'http', port: 8080 }, HTTPS], state: 'stopped' }, null, true],
        ['already as wanted', web({ ...full, sites: [DEFAULT_SITE, LIVE] }), SITE, null, false],
        ['cut-over: physicalPath only', web({ ...full, sites: [DEFAULT_SITE, LIVE] }), { ...SITE, physicalPath: V2 }, null, true],
        [
          'renewed certificate: that binding re-certified, an extra binding removed, one added',
          web({ ...full, certificates: [CERT, { ...CERT, thumbprint: RENEWED }], sites: [DEFAULT_SITE, { ...LIVE, bindings: [...LIVE.bindings, { protocol: 'http', bindingInformation: '*:8080:' }] }] }),
          { ...SITE, bindings: [{ ...HTTPS, thumbprint: RENEWED }, { protocol: 'http', port: 80, host: 'gateway.corp.example.com' }] },
          null,
          true,
        ],
        ['SNI turned on, pool changed, started', web({ ...full, sites: [DEFAULT_SITE, { ...LIVE, appPool: 'DefaultAppPool', state: 'Stopped', bindings: [{ ...LIVE.bindings[0]!, sslFlags: 0 }] }] }), SITE, null, true],
        ['no IIS', web({ noIis: true }), SITE, /^iis_site: IIS is not installed on this host/, false],
        ['the site before its certificate', web({ pools: POOLS }), SITE, new RegExp(`^iis_site: the certificate ${THUMB} of binding https \\*:443:gateway\\.corp\\.example\\.com is not in Cert:\\\\LocalMachine\\\\My`), false],
        ['a missing folder', web(full), { ...SITE, physicalPath: 'C:\\inetpub\\nope' }, /^iis_site: the physical path C:\\inetpub\\nope does not exist/, false],
        ['a missing pool', web({ certificates: [CERT] }), SITE, /^iis_site: the application pool CortexGateway does not exist/, false],
        ['a binding the Default Web Site holds', web(full), { ...SITE, bindings: [{ protocol: 'http', port: 80 }] }, /^iis_site: binding http \*:80: is already used by the site Default Web Site/, false],
        ['an empty binding list', web(full), { ...SITE, bindings: [] }, /^iis_site: parameter bindings is empty/, false],
      ],
      (p) => ({ name: p.name }),
    );
  });
});
