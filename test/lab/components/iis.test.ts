/**
 * The lab's IIS (src/lab/components/iis.ts) through the resource models a script run reaches: the
 * Web-Server feature brings IIS (W3SVC, WAS, InetStp, the Default Web Site); URL Rewrite's MSI refuses
 * without IIS (1603) and registers with it; PFX imports with the password check; the site's refusals;
 * and after every Set the Test reads a state whose diff is none (what apply's verify asks).
 */
import { describe, expect, it } from 'vitest';
import { artifactFile } from '../../../src/lab/artifacts/catalog.js';
import { resourceSetHandler } from '../../../src/lab/handlers/resources/set-handler.js';
import { answerRequest } from '../../../src/lab/handlers/resources.test-batch.js';
import type { LabView } from '../../../src/lab/handlers/types.js';
import { resolveProfile } from '../../../src/lab/profile/resolve.js';
import { machineRegistry } from '../../../src/lab/shim/windows-view.js';
import { deriveState } from '../../../src/lab/state/derive.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import { systemFiles } from '../../../src/lab/state/system-files.js';
import { resourceOf, type ResourceTypeName } from '../../../src/resources/index.js';

const NO_LAB: LabView = { hosts: () => [], findHost: () => undefined, getHostState: () => undefined, isUp: () => true, canConnect: () => false };
const THUMB = '916909FF7E3500C69B3B1E8184640F8E907D679C';
const PFX = 'C:\\staging\\gw.pfx';
const MSI = 'C:\\staging\\rewrite_amd64_en-US.msi';
const FOLDER = 'C:\\inetpub\\cortex-gateway\\1.0.0';

function fresh(): LabHostState {
  const r = resolveProfile({ iis: null, features: ['PowerShell'], services: [{ name: 'WinRM' }] });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return deriveState({ name: 'web1', address: '127.0.0.10' }, r.profile, new Date('2026-01-15T10:00:00Z'));
}

function put(st: LabHostState, path: string, id: string): void {
  const f = artifactFile(id);
  st.machine.files[path] = f.sha256;
  st.machine.fileSizes[path] = f.bytes.length;
}

async function set(st: LabHostState, type: ResourceTypeName, params: Record<string, unknown>) {
  const r = await resourceSetHandler(type).run({ host: st.host, state: st, params, lab: NO_LAB, now: () => new Date() });
  if ('raw' in r) throw new Error('raw');
  return r;
}

function read(st: LabHostState, type: ResourceTypeName, params: Record<string, unknown>): unknown {
  const a = answerRequest({ step: 's', resource: type, params }, { machine: st.machine, host: st.host, lab: NO_LAB, now: () => new Date() });
  if ('error' in a) throw new Error(a.error);
  return a.state;
}

/** The planner's diff of the step against what the Test reads now. */
function diff(st: LabHostState, type: ResourceTypeName, params: Record<string, unknown>) {
  const r = resourceOf(type);
  return r.diff(r.params.parse(params), r.state.parse(read(st, type, params)));
}

const pool = { name: 'CortexGateway' };
const site = { name: 'CortexGateway', physicalPath: FOLDER, appPool: 'CortexGateway', bindings: [{ protocol: 'https', port: 443, host: 'gateway.corp.example.com', thumbprint: THUMB, sni: true }] };
const cert = { path: PFX, password: 'Lab-Pfx!2026', thumbprint: THUMB };

async function withIis(): Promise<LabHostState> {
  const st = fresh();
  expect((await set(st, 'windows_feature', { name: 'Web-Server' })).ok).toBe(true);
  return st;
}

describe('lab IIS', () => {
  it('a fresh host has no IIS: pools and sites read absent, their Sets refuse naming the feature', async () => {
    const st = fresh();
    expect(read(st, 'iis_app_pool', pool)).toMatchObject({ iisInstalled: false, exists: false });
    expect(diff(st, 'iis_site', site).action).toBe('create');
    const r = await set(st, 'iis_app_pool', pool);
    expect(r).toMatchObject({ ok: false, error: { message: 'iis_app_pool: IIS is not installed on this host (no HKLM\\SOFTWARE\\Microsoft\\InetStp); install the Web-Server feature in an earlier step' } });
  });

  it('Web-Server brings IIS 10: W3SVC (on WAS) and WAS running, InetStp, DefaultAppPool and the Default Web Site on *:80:', async () => {
    const st = await withIis();
    const m = st.machine;
    expect(m.iis).toEqual({ version: '10.0', urlRewrite: null });
    expect(m.services.find((s) => s.name === 'W3SVC')).toMatchObject({ state: 'Running', startType: 'Automatic', dependsOn: ['WAS'] });
    expect(m.services.find((s) => s.name === 'WAS')).toMatchObject({ state: 'Running' });
    expect(Object.keys(machineRegistry(m)).some((k) => /^SOFTWARE\\Microsoft\\InetStp$/i.test(k))).toBe(true);
    expect(read(st, 'iis_app_pool', { name: 'DefaultAppPool' })).toMatchObject({ exists: true, runtime: 'v4.0', pipeline: 'integrated', state: 'started' });
    expect(read(st, 'iis_site', { name: 'Default Web Site' })).toMatchObject({ exists: true, bindings: [{ protocol: 'http', bindingInformation: '*:80:', certificateHash: null, sslFlags: 0 }] });
  });

  it('URL Rewrite 2.1: 1603 without IIS (nothing installed); with IIS it registers 7.2.1993 and rewrite.dll appears', async () => {
    const st = fresh();
    put(st, MSI, 'urlrewrite-2.1');
    const pkg = { name: 'IIS URL Rewrite Module 2', path: MSI, productCode: '{9BCA2118-F753-4A1E-BCF3-5A820729965C}', version: '7.2.1993' };
    const refused = await set(st, 'package', pkg);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toMatch(/^package: installing IIS URL Rewrite Module 2 failed: msiexec\.exe exited with code 1603: Fatal error during installation\./);
    expect(st.machine.products).toEqual([]);
    expect((await set(st, 'windows_feature', { name: 'Web-Server' })).ok).toBe(true);
    expect((await set(st, 'package', pkg)).ok).toBe(true);
    expect(st.machine.iis?.urlRewrite).toBe('7.2.1993');
    expect(systemFiles(st.machine).some((f) => /\\inetsrv\\rewrite\.dll$/i.test(f.path))).toBe(true);
    expect(diff(st, 'package', pkg).action).toBe('none');
  });

  it('certificate: a wrong password is refused with Windows text; the right one imports it with its key, not exportable', async () => {
    const st = await withIis();
    put(st, PFX, 'cortex-gateway-pfx-2026');
    const wrong = await set(st, 'certificate', { ...cert, password: 'nope' });
    expect(wrong).toMatchObject({ ok: false, error: { message: `certificate: importing ${PFX} into Cert:\\LocalMachine\\My failed: The PFX file you are trying to import requires either a different password or membership in an Active Directory principal to which it is protected.` } });
    expect(st.machine.certificates ?? []).toEqual([]);
    const ok = await set(st, 'certificate', cert);
    expect(ok).toMatchObject({ ok: true, data: { message: `imported ${THUMB} (CN=gateway.corp.example.com) into Cert:\\LocalMachine\\My` } });
    expect(st.machine.certificates).toEqual([expect.objectContaining({ thumbprint: THUMB, hasPrivateKey: true, exportable: false })]);
    expect(diff(st, 'certificate', { ...cert, password: 'env:X' }).action).toBe('none');
  });

  it('certificate: another PFX than the thumbprint says, and a file that is no PFX the lab knows', async () => {
    const st = await withIis();
    put(st, PFX, 'cortex-gateway-pfx-2027');
    expect(await set(st, 'certificate', cert)).toMatchObject({ ok: false, error: { message: `certificate: ${PFX} holds 1020DD39520EE071380924C693D20186B6F4DE89, not the expected ${THUMB}; check the step's thumbprint or the file` } });
    put(st, PFX, 'lab-sample-1.0.0');
    const r = await set(st, 'certificate', cert);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/not emulated by the lab/);
  });

  it("the site's refusals: missing folder, missing pool, certificate not in LocalMachine\\My, a binding another site holds", async () => {
    const st = await withIis();
    const err = async (p: Record<string, unknown>) => {
      const r = await set(st, 'iis_site', p);
      return r.ok ? 'ok' : r.error.message;
    };
    expect(await err(site)).toBe(`iis_site: the physical path ${FOLDER} does not exist; create it in an earlier step (archive or directory)`);
    st.machine.directories.push(FOLDER);
    expect(await err(site)).toBe('iis_site: the application pool CortexGateway does not exist; create it in an earlier step (iis_app_pool)');
    expect((await set(st, 'iis_app_pool', pool)).ok).toBe(true);
    expect(await err(site)).toBe(`iis_site: the certificate ${THUMB} of binding https *:443:gateway.corp.example.com is not in Cert:\\LocalMachine\\My; import it in an earlier step (certificate)`);
    expect(await err({ ...site, bindings: [{ protocol: 'http', port: 80 }] })).toBe('iis_site: binding http *:80: is already used by the site Default Web Site; two sites cannot listen on the same binding');
    expect(read(st, 'iis_site', site)).toMatchObject({ exists: false });
  });

  it('pool and site created, then converged: the Test after each Set diffs to none; a cut-over changes physicalPath only', async () => {
    const st = await withIis();
    put(st, PFX, 'cortex-gateway-pfx-2026');
    st.machine.directories.push(FOLDER, 'C:\\inetpub\\cortex-gateway\\1.1.0');
    expect((await set(st, 'certificate', cert)).ok).toBe(true);
    expect(await set(st, 'iis_app_pool', pool)).toMatchObject({ ok: true, data: { message: 'app pool CortexGateway: created' } });
    expect(diff(st, 'iis_app_pool', pool).action).toBe('none');
    expect(await set(st, 'iis_site', site)).toMatchObject({ ok: true, data: { message: `site CortexGateway: created, certificate ${THUMB} on https *:443:gateway.corp.example.com` } });
    expect(diff(st, 'iis_site', site).action).toBe('none');
    const again = await set(st, 'iis_site', site);
    expect(again).toMatchObject({ ok: true, changed: false, data: { message: 'site CortexGateway: nothing to change' } });
    const cutOver = { ...site, physicalPath: 'C:\\inetpub\\cortex-gateway\\1.1.0' };
    expect(diff(st, 'iis_site', cutOver)).toEqual({ action: 'update', from: { physicalPath: FOLDER }, to: { physicalPath: 'C:\\inetpub\\cortex-gateway\\1.1.0' } });
    expect(await set(st, 'iis_site', cutOver)).toMatchObject({ ok: true, data: { message: 'site CortexGateway: physicalPath C:\\inetpub\\cortex-gateway\\1.1.0' } });
    expect(diff(st, 'iis_site', cutOver).action).toBe('none');
  });
});
