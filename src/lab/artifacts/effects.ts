/**
 * What the lab's synthetic installers do to a machine (catalog.ts): install writes the product's
 * uninstall entry (in the 32-bit view for a 32-bit installer on 64-bit Windows), its services, files and
 * machine environment variables; uninstall takes back what the installer of that entry installed. Pure:
 * the package handler applies these to the lab machine, and the Windows view carries the same effects
 * (InstallerEffect) for the shim's msiexec (src/lab/shim/windows-shim.psm1), so the differential test
 * compares the two.
 */
import { labCatalog, textFile, type SyntheticInstaller } from './catalog.js';
import type { InstallerEffect } from '../shim/view-schema.js';
import type { LabMachine } from '../state/types.js';
import { machineRegistry, wow6432Path } from '../shim/windows-view.js';
import { overlayKeyName } from '../handlers/resources/registry.js';

export const UNINSTALL_KEY = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
export const UNINSTALL_KEY_32 = 'SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall';

type Product = LabMachine['products'][number];

/** The uninstall entry a product shows: key path (in the view it registers in) and values. */
export function uninstallEntry(p: Product, is64Bit: boolean): { keyPath: string; values: Record<string, string> } {
  const values: Record<string, string> = { DisplayName: p.name, DisplayVersion: p.version };
  if (p.uninstallString) values.UninstallString = p.uninstallString;
  if (p.quietUninstallString) values.QuietUninstallString = p.quietUninstallString;
  return { keyPath: `${p.wow6432 && is64Bit ? UNINSTALL_KEY_32 : UNINSTALL_KEY}\\${p.uninstallKey ?? p.name}`, values };
}

/** The product entry an installer registers. */
export function productOf(i: SyntheticInstaller, sha256: string): Product {
  const msi = i.kind === 'msi';
  return {
    name: i.product.name,
    version: i.product.version,
    uninstallKey: msi ? i.product.productCode! : i.product.uninstallKey!,
    wow6432: i.product.wow6432,
    ...(msi ? { uninstallString: `MsiExec.exe /X${i.product.productCode!}` } : { uninstallString: i.product.quietUninstallString!, quietUninstallString: i.product.quietUninstallString! }),
    installer: sha256,
  };
}

/** Where an installer's HKLM key is stored: a 32-bit installer's SOFTWARE keys under WOW6432Node on 64-bit Windows. */
export function installerKeyPath(i: SyntheticInstaller, subKey: string, is64Bit: boolean): string {
  return i.product.wow6432 && is64Bit ? wow6432Path(subKey) : subKey;
}

/** The shim and the registry name a key's default value '(default)'. */
const valueName = (n: string) => (n === '' ? '(default)' : n);

/** Whether `key` (as stored) has a subkey in this hive: what an NSIS EnumRegKey loop finds. */
export function hasSubKey(reg: Record<string, unknown>, key: string): boolean {
  const want = `${key.replace(/\\+$/, '')}\\`.toLowerCase();
  return Object.keys(reg).some((k) => k.toLowerCase().startsWith(want));
}

/** An installer's effect in the Windows view's terms. */
export function installerEffect(i: SyntheticInstaller, sha256: string, is64Bit: boolean): InstallerEffect {
  const entry = uninstallEntry(productOf(i, sha256), is64Bit);
  return {
    kind: i.kind,
    productCode: i.product.productCode ?? null,
    uninstallKeyPath: entry.keyPath,
    uninstallValues: entry.values,
    installExitCode: i.installExitCode,
    uninstallExitCode: i.uninstallExitCode,
    services: i.installs.services.map((s) => ({ Name: s.name, Status: s.state, StartType: s.startType, PathName: s.binaryPath ?? null })),
    files: Object.fromEntries(Object.entries(i.installs.files).map(([p, text]) => [p, textFile(text)])),
    env: { ...i.installs.env },
    requiresIis: i.iisExtension !== undefined,
    registry: Object.fromEntries(
      Object.entries(i.installs.registry).map(([k, values]) => [installerKeyPath(i, k, is64Bit), Object.fromEntries(Object.entries(values).map(([n, v]) => [valueName(n), v]))]),
    ),
    requires: i.requires ? { ...i.requires, subKeyOf: installerKeyPath(i, i.requires.subKeyOf, is64Bit) } : null,
  };
}

/** Every installer of the catalog by SHA-256, for the view. */
export function installerEffects(is64Bit: boolean): Record<string, InstallerEffect> {
  const out: Record<string, InstallerEffect> = {};
  for (const [sha, a] of labCatalog().byHash) if (a.type === 'installer') out[sha] = installerEffect(a, sha, is64Bit);
  return out;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Install: the product entry (replacing one of the same key), services, files, environment. */
export function applyInstall(m: LabMachine, i: SyntheticInstaller, sha256: string): void {
  const product = productOf(i, sha256);
  m.products = [...m.products.filter((p) => !same(p.uninstallKey ?? p.name, product.uninstallKey!)), product];
  for (const s of i.installs.services) {
    m.services = [...m.services.filter((x) => !same(x.name, s.name)), { ...s }];
  }
  for (const [path, text] of Object.entries(i.installs.files)) {
    const key = Object.keys(m.files).find((k) => same(k, path)) ?? path;
    const f = textFile(text);
    m.files[key] = f.sha256;
    m.fileSizes[key] = f.length;
  }
  for (const [name, value] of Object.entries(i.installs.env)) {
    const key = Object.keys(m.env).find((k) => same(k, name)) ?? name;
    m.env[key] = value;
  }
  for (const [subKey, values] of Object.entries(i.installs.registry)) {
    const k = overlayKeyName(m, 'HKLM', installerKeyPath(i, subKey, m.os.is64Bit));
    m.registry[k] = { ...(m.registry[k] ?? {}), ...Object.fromEntries(Object.entries(values).map(([n, v]) => [n, { kind: 'String' as const, data: v }])) };
  }
}

/** Uninstall: the entry goes; what its installer (when the lab knows it) installed goes with it. */
export function applyUninstall(m: LabMachine, product: Product): void {
  m.products = m.products.filter((p) => p !== product);
  const a = product.installer ? labCatalog().byHash.get(product.installer) : undefined;
  if (!a || a.type !== 'installer') return;
  m.services = m.services.filter((s) => !a.installs.services.some((x) => same(x.name, s.name)));
  for (const path of Object.keys(a.installs.files)) {
    for (const k of Object.keys(m.files).filter((k) => same(k, path))) {
      delete m.files[k];
      delete m.fileSizes[k];
    }
  }
  for (const name of Object.keys(a.installs.env)) for (const k of Object.keys(m.env).filter((k) => same(k, name))) delete m.env[k];
  for (const subKey of Object.keys(a.installs.registry)) delete m.registry[overlayKeyName(m, 'HKLM', installerKeyPath(a, subKey, m.os.is64Bit))];
}

/** When the machine lacks the key an installer requires (a subkey of it): the exit code and message it aborts with; else null. */
export function missingRequirement(m: LabMachine, i: SyntheticInstaller): { exitCode: number; message: string } | null {
  if (!i.requires) return null;
  return hasSubKey(machineRegistry(m), installerKeyPath(i, i.requires.subKeyOf, m.os.is64Bit)) ? null : { exitCode: i.requires.exitCode, message: i.requires.message };
}
