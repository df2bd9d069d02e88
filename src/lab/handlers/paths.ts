/**
 * Windows path rules the handlers share: case-insensitive, either slash. Not a handler.
 */
import type { LabMachine } from '../state/types.js';

export function normalizeWindowsPath(p: string): string {
  return p.replace(/\//g, '\\').replace(/\\+$/, '').toLowerCase();
}

/** The key under which `machine.files` holds this path (as first written), if any. */
export function findFileKey(machine: LabMachine, path: string): string | undefined {
  if (path in machine.files) return path;
  const want = normalizeWindowsPath(path);
  return Object.keys(machine.files).find((k) => normalizeWindowsPath(k) === want);
}

export function isAbsoluteWindowsPath(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || /^\\\\[^\\]+\\[^\\]+/.test(p);
}
