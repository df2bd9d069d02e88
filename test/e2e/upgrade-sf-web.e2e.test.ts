/**
 * Issue 13's Service Fabric and web-tier upgrades, end to end, with the built CLI: playbooks/cortex.yaml
 * on the Bronze site (examples/lab/inventory.yaml, 7 hosts, moved to a loopback block this file claims).
 * Install at the lab's first versions; then bump Service Fabric, Cortex (its applications and the Gateway)
 * and gobetween in the inventory and apply with a fault on app2 (fail-upgrade): the cluster upgrade fails
 * in app2's upgrade domain, is rolled back, and the report names the domain; the cluster never lost its
 * quorum. Clear the fault and apply again: Service Fabric walked the upgrade domains one at a time (the
 * lab's record: at most one node down at once, quorum kept), the Cortex applications upgraded, the Gateway
 * switched to its new version folder on both web servers, one at a time; a third apply changes nothing.
 * docs/upgrades-service-fabric.md describes the procedure.
 */
import { execa } from 'execa';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LabStatus } from '../../src/lab/lab.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { CORTEX_PLAYBOOK, INSTALL_SECRETS, labArtifactStore } from '../helpers/cortex-install.js';
import { REPO_ROOT } from '../helpers/pwsh.js';
import type { ApplyDoc } from '../helpers/detached-lab.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const PASSWORD = 'E2e-Cortex!2026-upgrade';
const work = mkdtempSync(join(tmpdir(), 'cx-e2e-upgrade-sf-'));
const net = await claimLoopbackBlock(import.meta.url);


interface LabMachineView {
  serviceFabric?: { codeVersion: string; cluster: { applications: Array<{ name: string; typeVersion: string }> } } | null;
  iis?: { sites?: Array<{ name: string; physicalPath: string }> } | null;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('Service Fabric, Cortex applications and the Gateway upgraded on the Bronze site', () => {
  const dir = mkdtempSync(join(work, 'bronze-'));
  const source = readFileSync(join(REPO_ROOT, 'examples/lab/inventory.yaml'), 'utf8');
  const first = join(dir, 'inventory-a.yaml');
  writeFileSync(first, source);
  // The lab example's synthetic licence, which the inventory names beside itself.
  copyFileSync(join(REPO_ROOT, 'examples/lab/nservicebus-license.xml'), join(dir, 'nservicebus-license.xml'));
  const invA = relocatedCopy(first, ['127.0.1.'], net);
  // Version B: the lab's second version of each component this file upgrades (lab versions --json).
  const bumped = source.replace('serviceFabric: "10.1"', 'serviceFabric: "10.1.2448.9590"').replace('cortex: "1.0.0"', 'cortex: "1.1.0"').replace('gobetween: "0.8.2"', 'gobetween: "0.8.3"');
  const second = join(dir, 'inventory-b.yaml');
  writeFileSync(second, bumped);
  const invB = relocatedCopy(second, ['127.0.1.'], net);
  const state = join(dir, 'lab-state');
  const store = join(dir, 'store');
  const cli = (args: string[]) => execa(process.execPath, [CLI, ...args], { reject: false, cwd: dir, env: { NO_COLOR: '1', CORTEX_LAB_PASSWORD: PASSWORD, CORTEX_REBOOT_POLL_MS: '300', ...INSTALL_SECRETS }, all: false });
  const labStatus = async (): Promise<LabStatus> => {
    const r = await cli(['lab', 'status', '--state', state, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as LabStatus;
  };
  const machine = (name: string) => (JSON.parse(readFileSync(join(state, 'hosts', `${name}.json`), 'utf8')) as { state: { machine: LabMachineView } }).state.machine;
  const stepOf = (doc: ApplyDoc, host: string, id: string) => doc.hosts.find((h) => h.name === host)?.steps.find((s) => s.id === id);
  cleanups.push(() => cli(['lab', 'down', '--state', state]));

  it('install at A; bump; a node failing mid-upgrade stops the roll with a clear report; the re-run walks every domain one at a time; then nothing to do', async () => {
    expect(bumped).not.toBe(source);
    const up = await cli(['lab', 'up', '-i', invA, '--detach', '--state', state]);
    expect(up.exitCode, up.stderr).toBe(0);
    await labArtifactStore(dir);
    const install = await cli(['apply', '-i', invA, '-p', CORTEX_PLAYBOOK, '--store', store, '--json']);
    expect(install.exitCode, install.stderr).toBe(0);
    for (const h of ['app1', 'app2', 'app3']) expect(machine(h).serviceFabric?.codeVersion, h).toBe('10.1.1541.9590');

    // The plan at B shows the cluster's code upgrade (the new package is extracted by an earlier step of the
    // apply, so its runtime is read then) and the application's, from -> to.
    const plan = await cli(['plan', '-i', invB, '-p', CORTEX_PLAYBOOK, '--store', store, '--json']);
    expect([0, 2], plan.stderr).toContain(plan.exitCode);
    const planned = JSON.parse(plan.stdout) as { changes: Array<{ host: string; step: string; action: string; from?: unknown; to?: unknown }>; upgrades: Array<{ component: string; step: string }> };
    expect(planned.changes).toContainEqual(expect.objectContaining({ host: 'app1', step: 'sf-cluster', action: 'update', from: { codeVersion: '10.1.1541.9590' }, to: expect.objectContaining({ package: 'C:\\ProgramData\\CortexInstall\\ServiceFabric\\10.1.2448.9590' }) }));
    expect(planned.changes).toContainEqual(expect.objectContaining({ host: 'app1', step: 'cortex-apps', action: 'update', from: { typeVersion: '1.0.0' }, to: expect.objectContaining({ typeVersion: '1.1.0' }) }));
    // Both as upgrades, from -> to, in the order the monitored upgrades walk the upgrade domains.
    const domains = { unit: 'upgrade domain', order: ['UD0 (app1)', 'UD1 (app2)', 'UD2 (app3)'] };
    expect(planned.upgrades).toContainEqual(expect.objectContaining({ component: 'serviceFabric', from: ['10.1.1541.9590'], to: '10.1.2448.9590', step: 'sf-cluster', within: domains }));
    expect(planned.upgrades).toContainEqual(expect.objectContaining({ component: 'cortex', from: ['1.0.0'], to: '1.1.0', step: 'cortex-apps', within: domains }));

    // app2 fails in the middle of its upgrade: the step fails naming its upgrade domain; rolled back, quorum kept.
    expect((await cli(['lab', 'reset-counters', '--state', state])).exitCode).toBe(0);
    expect((await cli(['lab', 'fault', 'app2:fail-upgrade', '--state', state])).exitCode).toBe(0);
    const failed = await cli(['apply', '-i', invB, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
    expect(failed.exitCode, failed.stderr).not.toBe(0);
    const failedDoc = JSON.parse(failed.stdout) as ApplyDoc;
    const sfStep = stepOf(failedDoc, 'app1', 'sf-cluster');
    expect(sfStep?.status).toBe('failed');
    expect(JSON.stringify(sfStep)).toMatch(/failed in upgrade domain UD1 \(app2\): HealthCheck; Service Fabric rolled back to 10\.1\.1541\.9590/);
    for (const h of ['app1', 'app2', 'app3']) expect(machine(h).serviceFabric?.codeVersion, h).toBe('10.1.1541.9590');
    const afterFailure = (await labStatus()).clusters.find((c) => c.kind === 'service-fabric');
    expect(afterFailure).toMatchObject({ quorumLost: false });
    expect(afterFailure!.maxDownAtOnce).toBeLessThanOrEqual(1);

    // The fault cleared, the re-run upgrades every node, one upgrade domain at a time.
    expect((await cli(['lab', 'fault', 'app2:clear', '--state', state])).exitCode).toBe(0);
    expect((await cli(['lab', 'reset-counters', '--state', state])).exitCode).toBe(0);
    const upgrade = await cli(['apply', '-i', invB, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);
    const doc = JSON.parse(upgrade.stdout) as ApplyDoc;
    expect(doc.summary).toMatchObject({ failed: 0, unreachable: 0 });
    expect(stepOf(doc, 'app1', 'sf-cluster')).toMatchObject({ status: 'changed' });
    expect(stepOf(doc, 'app1', 'cortex-apps')).toMatchObject({ status: 'changed' });
    const st = await labStatus();
    const sf = st.clusters.find((c) => c.kind === 'service-fabric');
    expect(sf).toMatchObject({ members: ['app1', 'app2', 'app3'], maxDownAtOnce: 1, quorumLost: false });
    for (const c of st.clusters) if (c.quorumLost !== null) expect(c.quorumLost, c.name).toBe(false);
    for (const h of ['app1', 'app2', 'app3']) {
      expect(machine(h).serviceFabric?.codeVersion, h).toBe('10.1.2448.9590');
      expect(machine(h).serviceFabric?.cluster.applications.find((a) => a.name === 'fabric:/Cortex')?.typeVersion, h).toBe('1.1.0');
    }
    // The Gateway: the new version folder on both web servers, the old one left for a rollback.
    for (const h of ['web1', 'web2']) {
      expect(machine(h).iis?.sites?.find((x) => x.name === 'CortexGateway'), h).toMatchObject({ physicalPath: 'C:\\inetpub\\cortex-gateway\\1.1.0' });
      expect(stepOf(doc, h, 'gateway-site'), h).toMatchObject({ status: 'changed' });
    }

    // Nothing left to do.
    const again = await cli(['apply', '-i', invB, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as ApplyDoc).summary).toMatchObject({ changed: 0, failed: 0 });
  }, 900_000);
});
