/**
 * package: an MSI or EXE installer. Detection is by MSI product code or by uninstall key name,
 * looked up in both registry views (64-bit and WOW6432Node), because 32-bit installers register
 * under the 32-bit view on a 64-bit OS. Exit codes 3010 and 1641 mean "installed, reboot required"
 * (see REBOOT_EXIT_CODES); the executor treats them as success plus a pending reboot.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Guid, WindowsPath } from './common.js';
import { defineResource, NONE, UnreachableStateError, type ComponentUpgrade } from './resource.js';
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
    erlang: z.boolean().default(false).meta({ description: "Erlang/OTP's installer: also installed only with exactly one ERTS key under HKLM\\SOFTWARE\\[WOW6432Node\\]Ericsson\\Erlang and its OTP_VERSION file the pinned version (docs/rabbitmq.md)" }),
  })
  .refine((p) => !p.erlang || p.version !== undefined, { message: 'erlang: true needs the pinned version (OTP_VERSION is compared with it)', path: ['version'] })
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
  /**
   * With `erlang: true` only: the ERTS version keys under Ericsson\Erlang (both registry views, ErlSrv
   * left out), and the SHA-256 of <root>\releases\<major>\OTP_VERSION for the one key's root (null: no
   * single key, or no file).
   */
  erlang: z.object({ ertsKeys: z.array(z.string()), otpVersionSha256: z.string().nullable() }).optional(),
});

/** OTP_VERSION holds the release and a newline (LF as the installer writes it; CRLF or none accepted). */
export function otpVersionMatches(sha256: string | null, version: string): boolean {
  if (sha256 === null) return false;
  const sha = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
  return [`${version}\n`, `${version}\r\n`, version].some((t) => sha(t) === sha256.toLowerCase());
}

/**
 * Erlang's rule (docs/rabbitmq.md, "Erlang"): one Erlang at a time. Two ERTS keys are a state this step
 * cannot reach its goal from (the installer adds a release, it never removes the other): refused, with
 * the fix. One key with another OTP_VERSION is an update (the pinned installer runs).
 */
function erlangDiff(p: { version?: string | undefined }, s: z.output<typeof PackageState>) {
  const e = s.erlang;
  if (!e) return null;
  if (e.ertsKeys.length > 1) {
    throw new UnreachableStateError(
      `${e.ertsKeys.length} Erlang releases are installed (ERTS keys ${e.ertsKeys.join(', ')} under HKLM\\SOFTWARE\\WOW6432Node\\Ericsson\\Erlang); only one may be: RabbitMQ's installer and service take whichever key Windows lists last. Stop RabbitMQ, uninstall every Erlang but OTP ${p.version} ("<its folder>\\Uninstall.exe" /S), and run again`,
    );
  }
  if (!s.installed) return null;
  if (e.ertsKeys.length === 0) return { action: 'update' as const, from: { ertsKeys: 0 }, to: { ertsKeys: 1, version: p.version } };
  if (!otpVersionMatches(e.otpVersionSha256, p.version!)) return { action: 'update' as const, from: { otpVersion: e.otpVersionSha256 === null ? 'missing' : 'differs' }, to: { otpVersion: p.version } };
  return null;
}

export const packageResource = defineResource({
  type: 'package',
  mayRequireReboot: true,
  description: 'An MSI/EXE package, detected by product code or uninstall key in both registry views',
  params: PackageParams,
  state: PackageState,
  label: (p) => `package ${p.name}`,
  diff(p, s) {
    if (p.state === 'absent') return s.installed ? { action: 'update', from: { installed: true, version: s.version }, to: { installed: false } } : NONE;
    const erlang = p.erlang ? erlangDiff(p, s) : null;
    if (!s.installed) return { action: 'create', from: null, to: { installed: true, version: p.version ?? null } };
    if (p.version !== undefined && (s.version === null || !isVersion(s.version) || new Version(s.version).compare(new Version(p.version)) !== 0)) {
      return { action: 'update', from: { version: s.version }, to: { version: p.version } };
    }
    return erlang ?? NONE;
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
