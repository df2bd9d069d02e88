/**
 * Ad-hoc PowerShell (`cortex-deploy exec`) on a lab host. The lab does not run PowerShell: it answers a
 * handful of read-only one-liners from the host's state, hands the generic ones (literals,
 * Write-Output/Warning/Error, throw, Start-Sleep, Get-Date, exit) to the PowerShell emulation's ad-hoc
 * answers (src/lab/powershell/), and reports anything else as a command PowerShell cannot find
 * (a non-terminating error: the next statement still runs). Not a handler of a ps1/ script.
 *
 * Answered from the state: hostname, $env:COMPUTERNAME / $env:NAME, $PSVersionTable.PSVersion,
 * Get-Service NAME[,NAME], Test-Path 'C:\path'.
 */
import type { ScriptInvocation, ScriptOutcome } from '../dispatcher.js';
import { runAdhoc as runGenericAdhoc } from '../powershell/minimal-executor.js';
import { findFileKey } from './paths.js';
import type { LabHostState } from './types.js';
import { splitStatements } from '../powershell/statements.js';

function unquote(s: string): string {
  const t = s.trim();
  if ((t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"'))) return t.slice(1, -1);
  return t;
}

type Partial = Pick<ScriptOutcome, 'output' | 'errors'>;

/** A statement answered from the host state, or null when it is not one of those. */
function fromState(st: string, state: LabHostState): Partial | null {
  const m = state.machine;
  let r: RegExpExecArray | null;
  if (/^hostname(\.exe)?$/i.test(st) || /^\$env:COMPUTERNAME$/i.test(st)) return { output: [m.computerName], errors: [] };
  if ((r = /^\$env:([A-Za-z_][A-Za-z0-9_]*)$/i.exec(st))) {
    const key = Object.keys(m.env).find((k) => k.toLowerCase() === r![1]!.toLowerCase());
    return { output: key ? [m.env[key]!] : [], errors: [] };
  }
  if (/^\$PSVersionTable\.PSVersion(\.ToString\(\))?$/i.test(st)) return { output: [m.psVersion], errors: [] };
  if ((r = /^Test-Path\s+(?:-(?:Literal)?Path\s+)?(.+)$/i.exec(st))) return { output: [findFileKey(m, unquote(r[1]!)) !== undefined ? 'True' : 'False'], errors: [] };
  if ((r = /^Get-Service\s+(?:-Name\s+)?(.+)$/i.exec(st))) {
    const res: Partial = { output: [], errors: [] };
    for (const name of r[1]!.split(',').map(unquote)) {
      const svc = m.services.find((s) => s.name.toLowerCase() === name.toLowerCase());
      if (svc) res.output.push(`${svc.state.padEnd(8)} ${svc.name}`);
      else {
        res.errors.push({
          message: `Cannot find any service with service name '${name}'.`,
          category: 'ObjectNotFound',
          fullyQualifiedErrorId: 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand',
        });
      }
    }
    return res;
  }
  return null;
}

export async function runAdhoc(inv: ScriptInvocation, state: LabHostState): Promise<ScriptOutcome> {
  const result: ScriptOutcome = { exitCode: 0, output: [], errors: [], warnings: [] };
  for (const st of splitStatements(inv.script)) {
    const own = fromState(st, state);
    if (own) {
      result.output.push(...own.output);
      result.errors.push(...own.errors);
      continue;
    }
    const generic = await runGenericAdhoc({ ...inv, script: st });
    result.output.push(...generic.output);
    result.errors.push(...generic.errors);
    result.warnings.push(...generic.warnings);
    // `exit N` and `throw` end the script; anything else (even a command not found) lets it go on.
    if (generic.exitCode !== 0 || /^exit\b/i.test(st)) return { ...result, exitCode: generic.exitCode };
  }
  return result;
}
