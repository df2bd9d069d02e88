/**
 * certificate (ps1/resources/certificate.ps1; its Test in test-batch.ps1's Get-CortexCertificateStateOf):
 * Import-PfxCertificate of one of the lab's synthetic PFX files into the machine's certificate store
 * (src/lab/components/iis.ts), refusing a wrong password with Windows' text; a file that is not one of
 * them is not emulated.
 */
import { importPfx, findCertificate, PFX_WRONG_PASSWORD } from '../../components/iis.js';
import { psBool } from './bool.js';
import { findFile, notEmulated, testPath } from './files.js';
import { resourceParam, stringParam } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'certificate';

export const certificateModel = defineResourceModel({
  type: 'certificate',
  read: ({ machine, params }) => {
    const thumbprint = stringParam(params, R, 'thumbprint', { required: true });
    const store = stringParam(params, R, 'store', { default: 'LocalMachine\\My' });
    const cert = findCertificate(machine, store, thumbprint);
    return cert ? { present: true, hasPrivateKey: cert.hasPrivateKey } : { present: false, hasPrivateKey: false };
  },
  set: ({ machine: m, params }) => {
    const path = stringParam(params, R, 'path', { required: true });
    const thumbprint = stringParam(params, R, 'thumbprint', { required: true }).toUpperCase();
    const store = stringParam(params, R, 'store', { default: 'LocalMachine\\My' });
    const exportable = psBool(resourceParam(params, R, 'exportable', { default: false }));
    const password = stringParam(params, R, 'password', { required: true });
    if (!testPath(m, path, 'Leaf')) throw new LabResourceError(`certificate: the PFX ${path} is not on the host; stage it with a file step first`);
    const storePath = `Cert:\\${store}`;
    const failed = (why: string) => new LabResourceError(`certificate: importing ${path} into ${storePath} failed: ${why}`);
    const r = importPfx(m, findFile(m, path)!.sha256, password, store, exportable);
    if (!r.ok) throw failed(r.reason === 'wrong-password' ? PFX_WRONG_PASSWORD : notEmulated(`Import-PfxCertificate of ${path} (a file that is not one of the lab's synthetic PFX files)`).message);
    const cert = r.certificate;
    if (cert.thumbprint.toUpperCase() !== thumbprint) throw new LabResourceError(`certificate: ${path} holds ${cert.thumbprint}, not the expected ${thumbprint}; check the step's thumbprint or the file`);
    return setResult(`imported ${thumbprint} (${cert.subject}) into ${storePath}`);
  },
});
