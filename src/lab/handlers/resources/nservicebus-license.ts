/**
 * nservicebus_license (ps1/resources/nservicebus-license.ps1; its Test in test-batch.ps1's
 * Get-CortexNservicebusLicenseState): the licence file's SHA-256, and the Set that writes the licence's
 * UTF-8 bytes (folder created) where the hash differs. The lab keeps files as hashes, which is exactly
 * what the Test reads.
 */
import { createHash } from 'node:crypto';
import { NSB_MACHINE_LICENSE_PATH } from '../../../resources/nservicebus-license.js';
import { createDirectory, findFile, parentPath, testPath, writeFileBytes } from './files.js';
import { stringParam } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'nservicebus_license';

const pathParam = (params: Record<string, unknown>) => stringParam(params, R, 'path', { default: NSB_MACHINE_LICENSE_PATH });

export const nservicebusLicenseModel = defineResourceModel({
  type: 'nservicebus_license',
  read: ({ machine, params }) => {
    const path = pathParam(params);
    return testPath(machine, path, 'Leaf') ? { exists: true, sha256: findFile(machine, path)!.sha256 } : { exists: false, sha256: null };
  },
  set: ({ machine: m, params }) => {
    const license = stringParam(params, R, 'license', { required: true });
    const path = pathParam(params);
    const expected = stringParam(params, R, 'licenseSha256', { default: '' });
    if (!/^\s*</.test(license)) {
      throw new LabResourceError(`nservicebus_license: the licence received is not XML (it has ${license.length} characters and does not start with <); name Particular's license.xml in components.nservicebus.license`);
    }
    const bytes = Buffer.from(license, 'utf8');
    const want = createHash('sha256').update(bytes).digest('hex');
    if (expected && expected.toLowerCase() !== want) throw new LabResourceError('nservicebus_license: the licence received is not the one whose SHA-256 the plan compared; run apply again');
    if (testPath(m, path, 'Container')) throw new LabResourceError(`nservicebus_license: ${path} is a folder, not a licence file`);
    if (testPath(m, path, 'Leaf') && findFile(m, path)!.sha256 === want) return setResult(`the NServiceBus licence at ${path} is already the one given`);
    const parent = parentPath(path);
    if (!testPath(m, parent, 'Container')) createDirectory(m, parent);
    writeFileBytes(m, path, want, bytes.length);
    return setResult(`wrote the NServiceBus licence (${bytes.length} bytes) to ${path}; endpoints read it when they start`);
  },
});
