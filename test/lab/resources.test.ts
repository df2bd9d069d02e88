/**
 * Resource scripts through the real lab (WinRM, the resident runner): a Set changes the host, the next
 * Test (resources.test-batch) sees it, it persists across a lab restart, a refusal comes back as the
 * script's error, and a Set that finds nothing to change is counted but not saved.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESOURCE_SET_SCRIPTS, resourcesTestBatch } from '../../src/scripts/catalog.js';
import type { ScriptRunner } from '../../src/runner/index.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';
import { closeRunner, openRunner, startTestLab, tempStateDir } from './helpers.js';

const net = await claimLoopbackBlock(import.meta.url);

const host = {
  name: 'res-app1',
  address: net.addr(1),
  lab: {
    powershellStartMs: 0,
    services: [
      { name: 'WinRM', state: 'Running', startType: 'Automatic' },
      { name: 'epmd', state: 'Stopped', startType: 'Manual' },
      { name: 'RabbitMQ', state: 'Stopped', startType: 'Manual', dependsOn: ['epmd'] },
    ],
  },
};

const setScript = (id: string) => RESOURCE_SET_SCRIPTS.find((c) => c.id === id)!;

const REQUESTS = [
  { step: 'svc', resource: 'service', params: { name: 'RabbitMQ' } },
  { step: 'dep', resource: 'service', params: { name: 'epmd' } },
  { step: 'env', resource: 'env_var', params: { name: 'CORTEX_HOME' } },
  { step: 'reg', resource: 'registry_value', params: { key: 'HKLM:\\SOFTWARE\\Cortex', name: 'Ring' } },
  { step: 'dir', resource: 'directory', params: { path: 'C:\\Cortex\\logs' } },
  { step: 'file', resource: 'file', params: { path: 'C:\\Cortex\\conf\\cortex.json' } },
  { step: 'odd', resource: 'no_such_type', params: {} },
];

async function testBatch(r: ScriptRunner): Promise<Record<string, unknown>> {
  const data = await r.callData(resourcesTestBatch, { requests: REQUESTS });
  return Object.fromEntries(data.results.map((a) => [a.step, 'state' in a ? a.state : { error: a.error }]));
}

describe('resource scripts in the lab', () => {
  it('Set then Test: the change is seen, persists across a restart, and a refusal is the script\'s error', async () => {
    const stateDir = tempStateDir();
    const content = Buffer.from('{"tenant":"zurich"}');
    const local = join(mkdtempSync(join(tmpdir(), 'cortex-lab-res-')), 'cortex.json');
    writeFileSync(local, content);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const staged = 'C:\\Windows\\Temp\\cortex-staging\\cortex.json';

    let lab = await startTestLab([host], { stateDir });
    try {
      const r = await openRunner(host);
      try {
        expect(await testBatch(r)).toEqual({
          svc: { exists: true, state: 'stopped', startupType: 'manual' },
          dep: { exists: true, state: 'stopped', startupType: 'manual' },
          env: { value: null },
          reg: { keyExists: false, value: null },
          dir: { exists: false, isDirectory: false },
          file: { exists: false, sha256: null },
          odd: { error: 'resources.test-batch: unknown resource type no_such_type' },
        });

        const set = async (id: string, params: Record<string, unknown>) => r.call(setScript(id), params);
        expect((await set('resources.service', { name: 'RabbitMQ', startupType: 'automatic_delayed', state: 'running' })).data).toEqual({ rebootRequired: false, exitCode: null, message: 'startup type automatic_delayed, started' });
        await set('resources.env-var', { name: 'CORTEX_HOME', value: '%ProgramFiles%\\Cortex' });
        await set('resources.registry-value', { key: 'HKLM:\\SOFTWARE\\Cortex', name: 'Ring', type: 'DWord', data: 4294967295 });
        await set('resources.directory', { path: 'C:\\Cortex\\logs' });
        expect(await r.upload(local, staged)).toMatchObject({ skipped: false });
        expect((await set('resources.file', { path: 'C:\\Cortex\\conf\\cortex.json', sha256, stagedPath: staged })).ok).toBe(true);

        // Windows refuses to stop a service a running one depends on: the script's error, nothing changed.
        const refused = await set('resources.service', { name: 'epmd', state: 'stopped' });
        expect(refused.ok).toBe(false);
        expect(refused.error).toEqual({ message: "Cannot stop service 'epmd (epmd)' because it has dependent services. It can only be stopped if the Force flag is set.", category: 'InvalidOperation' });

        // A Set that finds the host as wanted is counted, not saved.
        const counters = lab.host(host.name)!.counters;
        const savedAt = lab.host(host.name)!.state.updatedAt;
        const setCalls = counters.setCalls;
        expect((await set('resources.directory', { path: 'C:\\Cortex\\logs' })).ok).toBe(true);
        expect(counters.setCalls).toBe(setCalls + 1);
        expect(lab.host(host.name)!.state.updatedAt).toBe(savedAt);
      } finally {
        await closeRunner(r);
      }
    } finally {
      await lab.stop();
    }

    const changed = {
      svc: { exists: true, state: 'running', startupType: 'automatic_delayed' },
      dep: { exists: true, state: 'running', startupType: 'manual' },
      env: { value: '%ProgramFiles%\\Cortex' },
      reg: { keyExists: true, value: { type: 'DWord', data: 4294967295 } },
      dir: { exists: true, isDirectory: true },
      file: { exists: true, sha256 },
      odd: { error: 'resources.test-batch: unknown resource type no_such_type' },
    };
    lab = await startTestLab([host], { stateDir });
    try {
      const r = await openRunner(host);
      try {
        expect(await testBatch(r)).toEqual(changed);
      } finally {
        await closeRunner(r);
      }
    } finally {
      await lab.stop();
    }
  }, 120_000);
});
