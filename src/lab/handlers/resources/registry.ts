/**
 * Reading a hive as the shim shows it (windows-view.ts: machineRegistry, currentUserRegistry): keys and
 * value names without regard to case, a key existing when listed or when a listed key is below it.
 * Shared by the models that read the registry. Pure.
 */
import type { RegistryValue, WindowsView } from '../../shim/view-schema.js';
import type { LabMachine } from '../../state/types.js';
import { memoString } from '../../../lib/memo-string.js';

type Hive = WindowsView['registry'];

/** A key's values (empty for a key that exists only because keys below it do), or undefined when absent. */
export function registryKey(reg: Hive, subKey: string): Record<string, RegistryValue> | undefined {
  const want = normalizeKey(subKey);
  let implied = false;
  for (const [k, values] of Object.entries(reg)) {
    const have = normalizeKey(k);
    if (have === want) return values;
    if (have.startsWith(`${want}\\`)) implied = true;
  }
  return implied ? {} : undefined;
}

/** One value of a key (name without regard to case), or undefined. */
export function registryEntry(reg: Hive, subKey: string, name: string): RegistryValue | undefined {
  const values = registryKey(reg, subKey);
  if (!values) return undefined;
  const stored = Object.keys(values).find((n) => n.toLowerCase() === name.toLowerCase());
  return stored === undefined ? undefined : values[stored];
}

/** A value's data as stored, or null when the key or the value is absent. */
export function registryValueData(reg: Hive, subKey: string, name: string): RegistryValue['data'] | null {
  return registryEntry(reg, subKey, name)?.data ?? null;
}

/** A key path as the shim compares it: trimmed of backslashes, repeated ones collapsed, lower case. */
export const normalizeKey: (subKey: string) => string = memoString((subKey) =>
  subKey.replace(/^\\+|\\+$/g, '').replace(/\\{2,}/g, '\\').toLowerCase(),
);

/** The registry overlay's key for a hive and key path, as stored (found without regard to case), or a new one. */
export function overlayKeyName(m: LabMachine, hive: 'HKLM' | 'HKCU', subKey: string): string {
  const want = `${hive}\\${normalizeKey(subKey)}`.toLowerCase();
  return Object.keys(m.registry).find((k) => `${k.slice(0, 4).toUpperCase()}\\${normalizeKey(k.slice(5))}`.toLowerCase() === want) ?? `${hive}\\${cleanKey(subKey)}`;
}

/** A key path trimmed of backslashes, repeated ones collapsed, case kept. */
export function cleanKey(subKey: string): string {
  return subKey.replace(/^\\+|\\+$/g, '').replace(/\\{2,}/g, '\\');
}

/**
 * Forget what the overlay says about one value (its data or its deletion), so the fact another key of
 * the profile keeps (a service's start type, a variable of `env`) shows again.
 */
export function dropOverlayValue(m: LabMachine, hive: 'HKLM' | 'HKCU', subKey: string, name: string): void {
  const k = overlayKeyName(m, hive, subKey);
  const values = m.registry[k];
  if (!values) return;
  for (const n of Object.keys(values)) if (n.toLowerCase() === name.toLowerCase()) delete values[n];
}
