/**
 * Issue 13 §4 end to end, with the built CLI on the Bronze lab (examples/lab/inventory.yaml, 7 hosts,
 * moved to a loopback block this file claims): app1's broker starts with what an older transport left
 * (a classic audit queue, messages in a v1 delay queue; a lab profile), migrated by the install at A
 * (10.1.0 recorded); then versions.nservicebusRabbitMq bumped to B and the licence file replaced: plan
 * lists the transport upgrade; apply runs nservicebus-migrate once and the licence's handler restarts
 * the Cortex endpoints' code packages once on every app server, one node at a time, no Service Fabric
 * node down, no quorum lost; a last apply changes nothing and restarts nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addArtifact } from '../../src/artifacts/store.js';
import { artifactFile, labCatalog } from '../../src/lab/artifacts/catalog.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { CORTEX_PLAYBOOK, INSTALL_SECRETS } from '../helpers/cortex-install.js';
import { detachedLab, type ApplyDoc } from '../helpers/detached-lab.js';
import { REPO_ROOT } from '../helpers/pwsh.js';

const PASSWORD = 'E2e-Cortex!2026-nsb';
const block = await claimLoopbackBlock(import.meta.url);
const inv = (() => {
  const file = relocatedCopy(join(REPO_ROOT, 'examples/lab/inventory.yaml'), ['127.0.1.'], block);
  const text = readFileSync(file, 'utf8');
  // What an older transport left on app1's broker (the first app server, where the run_once steps run).
  const seeded = text.replace(/app1: \{ address: ([^ }]+) \}/, "app1: { address: $1, lab: { amqpVhosts: { cortex: { queues: { audit: classic, 'nsb.delay-level-03': classic }, messages: { 'nsb.delay-level-03': 4 } } } } }");
  if (seeded === text) throw new Error('the lab inventory has no app1 line to seed');
  writeFileSync(file, seeded);
  return file;
})();
const lab = detachedLab({ name: 'nsb-upgrade', inventory: inv, env: { CORTEX_LAB_PASSWORD: PASSWORD, CORTEX_REBOOT_POLL_MS: '300', ...INSTALL_SECRETS } });
const store = join(lab.work, 'store');

/** The inventory at B: the transport's second lab version, and another licence file beside it. */
function atB(): string {
  let text = readFileSync(inv, 'utf8');
  for (const [from, to] of [['nservicebusRabbitMq: "10.1.0"', 'nservicebusRabbitMq: "10.2.0"'], ['license: file:nservicebus-license.xml', 'license: file:nservicebus-license-2027.xml']]) {
    if (!text.includes(from!)) throw new Error(`the lab inventory has no ${from}`);
    text = text.replace(from!, to!);
  }
  const lic = readFileSync(join(dirname(inv), 'nservicebus-license.xml'), 'utf8');
  writeFileSync(join(dirname(inv), 'nservicebus-license-2027.xml'), lic.replace(/<\/[^>]+>\s*$/, (end) => `<!-- renewed for 2027 (lab only) -->${end}`));
  const file = join(dirname(inv), 'inventory-b.yaml');
  writeFileSync(file, text);
  return file;
}

/** app1's broker (vhost cortex) and the recorded transport version, from the lab's saved machine. */
function app1Broker(): { queues: Record<string, string>; messages: Record<string, number>; recorded: string | null } {
  const m = (JSON.parse(readFileSync(join(lab.state, 'hosts', 'app1.json'), 'utf8')) as { state: { machine: { amqpVhosts: Record<string, { queues: Record<string, string>; messages?: Record<string, number> }>; registry: Record<string, Record<string, { data: unknown } | null>> } } }).state.machine;
  const key = Object.keys(m.registry).find((k) => k.toLowerCase() === 'hklm\\software\\cortexinstall\\nservicebus');
  const v = key ? m.registry[key]!.TransportVersion : undefined;
  return { queues: m.amqpVhosts.cortex!.queues, messages: m.amqpVhosts.cortex!.messages ?? {}, recorded: v ? String(v.data) : null };
}

const step = (doc: ApplyDoc, host: string, id: string) => doc.hosts.find((h) => h.name === host)?.steps.find((s) => s.id === id);
const restartsOf = async () => Object.fromEntries((await lab.status()).hosts.filter((h) => h.name.startsWith('app')).map((h) => [h.name, (h as unknown as { codePackageRestarts: Record<string, number> }).codePackageRestarts['fabric:/Cortex'] ?? 0]));

describe('NServiceBus upgrade on the Bronze lab', () => {
  it('install at A migrates what an older transport left; bump to B with a new licence: plan shows the upgrade, apply migrates once and restarts the endpoints node by node; 0 changed after', async () => {
    mkdirSync(join(lab.work, 'files'), { recursive: true });
    for (const [id, a] of labCatalog().byId) {
      if (!a.artifact) continue;
      const file = join(lab.work, 'files', a.fileName);
      writeFileSync(file, artifactFile(id).bytes);
      await addArtifact(store, file, { name: a.artifact.name, version: a.artifact.version });
    }

    const install = await lab.cli(['apply', '-i', inv, '-p', CORTEX_PLAYBOOK, '--store', store, '--json']);
    expect(install.exitCode, install.stderr).toBe(0);
    const installed = JSON.parse(install.stdout) as ApplyDoc;
    expect(step(installed, 'app1', 'nservicebus-migrate')?.status).toBe('changed');
    // The audit queue is a quorum queue, the v1 messages wait on the v2 level of the same number, 10.1.0 is recorded.
    const broker = app1Broker();
    expect(broker.queues.audit).toBe('quorum');
    expect([broker.messages['nsb.delay-level-03'], broker.messages['nsb.v2.delay-level-03']]).toEqual([0, 4]);
    expect(broker.recorded).toBe('10.1.0');
    // The licence was new, but the application did not exist yet: nothing restarted.
    expect(await restartsOf()).toEqual({ app1: 0, app2: 0, app3: 0 });

    const b = atB();
    const planned = await lab.cli(['plan', '-i', b, '-p', CORTEX_PLAYBOOK, '--store', store, '--json', '--detailed-exitcode']);
    expect(planned.exitCode, planned.stderr).toBe(2);
    const doc = JSON.parse(planned.stdout) as { upgrades: Array<{ component: string; from: string[]; to: string; step: string; hosts: Array<{ host: string }> }>; changes: Array<{ host: string; step: string }> };
    expect(doc.upgrades.find((u) => u.component === 'nservicebusRabbitMq')).toMatchObject({ from: ['10.1.0'], to: '10.2.0', step: 'nservicebus-migrate', hosts: [{ host: 'app1' }] });
    expect(doc.changes.filter((c) => c.step === 'nservicebus-license').map((c) => c.host).sort()).toEqual(['app1', 'app2', 'app3']);

    await lab.lab(['reset-counters']);
    const applied = await lab.cli(['apply', '-i', b, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const done = JSON.parse(applied.stdout) as ApplyDoc;
    expect(step(done, 'app1', 'nservicebus-migrate')?.status).toBe('changed');
    expect(app1Broker()).toMatchObject({ recorded: '10.2.0', queues: { audit: 'quorum' } });
    // The handler ran once, on app1, for the three licence changes; every node's packages restarted once.
    expect(step(done, 'app1', 'nservicebus-endpoints-restart')?.status).toBe('changed');
    for (const h of ['app2', 'app3']) expect(step(done, h, 'nservicebus-endpoints-restart'), h).toBeUndefined();
    expect(await restartsOf()).toEqual({ app1: 1, app2: 1, app3: 1 });
    const status = await lab.status();
    for (const c of status.clusters) {
      expect(c.quorumLost ?? false, c.name).toBe(false);
      if (c.kind === 'service-fabric') expect(c.maxDownAtOnce, c.name).toBe(0);
    }

    const again = await lab.cli(['apply', '-i', b, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as ApplyDoc).summary).toMatchObject({ changed: 0, failed: 0 });
    expect(await restartsOf()).toEqual({ app1: 1, app2: 1, app3: 1 });
  }, 1_500_000);
});
