// Models ps1/resources/reboot.ps1: asks Windows for a restart (shutdown.exe /r /t N /d p:4:1 /c "cortex-deploy: <reason>")
// and answers at once; the restart itself happens later (power.ts): after N seconds the host goes down for
// the profile's rebootDownSec, then comes back with a new boot time and no pending reboot.
import { RESOURCE_SET_SCRIPTS } from '../../scripts/catalog.js';
import { setScriptId } from '../../resources/script-results.js';
import { defineHandler, type HandlerResult } from './types.js';

const contract = RESOURCE_SET_SCRIPTS.find((c) => c.id === setScriptId('reboot'))!;

/** shutdown.exe's /c comment is at most 512 characters; the script cuts it there. */
export const SHUTDOWN_COMMENT_MAX = 512;

/** What the script's `throw` becomes in the envelope (a thrown string: category OperationStopped). */
const thrown = (message: string): HandlerResult => ({ ok: false, error: { message, category: 'OperationStopped' } });

/** PowerShell's [string] cast of a JSON value, for the values a parameter can hold; undefined: not modelled. */
function asPsString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** .NET's Math.Round (to even), as PowerShell's [int] cast rounds. */
function roundHalfEven(n: number): number {
  const r = Math.round(n);
  return Math.abs(n % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** PowerShell's [int] cast: numbers round to even, booleans are 0/1, integer text is parsed; otherwise the cast's error. */
function asPsInt(v: unknown): { value: number } | { error: string } {
  if (typeof v === 'boolean') return { value: v ? 1 : 0 };
  if (typeof v === 'number' && Number.isFinite(v)) return { value: roundHalfEven(v) };
  if (typeof v === 'string' && /^\s*[+-]?\d{1,9}\s*$/.test(v)) return { value: Number.parseInt(v, 10) };
  const shown = typeof v === 'string' ? v : JSON.stringify(v);
  return { error: `Cannot convert value "${shown}" to type "System.Int32". Error: "Input string was not in a correct format."` };
}

export const resourcesReboot = defineHandler({
  contract,
  defaultDurationMs: 20,
  setType: true,
  run: ({ params, power }) => {
    const p = params as Record<string, unknown>;
    const reason = p.reason === undefined || p.reason === null ? 'cortex-deploy' : asPsString(p.reason);
    if (reason === undefined) return { ok: false, error: { message: 'reboot: a reason that is not text, a number or a boolean is not emulated by the lab', category: 'NotImplemented' } };
    const delay = p.delaySeconds === undefined || p.delaySeconds === null ? { value: 5 } : asPsInt(p.delaySeconds);
    if ('error' in delay) return { ok: false, error: { message: delay.error, category: 'InvalidArgument' } };
    if (delay.value < 0 || delay.value > 600) return thrown(`reboot: parameter delaySeconds must be 0 to 600, not ${delay.value}`);
    if (!power) return { ok: false, error: { message: 'shutdown.exe: not emulated by the lab (this host has no power control here)', category: 'NotImplemented' } };
    if (power.scheduledRestart()) {
      // Windows keeps one scheduled shutdown; shutdown.exe refuses another (ERROR_SHUTDOWN_IS_SCHEDULED,
      // 1190). The script takes that as the restart it wants, already on its way: nothing new is scheduled.
      return { ok: true, data: { rebootRequired: false, exitCode: 1190, message: `a restart was already scheduled; it goes ahead (${reason})` } };
    }
    const comment = `cortex-deploy: ${reason}`.slice(0, SHUTDOWN_COMMENT_MAX);
    power.scheduleRestart({ delaySec: delay.value, comment });
    return { ok: true, data: { rebootRequired: false, exitCode: 0, message: `restart in ${delay.value} s (${reason})` } };
  },
});
