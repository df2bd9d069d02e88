/**
 * The lab model of nservicebus_license held to its script through the Windows shim
 * (resources-b-harness.ts): the Set script against the shim's view and the Set handler on the same
 * machine must print the same envelope and leave the same view; then test-batch.ps1 and the model must
 * read the same state. Machine states: fresh (no ParticularSoftware folder), the licence there, another
 * licence there, the path a folder; refusals: not XML, a digest that is not the licence's.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handlerRegistry } from '../../../src/lab/handlers/index.js';
import type { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { withShimHost } from '../helpers.js';
import { compareSet, machineFrom, withFile } from './resources-b-harness.js';

const pwsh = pwshForTests('test/lab/differential (NServiceBus licence)');
let host: ShimHost;

it("the handler compared here is the lab's Set handler of nservicebus_license", () => {
  expect(handlerRegistry().get('resources.nservicebus-license')?.script).toBe('ps1/resources/nservicebus-license.ps1');
});

const PATH = 'C:\\ProgramData\\ParticularSoftware\\license.xml';
const LICENSE = '<?xml version="1.0" encoding="utf-8"?>\n<license id="lab" type="Lab"><name>Cortex Lab Løsning</name></license>';
const BYTES = Buffer.from(LICENSE, 'utf8');
const SHA = createHash('sha256').update(BYTES).digest('hex');
const PARAMS = { license: LICENSE, path: PATH, licenseSha256: SHA };
/** What the Test receives: the reference, never the licence. */
const READ = { license: 'file:/srv/site/license.xml', path: PATH, licenseSha256: SHA };

describe.skipIf(!pwsh)('nservicebus_license: lab model vs script through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  it('a fresh host: the folder made, the UTF-8 bytes written; then again writes nothing', async () => {
    const first = await compareSet(host, machineFrom({}), 'nservicebus_license', PARAMS, READ);
    expect(first.diffs, first.diffs.join('\n')).toEqual([]);
    expect(first.script).toMatchObject({ ok: true, data: { message: `wrote the NServiceBus licence (${BYTES.length} bytes) to ${PATH}; endpoints read it when they start` } });
    expect(first.machine.files[PATH]).toBe(SHA);
    expect(first.machine.fileSizes[PATH]).toBe(BYTES.length);
    expect(first.machine.directories).toContain('C:\\ProgramData\\ParticularSoftware');
    expect(JSON.stringify(first.script)).not.toContain('<license');
    const again = await compareSet(host, { ...machineFrom({}), machine: first.machine }, 'nservicebus_license', PARAMS, READ);
    expect(again.diffs, again.diffs.join('\n')).toEqual([]);
    expect(again.script).toMatchObject({ ok: true, data: { message: `the NServiceBus licence at ${PATH} is already the one given` } });
    expect(again.viewChanged).toBe(false);
  }, 120_000);

  it('another licence there: replaced', async () => {
    const s = machineFrom({ directories: ['C:\\ProgramData\\ParticularSoftware'] });
    withFile(s.machine, PATH, 'a'.repeat(64), 19);
    const r = await compareSet(host, s, 'nservicebus_license', PARAMS, READ);
    expect(r.diffs, r.diffs.join('\n')).toEqual([]);
    expect(r.script.ok).toBe(true);
    expect(r.machine.files[PATH]).toBe(SHA);
  }, 120_000);

  it('refusals: text that is not XML, a digest that is not the licence, the path a folder', async () => {
    const notXml = await compareSet(host, machineFrom({}), 'nservicebus_license', { ...PARAMS, license: 'not-a-licence-secret', licenseSha256: undefined }, READ);
    expect(notXml.diffs, notXml.diffs.join('\n')).toEqual([]);
    expect(notXml.script.error?.message).toBe("nservicebus_license: the licence received is not XML (it has 20 characters and does not start with <); name Particular's license.xml in components.nservicebus.license");
    expect(notXml.viewChanged).toBe(false);
    const digest = await compareSet(host, machineFrom({}), 'nservicebus_license', { ...PARAMS, licenseSha256: '0'.repeat(64) }, READ);
    expect(digest.diffs, digest.diffs.join('\n')).toEqual([]);
    expect(digest.script.error?.message).toBe('nservicebus_license: the licence received is not the one whose SHA-256 the plan compared; run apply again');
    const folder = await compareSet(host, machineFrom({ directories: [PATH] }), 'nservicebus_license', PARAMS, READ);
    expect(folder.diffs, folder.diffs.join('\n')).toEqual([]);
    expect(folder.script.error?.message).toBe(`nservicebus_license: ${PATH} is a folder, not a licence file`);
  }, 120_000);
});
