/**
 * package (ps1/resources/package.ps1; its Test in test-batch.ps1's Get-CortexPackageState): detection by
 * ProductCode or uninstall key name in the 64-bit and then the 32-bit registry view, as
 * Find-CortexInstalledPackage reads them; the Set runs msiexec or the EXE installer (or the product's
 * uninstaller) through the lab's installers (src/lab/windows/installers.ts, the synthetic artifact
 * catalog), with the script's argument building, exit-code handling and messages.
 */
import { machineRegistry, wow6432Path } from '../../shim/windows-view.js';
import type { LabMachine } from '../../state/types.js';
import { NativeNotEmulated, runInstallerProgram, type NativeRun } from '../../windows/installers.js';
import { createDirectory, findFile, testPath } from './files.js';
import { resourceParam, stringParam } from './params.js';
import { normalizeKey, registryKey, registryValueData } from './registry.js';
import { rebootPending } from './reboot.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'package';
const UNINSTALL = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\';

interface FoundPackage {
  view: '64' | '32';
  subKey: string;
  DisplayName: string | null;
  DisplayVersion: string | null;
  UninstallString: string | null;
  QuietUninstallString: string | null;
}

/** Find-CortexInstalledPackage (ps1/lib/resource.ps1). */
export function findInstalledPackage(m: LabMachine, productCode: string, uninstallKey: string): FoundPackage | null {
  const name = productCode || uninstallKey;
  if (!name) throw new LabResourceError('package: set productCode (MSI) or uninstallKey (EXE) so the package can be detected');
  const subKey = UNINSTALL + name;
  const reg = machineRegistry(m);
  for (const view of ['64', '32'] as const) {
    const path = view === '32' && m.os.is64Bit ? wow6432Path(subKey) : subKey;
    if (registryKey(reg, path) === undefined) continue;
    const text = (v: string) => {
      const d = registryValueData(reg, path, v);
      return d === null ? null : Array.isArray(d) ? d.join(' ') : String(d);
    };
    return { view, subKey, DisplayName: text('DisplayName'), DisplayVersion: text('DisplayVersion'), UninstallString: text('UninstallString'), QuietUninstallString: text('QuietUninstallString') };
  }
  return null;
}

const ERLANG_KEY = 'SOFTWARE\\Ericsson\\Erlang';

/** test-batch.ps1's Get-CortexErlangReleaseState: the ERTS keys in both views (ErlSrv left out), the single key's OTP_VERSION hash. */
export function erlangReleaseState(m: LabMachine, version: string): { ertsKeys: string[]; otpVersionSha256: string | null } {
  const reg = machineRegistry(m);
  const keys: string[] = [];
  let root: string | null = null;
  for (const view of ['64', '32'] as const) {
    const base = view === '32' && m.os.is64Bit ? wow6432Path(ERLANG_KEY) : ERLANG_KEY;
    const prefix = `${normalizeKey(base)}\\`;
    for (const k of Object.keys(reg)) {
      if (!normalizeKey(k).startsWith(prefix)) continue;
      const name = k.replace(/^\\+/, '').replace(/\\{2,}/g, '\\').slice(prefix.length).split('\\')[0]!;
      if (name === 'ErlSrv' || keys.includes(name)) continue;
      keys.push(name);
      const d = registryValueData(reg, `${base}\\${name}`, '(default)');
      root = d === null ? null : String(d);
    }
  }
  let sha: string | null = null;
  if (keys.length === 1 && root) {
    const file = `${root.replace(/\\+$/, '')}\\releases\\${version.split('.')[0]}\\OTP_VERSION`;
    if (testPath(m, file, 'Leaf')) sha = findFile(m, file)!.sha256;
  }
  const ordinal = (a: string, b: string) => (a.toUpperCase() < b.toUpperCase() ? -1 : a.toUpperCase() > b.toUpperCase() ? 1 : 0);
  return { ertsKeys: keys.sort(ordinal), otpVersionSha256: sha };
}

/** The package script's Split-CortexCommandLine. */
export function splitCommandLine(commandLine: string): { file: string; arguments: string[] } {
  const text = commandLine.trim();
  let file: string;
  let rest: string;
  if (text.startsWith('"')) {
    const end = text.indexOf('"', 1);
    if (end < 0) throw new LabResourceError(`package: cannot read the command line ${commandLine}`);
    file = text.slice(1, end);
    rest = text.slice(end + 1);
  } else {
    const m = /^(.+?\.exe)(\s|$)/i.exec(text);
    if (m) {
      file = m[1]!;
      rest = text.slice(file.length);
    } else {
      const parts = text.split(/\s+/);
      file = parts[0]!;
      rest = text.includes(' ') ? text.slice(text.search(/\s/)).replace(/^\s+/, '') : '';
    }
  }
  const args = [...rest.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((x) => x[0].replace(/"/g, ''));
  return { file, arguments: args };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Get-CortexPackageLogPath: creates the logs folder; the name carries the host's local time. */
function logPath(m: LabMachine, name: string, verb: string, now: Date): string {
  const dir = `${m.programData.replace(/[\\/]+$/, '')}\\cortex-deploy\\logs`;
  if (!testPath(m, dir, 'Container')) createDirectory(m, dir);
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  const t = new Date(now.getTime() + m.utcOffsetSec * 1000);
  const stamp = `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}-${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
  return `${dir}\\package-${safe}-${verb}-${stamp}.log`;
}

function intList(v: unknown): number[] {
  return (Array.isArray(v) ? v : [v]).map((x) => Math.trunc(Number(x)));
}

export const packageModel = defineResourceModel({
  type: 'package',
  read: ({ machine, params }) => {
    const found = findInstalledPackage(machine, stringParam(params, R, 'productCode', { default: '' }), stringParam(params, R, 'uninstallKey', { default: '' }));
    const state = found ? { installed: true, version: found.DisplayVersion, view: found.view, displayName: found.DisplayName } : { installed: false, version: null, view: null, displayName: null };
    const erlang = resourceParam(params, R, 'erlang', { default: false });
    return erlang === true ? { ...state, erlang: erlangReleaseState(machine, stringParam(params, R, 'version', { required: true })) } : state;
  },
  set: ({ machine: m, params, now }) => {
    const name = stringParam(params, R, 'name', { required: true });
    const state = stringParam(params, R, 'state', { default: 'present' });
    const productCode = stringParam(params, R, 'productCode', { default: '' });
    const uninstallKey = stringParam(params, R, 'uninstallKey', { default: '' });
    const extraRaw = resourceParam(params, R, 'arguments', { default: [] });
    const extra = (Array.isArray(extraRaw) ? extraRaw : [extraRaw]).map((x) => String(x));
    const successCodes = intList(resourceParam(params, R, 'successExitCodes', { default: [0, 3010, 1641] }));
    if (state !== 'present' && state !== 'absent') throw new LabResourceError(`package: parameter state must be present or absent, not ${state}`);
    if (!productCode && !uninstallKey) throw new LabResourceError('package: parameter productCode (MSI) or uninstallKey (EXE) is missing; one is needed to detect the package');

    let log: string | null = null;
    let file: string;
    let args: string[];
    let verb: string;
    if (state === 'present') {
      const path = stringParam(params, R, 'path', { required: true });
      if (!testPath(m, path, 'Leaf')) throw new LabResourceError(`package: the installer ${path} is not on the host; upload it in an earlier step`);
      if (/\.msi$/i.test(path)) {
        log = logPath(m, name, 'install', now());
        file = 'msiexec.exe';
        args = ['/i', path, '/qn', '/norestart', '/l*v', log, ...extra];
      } else {
        file = path;
        args = extra;
      }
      verb = 'installing';
    } else {
      const found = findInstalledPackage(m, productCode, uninstallKey);
      if (!found) return setResult(`${name} is not installed`);
      let code = productCode;
      const msi = found.UninstallString ? /^\s*"?msiexec(\.exe)?"?\s+\/[XI]\s*(\{[0-9A-Fa-f-]{36}\})/i.exec(found.UninstallString) : null;
      if (!code && msi) code = msi[2]!;
      if (code) {
        log = logPath(m, name, 'uninstall', now());
        file = 'msiexec.exe';
        args = ['/x', code, '/qn', '/norestart', '/l*v', log];
      } else if (found.QuietUninstallString) {
        const command = splitCommandLine(found.QuietUninstallString);
        file = command.file;
        args = command.arguments;
      } else {
        throw new LabResourceError(`package: ${name} has no QuietUninstallString under ${found.subKey} (view ${found.view}); remove it with an exec step that runs its uninstaller silently`);
      }
      verb = 'removing';
    }

    const pendingBefore = rebootPending(m);
    const codes = [...new Set([...successCodes, 1618])];
    const where = log ? `; the log is ${log}` : '';
    let run: NativeRun;
    try {
      run = runInstallerProgram(m, file, args);
    } catch (err) {
      if (err instanceof NativeNotEmulated) throw new LabResourceError(`package: ${verb} ${name} failed: ${err.message}${where}`);
      throw err;
    }
    if (!codes.includes(run.exitCode)) {
      // Invoke-CortexNative's message: the program, the code, and its output.
      // Invoke-CortexNative's message (the program, the code, its output), trimmed as Get-CortexExceptionMessage gives it.
      const why = `${file} exited with code ${run.exitCode}: ${[...run.output, ...run.errorOutput].join('\n')}`.trim();
      throw new LabResourceError(`package: ${verb} ${name} failed: ${why}${where}`);
    }
    const exit = run.exitCode;
    if (exit === 1618 && !successCodes.includes(1618)) {
      throw new LabResourceError(`package: ${verb} ${name}: another installation is in progress (exit code 1618); retry the step when it has finished`, 'ResourceBusy');
    }
    const reboot = exit === 3010 || exit === 1641 || (rebootPending(m) && !pendingBefore);
    return setResult(`${verb} ${name}: exit code ${exit}${reboot ? ', reboot required' : ''}`, { rebootRequired: reboot, exitCode: exit });
  },
});
