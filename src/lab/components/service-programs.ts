/**
 * The programs a machine's running services run. Windows keeps a running program's file open, so an
 * extraction over it fails ("being used by another process"): the archive model refuses to overwrite one,
 * as the shim's Expand-Archive does. A service's program is its image (the executable of its binaryPath,
 * Win32_Service.PathName) and, for a service hosted by NSSM (or srvany), the program it hosts: the
 * `Application` value of its Parameters key.
 */
import { machineRegistry, REG } from '../shim/windows-view.js';
import type { LabMachine } from '../state/types.js';
import { shimPath } from '../handlers/resources/files.js';
import { psString } from '../handlers/resources/params.js';
import { registryEntry } from '../handlers/resources/registry.js';

/** The executable of a service command line: `"C:\a b\x.exe" -arg` or `C:\x.exe -arg`. */
export function executableOf(commandLine: string): string {
  const t = commandLine.trim();
  if (t.startsWith('"')) {
    const end = t.indexOf('"', 1);
    return end > 0 ? t.slice(1, end) : t.slice(1);
  }
  const exe = /^(.*?\.exe)(?=\s|$)/i.exec(t);
  return exe ? exe[1]! : (t.split(/\s+/)[0] ?? '');
}

/** The programs of the running services, as lower-case shim paths. */
export function runningServicePrograms(m: LabMachine): Set<string> {
  const out = new Set<string>();
  const reg = machineRegistry(m);
  for (const s of m.services) {
    if (s.state !== 'Running') continue;
    if (s.binaryPath) out.add(shimPath(executableOf(s.binaryPath)).toLowerCase());
    const app = registryEntry(reg, `${REG.services}\\${s.name}\\Parameters`, 'Application');
    if (app) out.add(shimPath(executableOf(psString(app.data))).toLowerCase());
  }
  return out;
}
