/**
 * Reading a hive as the shim shows it (windows-view.ts: machineRegistry, currentUserRegistry): keys and
 * value names without regard to case, a key existing when listed or when a listed key is below it.
 * Shared by the models that read the registry. Pure.
 */
import type { RegistryValue, WindowsView } from '../../shim/view-schema.js';

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
export function normalizeKey(subKey: string): string {
  return subKey.replace(/^\\+|\\+$/g, '').replace(/\\{2,}/g, '\\').toLowerCase();
}
