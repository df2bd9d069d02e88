/**
 * Ad-hoc PowerShell (`cortex-deploy exec`) on a lab host. The lab does not run PowerShell; it answers a
 * handful of read-only one-liners from the host's state, so `exec` is demonstrable, and fails any other
 * command the way PowerShell fails on an unknown one. Not a handler of a ps1/ script.
 *
 * Understood (one per line or `;`-separated): hostname, $env:COMPUTERNAME / $env:NAME,
 * Write-Output / echo 'text', $PSVersionTable.PSVersion, Get-Date, Get-Service NAME[,NAME],
 * Test-Path 'C:\path', exit N.
 */
import type { ScriptOutcome } from '../dispatcher.js';
import { commandNotFound } from './powershell-errors.js';
import { findFileKey } from './paths.js';
import type { LabHostState } from './types.js';

function unquote(s: string): string {
  const t = s.trim();
  if ((t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"'))) return t.slice(1, -1);
  return t;
}

export function runAdhoc(script: string, state: LabHostState, now: () => Date): ScriptOutcome {
  const m = state.machine;
  const output: string[] = [];
  const statements = script
    .split(/\r?\n|;/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'));
  for (const st of statements) {
    let r: RegExpExecArray | null;
    if (/^hostname(\.exe)?$/i.test(st) || /^\$env:COMPUTERNAME$/i.test(st)) output.push(m.computerName);
    else if ((r = /^\$env:([A-Za-z_][A-Za-z0-9_]*)$/i.exec(st))) {
      const key = Object.keys(m.env).find((k) => k.toLowerCase() === r![1]!.toLowerCase());
      if (key) output.push(m.env[key]!);
    } else if ((r = /^(?:Write-Output|echo)\s+(.+)$/i.exec(st))) output.push(unquote(r[1]!));
    else if (/^\$PSVersionTable\.PSVersion(\.ToString\(\))?$/i.test(st)) output.push(m.psVersion);
    else if (/^Get-Date$/i.test(st)) output.push(now().toISOString());
    else if ((r = /^Test-Path\s+(?:-(?:Literal)?Path\s+)?(.+)$/i.exec(st))) output.push(findFileKey(m, unquote(r[1]!)) !== undefined ? 'True' : 'False');
    else if ((r = /^Get-Service\s+(?:-Name\s+)?(.+)$/i.exec(st))) {
      const names = r[1]!.split(',').map(unquote);
      for (const name of names) {
        const svc = m.services.find((s) => s.name.toLowerCase() === name.toLowerCase());
        if (!svc) {
          return {
            exitCode: 1,
            output,
            errors: [{ message: `Cannot find any service with service name '${name}'.`, category: 'ObjectNotFound', fullyQualifiedErrorId: 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand' }],
            warnings: [],
          };
        }
        output.push(`${svc.state.padEnd(8)} ${svc.name}`);
      }
    } else if ((r = /^exit\s+(-?\d+)$/i.exec(st))) return { exitCode: Number(r[1]), output, errors: [], warnings: [] };
    else {
      const nf = commandNotFound(st, 'the lab answers only a few ad-hoc commands (docs/lab.md)');
      return { ...nf, output };
    }
  }
  return { exitCode: 0, output, errors: [], warnings: [] };
}
