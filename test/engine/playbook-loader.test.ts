/**
 * Playbook loading: the valid fixture resolves to the expected steps; each invalid fixture
 * (test/fixtures/playbooks/invalid/<case>.yaml, one case a file) lists the problems it must produce in
 * `# expect:` lines: file:line:col (optional) and the start of the message.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/types.js';
import { loadPlaybook, parsePlaybook, PlaybookError } from '../../src/engine/playbook/loader.js';
import { formatProblem } from '../../src/inventory/problems.js';
import { stepsOf } from '../../src/engine/playbook/types.js';

const dir = join(import.meta.dirname, '../fixtures/playbooks');
let inv: Inventory;
beforeAll(async () => {
  inv = await loadInventory(join(dir, 'inventory.yaml'));
});

describe('a valid playbook', () => {
  it('resolves targets, templates per host, conditions, options and reboot rules', async () => {
    const pb = await loadPlaybook(join(dir, 'site.yaml'), inv);
    expect(pb.phases.map((p) => [p.name, p.hosts])).toEqual([
      ['base', ['web1', 'web2', 'app1', 'app2', 'app3', 'db1', 'lb1']],
      ['app', ['app1', 'app2', 'app3']],
      ['cluster', ['app1', 'app2', 'app3', 'lb1']],
    ]);
    const steps = Object.fromEntries(stepsOf(pb).map((s) => [s.id, s]));
    expect(steps['install-dir']!.params.web1).toEqual({ path: 'D:\\Cortex', state: 'present' });
    expect(steps.erlang!.params.app3).toMatchObject({ path: 'C:\\cortex\\artifacts\\otp_win64_27.3.4.exe', version: '27.3.4', uninstallKey: 'Erlang OTP' });
    expect(steps['rabbit-dir']!.params.app1).toEqual({ path: 'D:\\Cortex\\RabbitMQ', state: 'present' });
    expect(steps['rabbit-nodes']!.params.app2).toEqual({ name: 'CORTEX_APP_NODES', value: '127.0.1.3,127.0.1.4,127.0.1.5', state: 'present' });
    expect(steps['rabbit-nodes']!.rebootPolicy).toBe('never');
    expect(steps.tls12!.when?.text).toBe('facts.os.build >= 14393');
    expect(steps.erlang!.retries).toEqual({ attempts: 2, delayMs: 2000, backoff: 3, maxDelayMs: 300000 });
    expect(steps.erlang!.timeoutMs).toBe(20 * 60_000);
    expect(steps['rabbit-dir']!.notify).toEqual(['restart-rabbitmq']);
    expect(steps['sf-cluster']!.hosts).toEqual(['app2']);
    expect(steps['sf-cluster']!.runOnceOf).toEqual(['app1', 'app2', 'app3']);
    expect(steps['sf-cluster']!.barrier).toEqual(['web1', 'web2', 'app1', 'app2', 'app3', 'db1', 'lb1']);
    expect(steps['sf-cluster']!.params.app2).toMatchObject({ token: '10.1', runAs: { user: 'LAB\\sf-admin', password: 'env:SF_ADMIN_PASSWORD' } });
    expect(steps['lb-config']!.barrier).toEqual(['app1', 'app2', 'app3']);
    expect(steps['lb-config']!.serial).toEqual({ percent: 50 });
    expect(pb.phases[1]!.serial).toEqual({ count: 1 });
    expect(pb.phases[1]!.maxFailPercentage).toBe(34);
    expect(pb.phases[0]!.maxFailPercentage).toBe(0);
    expect(pb.phases[1]!.health?.checks.map((c) => [c.id, c.kind, c.hosts])).toEqual([['app.health.1', 'check', ['app1', 'app2', 'app3']]]);
    expect(pb.phases[1]!.health?.delayMs).toBe(1000);
    expect(pb.handlers['restart-rabbitmq']!.hosts).toEqual(['app1', 'app2', 'app3']);
    expect(pb.reboots).toMatchObject({ app1: { policy: 'immediate', quorum: 'app' }, db1: { policy: 'end_of_phase', quorum: null }, web1: { policy: 'immediate', quorum: null } });
    expect(steps.erlang!.position).toEqual({ file: join(dir, 'site.yaml'), line: 32, col: 13 });
  });
});

describe('invalid playbooks', () => {
  const cases = readdirSync(join(dir, 'invalid')).filter((f) => f.endsWith('.yaml'));
  it.each(cases)('%s', (file) => {
    const path = join(dir, 'invalid', file);
    const text = readFileSync(path, 'utf8');
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]!);
    expect(expected.length).toBeGreaterThan(0);
    let err: unknown;
    try {
      parsePlaybook(text, path, inv);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlaybookError);
    const got = (err as PlaybookError).problems.map((p) => formatProblem(p).slice(path.length + 1));
    for (const e of expected) {
      const withPos = /^\d+:\d+ /.test(e) ? e.replace(' ', ', ') : e;
      expect(got.some((g) => (/^\d+:\d+ /.test(e) ? g.startsWith(withPos) : g.includes(withPos))), `expected a problem starting '${withPos}', got:\n${got.join('\n')}`).toBe(true);
    }
    expect(got.length).toBe(expected.length);
  });

  it('a YAML syntax error names file:line:col', () => {
    expect(() => parsePlaybook('name: x\nphases: [\n', 'p.yaml', inv)).toThrow(/^p\.yaml:3:1, field \(yaml\): YAML syntax/);
  });
  it('a missing file is an input error naming it', async () => {
    await expect(loadPlaybook(join(dir, 'nope.yaml'), inv)).rejects.toThrow(/playbook file not found: .*nope\.yaml/);
  });
  it('a device, a folder or a file over 1 MiB is refused at once, naming it', async () => {
    await expect(loadPlaybook('/dev/zero', inv)).rejects.toThrow(/the playbook .*\/dev\/zero/);
    await expect(loadPlaybook(dir, inv)).rejects.toThrow(/the playbook .*/);
    const tmp = mkdtempSync(join(tmpdir(), 'cortex-playbook-'));
    try {
      const big = join(tmp, 'big.yaml');
      writeFileSync(big, `name: x\n# ${'x'.repeat(1024 * 1024)}\n`);
      await expect(loadPlaybook(big, inv)).rejects.toThrow(/the playbook .*big\.yaml/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
