/**
 * NSSM on a lab machine (docs/gobetween.md): what `nssm install` and `nssm set/reset` write, and the
 * parameters as ps1/lib/nssm.ps1 reads them back — the service in `services`, its values in the
 * registry overlay under HKLM\SYSTEM\CurrentControlSet\Services\<svc> and its Parameters subkey, as NSSM
 * keeps them. Pure functions over a machine; the nssm_service model (handlers/resources/nssm-service.ts)
 * is built on them, and the Windows shim's nssm.exe does the same to a view.
 */
import { NSSM_PARAMETER_DEFAULTS, nssmParameterKey } from '../../resources/nssm-service.js';
import { machineRegistry, REG } from '../shim/windows-view.js';
import type { RegistryValue } from '../shim/view-schema.js';
import type { LabMachine } from '../state/types.js';
import { overlayKeyName, registryEntry, dropOverlayValue } from '../handlers/resources/registry.js';

/** Parameters NSSM stores as REG_DWORD (and deletes when set to their default). */
const NUMERIC = new Set(['AppStdoutCreationDisposition', 'AppStderrCreationDisposition', 'AppRotateFiles', 'AppRotateOnline', 'AppRotateSeconds', 'AppRotateBytes', 'AppThrottle']);
/** Parameters that are values of the service's own key, not of Parameters. */
const SERVICE_KEY_VALUES = new Set(['DisplayName', 'Description']);

const serviceKey = (svc: string) => `${REG.services}\\${svc}`;
const parametersKey = (svc: string) => `${serviceKey(svc)}\\Parameters`;

export function findNssmService(m: LabMachine, svc: string): LabMachine['services'][number] | undefined {
  return m.services.find((s) => s.name.toLowerCase() === svc.toLowerCase());
}

function writeOverlay(m: LabMachine, subKey: string, name: string, value: RegistryValue | null): void {
  const values = (m.registry[overlayKeyName(m, 'HKLM', subKey)] ??= {});
  const stored = Object.keys(values).find((n) => n.toLowerCase() === name.toLowerCase()) ?? name;
  if (value === null) delete values[stored];
  else values[stored] = value;
}

/** One parameter as `nssm get` prints it (Get-CortexNssmParameter), or null: no value and no default. */
export function nssmParameter(m: LabMachine, svc: string, name: string, sub: string): string | null {
  const key = nssmParameterKey({ name, sub: sub || undefined });
  if (!(key in NSSM_PARAMETER_DEFAULTS)) throw new Error(`nssm_service: NSSM parameter ${key} is not one cortex-deploy manages`);
  const fallback = NSSM_PARAMETER_DEFAULTS[key]!;
  const reg = machineRegistry(m);
  if (name === 'Start') {
    const start = registryEntry(reg, serviceKey(svc), 'Start');
    if (!start) return fallback;
    const delayed = registryEntry(reg, serviceKey(svc), 'DelayedAutostart');
    const n = Number(start.data);
    if (n === 2) return delayed && Number(delayed.data) === 1 ? 'SERVICE_DELAYED_AUTO_START' : 'SERVICE_AUTO_START';
    if (n === 3) return 'SERVICE_DEMAND_START';
    if (n === 4) return 'SERVICE_DISABLED';
    return String(n);
  }
  const entry =
    name === 'AppExit' ? registryEntry(reg, `${parametersKey(svc)}\\AppExit`, '(default)') : registryEntry(reg, SERVICE_KEY_VALUES.has(name) ? serviceKey(svc) : parametersKey(svc), name);
  if (!entry) return fallback;
  if (entry.kind === 'DWord') return String(Number(entry.data) >>> 0);
  return String(entry.data);
}

/** `nssm install <svc> <program>`: the service (stopped, automatic, LocalSystem) and its first parameters. */
export function nssmInstall(m: LabMachine, nssmExe: string, svc: string, program: string): void {
  m.services.push({ name: svc, state: 'Stopped', startType: 'Automatic', binaryPath: nssmExe });
  writeOverlay(m, serviceKey(svc), 'DisplayName', { kind: 'String', data: svc });
  writeOverlay(m, serviceKey(svc), 'ObjectName', { kind: 'String', data: 'LocalSystem' });
  const dir = program.includes('\\') ? program.slice(0, program.lastIndexOf('\\')) : program;
  writeOverlay(m, parametersKey(svc), 'Application', { kind: 'ExpandString', data: program });
  writeOverlay(m, parametersKey(svc), 'AppDirectory', { kind: 'ExpandString', data: dir });
  writeOverlay(m, parametersKey(svc), 'AppParameters', { kind: 'ExpandString', data: '' });
  writeOverlay(m, `${parametersKey(svc)}\\AppExit`, '', { kind: 'String', data: 'Restart' });
}

/** `nssm set <svc> <name> [sub] <value>`, or with value null `nssm reset <svc> <name>`. */
export function nssmSet(m: LabMachine, svc: string, name: string, sub: string, value: string | null): void {
  const service = findNssmService(m, svc);
  if (!service) throw new Error(`nssm set of ${svc}, which is not installed`);
  if (name === 'Start') {
    const start = value ?? 'SERVICE_AUTO_START';
    service.startType = start === 'SERVICE_DEMAND_START' ? 'Manual' : start === 'SERVICE_DISABLED' ? 'Disabled' : 'Automatic';
    dropOverlayValue(m, 'HKLM', serviceKey(svc), 'Start');
    if (service.startType === 'Automatic') {
      service.delayedAutoStart = start === 'SERVICE_DELAYED_AUTO_START';
      dropOverlayValue(m, 'HKLM', serviceKey(svc), 'DelayedAutostart');
    }
    return;
  }
  if (name === 'AppExit') {
    writeOverlay(m, `${parametersKey(svc)}\\AppExit`, sub === 'Default' ? '' : sub, value === null ? null : { kind: 'String', data: value });
    return;
  }
  const key = SERVICE_KEY_VALUES.has(name) ? serviceKey(svc) : parametersKey(svc);
  if (value === null) return writeOverlay(m, key, name, null);
  if (NUMERIC.has(name)) {
    // NSSM keeps no value for a number set to its default.
    return writeOverlay(m, key, name, value === NSSM_PARAMETER_DEFAULTS[name] ? null : { kind: 'DWord', data: Number(value) });
  }
  writeOverlay(m, key, name, { kind: SERVICE_KEY_VALUES.has(name) ? 'String' : 'ExpandString', data: value });
}
