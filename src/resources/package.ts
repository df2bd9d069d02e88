/**
 * package: an MSI or EXE installer. Detection is by MSI product code or by uninstall key name,
 * looked up in both registry views (64-bit and WOW6432Node), because 32-bit installers register
 * under the 32-bit view on a 64-bit OS. Exit codes 3010 and 1641 mean "installed, reboot required"
 * (see REBOOT_EXIT_CODES); the executor treats them as success plus a pending reboot.
 */
import { z } from 'zod';
import { Guid, WindowsPath } from './common.js';
import { defineResource, NONE, type ComponentUpgrade } from './resource.js';
import { Version } from '../engine/expr/version.js';

/** ERROR_SUCCESS_REBOOT_REQUIRED (3010) and ERROR_SUCCESS_REBOOT_INITIATED (1641). */
export const REBOOT_EXIT_CODES: readonly number[] = [3010, 1641];

export const PackageParams = z
  .strictObject({
    name: z.string().min(1).meta({ description: 'Display name, for plans and reports' }),
    path: WindowsPath.meta({ description: 'Installer (.msi or .exe) on the host' }),
    productCode: Guid.optional(),
    uninstallKey: z.string().min(1).optional().meta({ description: 'Name of the key under ...\\CurrentVersion\\Uninstall (EXE installers)' }),
    version: z.string().min(1).optional().meta({ description: 'DisplayVersion wanted; a different installed version is an update' }),
    component: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/).optional().meta({ description: 'The inventory versions key this package is (erlang, rabbitmq): plan shows a version change as its upgrade' }),
    arguments: z.array(z.string()).default([]).meta({ description: 'Extra installer arguments (msiexec gets /i /qn /norestart itself)' }),
    state: z.enum(['present', 'absent']).default('present'),
    successExitCodes: z.array(z.number().int()).default([0, 3010, 1641]),
  })
  .refine((p) => p.productCode !== undefined || p.uninstallKey !== undefined, { message: 'set productCode (MSI) or uninstallKey (EXE) so the package can be detected', path: ['productCode'] })
  .refine((p) => p.version === undefined || isVersion(p.version), { message: 'version must be digits and dots, e.g. 27.3.4', path: ['version'] });

function isVersion(s: string): boolean {
  try {
    new Version(s);
    return true;
  } catch {
    return false;
  }
}

export const PackageState = z.object({
  installed: z.boolean(),
  /** DisplayVersion, null when absent or not written by the installer. */
  version: z.string().nullable(),
  /** The registry view the entry was found in. */
  view: z.enum(['64', '32']).nullable(),
  displayName: z.string().nullable(),
});

export const packageResource = defineResource({
  type: 'package',
  mayRequireReboot: true,
  description: 'An MSI/EXE package, detected by product code or uninstall key in both registry views',
  params: PackageParams,
  state: PackageState,
  label: (p) => `package ${p.name}`,
  diff(p, s) {
    if (p.state === 'absent') return s.installed ? { action: 'update', from: { installed: true, version: s.version }, to: { installed: false } } : NONE;
    if (!s.installed) return { action: 'create', from: null, to: { installed: true, version: p.version ?? null } };
    if (p.version !== undefined && (s.version === null || !isVersion(s.version) || new Version(s.version).compare(new Version(p.version)) !== 0)) {
      return { action: 'update', from: { version: s.version }, to: { version: p.version } };
    }
    return NONE;
  },
  upgrades(p, s): Record<string, ComponentUpgrade> {
    if (p.component === undefined || p.version === undefined || p.state === 'absent' || !s.installed) return {};
    if (s.version !== null && isVersion(s.version) && new Version(s.version).compare(new Version(p.version)) === 0) return {};
    return { [p.component]: { from: s.version, to: p.version } };
  },
});

/** Whether an installer's exit code is success, and whether it asks for a reboot. */
export function classifyExitCode(code: number, successExitCodes: readonly number[]): { ok: boolean; rebootRequired: boolean } {
  return { ok: successExitCodes.includes(code), rebootRequired: REBOOT_EXIT_CODES.includes(code) };
}
