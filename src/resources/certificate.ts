/**
 * certificate: a PFX imported into a machine certificate store (Import-PfxCertificate), with its private
 * key. Detected by thumbprint in the store: present with a private key is done. The PFX is staged on the
 * host by an earlier `file` step; its password is a secret reference, resolved for the Set only (the
 * script turns it into a SecureString and never prints it). docs/iis.md.
 */
import { z } from 'zod';
import { SecretRef, WindowsPath } from './common.js';
import { defineResource, NONE } from './resource.js';

/** A certificate thumbprint (SHA-1 of the certificate): 40 hex digits, compared upper-case as Windows prints it. */
export const Thumbprint = z
  .string()
  .regex(/^[0-9A-Fa-f]{40}$/, { message: 'must be a certificate thumbprint: 40 hexadecimal characters, no spaces' })
  .transform((s) => s.toUpperCase())
  .meta({ description: 'Certificate thumbprint, 40 hex characters (as Cert:\\ shows it)' });

/** A machine store as Cert:\ names it: LocalMachine\My (Personal), LocalMachine\WebHosting, ... */
export const CertStore = z
  .string()
  .regex(/^LocalMachine\\[A-Za-z]+$/, { message: 'must be a machine store such as LocalMachine\\My or LocalMachine\\WebHosting' })
  .default('LocalMachine\\My')
  .meta({ description: 'Machine certificate store (default LocalMachine\\My)' });

export const CertificateParams = z.strictObject({
  path: WindowsPath.meta({ description: 'The PFX file on the host (staged by a file step)' }),
  password: SecretRef.meta({ description: "The PFX's password: env:NAME, file:PATH or prompt" }),
  thumbprint: Thumbprint,
  store: CertStore,
  exportable: z.boolean().default(false).meta({ description: 'Mark the private key exportable (default: not)' }),
});

export const CertificateState = z.object({
  /** A certificate with that thumbprint is in the store. */
  present: z.boolean(),
  /** ...and Windows has its private key (HasPrivateKey): a site binding needs it. */
  hasPrivateKey: z.boolean(),
});

export const certificateResource = defineResource({
  type: 'certificate',
  description: 'A PFX certificate imported, with its private key, into a machine certificate store',
  params: CertificateParams,
  state: CertificateState,
  label: (p) => `certificate ${p.thumbprint}`,
  diff(p, s) {
    if (!s.present) return { action: 'create', from: null, to: { thumbprint: p.thumbprint, store: p.store } };
    // In the store without its key (imported from a .cer, say): importing the PFX adds the key.
    if (!s.hasPrivateKey) return { action: 'update', from: { hasPrivateKey: false }, to: { hasPrivateKey: true } };
    return NONE;
  },
});
