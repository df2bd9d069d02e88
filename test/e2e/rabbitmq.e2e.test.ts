/**
 * The RabbitMQ component end to end (issue 12; install order steps 3-5, docs/rabbitmq.md): the built CLI applies
 * test/fixtures/playbooks/components/rabbitmq.yaml to three fresh lab app servers over WinRM, with the
 * lab's synthetic Erlang and RabbitMQ installers uploaded by the playbook's file steps. Every claim is
 * read back from the lab itself (`lab status --json`: clusters, counters), not from what the CLI says.
 * One lab for the file; the tests run in order and share it.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactFile } from '../../src/lab/artifacts/catalog.js';
import type { LabStatus } from '../../src/lab/lab.js';
import { detachedLab, stepCountersOf, type ApplyDoc } from '../helpers/detached-lab.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { REPO_ROOT } from '../helpers/pwsh.js';

const net = await claimLoopbackBlock(import.meta.url);

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'playbooks', 'components');
const HOSTS = ['app1', 'app2', 'app3'];
const COOKIE = 'E2ECOOKIE0RABBITMQ0LAB0123456789';
const OPS_PASSWORD = 'Ops-Rabbit!e2e-2026';
const APP_PASSWORD = 'App-Rabbit!e2e-2026';

const inv = relocatedCopy(join(FIXTURES, 'rabbitmq-inventory.yaml'), ['127.0.60.'], net);
const { work, state, cli, status: labStatus, lab } = detachedLab({
  name: 'rabbitmq',
  inventory: inv,
  env: { CORTEX_E2E_LAB_PASSWORD: 'E2e-Lab!2026-rabbit', CORTEX_ERLANG_COOKIE: COOKIE, CORTEX_RABBITMQ_OPS_PASSWORD: OPS_PASSWORD, CORTEX_RABBITMQ_APP_PASSWORD: APP_PASSWORD },
});
// The playbook beside the synthetic installers its file steps upload (artifacts/<real file name>).
const pb = join(work, 'rabbitmq.yaml');
copyFileSync(join(FIXTURES, 'rabbitmq.yaml'), pb);
mkdirSync(join(work, 'artifacts'));
for (const id of ['erlang-otp-27.3.4', 'rabbitmq-server-4.1.4']) {
  const a = artifactFile(id);
  writeFileSync(join(work, 'artifacts', a.artifact.fileName), a.bytes);
}

const rabbitClusters = (s: LabStatus) => s.clusters.filter((c) => c.kind === 'rabbitmq');

describe('RabbitMQ on the lab: Erlang, the cookie, a 3-node cluster (spawned CLI)', () => {
  it('refusal: with the seed app1 powered off, app2 installs but its join fails, naming host and step', async () => {
    await lab(['fault', 'app1:down']);
    const r = await cli(['apply', '-i', inv, '-p', pb, '--skip-preflight', '--limit', 'app2', '--json']);
    expect(r.exitCode, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as ApplyDoc;
    const steps = doc.hosts.find((h) => h.name === 'app2')!.steps;
    expect(steps.find((s) => s.id === 'rabbitmq')?.status).toBe('changed');
    const join = steps.find((s) => s.id === 'rabbitmq-join')!;
    expect(join.status).toBe('failed');
    expect(join.message).toMatch(/rabbitmqctl\.bat exited with code 70: Error:\s+\{:cannot_discover_cluster, 'The nodes provided are either offline or not running'\}/);
    expect(r.stderr).toMatch(/app2.*rabbitmq-join|rabbitmq-join.*app2/s);
    // Nothing joined: app2's node is a cluster of its own.
    const s = await labStatus();
    expect(rabbitClusters(s).map((c) => c.nodes)).toEqual([['rabbit@app2']]);
    // The cookie never left the workstation in a form the lab logs or the CLI prints.
    expect(r.stdout + r.stderr).not.toContain(COOKIE);
    await lab(['fault', 'app1:clear']);
  }, 180_000);

  it('fresh install: one cluster of 3 running nodes with identical cookie hashes, config once', async () => {
    await lab(['reset-counters']);
    const r = await cli(['apply', '-i', inv, '-p', pb, '--skip-preflight', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as ApplyDoc;
    expect(doc.summary).toMatchObject({ hosts: 3, failed: 0, unreachable: 0 });
    for (const text of [r.stdout, r.stderr]) for (const secret of [COOKIE, OPS_PASSWORD, APP_PASSWORD]) expect(text).not.toContain(secret);

    const s = await labStatus();
    const clusters = rabbitClusters(s);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]).toMatchObject({ kind: 'rabbitmq', members: HOSTS, nodes: ['rabbit@app1', 'rabbit@app2', 'rabbit@app3'], running: HOSTS, downNow: [], quorumLost: false });
    // The joins ran once per joining node (app2's failed join of before, again); the seed is already where it should be.
    for (const h of ['app2', 'app3']) expect(stepCountersOf(s, h)['rabbitmq-join'], h).toMatchObject({ setCalls: 1, setFailures: 0 });
    expect(stepCountersOf(s, 'app1')['rabbitmq-join']).toMatchObject({ setCalls: 0 });
    const joins = doc.hosts.flatMap((h) => h.steps.filter((x) => x.id === 'rabbitmq-join' && x.status === 'changed').map(() => h.name));
    expect(joins.sort()).toEqual(['app2', 'app3']);
    expect(stepCountersOf(s, 'app1')['rabbitmq-config']).toMatchObject({ setCalls: 1, setFailures: 0 });
    for (const h of ['app2', 'app3']) expect(stepCountersOf(s, h)['rabbitmq-config'], h).toBeUndefined();

    // Every node's state, from the lab's own host states: same cookie file hash on all, management on.
    const hashes = new Set<string>();
    for (const f of readdirSync(join(state, 'hosts')).filter((x) => x.endsWith('.json'))) {
      const { state: st } = JSON.parse(readFileSync(join(state, 'hosts', f), 'utf8')) as { state: { machine: { files: Record<string, string>; rabbitmq: { plugins: string[]; db: { users: Array<{ name: string }>; vhosts: Array<{ name: string; defaultQueueType: string }> } } } } };
      hashes.add(st.machine.files['C:\\Windows\\System32\\config\\systemprofile\\.erlang.cookie']!);
      hashes.add(st.machine.files['C:\\Users\\cortex\\.erlang.cookie']!);
      expect(st.machine.rabbitmq.plugins).toContain('rabbitmq_management');
      expect(JSON.stringify(st)).not.toContain(OPS_PASSWORD);
    }
    expect([...hashes]).toEqual([artifactCookieHash()]);
    // The cluster-wide settings, written once on app1 (run_once): vhost cortex (quorum), the users, no guest.
    const app1 = (JSON.parse(readFileSync(join(state, 'hosts', 'app1.json'), 'utf8')) as { state: { machine: { rabbitmq: { db: { vhosts: unknown[]; users: Array<{ name: string; tags: string[] }>; policies: unknown[] } } } } }).state.machine.rabbitmq.db;
    expect(app1.vhosts).toContainEqual({ name: 'cortex', defaultQueueType: 'quorum' });
    expect(app1.users.map((u) => [u.name, u.tags])).toEqual([['cortex-ops', ['administrator']], ['cortex', []]]);
    expect(app1.policies).toEqual([{ vhost: 'cortex', name: 'nsb-delivery-limit', pattern: '.*', applyTo: 'quorum_queues', definition: { 'delivery-limit': 100000 }, priority: 0 }]);
  }, 300_000);

  it('re-apply: 0 changed, 0 Set calls on any host; plan says no changes', async () => {
    await lab(['reset-counters']);
    const r = await cli(['apply', '-i', inv, '-p', pb, '--skip-preflight', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as ApplyDoc;
    expect(doc.summary).toMatchObject({ changed: 0, failed: 0 });
    const s = await labStatus();
    for (const h of HOSTS) expect(s.hosts.find((x) => x.name === h)!.counters.setCalls, h).toBe(0);
    const p = await cli(['plan', '-i', inv, '-p', pb, '--detailed-exitcode']);
    expect(p.exitCode, p.stderr + p.stdout).toBe(0);
    expect(p.stdout + p.stderr).not.toContain(COOKIE);
  }, 300_000);
});

function artifactCookieHash(): string {
  return createHash('sha256').update(COOKIE, 'ascii').digest('hex');
}
