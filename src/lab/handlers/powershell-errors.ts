/**
 * How a failing script looks to the runner: the envelope's ok=false result, or PowerShell's own error
 * record for a command it cannot find (records of src/lab/powershell/, one place for the wording).
 * Shared by the executor and the ad-hoc answers. Not a handler.
 */
import type { ScriptOutcome } from '../dispatcher.js';
import { commandNotFound as notFoundRecord } from '../powershell/records.js';

/** What the envelope prints when the body throws: ok=false, exit 1 (ps1/lib/envelope.ps1). */
export function envelopeFailure(message: string, category: string): ScriptOutcome {
  return { exitCode: 1, output: [JSON.stringify({ ok: false, data: null, error: { message, category } })], errors: [], warnings: [] };
}

const ENVELOPE_COMMANDS = new Set(
  ['Set-StrictMode', 'Invoke-CortexScript', 'Get-CortexParam', 'ConvertTo-CortexDate', 'Invoke-CortexNative', 'ConvertTo-Json', 'ConvertFrom-Json', 'New-Object'].map((s) =>
    s.toLowerCase(),
  ),
);
const KEYWORDS = /^(param|function|if|else|elseif|try|catch|finally|foreach|for|while|return|switch)$/i;

/** The first command of a script that is not part of the envelope: what PowerShell would fail on. */
export function firstUnknownCommand(script: string): { term: string; line: number; col: number } {
  const lines = script.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    for (const m of line.matchAll(/\b([A-Za-z]+-[A-Za-z][A-Za-z0-9]*)\b/g)) {
      if (!ENVELOPE_COMMANDS.has(m[1]!.toLowerCase())) return { term: m[1]!, line: i + 1, col: (m.index ?? 0) + 1 };
    }
    const first = /^\s*([^\s$(){};=[\]'"-][^\s(){};=]*)/.exec(line)?.[1];
    if (first && !ENVELOPE_COMMANDS.has(first.toLowerCase()) && !KEYWORDS.test(first)) return { term: first, line: i + 1, col: line.indexOf(first) + 1 };
  }
  return { term: 'script', line: 1, col: 1 };
}

/**
 * PowerShell's answer to a command it cannot find (CommandNotFoundException, exit 1). The lab cannot
 * run PowerShell, so a script it has no model for fails on its first command; the warning says why.
 */
export function commandNotFound(script: string, why: string): ScriptOutcome {
  const at = firstUnknownCommand(script);
  return {
    exitCode: 1,
    output: [],
    errors: [notFoundRecord(at.term)],
    warnings: [`lab: ${why} (the term '${at.term}' at line:${at.line} char:${at.col})`],
  };
}
