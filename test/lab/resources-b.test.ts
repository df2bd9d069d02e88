/**
 * Part-B resource scripts through the real lab (WinRM, the resident runner): a synthetic MSI uploaded and
 * installed is seen by the next Test with what it installed, together with a feature and a firewall rule;
 * the host keeps them across a lab restart; an installer the lab does not know fails as msiexec does.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactFile } from '../../src/lab/artifacts/catalog.js';
import { RESOURCE_SET_SCRIPTS, resourcesTestBatch } from '../../src/scripts/catalog.js';
import type { ScriptRunner } from '../../src/runner/index.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';
import { closeRunner, openRunner, startTestLab, tempStateDir } from './helpers.js';

const net = await claimLoopbackBlock(import.meta.url);
const host = { name: 'resb-app1', address: net.addr(1), lab: { powershellStartMs: 0 } };
const setScript = (id: string) => RESOURCE_SET_SCRIPTS.find((c) => c.id === id)!;
const PRODUCT = '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E01}';

const REQUESTS = [
  { step: 'pkg', resource: 'package', params: { productCode: PRODUCT } },
  { step: 'svc', resource: 'service', params: { name: 'CortexLabSample' } },
  { step: 'env', resource: 'env_var', params: { name: 'CORTEX_LAB_SAMPLE_HOME' } },
  { step: 'feat', resource: 'windows_feature', params: { name: 'Telnet-Client' } },
  { step: 'fw', resource: 'firewall_rule', params: { name: 'Cortex-AMQP' } },
];

async function testBatch(r: ScriptRunner): Promise<Record<string, unknown>> {
  const data = await r.callData(resourcesTestBatch, { requests: REQUESTS });
  return Object.fromEntries(data.results.map((a) => [a.step, 'state' in a ? a.state : { error: a.error }]));
}

describe('part-B resource scripts in the lab', () => {
  it('install a synthetic MSI, a feature, a firewall rule; seen by the Test, kept across a restart', async () => {
    const stateDir = tempStateDir();
    const dir = mkdtempSync(join(tmpdir(), 'cortex-lab-resb-'));
    const msi = artifactFile('lab-sample-1.0.0');
    writeFileSync(join(dir, msi.artifact.fileName), msi.bytes);
    writeFileSync(join(dir, 'other.msi'), 'not a package');
    const installed = {
      pkg: { installed: true, version: '1.0.0', view: '64', displayName: 'Cortex Lab Sample' },
      svc: { exists: true, state: 'running', startupType: 'automatic' },
      env: { value: 'C:\\Program Files\\Cortex Lab Sample' },
      feat: { known: true, installed: true },
      fw: { exists: true, direction: 'inbound', protocol: 'tcp', localPorts: ['5672'], action: 'allow', profiles: ['domain', 'private', 'public'], enabled: true },
    };

    let lab = await startTestLab([host], { stateDir });
    try {
      const r = await openRunner(host);
      try {
        expect(await testBatch(r)).toMatchObject({ pkg: { installed: false }, svc: { exists: false }, feat: { known: true, installed: false }, fw: { exists: false } });
        await r.upload(join(dir, msi.artifact.fileName), 'C:\\Installers\\lab-sample-1.0.0.msi');
        await r.upload(join(dir, 'other.msi'), 'C:\\Installers\\other.msi');
        const set = async (id: string, params: Record<string, unknown>) => r.call(setScript(id), params);
        expect((await set('resources.package', { name: 'Sample', path: 'C:\\Installers\\lab-sample-1.0.0.msi', productCode: PRODUCT })).data).toEqual({ rebootRequired: false, exitCode: 0, message: 'installing Sample: exit code 0' });
        expect((await set('resources.windows-feature', { name: 'Telnet-Client' })).ok).toBe(true);
        expect((await set('resources.firewall-rule', { name: 'Cortex-AMQP', localPorts: [5672] })).ok).toBe(true);
        const unknown = await set('resources.package', { name: 'Other', path: 'C:\\Installers\\other.msi', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E99}' });
        expect(unknown.ok).toBe(false);
        expect(unknown.error?.message).toMatch(/^package: installing Other failed: msiexec\.exe exited with code 1620: This installation package could not be opened\./);
        expect(await testBatch(r)).toEqual(installed);
      } finally {
        await closeRunner(r);
      }
    } finally {
      await lab.stop();
    }

    lab = await startTestLab([host], { stateDir });
    try {
      const r = await openRunner(host);
      try {
        expect(await testBatch(r)).toEqual(installed);
      } finally {
        await closeRunner(r);
      }
    } finally {
      await lab.stop();
    }
  }, 120_000);
});
