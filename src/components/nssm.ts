/**
 * The NSSM service that runs gobetween on the load balancer (docs/gobetween.md): the
 * parameters, in the order they are set, each as NSSM names it (`nssm set <svc> <name> [sub] <value>`,
 * also the values under HKLM\SYSTEM\CurrentControlSet\Services\<svc>\Parameters). The apply step
 * compares each with `nssm get` and sets only what differs, as Ansible's win_nssm does.
 * The service runs as LocalSystem (no ObjectName): no password to store.
 */
import { z } from 'zod';
import { settingsError } from './errors.js';
import { CONFIG_FILE_NAME, GobetweenSettings, type GobetweenSettingsInput } from './gobetween.js';
import { WindowsPath } from './windows-path.js';

export const NssmSettings = z.strictObject({
  /** Where the NSSM zip's 64-bit build lands when it is extracted to C:\Program Files\nssm (its win64 folder). */
  nssmExe: WindowsPath.default('C:\\Program Files\\nssm\\win64\\nssm.exe'),
  serviceName: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,79}$/, { message: 'letters, digits, - and _ (a Windows service name)' }).default('gobetween'),
  displayName: z.string().min(1).max(256).regex(/^[\x20-\x7e]+$/, { message: 'printable ASCII' }).default('Cortex load balancer (gobetween)'),
  description: z.string().min(1).max(1024).regex(/^[\x20-\x7e]+$/, { message: 'printable ASCII' }).default('Balances the Cortex API Gateway Service across the application servers; managed by cortex-deploy.'),
  logDir: WindowsPath.default('C:\\ProgramData\\gobetween\\logs'),
  start: z.enum(['SERVICE_AUTO_START', 'SERVICE_DELAYED_AUTO_START', 'SERVICE_DEMAND_START']).default('SERVICE_AUTO_START'),
  rotateSeconds: z.number().int().min(0).default(86_400),
  rotateBytes: z.number().int().min(0).default(10_485_760),
  /** A run shorter than this (ms) counts as a failed start for NSSM's back-off. */
  throttleMs: z.number().int().min(0).default(1500),
});
export type NssmSettingsInput = z.input<typeof NssmSettings>;

export interface NssmParameter {
  name: string;
  /** AppExit's exit code (Default) and the like. */
  sub?: string;
  value: string;
}

export interface NssmService {
  nssmExe: string;
  serviceName: string;
  /** `nssm install <svc> <program>`: only when the service does not exist. */
  program: string;
  parameters: NssmParameter[];
}

const HINT = 'Fix the NSSM settings (docs/gobetween.md).';

/** The NSSM service definition of gobetween, from gobetween's and NSSM's settings. */
export function gobetweenNssmService(gobetween: GobetweenSettingsInput = {}, nssm: NssmSettingsInput = {}): NssmService {
  const g = GobetweenSettings.safeParse(gobetween);
  if (!g.success) throw settingsError('gobetween', g.error.issues, 'Fix the gobetween settings (docs/gobetween.md).');
  const n = NssmSettings.safeParse(nssm);
  if (!n.success) throw settingsError('nssm', n.error.issues, HINT);
  const s = n.data;
  const program = `${g.data.installDir}\\gobetween.exe`;
  const log = `${s.logDir}\\${s.serviceName}.log`;
  const parameters: NssmParameter[] = [
    { name: 'Application', value: program },
    { name: 'AppDirectory', value: g.data.installDir },
    // Relative to AppDirectory: no quoting of a path with spaces inside the arguments.
    { name: 'AppParameters', value: `-c ${CONFIG_FILE_NAME}` },
    { name: 'DisplayName', value: s.displayName },
    { name: 'Description', value: s.description },
    { name: 'Start', value: s.start },
    { name: 'AppStdout', value: log },
    { name: 'AppStderr', value: log },
    // CREATE_ALWAYS, with rotation on: the previous file is rotated away at each start, not lost.
    { name: 'AppStdoutCreationDisposition', value: '2' },
    { name: 'AppStderrCreationDisposition', value: '2' },
    { name: 'AppRotateFiles', value: '1' },
    { name: 'AppRotateOnline', value: '1' },
    { name: 'AppRotateSeconds', value: String(s.rotateSeconds) },
    { name: 'AppRotateBytes', value: String(s.rotateBytes) },
    { name: 'AppExit', sub: 'Default', value: 'Restart' },
    { name: 'AppThrottle', value: String(s.throttleMs) },
  ];
  return { nssmExe: s.nssmExe, serviceName: s.serviceName, program, parameters };
}

/** The arguments of `nssm.exe` that set one parameter. */
export function nssmSetArgs(serviceName: string, p: NssmParameter): string[] {
  return ['set', serviceName, p.name, ...(p.sub === undefined ? [] : [p.sub]), p.value];
}
