/**
 * registry_value: the Test (test-batch.ps1's Get-CortexRegistryValueState) and the Set
 * (ps1/resources/registry-value.ps1) on the machine's registry as the shim shows it: what the profile's
 * facts imply, with the `registry` overlay on top, where the Set writes (HKLM in either view, HKCU of
 * the connecting account). Data as the scripts compare it: DWord/QWord unsigned, Binary lower-case hex.
 */
import type { LabMachine } from '../../state/types.js';
import type { RegistryValue } from '../../shim/view-schema.js';
import { currentUserRegistry, machineRegistry } from '../../shim/windows-view.js';
import { resourceParam, stringParam, psString } from './params.js';
import { cleanKey, overlayKeyName, registryEntry, registryKey } from './registry.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

type Hive = 'LocalMachine' | 'CurrentUser';
const KINDS = ['String', 'ExpandString', 'DWord', 'QWord', 'MultiString', 'Binary'] as const;
type Kind = (typeof KINDS)[number];
/** 2^64 - 1 as a double (2^64): the script's [decimal] check, as close as a number can say it. */
const QWORD_MAX = Number(2n ** 64n - 1n);

/** ConvertFrom-CortexRegistryPath: 'HKLM:\X', 'HKLM\X', 'HKEY_LOCAL_MACHINE\X' (and HKCU) -> {hive, subKey}. */
export function parseRegistryPath(path: string): { hive: Hive; subKey: string } {
  const m = /^(HKLM|HKCU|HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER):?\\+(.*)$/i.exec(path);
  if (!m) throw new LabResourceError(`registry_value: key must start with HKLM:\\ or HKCU:\\, not ${path}`);
  const sub = m[2]!.replace(/\\+$/, '');
  const hive: Hive = ['HKCU', 'HKEY_CURRENT_USER'].includes(m[1]!.toUpperCase()) ? 'CurrentUser' : 'LocalMachine';
  if (sub === '') throw new LabResourceError(`registry_value: key ${path} names a hive, not a key under it`);
  return { hive, subKey: sub };
}

/** The key as Windows stores it: the 32-bit view of HKLM\SOFTWARE is SOFTWARE\WOW6432Node on 64-bit Windows; HKCU\Software is shared. */
function physicalKey(m: LabMachine, hive: Hive, subKey: string, view: string): string {
  const path = cleanKey(subKey);
  if (hive === 'LocalMachine' && view === '32' && m.os.is64Bit && /^SOFTWARE(\\|$)/i.test(path) && !/^SOFTWARE\\WOW6432Node(\\|$)/i.test(path)) {
    return `SOFTWARE\\WOW6432Node${path.slice(8)}`;
  }
  return path;
}

/** The parameter binding error of the lib's [ValidateSet('64', '32')] View (test-batch does not check it first). */
function assertView(view: string): void {
  if (view !== '64' && view !== '32') {
    throw new LabResourceError(
      `Cannot validate argument on parameter 'View'. The argument "${view}" does not belong to the set "64,32" specified by the ValidateSet attribute. Supply an argument that is in the set and then try the command again.`,
      'InvalidData',
    );
  }
}

function hiveOf(m: LabMachine, hive: Hive) {
  return hive === 'CurrentUser' ? currentUserRegistry(m) : machineRegistry(m);
}

/** ConvertTo-CortexRegistryData: a stored value as the resource compares it. */
function compared(v: RegistryValue): { type: Kind; data: string | number | string[] } {
  switch (v.kind) {
    case 'String':
    case 'ExpandString':
      return { type: v.kind, data: v.data };
    case 'DWord':
      return { type: v.kind, data: v.data >>> 0 };
    case 'QWord':
      return { type: v.kind, data: Number(BigInt.asUintN(64, BigInt(v.data))) };
    case 'MultiString':
      return { type: v.kind, data: [...v.data] };
    case 'Binary':
      return { type: v.kind, data: v.data.map((b) => b.toString(16).padStart(2, '0')).join('') };
  }
}

/** [decimal]$Data as PowerShell converts it (a number, or text that reads as one). */
function toDecimal(data: unknown): number {
  if (typeof data === 'number') return data;
  const text = psString(data);
  if (/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text)) return Number(text);
  throw new LabResourceError(`Cannot convert value "${text}" to type "System.Decimal". Error: "Input string was not in a correct format."`, 'InvalidArgument');
}

/** ConvertTo-CortexRegistryWriteData, then how the value is stored (DWord unsigned, QWord as .NET's Int64). */
function toStored(kindParam: string, data: unknown): RegistryValue {
  // PowerShell's switch compares without regard to case; Windows stores the kind itself.
  const kind = KINDS.find((k) => k.toLowerCase() === kindParam.toLowerCase());
  switch (kind) {
    case 'String':
    case 'ExpandString':
      return { kind, data: psString(data) };
    case 'DWord': {
      const n = toDecimal(data);
      if (n < 0 || n > 0xffffffff || n !== Math.floor(n)) throw new LabResourceError(`registry_value: a DWord is a whole number from 0 to 4294967295, not ${psString(data)}`);
      return { kind, data: n };
    }
    case 'QWord': {
      const n = toDecimal(data);
      if (n < 0 || n > QWORD_MAX || n !== Math.floor(n)) throw new LabResourceError(`registry_value: a QWord is a whole number from 0 to 18446744073709551615, not ${psString(data)}`);
      return { kind, data: Number(BigInt.asIntN(64, BigInt(n))) };
    }
    case 'MultiString':
      return { kind, data: (Array.isArray(data) ? data : [data]).map(psString) };
    case 'Binary': {
      const hex = psString(data);
      if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new LabResourceError('registry_value: Binary data is written as hex, e.g. 0a0b0c');
      return { kind, data: (hex.match(/../g) ?? []).map((b) => Number.parseInt(b, 16)) };
    }
    default:
      throw new LabResourceError(`registry_value: parameter type must be String, ExpandString, DWord, QWord, MultiString or Binary, not ${kindParam}`);
  }
}

/** Writes (or with null deletes) one value through the overlay, keeping the stored names of key and value. */
function writeValue(m: LabMachine, hive: Hive, physical: string, name: string, value: RegistryValue | null): void {
  const prefix = hive === 'CurrentUser' ? 'HKCU' : 'HKLM';
  const key = overlayKeyName(m, prefix, physical);
  const values = (m.registry[key] ??= {});
  const current = registryEntry(hiveOf(m, hive), physical, name === '' ? '(default)' : name);
  const overlayName = Object.keys(values).find((n) => n.toLowerCase() === name.toLowerCase());
  // A value another fact implies keeps its stored name: the overlay writes under the name it has.
  const storedName = overlayName ?? (current ? findStoredName(hiveOf(m, hive), physical, name) : undefined) ?? name;
  values[storedName] = value;
}

function findStoredName(reg: ReturnType<typeof machineRegistry>, physical: string, name: string): string | undefined {
  const values = registryKey(reg, physical);
  const want = (name === '' ? '(default)' : name).toLowerCase();
  const stored = values ? Object.keys(values).find((n) => n.toLowerCase() === want) : undefined;
  return stored === '(default)' ? '' : stored;
}

export const registryValueModel = defineResourceModel({
  type: 'registry_value',
  read: ({ machine, params }) => {
    const { hive, subKey } = parseRegistryPath(psString(resourceParam(params, 'registry_value', 'key', { required: true })));
    const name = stringParam(params, 'registry_value', 'name', { default: '' });
    const view = stringParam(params, 'registry_value', 'view', { default: '64' });
    assertView(view);
    const reg = hiveOf(machine, hive);
    const physical = physicalKey(machine, hive, subKey, view);
    if (registryKey(reg, physical) === undefined) return { keyExists: false, value: null };
    const entry = registryEntry(reg, physical, name === '' ? '(default)' : name);
    return { keyExists: true, value: entry ? compared(entry) : null };
  },
  set: ({ machine, params }) => {
    const { hive, subKey } = parseRegistryPath(stringParam(params, 'registry_value', 'key', { required: true }));
    const name = stringParam(params, 'registry_value', 'name', { default: '' });
    const view = stringParam(params, 'registry_value', 'view', { default: '64' });
    const state = stringParam(params, 'registry_value', 'state', { default: 'present' });
    if (!['64', '32'].includes(view)) throw new LabResourceError(`registry_value: parameter view must be 64 or 32, not ${view}`);
    if (!['present', 'absent'].includes(state)) throw new LabResourceError(`registry_value: parameter state must be present or absent, not ${state}`);
    const label = `${subKey}\\${name}`;
    const physical = physicalKey(machine, hive, subKey, view);
    const current = registryEntry(hiveOf(machine, hive), physical, name === '' ? '(default)' : name);
    if (state === 'absent') {
      if (current) writeValue(machine, hive, physical, name, null);
      return setResult(`removed ${label}`);
    }
    const kind = stringParam(params, 'registry_value', 'type', { default: 'String' });
    const data = resourceParam(params, 'registry_value', 'data');
    if (data === null) throw new LabResourceError('registry_value: parameter data is missing (required for a present value)');
    const value = toStored(kind, data);
    const same = current !== undefined && registryKey(hiveOf(machine, hive), physical) !== undefined && JSON.stringify(current) === JSON.stringify(value);
    // Writing what is there changes nothing; a key that exists only because keys below it do becomes listed, which shows nowhere.
    if (!same) writeValue(machine, hive, physical, name, value);
    return setResult(`set ${label} (${kind})`);
  },
});
