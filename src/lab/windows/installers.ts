/**
 * Installers run on a simulated machine: msiexec.exe /i <msi> and /x <ProductCode>, a synthetic EXE
 * installer, and an EXE product's QuietUninstallString (docs/lab.md, "Synthetic artifacts"). What they do
 * follows from the artifact catalog (src/lab/artifacts/): an installer file the lab knows installs its
 * product; msiexec refuses a file it does not know as Windows Installer refuses a file that is not a
 * package (1620); any other program is not emulated by the lab. The package model runs these on the lab
 * machine, and the Windows shim's Invoke-CortexNative does the same on the view (held together by the
 * differential test). Pure apart from changing the machine it is given.
 */
import { labCatalog, type SyntheticInstaller } from '../artifacts/catalog.js';
import { applyInstall, applyUninstall, missingRequirement } from '../artifacts/effects.js';
import { findFileKey } from '../handlers/paths.js';
import type { LabMachine } from '../state/types.js';
import { extensionCanInstall, registerUrlRewrite, unregisterUrlRewrite } from '../components/iis.js';

/** Windows Installer's messages for the exit codes the lab gives (what its log would say; the lab writes it on stderr). */
export const MSI_MESSAGES: Readonly<Record<number, string>> = {
  1603: 'Fatal error during installation.',
  1605: 'This action is only valid for products that are currently installed.',
  1618: 'Another installation is already in progress. Complete that installation before proceeding with this install.',
  1620: 'This installation package could not be opened. Contact the application vendor to verify that this is a valid Windows Installer package.',
  1638: 'Another version of this product is already installed. Installation of this version cannot continue. To configure or remove the existing version of this product, use Add/Remove Programs on the Control Panel.',
};

/** Exit codes after which the product is installed (or removed). */
const DONE_CODES = [0, 3010, 1641];

export interface NativeRun {
  exitCode: number;
  output: string[];
  errorOutput: string[];
}

/** A program the lab cannot run: the message the shim's Invoke-CortexNative throws. */
export class NativeNotEmulated extends Error {}

export function notEmulatedProgram(file: string): string {
  return `the program ${file}: not emulated by the lab (see docs/lab.md, "The Windows shim")`;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const fileOf = (cmd: string) => {
  const t = cmd.trim();
  if (t.startsWith('"')) return t.slice(1, t.indexOf('"', 1) < 0 ? undefined : t.indexOf('"', 1));
  return /^(.+?\.exe)(\s|$)/i.exec(t)?.[1] ?? t.split(/\s+/)[0]!;
};

function installerAt(m: LabMachine, path: string): SyntheticInstaller & { sha256: string } | undefined {
  const key = findFileKey(m, path);
  if (key === undefined) return undefined;
  const sha = m.files[key]!.toLowerCase();
  const a = labCatalog().byHash.get(sha);
  return a && a.type === 'installer' ? { ...a, sha256: sha } : undefined;
}

function msiExit(code: number): NativeRun {
  const text = MSI_MESSAGES[code];
  return { exitCode: code, output: [], errorOutput: text ? [text] : [] };
}

function install(m: LabMachine, i: SyntheticInstaller & { sha256: string }): number {
  if (!DONE_CODES.includes(i.installExitCode)) return i.installExitCode;
  // An IIS extension without IIS: Fatal error during installation (docs/iis.md: the lab's choice).
  if (i.iisExtension && !extensionCanInstall(m)) return 1603;
  applyInstall(m, i, i.sha256);
  if (i.iisExtension === 'urlRewrite') registerUrlRewrite(m, i.product.version);
  if (i.installExitCode !== 0) m.pendingReboot = true;
  return i.installExitCode;
}

function uninstall(m: LabMachine, product: LabMachine['products'][number]): number {
  const a = product.installer ? labCatalog().byHash.get(product.installer) : undefined;
  const code = a && a.type === 'installer' ? a.uninstallExitCode : 0;
  if (!DONE_CODES.includes(code)) return code;
  applyUninstall(m, product);
  if (a && a.type === 'installer' && a.iisExtension === 'urlRewrite') unregisterUrlRewrite(m);
  if (code !== 0) m.pendingReboot = true;
  return code;
}

/** Runs `file` with `args` on the machine as Invoke-CortexNative would; throws NativeNotEmulated for what the lab cannot run. */
export function runInstallerProgram(m: LabMachine, file: string, args: readonly string[]): NativeRun {
  if (/^msiexec(\.exe)?$/i.test(file)) {
    const verb = (args[0] ?? '').toLowerCase();
    const target = args[1] ?? '';
    if (verb === '/i') {
      const i = installerAt(m, target);
      if (!i || i.kind !== 'msi') return msiExit(1620);
      const code = i.product.productCode!;
      const installed = m.products.find((p) => same(p.uninstallKey ?? '', code));
      if (installed) return msiExit(installed.version === i.product.version ? 0 : 1638);
      return msiExit(install(m, i));
    }
    if (verb === '/x') {
      const product = m.products.find((p) => same(p.uninstallKey ?? '', target));
      if (!product) return msiExit(1605);
      return msiExit(uninstall(m, product));
    }
    throw new NativeNotEmulated(notEmulatedProgram(`msiexec.exe ${args.join(' ')}`));
  }
  const i = installerAt(m, file);
  if (i && i.kind === 'exe') {
    // An NSIS installer that finds no prerequisite aborts (RabbitMQ without Erlang), installing nothing.
    const missing = missingRequirement(m, i);
    if (missing) return { exitCode: missing.exitCode, output: [], errorOutput: [missing.message] };
    return { exitCode: install(m, i), output: [], errorOutput: [] };
  }
  const product = m.products.find((p) => p.quietUninstallString !== undefined && same(fileOf(p.quietUninstallString), file));
  if (product) return { exitCode: uninstall(m, product), output: [], errorOutput: [] };
  throw new NativeNotEmulated(notEmulatedProgram(file));
}
