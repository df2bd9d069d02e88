/**
 * The web servers' install end to end (docs/iis.md): the built CLI applies the IIS phases of
 * test/fixtures/playbooks/components/iis.yaml (as they belong in playbooks/cortex.yaml) to fresh lab web
 * servers (no IIS at all), then again (nothing to change), then shows one refusal: the Gateway site
 * before its certificate. Every claim is read back from the lab: its counters (`lab status --json`) and
 * the hosts' machine state in the lab's state folder.
 *
 * One lab for the file (web1, web2: the install; web3: the refusal); the tests run in order.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactFile } from '../../src/lab/artifacts/catalog.js';
import type { LabStatus } from '../../src/lab/lab.js';
import type { LabMachine } from '../../src/lab/state/types.js';
import { detachedLab, stepCountersOf, type ApplyDoc } from '../helpers/detached-lab.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { REPO_ROOT } from '../helpers/pwsh.js';

const net = await claimLoopbackBlock(import.meta.url);

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'playbooks', 'components');
const PB = join(FIXTURES, 'iis.yaml');
const REFUSAL = join(FIXTURES, 'iis-site-before-certificate.yaml');
const WEB = ['web1', 'web2'];
const PASSWORD = 'E2e-Lab!2026-iis';
/** The password of the lab's synthetic PFX files (src/lab/artifacts/components/iis.ts). */
const PFX_PASSWORD = 'Lab-Pfx!2026';
const THUMBPRINT = '916909FF7E3500C69B3B1E8184640F8E907D679C';

const inv = relocatedCopy(join(FIXTURES, 'iis-inventory.yaml'), ['127.0.60.'], net);
const { work, state, cli, status: labStatus } = detachedLab({
  name: 'iis',
  inventory: inv,
  env: { CORTEX_E2E_LAB_PASSWORD: PASSWORD, CORTEX_GATEWAY_PFX_PASSWORD: PFX_PASSWORD, CORTEX_REBOOT_POLL_MS: '300' },
});

const apply = (pb: string, limit: string) => cli(['apply', '-i', inv, '-p', pb, '--skip-preflight', '--limit', limit, '--json']);

/** A host's machine as the lab keeps it (its state folder). */
function machineOf(host: string): LabMachine {
  return (JSON.parse(readFileSync(join(state, 'hosts', `${host}.json`), 'utf8')) as { state: { machine: LabMachine } }).state.machine;
}

const hostOf = (s: LabStatus, host: string) => s.hosts.find((h) => h.name === host)!;

describe('IIS, URL Rewrite, the certificate and the Gateway site on fresh web servers (spawned CLI)', () => {
  it("the fixture's files are the lab's synthetic artifacts, byte for byte", () => {
    for (const id of ['urlrewrite-2.1', 'cortex-gateway-1.0.0', 'cortex-gateway-pfx-2026']) {
      const f = artifactFile(id);
      expect(readFileSync(join(FIXTURES, 'files', f.artifact.fileName)).equals(f.bytes), id).toBe(true);
    }
  });

  it('fresh: no IIS before; after one apply, the features, W3SVC and WAS, URL Rewrite 2.1, the certificate, the pool and the https site', async () => {
    // Fresh: the plan (every Test, read-only) finds every step to do on both hosts, IIS's Web-Server first.
    const pending = await cli(['plan', '-i', inv, '-p', PB, '--limit', 'web1,web2', '--json']);
    expect(pending.exitCode, pending.stderr).toBe(0);
    const changes = (JSON.parse(pending.stdout) as { changes: Array<{ host: string; step: string; action: string }> }).changes;
    for (const h of WEB) {
      const mine = changes.filter((c) => c.host === h);
      expect(mine.length, h).toBe(33);
      expect(mine.filter((c) => c.action !== 'create').map((c) => c.step), h).toEqual([]);
      expect(existsSync(join(state, 'hosts', `${h}.json`)), `${h}: no Set has changed it yet`).toBe(false);
    }
    const r = await apply(PB, 'web1,web2');
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as ApplyDoc;
    expect(doc.summary).toMatchObject({ hosts: 2, failed: 0, unreachable: 0 });
    // web1's ASP.NET 4.x feature asked for a restart there: the engine rebooted it at once, then went on.
    expect(doc.hosts.find((x) => x.name === 'web1')!.steps.find((s) => s.id === 'iis-web-asp-net45')).toMatchObject({ status: 'changed', message: 'rebooted' });
    const status = await labStatus();
    expect(hostOf(status, 'web1').counters.reboots).toBe(1);
    expect(hostOf(status, 'web2').counters.reboots).toBe(0);
    // The secret reached the host's Set only: never the run's output, journal or logs.
    expect(r.stdout + r.stderr).not.toContain(PFX_PASSWORD);
    const runs = join(work, '.cortex', 'runs');
    for (const run of readdirSync(runs)) {
      for (const f of readdirSync(join(runs, run))) if (existsSync(join(runs, run, f))) expect(readFileSync(join(runs, run, f), 'utf8'), `${run}/${f}`).not.toContain(PFX_PASSWORD);
    }

    for (const h of WEB) {
      const m = machineOf(h);
      expect(m.iis, h).toMatchObject({ version: '10.0', urlRewrite: '7.2.1993' });
      for (const f of ['Web-Server', 'Web-Asp-Net45', 'Web-WebSockets', 'Web-Mgmt-Console', 'Web-Scripting-Tools']) expect(m.features, `${h} ${f}`).toContain(f);
      for (const s of ['W3SVC', 'WAS']) expect(m.services.find((x) => x.name === s), `${h} ${s}`).toMatchObject({ state: 'Running', startType: 'Automatic' });
      expect(m.products.find((p) => p.uninstallKey === '{9BCA2118-F753-4A1E-BCF3-5A820729965C}'), h).toMatchObject({ name: 'IIS URL Rewrite Module 2', version: '7.2.1993' });
      expect(m.certificates, h).toEqual([expect.objectContaining({ store: 'LocalMachine\\My', thumbprint: THUMBPRINT, hasPrivateKey: true, exportable: false })]);
      expect(m.iis!.appPools!.find((p) => p.name === 'CortexGateway'), h).toMatchObject({ runtime: 'v4.0', pipeline: 'Integrated', identity: 'ApplicationPoolIdentity', state: 'Started' });
      const site = m.iis!.sites!.find((s) => s.name === 'CortexGateway');
      expect(site, h).toMatchObject({ physicalPath: 'C:\\inetpub\\cortex-gateway\\1.0.0', appPool: 'CortexGateway', state: 'Started' });
      expect(site!.bindings).toEqual([{ protocol: 'https', bindingInformation: '*:443:gateway.corp.example.com', certificateHash: THUMBPRINT, sslFlags: 1 }]);
      // IIS's own Default Web Site is still there, on *:80:.
      expect(m.iis!.sites!.find((s) => s.name === 'Default Web Site')?.bindings[0]?.bindingInformation, h).toBe('*:80:');
      expect(m.acls['C:\\inetpub\\cortex-gateway\\1.0.0']?.rules, h).toEqual([expect.objectContaining({ identity: 'IIS AppPool\\CortexGateway', rights: 'ReadAndExecute' })]);
      expect(Object.keys(m.files).some((f) => /\\cortex-gateway\\1\.0\.0\\web\.config$/i.test(f)), h).toBe(true);
      // Every step ran its Set once (a feature the Web-Server's management tools brought along excepted).
      const steps = stepCountersOf(status, h);
      for (const id of ['url-rewrite', 'gateway-cert', 'gateway-pool', 'gateway-site', 'gateway-unpack', 'gateway-acl']) expect(steps[id], `${h} ${id}`).toMatchObject({ setCalls: 1, setFailures: 0 });
      expect(steps['iis-web-mgmt-console']?.setCalls ?? 0, h).toBe(0);
    }
  }, 180_000);

  it('re-apply: 0 changed, and not one Set call on either host', async () => {
    const reset = await cli(['lab', 'reset-counters', '--state', state]);
    expect(reset.exitCode, reset.stderr).toBe(0);
    const r = await apply(PB, 'web1,web2');
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as ApplyDoc;
    expect(doc.summary).toMatchObject({ hosts: 2, changed: 0, failed: 0, unreachable: 0 });
    const s = await labStatus();
    for (const h of WEB) {
      expect(hostOf(s, h).counters.setCalls, h).toBe(0);
      expect(hostOf(s, h).counters.reboots, h).toBe(0);
      expect(Object.values(stepCountersOf(s, h)).reduce((n, x) => n + x.testCalls, 0), `${h} did Test`).toBeGreaterThan(0);
    }
  }, 120_000);

  it('refusal: the site before its certificate fails that step on web3, naming the thumbprint and the store; no site is created', async () => {
    const r = await apply(REFUSAL, 'web3');
    expect(r.exitCode).toBe(1);
    const doc = JSON.parse(r.stdout) as ApplyDoc;
    const web3 = doc.hosts.find((h) => h.name === 'web3')!;
    expect(web3.steps.map((s) => [s.id, s.status])).toEqual([
      ['iis-web-server', 'changed'],
      ['gateway-folder', 'changed'],
      ['gateway-pool', 'changed'],
      ['gateway-site', 'failed'],
    ]);
    expect(web3.steps.at(-1)!.message).toBe(
      `iis_site: the certificate ${THUMBPRINT} of binding https *:443:gateway.corp.example.com is not in Cert:\\LocalMachine\\My; import it in an earlier step (certificate)`,
    );
    const m = machineOf('web3');
    expect(m.iis).not.toBeNull();
    expect((m.iis!.sites ?? []).map((s) => s.name)).not.toContain('CortexGateway');
    expect(stepCountersOf(await labStatus(), 'web3')['gateway-site']).toMatchObject({ setCalls: 1, setFailures: 1 });
  }, 120_000);
});
