/**
 * Issue 12's fresh install, end to end, with the built CLI: playbooks/cortex.yaml (what it holds today)
 * on the Bronze site (examples/lab/inventory.yaml, 7 hosts) and the Gold site
 * (examples/lab/gold-inventory.yaml, 11 hosts), each moved to a loopback block this file claims.
 * For each: lab up, the lab's synthetic artifacts into a temporary store (artifacts add), plan (changes
 * pending), apply from nothing (preflight gate included), apply again (0 changed, 0 Set calls on any
 * host, by the lab's own counters), plan (nothing pending). The wall time and the Set calls per
 * component (the playbook's phases) are printed and written to .cortex/e2e/cortex-install-<site>.json.
 * Then host prep on a server whose .NET is older than 4.7.1: the 4.8 offline installer and its reboot.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import { loadPlaybook } from '../../src/engine/playbook/loader.js';
import { drainStepsOf, stepsOf } from '../../src/engine/playbook/types.js';
import { cliIn, labStatusOf, stepCountersOf, type ApplyDoc } from '../helpers/detached-lab.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { CORTEX_PLAYBOOK, INSTALL_SECRETS, labArtifactStore } from '../helpers/cortex-install.js';
import { REPO_ROOT } from '../helpers/pwsh.js';

const PASSWORD = 'E2e-Cortex!2026-install';
const ENV = { CORTEX_LAB_PASSWORD: PASSWORD, CORTEX_REBOOT_POLL_MS: '300', ...INSTALL_SECRETS };
const work = mkdtempSync(join(tmpdir(), 'cx-e2e-install-'));
// One loopback block per site (each /24 holds a whole site).
const blocks = { bronze: await claimLoopbackBlock(import.meta.url), gold: await claimLoopbackBlock(import.meta.url), dotnet: await claimLoopbackBlock(import.meta.url) };


/** The lab example's synthetic NServiceBus licence (components.nservicebus.license: file:nservicebus-license.xml) next to a relocated inventory. */
const LAB_LICENSE = join(REPO_ROOT, 'examples', 'lab', 'nservicebus-license.xml');
function withLabLicense(inv: string): string {
  copyFileSync(LAB_LICENSE, join(dirname(inv), 'nservicebus-license.xml'));
  return inv;
}
/** The licence as the install writes it: the file's text without its last newline (a secret file's rule), UTF-8. */
const LAB_LICENSE_SHA256 = createHash('sha256').update(readFileSync(LAB_LICENSE, 'utf8').replace(/\r?\n$/, ''), 'utf8').digest('hex');

/** What this file reads of a lab machine's saved state. */
interface LabMachineView {
  /** Path → SHA-256 (the lab keeps files as hashes). */
  files: Record<string, string>;
  services: Array<{ name: string; state: string }>;
  sqlDatabases: Array<{ name: string; schemaVersions: string[] }>;
  iis?: { sites?: Array<{ name: string; physicalPath: string; appPool: string }> } | null;
}

const sites = [
  { site: 'bronze', file: 'examples/lab/inventory.yaml', prefix: '127.0.1.', hosts: 7, app: 3 },
  { site: 'gold', file: 'examples/lab/gold-inventory.yaml', prefix: '127.0.2.', hosts: 11, app: 7 },
] as const;

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
  rmSync(work, { recursive: true, force: true });
}, 120_000);

for (const s of sites) {
  describe(`cortex.yaml on the ${s.site} site (${s.hosts} hosts)`, () => {
    const net = blocks[s.site];
    const dir = mkdtempSync(join(work, `${s.site}-`));
    const inv = withLabLicense(relocatedCopy(join(REPO_ROOT, s.file), [s.prefix], net));
    const state = join(dir, 'lab-state');
    const store = join(dir, 'store');
    const cli = cliIn(dir, ENV);
    const labStatus = () => labStatusOf(cli, state);
    cleanups.push(async () => {
      await cli(['lab', 'down', '--state', state]);
    });

    it('fresh install from nothing, then a second apply that changes nothing; wall time and Set calls per component recorded', async () => {
      const up = await cli(['lab', 'up', '-i', inv, '--detach', '--state', state]);
      expect(up.exitCode, up.stderr).toBe(0);
      expect(up.stdout).toContain(`${s.hosts} hosts, ${s.hosts} up`);
      expect(await labArtifactStore(dir)).toEqual(expect.arrayContaining(['dotnetFramework 4.8', 'erlang 27.3.4', 'nssm 2.24-101', 'gobetween 0.8.2']));

      const pending = await cli(['plan', '-i', inv, '-p', CORTEX_PLAYBOOK, '--store', store, '--detailed-exitcode', '--json']);
      expect(pending.exitCode, pending.stderr).toBe(2);
      const planned = JSON.parse(pending.stdout) as { changes: Array<{ host: string; step: string; action: string }>; summary: Record<string, number> };
      expect(planned.summary).toMatchObject({ hosts: s.hosts, errors: 0, unreachable: 0 });

      const t0 = Date.now();
      const first = await cli(['apply', '-i', inv, '-p', CORTEX_PLAYBOOK, '--store', store, '--json']);
      const wallMs = Date.now() - t0;
      expect(first.exitCode, first.stderr).toBe(0);
      expect(first.stderr).toContain(`Preflight passed on ${s.hosts} hosts`);
      const doc = JSON.parse(first.stdout) as ApplyDoc;
      expect(doc.summary).toMatchObject({ hosts: s.hosts, failed: 0, unreachable: 0 });
      const installed = await labStatus();

      // Each step changed its host once (one Set) or found it already so (no Set: the lab's profile has
      // some IIS features); the lab's counters agree with the CLI's report.
      const pb = await loadPlaybook(CORTEX_PLAYBOOK, await loadInventory(inv), { store });
      // A phase's drain steps run on the load balancer, recorded as <step>@<web server>.
      const phaseOf = new Map([...stepsOf(pb), ...drainStepsOf(pb)].map((st) => [st.id, st.phase]));
      // A handler runs at the end of the phase of the step that notified it (the licence's restart handler: rabbitmq-cluster).
      for (const st of stepsOf(pb)) for (const n of st.notify) if (!phaseOf.has(n)) phaseOf.set(n, st.phase);
      const perComponent: Record<string, number> = {};
      let setCalls = 0;
      for (const h of doc.hosts) {
        const counters = stepCountersOf(installed, h.name);
        for (const st of h.steps) {
          if (st.status === 'skipped') continue;
          expect(['changed', 'ok'], `${h.name} ${st.id}`).toContain(st.status);
          const sets = counters[st.id]?.setCalls ?? 0;
          expect(sets, `${h.name} ${st.id}: Set calls`).toBe(st.status === 'changed' ? 1 : 0);
          expect(counters[st.id]?.setFailures ?? 0, `${h.name} ${st.id}`).toBe(0);
          const phase = phaseOf.get(st.id.replace(/@.*$/, '')) ?? st.id;
          perComponent[phase] = (perComponent[phase] ?? 0) + sets;
          setCalls += sets;
        }
      }
      // The host-level count also holds one upload (runner.receive-file) per staged artifact.
      const uploads = doc.hosts.flatMap((h) => h.steps).filter((st) => st.id.startsWith('stage-') && st.status === 'changed').length;
      // Erlang and RabbitMQ on each app server; NServiceBus's tool, Service Fabric and the Cortex apps on the
      // first; the database scripts; URL Rewrite, the Gateway and its PFX on each web server; NSSM, gobetween.
      const web = s.hosts - s.app - 2;
      expect(uploads).toBe(2 * s.app + 3 + 1 + 3 * web + 2);
      expect(installed.hosts.reduce((n, h) => n + h.counters.setCalls, 0)).toBe(setCalls + uploads);
      for (const h of installed.hosts) expect(h.counters.openShells, h.name).toBe(0);
      // Every phase of the install changed something on a fresh site; the upgrade phase (docs/upgrades.md) has nothing to roll.
      const upgradeOnly = ['rabbitmq-upgrade'];
      expect(perComponent['rabbitmq-upgrade'] ?? 0).toBe(0);
      delete perComponent['rabbitmq-upgrade'];
      expect(Object.keys(perComponent).sort()).toEqual(pb.phases.map((p) => p.name).filter((n) => !upgradeOnly.includes(n)).sort());
      for (const [phase, n] of Object.entries(perComponent)) expect(n, phase).toBeGreaterThan(0);
      // Read back from the lab: one RabbitMQ cluster of every app server, running; the Service Fabric
      // cluster over the same servers, quorum kept; no group ever lost its quorum.
      const apps = installed.hosts.filter((h) => h.name.startsWith('app')).map((h) => h.name);
      const rabbit = installed.clusters.find((c) => c.kind === 'rabbitmq');
      expect(rabbit).toMatchObject({ members: apps, running: apps, quorumLost: false });
      expect(installed.clusters.find((c) => c.kind === 'service-fabric')).toMatchObject({ members: apps, quorumLost: false });
      // The Gateway site on each web server, bound to the certificate; gobetween running on the balancer; the schema at 1.0.0.
      const machine = (name: string) => (JSON.parse(readFileSync(join(state, 'hosts', `${name}.json`), 'utf8')) as { state: { machine: LabMachineView } }).state.machine;
      for (const h of installed.hosts.filter((x) => x.name.startsWith('web'))) {
        const site = machine(h.name).iis?.sites?.find((x) => x.name === 'CortexGateway');
        expect(site, h.name).toMatchObject({ physicalPath: 'C:\\inetpub\\cortex-gateway\\1.0.0', appPool: 'CortexGateway' });
      }
      expect(machine('lb1').services.find((x) => x.name === 'gobetween')).toMatchObject({ state: 'Running' });
      // NServiceBus's licence, machine-wide on every app server; the plan and the report never hold its text.
      for (const a of apps) expect(machine(a).files['C:\\ProgramData\\ParticularSoftware\\license.xml'], a).toBe(LAB_LICENSE_SHA256);
      const licenseText = readFileSync(LAB_LICENSE, 'utf8');
      for (const out of [pending.stdout, first.stdout, first.stderr]) expect(out).not.toContain(licenseText.slice(licenseText.indexOf('<license')));
      expect(machine('db1').sqlDatabases).toContainEqual(expect.objectContaining({ name: 'Cortex', schemaVersions: ['1.0.0'] }));

      // Apply again: nothing to change, no Set anywhere, and the plan agrees.
      const reset = await cli(['lab', 'reset-counters', '--state', state]);
      expect(reset.exitCode, reset.stderr).toBe(0);
      const t1 = Date.now();
      const again = await cli(['apply', '-i', inv, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
      const noChangeMs = Date.now() - t1;
      expect(again.exitCode, again.stderr).toBe(0);
      expect((JSON.parse(again.stdout) as ApplyDoc).summary).toMatchObject({ hosts: s.hosts, changed: 0, failed: 0, unreachable: 0 });
      const after = await labStatus();
      for (const h of after.hosts) {
        expect(h.counters.setCalls, `${h.name}: Set calls in the second apply`).toBe(0);
        expect(Object.values(stepCountersOf(after, h.name)).reduce((n, x) => n + x.testCalls, 0), h.name).toBeGreaterThan(0);
      }
      const clean = await cli(['plan', '-i', inv, '-p', CORTEX_PLAYBOOK, '--store', store, '--detailed-exitcode']);
      expect(clean.exitCode, clean.stderr).toBe(0);

      const record = { site: s.site, hosts: s.hosts, playbook: 'playbooks/cortex.yaml', freshInstallWallMs: wallMs, noChangeApplyWallMs: noChangeMs, setCalls, setCallsPerComponent: perComponent };
      mkdirSync(join(REPO_ROOT, '.cortex', 'e2e'), { recursive: true });
      writeFileSync(join(REPO_ROOT, '.cortex', 'e2e', `cortex-install-${s.site}.json`), `${JSON.stringify(record, null, 2)}\n`);
      console.log(`cortex-install ${s.site}: ${JSON.stringify(record)}`);
    }, 600_000);
  });
}

describe('host prep on a server with .NET 4.7 (the Bronze site, app2 on the lab preset dotnet-4.7, dotnet.version waived)', () => {
  const net = blocks.dotnet;
  const dir = mkdtempSync(join(work, 'dotnet-'));
  const state = join(dir, 'lab-state');
  const store = join(dir, 'store');
  const cli = cliIn(dir, ENV);
  cleanups.push(() => cli(['lab', 'down', '--state', state]));

  it('.NET 4.8 is staged and installed on that host only, which reboots once (3010); a second apply changes nothing', async () => {
    const variant = join(dir, 'inventory.yaml');
    const bronze = readFileSync(join(REPO_ROOT, 'examples/lab/inventory.yaml'), 'utf8');
    expect(bronze).toContain('app2: { address: 127.0.1.4 }');
    writeFileSync(variant, bronze.replace('app2: { address: 127.0.1.4 }', 'app2: { address: 127.0.1.4, lab: { preset: dotnet-4.7 } }'));
    const inv = withLabLicense(relocatedCopy(variant, ['127.0.1.'], net));
    const up = await cli(['lab', 'up', '-i', inv, '--detach', '--state', state]);
    expect(up.exitCode, up.stderr).toBe(0);
    await labArtifactStore(dir);

    // The preflight gate refuses app2 (dotnet.version): the very thing host prep fixes. The inventory
    // waives that check for app2, with the reason, and the gate lets the install through.
    const gate = await cli(['apply', '-i', inv, '-p', CORTEX_PLAYBOOK, '--store', store]);
    expect(gate.exitCode).toBe(1);
    expect(gate.stderr).toMatch(/app2/);
    const waived = join(dir, 'waived', 'inventory.yaml');
    mkdirSync(join(dir, 'waived'));
    writeFileSync(waived, readFileSync(inv, 'utf8').replace(/app2: \{ address: ([0-9.]+), lab: \{ preset: dotnet-4\.7 \} \}/, "app2: { address: $1, lab: { preset: dotnet-4.7 }, waivers: [ { check: dotnet.version, reason: 'host prep installs .NET 4.8' } ] }"));
    expect(readFileSync(waived, 'utf8')).toContain('check: dotnet.version');
    withLabLicense(waived);
    const first = await cli(['apply', '-i', waived, '-p', CORTEX_PLAYBOOK, '--store', store, '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/Preflight passed on 7 hosts/);
    const doc = JSON.parse(first.stdout) as ApplyDoc;
    for (const h of doc.hosts) {
      const st = Object.fromEntries(h.steps.map((x) => [x.id, x]));
      if (h.name === 'app2') {
        expect(st['stage-dotnet']).toMatchObject({ status: 'changed' });
        expect(st.dotnet48).toMatchObject({ status: 'changed', message: 'rebooted' });
      } else {
        expect(st['stage-dotnet']?.status, h.name).toBe('skipped');
        expect(st.dotnet48?.status, h.name).toBe('skipped');
      }
    }
    const status = await labStatusOf(cli, state);
    for (const h of status.hosts) expect(h.counters.reboots, h.name).toBe(h.name === 'app2' ? 1 : 0);

    expect((await cli(['lab', 'reset-counters', '--state', state])).exitCode).toBe(0);
    const again = await cli(['apply', '-i', waived, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as ApplyDoc).summary).toMatchObject({ changed: 0, failed: 0 });
    const after = await labStatusOf(cli, state);
    for (const h of after.hosts) expect(h.counters.setCalls + h.counters.reboots, h.name).toBe(0);
  }, 600_000);
});
