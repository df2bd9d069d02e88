/**
 * IIS on a lab machine (docs/iis.md): present when the Web-Server feature is installed (the feature's
 * install writes `machine.iis`, the W3SVC and WAS services, the InetStp key the scripts read), with its
 * application pools and sites (as IIS installs itself: DefaultAppPool and the Default Web Site on
 * *:80:, until something changes them), the machine certificate stores, and URL Rewrite as an IIS
 * extension. Pure functions over a machine; the models of windows_feature, package, certificate,
 * iis_app_pool and iis_site (src/lab/handlers/resources/) call them and keep the scripts' messages.
 */
import { createHash } from 'node:crypto';
import { labCatalog, type SyntheticCertificate } from '../artifacts/catalog.js';
import type { LabIisAppPoolSchema, LabIisSiteSchema, LabCertificateSchema } from '../profile/schema.js';
import type { LabMachine } from '../state/types.js';
import type { z } from 'zod';

export type LabAppPool = z.output<typeof LabIisAppPoolSchema>;
export type LabSite = z.output<typeof LabIisSiteSchema>;
export type LabCertificate = z.output<typeof LabCertificateSchema>;
type IisFacts = NonNullable<LabMachine['iis']>;

/** What IIS creates when it is installed. */
export const DEFAULT_APP_POOL: LabAppPool = { name: 'DefaultAppPool', runtime: 'v4.0', pipeline: 'Integrated', identity: 'ApplicationPoolIdentity', userName: '', state: 'Started' };
export const DEFAULT_SITE: LabSite = {
  name: 'Default Web Site',
  id: 1,
  physicalPath: '%SystemDrive%\\inetpub\\wwwroot',
  appPool: 'DefaultAppPool',
  bindings: [{ protocol: 'http', bindingInformation: '*:80:', certificateHash: '', sslFlags: 0 }],
  state: 'Started',
};

/** Import-PfxCertificate's error for a wrong password (CertificateHelper / PFXImportCertStore). */
export const PFX_WRONG_PASSWORD = 'The PFX file you are trying to import requires either a different password or membership in an Active Directory principal to which it is protected.';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** IIS's version by the Windows build: 10.0 from Server 2016, 8.5 on 2012 R2, 8.0 on 2012. */
export function iisVersionFor(build: number): string {
  if (build >= 14393) return '10.0';
  if (build >= 9600) return '8.5';
  return '8.0';
}

export function iisInstalled(m: LabMachine): boolean {
  return m.iis !== null;
}

/** What installing the Web-Server feature does besides the feature row: IIS, W3SVC and WAS (running, automatic). */
export function installIis(m: LabMachine): void {
  if (m.iis === null) m.iis = { version: iisVersionFor(m.os.build), urlRewrite: null };
  const add = (name: string, dependsOn?: string[]) => {
    if (m.services.some((s) => same(s.name, name))) return;
    m.services.push({ name, state: 'Running', startType: 'Automatic', ...(dependsOn ? { dependsOn } : {}) });
  };
  add('WAS');
  add('W3SVC', ['WAS']);
}

/** The machine's pools (IIS's defaults until one is written). */
export function appPools(m: LabMachine): LabAppPool[] {
  return m.iis ? (m.iis.appPools ?? [DEFAULT_APP_POOL]) : [];
}

export function sites(m: LabMachine): LabSite[] {
  return m.iis ? (m.iis.sites ?? [DEFAULT_SITE]) : [];
}

/** The IIS configuration to change: IIS's defaults written out first. */
export function writableIis(m: LabMachine): Required<Pick<IisFacts, 'appPools' | 'sites'>> & IisFacts {
  if (!m.iis) throw new Error('writableIis: IIS is not installed (the caller checks iisInstalled)');
  m.iis.appPools ??= [structuredClone(DEFAULT_APP_POOL)];
  m.iis.sites ??= [structuredClone(DEFAULT_SITE)];
  return m.iis as Required<Pick<IisFacts, 'appPools' | 'sites'>> & IisFacts;
}

export function findAppPool(m: LabMachine, name: string): LabAppPool | undefined {
  return appPools(m).find((p) => same(p.name, name));
}

export function findSite(m: LabMachine, name: string): LabSite | undefined {
  return sites(m).find((s) => same(s.name, name));
}

/** The site (other than `except`) holding a binding with this protocol and bindingInformation. */
export function siteHoldingBinding(m: LabMachine, protocol: string, bindingInformation: string, except: string): LabSite | undefined {
  return sites(m).find((s) => !same(s.name, except) && s.bindings.some((b) => same(b.protocol, protocol) && same(b.bindingInformation, bindingInformation)));
}

/** A new site's id: one more than the highest (IIS numbers sites from 1). */
export function nextSiteId(m: LabMachine): number {
  return Math.max(0, ...sites(m).map((s) => s.id)) + 1;
}

// ---- certificate stores ----

export function findCertificate(m: LabMachine, store: string, thumbprint: string): LabCertificate | undefined {
  return (m.certificates ?? []).find((c) => same(c.store, store) && same(c.thumbprint, thumbprint));
}

/**
 * Import-PfxCertificate of a PFX the lab knows (by its SHA-256): the certificate it holds, added to the
 * store with its private key; a wrong password refused with Windows' text; any other file is not a PFX
 * the lab can open (the caller says "not emulated").
 */
export function importPfx(m: LabMachine, pfxSha256: string, password: string, store: string, exportable: boolean): { ok: true; certificate: LabCertificate } | { ok: false; reason: 'unknown-file' | 'wrong-password' } {
  const a = labCatalog().byHash.get(pfxSha256.toLowerCase());
  if (!a || a.type !== 'certificate') return { ok: false, reason: 'unknown-file' };
  if (createHash('sha256').update(password, 'utf8').digest('hex') !== a.passwordSha256) return { ok: false, reason: 'wrong-password' };
  const cert = certificateOf(a, store, exportable);
  m.certificates = [...(m.certificates ?? []).filter((c) => !(same(c.store, store) && same(c.thumbprint, cert.thumbprint))), cert];
  return { ok: true, certificate: cert };
}

function certificateOf(a: SyntheticCertificate, store: string, exportable: boolean): LabCertificate {
  return { store, thumbprint: a.thumbprint, subject: a.subject, hasPrivateKey: true, exportable, notAfter: a.notAfter };
}

// ---- URL Rewrite (an IIS extension installed by its MSI) ----

/** Whether an IIS extension's MSI can install: URL Rewrite needs IIS (else 1603, the lab's choice: docs/iis.md). */
export function extensionCanInstall(m: LabMachine): boolean {
  return iisInstalled(m);
}

/** The MSI registered the module with IIS: the IIS Extensions key and rewrite.dll follow from machine.iis. */
export function registerUrlRewrite(m: LabMachine, version: string): void {
  if (m.iis) m.iis.urlRewrite = version;
}

export function unregisterUrlRewrite(m: LabMachine): void {
  if (m.iis) m.iis.urlRewrite = null;
}
