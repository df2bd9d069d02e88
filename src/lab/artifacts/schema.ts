/**
 * The lab's synthetic artifacts (docs/lab.md, "Synthetic artifacts"): installers and zips whose bytes the
 * lab can make and recognise by SHA-256. The lab keeps a host's files as hashes only, so a file on a
 * simulated host means something only when its hash is one of these: an installer the lab knows installs
 * its product (uninstall entry in the right registry view, services, files, environment), a zip it knows
 * extracts its listed entries. Anything else is an unknown file (msiexec: 1620; an EXE or zip: not
 * emulated by the lab).
 */
import { z } from 'zod';
import { LabServiceSchema } from '../profile/schema.js';

const guid = z.string().regex(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/, 'an upper-case GUID in braces');
const windowsPath = z.string().regex(/^[A-Za-z]:\\/, 'an absolute Windows path');

/**
 * The artifact store entry this synthetic file stands for (src/artifacts/manifest.ts): the inventory's
 * `versions` key and the version. Entries with one are what `lab versions` lists and what the lab hands
 * out as a store, so a lab inventory that pins these versions installs with nothing downloaded.
 */
export const SyntheticArtifactOf = z.strictObject({ name: z.string().min(1), version: z.string().min(1) });

export const SyntheticInstallerSchema = z
  .strictObject({
    /** Stable id, also the default file name's stem. */
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
    kind: z.enum(['msi', 'exe']),
    /** The file name it is usually uploaded as. */
    fileName: z.string().regex(/\.(msi|exe)$/i),
    artifact: SyntheticArtifactOf.optional(),
    product: z.strictObject({
      /** DisplayName. */
      name: z.string().min(1),
      /** DisplayVersion. */
      version: z.string().min(1),
      /** MSI: the ProductCode, also the uninstall key's name. */
      productCode: guid.optional(),
      /** EXE: the uninstall key's name. */
      uninstallKey: z.string().min(1).optional(),
      /** A 32-bit installer: registers under WOW6432Node on 64-bit Windows. */
      wow6432: z.boolean().default(false),
      /** EXE: the QuietUninstallString it registers (its uninstaller is one of `installs.files`). */
      quietUninstallString: z.string().min(1).optional(),
    }),
    /**
     * h5-iis: an IIS extension (URL Rewrite). Without IIS (the Web-Server feature) it exits 1603 and installs
     * nothing; with it, it registers with IIS as that module (src/lab/components/iis.ts, docs/iis.md).
     */
    iisExtension: z.enum(['urlRewrite']).optional(),
    /**
     * An installer that aborts unless a key has a subkey (RabbitMQ's NSIS script enumerates
     * HKLM\SOFTWARE\Ericsson\Erlang and aborts without Erlang): the key as a 64-bit path (a 32-bit
     * installer reads it under WOW6432Node), and what it exits with and says then.
     */
    requires: z.strictObject({ subKeyOf: z.string().regex(/^SOFTWARE\\/, 'a key under SOFTWARE\\'), exitCode: z.number().int(), message: z.string().min(1) }).optional(),
    /** What the installer exits with (0, 3010 and 1641 install; anything else installs nothing). */
    installExitCode: z.number().int().default(0),
    /** What its uninstall exits with (0, 3010 and 1641 remove it). */
    uninstallExitCode: z.number().int().default(0),
    installs: z
      .strictObject({
        services: z.array(LabServiceSchema).default([]),
        /** Absolute path → the file's text (the lab records its SHA-256 and length). */
        files: z.record(windowsPath, z.string()).default({}),
        /** Machine environment variables. */
        env: z.record(z.string(), z.string()).default({}),
        /** HKLM keys (64-bit paths: a 32-bit installer's land under WOW6432Node) → value name ('' the default) → REG_SZ data. */
        registry: z.record(z.string().regex(/^SOFTWARE\\/, 'a key under SOFTWARE\\'), z.record(z.string(), z.string())).default({}),
      })
      .default({ services: [], files: {}, env: {}, registry: {} }),
  })
  .refine((i) => (i.kind === 'msi' ? i.product.productCode !== undefined : i.product.uninstallKey !== undefined), { message: 'an MSI has a productCode, an EXE an uninstallKey' })
  .refine((i) => i.kind === 'msi' || i.product.quietUninstallString !== undefined, { message: 'an EXE registers a quietUninstallString' });
export type SyntheticInstaller = z.output<typeof SyntheticInstallerSchema>;

export const SyntheticArchiveSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  fileName: z.string().regex(/\.zip$/i),
  artifact: SyntheticArtifactOf.optional(),
  /** Relative path inside the zip (backslashes) → the entry's text. */
  entries: z.record(z.string().regex(/^[^\\/:][^:]*$/, 'a relative path'), z.string()),
});
export type SyntheticArchive = z.output<typeof SyntheticArchiveSchema>;

/**
 * h5-iis: a PFX file (docs/iis.md): the certificate it holds, with its private key, and the SHA-256 of its
 * password (the lab refuses another password as Import-PfxCertificate does; it never keeps the password).
 */
export const SyntheticCertificateSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  fileName: z.string().regex(/\.pfx$/i),
  artifact: SyntheticArtifactOf.optional(),
  /** Upper-case hex SHA-1, as Cert:\ shows it. */
  thumbprint: z.string().regex(/^[0-9A-F]{40}$/),
  subject: z.string().min(1),
  notAfter: z.iso.datetime({ offset: true }),
  passwordSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type SyntheticCertificate = z.output<typeof SyntheticCertificateSchema>;
