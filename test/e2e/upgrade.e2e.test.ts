/**
 * Issue 13's RabbitMQ/Erlang roll, end to end, with the built CLI on the Bronze lab (examples/lab/
 * inventory.yaml, 7 hosts, moved to a loopback block this file claims): install at the lab's first
 * versions; a skipped minor series refused at plan time (exit 3); erlang and rabbitmq bumped to the lab's
 * second versions in the inventory; plan shows the roll, one app server at a time; apply with a node
 * that does not come back (fail-rabbitmq-upgrade on app2): the roll stops there, the report names host
 * and step, the cluster keeps its quorum; the fault cleared, a re-run continues and finishes; every node
 * upgraded, never more than one node of any cluster down, no quorum lost; a last apply changes nothing.
 * The other components' version bumps are issue 13's other part (Service Fabric, the Gateway, ...).
 */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addArtifact } from '../../src/artifacts/store.js';
import { artifactFile, labCatalog } from '../../src/lab/artifacts/catalog.js';
import type { LabStatus } from '../../src/lab/lab.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { CORTEX_PLAYBOOK, INSTALL_SECRETS } from '../helpers/cortex-install.js';
import { REPO_ROOT } from '../helpers/pwsh.js';
import type { ApplyDoc } from '../helpers/detached-lab.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const PASSWORD = 'E2e-Cortex!2026-upgrade';
const work = mkdtempSync(join(tmpdir(), 'cx-e2e-upgrade-'));
const block = await claimLoopbackBlock(import.meta.url);
const inv = relocatedCopy(join(REPO_ROOT, 'examples/lab/inventory.yaml'), ['127.0.1.'], block);
const state = join(work, 'lab-state');
const store = join(work, 'store');

/** The inventory with some versions changed (written beside it). */
function bumped(name: string, versions: Record<string, [string, string]>): string {
  let text = readFileSync(inv, 'utf8');
  for (const [key, [from, to]] of Object.entries(versions)) {
    const before = `${key}: "${from}"`;
    if (!text.includes(before)) throw new Error(`the lab inventory has no ${before}`);
    text = text.replace(before, `${key}: "${to}"`);
  }
  // Beside it: the inventory names the lab's licence by a path relative to itself.
  const file = join(dirname(inv), name);
  writeFileSync(file, text);
  return file;
}

const cli = (args: string[]) => execa(process.execPath, [CLI, ...args], { reject: false, cwd: work, env: { NO_COLOR: '1', CORTEX_LAB_PASSWORD: PASSWORD, CORTEX_REBOOT_POLL_MS: '300', ...INSTALL_SECRETS }, all: false });
async function labStatus(): Promise<LabStatus> {
  const r = await cli(['lab', 'status', '--state', state, '--json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as LabStatus;
}
const versionsOn = (name: string) => {
  const m = (JSON.parse(readFileSync(join(state, 'hosts', `${name}.json`), 'utf8')) as { state: { machine: { products: Array<{ uninstallKey?: string; version: string }> } } }).state.machine;
  return ['RabbitMQ', 'Erlang OTP'].map((k) => m.products.find((p) => p.uninstallKey === k)?.version);
};

afterAll(async () => {
  await cli(['lab', 'down', '--state', state]);
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('the RabbitMQ and Erlang roll on the Bronze lab', () => {
  it('install at A; a skipped series refused; bump to B: plan shows the roll; a node failing mid-upgrade stops it; a re-run finishes; 0 changed after', async () => {
    const up = await cli(['lab', 'up', '-i', inv, '--detach', '--state', state]);
    expect(up.exitCode, up.stderr).toBe(0);
    mkdirSync(join(work, 'files'), { recursive: true });
    for (const [id, a] of labCatalog().byId) {
      if (!a.artifact) continue;
      const file = join(work, 'files', a.fileName);
      writeFileSync(file, artifactFile(id).bytes);
      await addArtifact(store, file, { name: a.artifact.name, version: a.artifact.version });
    }
    // A RabbitMQ of the 4.3 series in the store, for the refused jump (the lab has no such installer: it is never run).
    writeFileSync(join(work, 'files', 'rabbitmq-server-4.3.3.exe'), 'not an installer: a version for the refused jump\n');
    await addArtifact(store, join(work, 'files', 'rabbitmq-server-4.3.3.exe'), { name: 'rabbitmq', version: '4.3.3' });

    const install = await cli(['apply', '-i', inv, '-p', CORTEX_PLAYBOOK, '--store', store, '--json']);
    expect(install.exitCode, install.stderr).toBe(0);
    for (const h of ['app1', 'app2', 'app3']) expect(versionsOn(h), h).toEqual(['4.1.4', '27.3.4']);

    // 4.1 -> 4.3 skips 4.2: refused at plan time, with the series to take first; nothing is changed.
    const jump = await cli(['plan', '-i', bumped('jump.yaml', { rabbitmq: ['4.1.4', '4.3.3'] }), '-p', CORTEX_PLAYBOOK, '--store', store]);
    expect(jump.exitCode, jump.stderr).toBe(3);
    expect(jump.stdout).toMatch(/! app1, step rabbitmq-roll: refused: RabbitMQ 4\.1\.4 -> 4\.3\.3 skips a minor series .*upgrade to 4\.2\.x first/);

    const next = bumped('next.yaml', { erlang: ['27.3.4', '27.3.4.2'], rabbitmq: ['4.1.4', '4.2.1'] });
    const planned = await cli(['plan', '-i', next, '-p', CORTEX_PLAYBOOK, '--store', store, '--json', '--detailed-exitcode']);
    expect(planned.exitCode, planned.stderr).toBe(2);
    const doc = JSON.parse(planned.stdout) as { upgrades: Array<{ component: string; from: string[]; to: string; phase: string; atOnce: number; hosts: Array<{ host: string }> }> };
    const roll = (c: string) => doc.upgrades.find((u) => u.component === c && u.phase === 'rabbitmq-upgrade');
    expect(roll('rabbitmq')).toMatchObject({ from: ['4.1.4'], to: '4.2.1', atOnce: 1, hosts: [{ host: 'app1' }, { host: 'app2' }, { host: 'app3' }] });
    expect(roll('erlang')).toMatchObject({ from: ['27.3.4'], to: '27.3.4.2', atOnce: 1 });
    const text = await cli(['plan', '-i', next, '-p', CORTEX_PLAYBOOK, '--store', store]);
    expect(text.stdout).toContain('  rabbitmq: 4.1.4 -> 4.2.1 (phase rabbitmq-upgrade, step rabbitmq-roll): one host at a time: app1, then app2, then app3');

    // app2 does not come back after its upgrade: the roll stops there, app3 untouched, quorum kept.
    expect((await cli(['lab', 'reset-counters', '--state', state])).exitCode).toBe(0);
    expect((await cli(['lab', 'fault', '--state', state, 'app2:fail-rabbitmq-upgrade:once'])).exitCode).toBe(0);
    const failed = await cli(['apply', '-i', next, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
    expect(failed.exitCode, failed.stderr).toBe(1);
    const failedDoc = JSON.parse(failed.stdout) as ApplyDoc;
    const app2 = failedDoc.hosts.find((h) => h.name === 'app2')!.steps.find((s) => s.id === 'rabbitmq-roll')!;
    expect(app2.status).toBe('failed');
    expect(app2.message).toMatch(/await_startup on rabbit@app2 failed/);
    expect(failedDoc.hosts.find((h) => h.name === 'app3')!.steps.find((s) => s.id === 'rabbitmq-roll')?.status ?? 'not run').not.toBe('changed');
    expect(versionsOn('app1')).toEqual(['4.2.1', '27.3.4.2']);
    expect(versionsOn('app3')).toEqual(['4.1.4', '27.3.4']);
    const mid = await labStatus();
    for (const c of mid.clusters) expect(c.quorumLost ?? false, c.name).toBe(false);
    expect(mid.clusters.find((c) => c.kind === 'rabbitmq')!.downNow).toEqual(['app2']);

    // The fault cleared, the re-run starts app2 again and rolls app3.
    expect((await cli(['lab', 'fault', '--state', state, 'app2:clear'])).exitCode).toBe(0);
    const rerun = await cli(['apply', '-i', next, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    for (const h of ['app1', 'app2', 'app3']) expect(versionsOn(h), h).toEqual(['4.2.1', '27.3.4.2']);
    // The finish handler (feature flags, rebalance) ran once for the roll, on the first node it changed.
    const finished = (JSON.parse(rerun.stdout) as ApplyDoc).hosts.flatMap((h) => h.steps.filter((s) => s.id === 'rabbitmq-upgrade-finish').map((s) => `${h.name}:${s.status}`));
    expect(finished).toEqual(['app2:changed']);
    const done = await labStatus();
    for (const c of done.clusters) {
      expect(c.maxDownAtOnce, c.name).toBeLessThanOrEqual(1);
      expect(c.quorumLost ?? false, c.name).toBe(false);
    }
    const rabbit = done.clusters.find((c) => c.kind === 'rabbitmq')!;
    expect(rabbit).toMatchObject({ members: ['app1', 'app2', 'app3'], running: ['app1', 'app2', 'app3'], downNow: [] });
    expect(rabbit.maxDownAtOnce).toBe(1);

    const again = await cli(['apply', '-i', next, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as ApplyDoc).summary).toMatchObject({ changed: 0, failed: 0 });
  }, 900_000);
});
