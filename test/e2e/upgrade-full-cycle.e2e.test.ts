/**
 * Issue 13's "Must show", the full cycle, end to end with the built CLI on the Bronze lab
 * (examples/lab/inventory.yaml, 7 hosts, moved to a loopback block this file claims): install at every
 * component's first lab version (`lab versions`); a skipped RabbitMQ series refused at plan time; then
 * EVERY component with a second lab version bumped at once (Erlang, RabbitMQ, Service Fabric, NServiceBus's
 * transport tool, gobetween, the Cortex release: its applications, database scripts and Gateway, and the
 * Gateway's certificate). The plan shows the order (the RabbitMQ roll one app server at a time, before
 * Service Fabric's code upgrade, then the applications, then the Gateway one web server at a time); an
 * apply with app2's node not coming back stops the roll there with a clear report, every cluster
 * quorate; the fault cleared, a plain re-apply (docs/upgrades.md) continues and finishes; every node at
 * B, never more than one node of any cluster down for the whole run, no quorum lost; a last apply
 * changes nothing and makes no Set call. Parts of this are in upgrade.e2e.test.ts (RabbitMQ, Erlang)
 * and upgrade-sf-web.e2e.test.ts (Service Fabric's own failure and rollback, the Gateway).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addArtifact } from '../../src/artifacts/store.js';
import type { PlanJson } from '../../src/report/plan-reports.js';
import { detachedLab, stepCountersOf, type ApplyDoc } from '../helpers/detached-lab.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { CORTEX_PLAYBOOK, INSTALL_SECRETS, labArtifactStore } from '../helpers/cortex-install.js';
import { REPO_ROOT } from '../helpers/pwsh.js';

const net = await claimLoopbackBlock(import.meta.url);
const invA = relocatedCopy(join(REPO_ROOT, 'examples/lab/inventory.yaml'), ['127.0.1.'], net);
const lab = detachedLab({
  name: 'upgrade-full',
  inventory: invA,
  env: { CORTEX_LAB_PASSWORD: 'E2e-Cortex!2026-full-cycle', CORTEX_REBOOT_POLL_MS: '300', ...INSTALL_SECRETS },
});
const store = join(lab.work, 'store');
const APP = ['app1', 'app2', 'app3'];
const WEB = ['web1', 'web2'];
const THUMB_2026 = '916909FF7E3500C69B3B1E8184640F8E907D679C';
const THUMB_2027 = '1020DD39520EE071380924C693D20186B6F4DE89';


/** The inventory with some text replaced, written beside it (it names the lab's licence relative to itself). */
function edited(name: string, edits: Array<[string, string]>): string {
  let text = readFileSync(invA, 'utf8');
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`the lab inventory has no ${from}`);
    text = text.replace(from, to);
  }
  const file = join(dirname(invA), name);
  writeFileSync(file, text);
  return file;
}

interface Machine {
  products: Array<{ uninstallKey?: string; version: string }>;
  /** Path -> SHA-256. */
  files: Record<string, string>;
  certificates?: Array<{ thumbprint: string }>;
  serviceFabric?: { codeVersion: string; cluster: { applications: Array<{ name: string; typeVersion: string }> } } | null;
  iis?: { sites?: Array<{ name: string; physicalPath: string; bindings?: Array<{ certificateHash?: string }> }> } | null;
  sqlDatabases?: Array<{ name: string; schemaVersions: string[] }>;
  services: Array<{ name: string; state: string }>;
}
const machine = (host: string) => (JSON.parse(readFileSync(join(lab.state, 'hosts', `${host}.json`), 'utf8')) as { state: { machine: Machine } }).state.machine;
const product = (host: string, key: string) => machine(host).products.find((p) => p.uninstallKey === key)?.version;
const fileSha = (host: string, path: string) => Object.entries(machine(host).files).find(([p]) => p.toLowerCase() === path.toLowerCase())?.[1];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const stepOf = (doc: ApplyDoc, host: string, id: string) => doc.hosts.find((h) => h.name === host)?.steps.find((s) => s.id === id);
const apply = (inv: string) => lab.cli(['apply', '-i', inv, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);

/** What a host runs, component by component, as the lab's machine holds it. */
function versionsOn(host: string): Record<string, unknown> {
  const m = machine(host);
  if (APP.includes(host)) {
    return {
      erlang: product(host, 'Erlang OTP'),
      rabbitmq: product(host, 'RabbitMQ'),
      serviceFabric: m.serviceFabric?.codeVersion,
      cortexApps: m.serviceFabric?.cluster.applications.find((a) => a.name === 'fabric:/Cortex')?.typeVersion,
    };
  }
  if (WEB.includes(host)) {
    const site = m.iis?.sites?.find((s) => s.name === 'CortexGateway');
    return { gatewayFolder: site?.physicalPath, certificate: site?.bindings?.[0]?.certificateHash?.toUpperCase() };
  }
  if (host === 'lb1') return { gobetween: fileSha(host, 'C:\\Program Files\\gobetween\\gobetween.exe') };
  return { database: machine(host).sqlDatabases?.find((d) => d.name === 'Cortex')?.schemaVersions.at(-1) };
}
const atVersion = (v: { erlang: string; rabbitmq: string; sf: string; cortex: string; gobetween: string; thumb: string }) => (host: string) =>
  APP.includes(host)
    ? { erlang: v.erlang, rabbitmq: v.rabbitmq, serviceFabric: v.sf, cortexApps: v.cortex }
    : WEB.includes(host)
      ? { gatewayFolder: `C:\\inetpub\\cortex-gateway\\${v.cortex}`, certificate: v.thumb }
      : host === 'lb1'
        ? { gobetween: sha256(`lab synthetic gobetween ${v.gobetween} windows/amd64`) }
        : { database: v.cortex };
const A = atVersion({ erlang: '27.3.4', rabbitmq: '4.1.4', sf: '10.1.1541.9590', cortex: '1.0.0', gobetween: '0.8.2', thumb: THUMB_2026 });
const B = atVersion({ erlang: '27.3.4.2', rabbitmq: '4.2.1', sf: '10.1.2448.9590', cortex: '1.1.0', gobetween: '0.8.3', thumb: THUMB_2027 });
const HOSTS = [...WEB, ...APP, 'db1', 'lb1'];

describe('the full upgrade cycle on the Bronze lab, every version bumped at once', () => {
  it('install at A; an unsupported jump refused; bump all to B: plan shows the order; a node failing mid-upgrade stops the roll; a re-run finishes; 0 changed after', async () => {
    // Every component at its first lab version in the inventory; the ones with a second version are bumped.
    const versions = JSON.parse((await lab.cli(['lab', 'versions', '--json'])).stdout) as Record<string, string[]>;
    const invText = readFileSync(invA, 'utf8');
    for (const [k, vs] of Object.entries(versions)) if (invText.includes(`\n      ${k}: `)) expect(invText, k).toContain(`${k}: "${vs[0]}"`);
    const bumps = Object.entries(versions).filter(([k, vs]) => vs.length > 1 && invText.includes(`\n      ${k}: `));
    expect(bumps.map(([k]) => k).sort()).toEqual(['cortex', 'erlang', 'gatewayCertificate', 'gobetween', 'nservicebusRabbitMq', 'rabbitmq', 'serviceFabric']);

    await labArtifactStore(lab.work);
    const install = await lab.cli(['apply', '-i', invA, '-p', CORTEX_PLAYBOOK, '--store', store, '--json']);
    expect(install.exitCode, install.stderr).toBe(0);
    for (const h of HOSTS) expect(versionsOn(h), h).toEqual(A(h));

    // 4.1 -> 4.3 skips 4.2: refused at plan time, with the series to take first.
    writeFileSync(join(lab.work, 'files', 'rabbitmq-server-4.3.3.exe'), 'not an installer: a version for the refused jump\n');
    await addArtifact(store, join(lab.work, 'files', 'rabbitmq-server-4.3.3.exe'), { name: 'rabbitmq', version: '4.3.3' });
    const jump = await lab.cli(['plan', '-i', edited('jump.yaml', [['rabbitmq: "4.1.4"', 'rabbitmq: "4.3.3"']]), '-p', CORTEX_PLAYBOOK, '--store', store]);
    expect(jump.exitCode, jump.stderr).toBe(3);
    expect(jump.stdout).toMatch(/refused: RabbitMQ 4\.1\.4 -> 4\.3\.3 skips a minor series .*upgrade to 4\.2\.x first/);

    // Version B: every bumped component to its second lab version (the renewed certificate with its thumbprint).
    const invB = edited('inventory-b.yaml', [...bumps.map(([k, vs]): [string, string] => [`${k}: "${vs[0]}"`, `${k}: "${vs[1]}"`]), [THUMB_2026, THUMB_2027]]);

    const plan = await lab.cli(['plan', '-i', invB, '-p', CORTEX_PLAYBOOK, '--store', store, '--json', '--detailed-exitcode']);
    expect(plan.exitCode, plan.stderr).toBe(2);
    const doc = JSON.parse(plan.stdout) as PlanJson;
    expect(doc.problems).toEqual([]);
    // The upgrades, in the order apply takes them: the RabbitMQ roll (Erlang on the same node), one app server at a time.
    const roll = (c: string) => doc.upgrades.find((u) => u.component === c);
    for (const [c, from, to] of [['rabbitmq', '4.1.4', '4.2.1'], ['erlang', '27.3.4', '27.3.4.2']] as const) {
      expect(roll(c), c).toMatchObject({ from: [from], to, phase: 'rabbitmq-upgrade', step: 'rabbitmq-roll', atOnce: 1 });
      expect(roll(c)!.hosts, c).toEqual(APP.map((host, wave) => ({ host, from, wave })));
    }
    // Then Service Fabric's code and the Cortex applications: monitored upgrades started from the deploy
    // node, which walk the upgrade domains one at a time; the list is in apply's order.
    const domains = { unit: 'upgrade domain', order: [expect.stringMatching(/ \(app1\)$/), expect.stringMatching(/ \(app2\)$/), expect.stringMatching(/ \(app3\)$/)] };
    expect(roll('serviceFabric')).toMatchObject({ from: ['10.1.1541.9590'], to: '10.1.2448.9590', phase: 'service-fabric', step: 'sf-cluster', atOnce: 1, hosts: [{ host: 'app1', from: '10.1.1541.9590', wave: 0 }], within: domains });
    expect(roll('cortex')).toMatchObject({ from: ['1.0.0'], to: '1.1.0', phase: 'cortex-applications', step: 'cortex-apps', atOnce: 1, hosts: [{ host: 'app1', from: '1.0.0', wave: 0 }], within: domains });
    expect(doc.upgrades.map((u) => u.component)).toEqual(['rabbitmq', 'erlang', 'serviceFabric', 'cortex']);
    // Every bumped component's change, on the hosts that run it, from -> to.
    const change = (host: string, step: string) => doc.changes.find((c) => c.host === host && c.step === step);
    for (const h of APP) expect(change(h, 'rabbitmq-roll'), h).toMatchObject({ action: 'update' });
    expect(change('app1', 'sf-cluster')).toMatchObject({ action: 'update', from: { codeVersion: '10.1.1541.9590' }, to: expect.objectContaining({ package: 'C:\\ProgramData\\CortexInstall\\ServiceFabric\\10.1.2448.9590' }) });
    expect(change('app1', 'cortex-apps')).toMatchObject({ action: 'update', from: { typeVersion: '1.0.0' }, to: expect.objectContaining({ typeVersion: '1.1.0' }) });
    expect(change('app1', 'nservicebus-tool')).toMatchObject({ action: 'update' });
    expect(change('db1', 'db-schema')).toMatchObject({ action: 'update' });
    expect(change('lb1', 'gobetween')).toMatchObject({ action: 'update' });
    // gobetween.exe is the running service's program: the extraction stops the service, the step after starts it.
    expect(change('lb1', 'gobetween-running')).toMatchObject({ action: 'update', to: { knownAfter: ['gobetween'], now: 'running' } });
    for (const h of WEB) {
      expect(change(h, 'gateway-certificate'), h).toMatchObject({ action: 'create' });
      expect(change(h, 'gateway-unpack'), h).toMatchObject({ action: 'create' });
      expect(change(h, 'gateway-site'), h).toMatchObject({ action: 'update' });
    }
    // The order on the app servers: the roll, then Service Fabric's code, then the applications (docs/playbooks.md).
    const order = (host: string) => doc.changes.filter((c) => c.host === host && c.action !== 'none').map((c) => c.step);
    const app1 = order('app1');
    expect(app1.indexOf('rabbitmq-roll')).toBeLessThan(app1.indexOf('sf-cluster'));
    expect(app1.indexOf('sf-cluster')).toBeLessThan(app1.indexOf('cortex-apps'));
    const text = await lab.cli(['plan', '-i', invB, '-p', CORTEX_PLAYBOOK, '--store', store]);
    expect(text.stdout).toContain('  rabbitmq: 4.1.4 -> 4.2.1 (phase rabbitmq-upgrade, step rabbitmq-roll): one host at a time: app1, then app2, then app3');
    expect(text.stdout).toMatch(/\n {2}serviceFabric: 10\.1\.1541\.9590 -> 10\.1\.2448\.9590 \(phase service-fabric, step sf-cluster\): from app1, one upgrade domain at a time: \S+ \(app1\), then \S+ \(app2\), then \S+ \(app3\)\n/);
    expect(text.stdout).toMatch(/\n {2}cortex: 1\.0\.0 -> 1\.1\.0 \(phase cortex-applications, step cortex-apps\): from app1, one upgrade domain at a time: \S+ \(app1\), then \S+ \(app2\), then \S+ \(app3\)\n/);
    expect(text.stdout).toContain('  ~ gobetween-running: service gobetween (known after apply of gobetween; now: running)');

    // app2's RabbitMQ node does not come back after its upgrade: the roll stops there; nothing after it runs.
    await lab.lab(['reset-counters']);
    await lab.lab(['fault', 'app2:fail-rabbitmq-upgrade:once']);
    const failed = await apply(invB);
    expect(failed.exitCode, failed.stderr).toBe(1);
    const failedDoc = JSON.parse(failed.stdout) as ApplyDoc;
    expect(stepOf(failedDoc, 'app2', 'rabbitmq-roll')).toMatchObject({ status: 'failed', message: expect.stringMatching(/await_startup on rabbit@app2 failed/) });
    expect(stepOf(failedDoc, 'app3', 'rabbitmq-roll')?.status ?? 'not run').not.toBe('changed');
    for (const s of ['sf-cluster', 'cortex-apps']) expect(stepOf(failedDoc, 'app1', s)?.status ?? 'not run', s).not.toBe('changed');
    expect(versionsOn('app1')).toMatchObject({ erlang: '27.3.4.2', rabbitmq: '4.2.1', serviceFabric: '10.1.1541.9590' });
    expect(versionsOn('app3')).toEqual(A('app3'));
    const mid = await lab.status();
    for (const c of mid.clusters) expect(c.quorumLost ?? false, c.name).toBe(false);
    expect(mid.clusters.find((c) => c.kind === 'rabbitmq')!.downNow).toEqual(['app2']);

    // The fault cleared, apply again: app2 started again, app3 rolled, then everything else.
    await lab.lab(['fault', 'app2:clear']);
    const rerun = await apply(invB);
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    const rerunDoc = JSON.parse(rerun.stdout) as ApplyDoc;
    expect(rerunDoc.summary).toMatchObject({ failed: 0, unreachable: 0 });
    expect(stepOf(rerunDoc, 'app1', 'rabbitmq-roll')?.status).toBe('ok');
    for (const [h, s] of [['app3', 'rabbitmq-roll'], ['app1', 'sf-cluster'], ['app1', 'cortex-apps'], ['lb1', 'gobetween'], ['db1', 'db-schema'], ['web1', 'gateway-site'], ['web2', 'gateway-site']] as const) {
      expect(stepOf(rerunDoc, h, s)?.status, `${h} ${s}`).toBe('changed');
    }
    for (const h of HOSTS) expect(versionsOn(h), h).toEqual(B(h));
    // gobetween.exe is the running service's program, which Windows keeps open (the lab refuses to overwrite
    // it): the gobetween step stopped the service for the extraction, and gobetween-running started it again.
    expect(stepOf(rerunDoc, 'lb1', 'gobetween-running')?.status).toBe('changed');
    expect(machine('lb1').services.find((s) => s.name === 'gobetween')?.state).toBe('Running');
    // The transport tool and the certificate: the new files in place.
    expect(fileSha('app1', 'C:\\Program Files\\NServiceBus.Transport.RabbitMQ.CommandLine\\rabbitmq-transport.exe')).toBe(sha256('lab synthetic rabbitmq-transport 10.2.0 win-x64'));
    for (const h of WEB) expect(machine(h).certificates?.map((c) => c.thumbprint.toUpperCase()), h).toContain(THUMB_2027);

    // The lab's record over both applies: never two members of any cluster down at once, no quorum lost.
    const done = await lab.status();
    expect(done.clusters.map((c) => c.kind).sort()).toEqual(expect.arrayContaining(['rabbitmq', 'service-fabric']));
    for (const c of done.clusters) {
      expect(c.maxDownAtOnce, c.name).toBeLessThanOrEqual(1);
      expect(c.quorumLost ?? false, c.name).toBe(false);
      expect(c.downNow, c.name).toEqual([]);
    }
    for (const kind of ['rabbitmq', 'service-fabric']) expect(done.clusters.find((c) => c.kind === kind)!.maxDownAtOnce, kind).toBe(1);

    // Nothing left to do: 0 changed, and not one Set on any host.
    await lab.lab(['reset-counters']);
    const again = await apply(invB);
    expect(again.exitCode, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as ApplyDoc).summary).toMatchObject({ changed: 0, failed: 0 });
    const after = await lab.status();
    for (const h of HOSTS) {
      const sets = Object.entries(stepCountersOf(after, h)).filter(([, c]) => c.setCalls > 0);
      expect(sets, h).toEqual([]);
    }
  }, 1_200_000);
});
