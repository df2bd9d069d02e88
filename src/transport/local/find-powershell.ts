/**
 * Which PowerShell the workstation has: Windows PowerShell (powershell.exe) first, as on a Windows
 * Server host, then PowerShell 7 (pwsh). A plain PATH search; nothing is run to find out.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const POWERSHELL_NAMES = ['powershell.exe', 'powershell', 'pwsh.exe', 'pwsh'] as const;

/** Is `command` a name the local transport maps onto the workstation's PowerShell? */
export function isPowerShellName(command: string): boolean {
  const base = command.split(/[\\/]/).pop()!.toLowerCase();
  return (POWERSHELL_NAMES as readonly string[]).includes(base);
}

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (process.platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first PowerShell on `searchPath` (a PATH-style list), or null. */
export function findPowerShell(searchPath: string): string | null {
  const dirs = searchPath.split(delimiter).filter((d) => d !== '');
  for (const name of POWERSHELL_NAMES) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return null;
}
