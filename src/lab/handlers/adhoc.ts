/**
 * Ad-hoc PowerShell on a lab host: text without a `# cortex-script:` header (`cortex-deploy exec`,
 * Ansible's `raw`, pywinrm's run_ps). Not a handler of a ps1/ script. The lab never answers it with a
 * made-up success (docs/lab.md, "Ad-hoc PowerShell"):
 *
 * - Where pwsh is present, the text runs for real in pwsh 7 with the Windows shim loaded for the host's
 *   state (src/lab/shim/): its output, errors, warnings and exit code are pwsh's. What it changes in the
 *   shim's view is not written back to the host's state.
 * - Where pwsh is absent, the lab answers a few forms from the state (ADHOC_FORMS) and the generic ones
 *   of src/lab/powershell/minimal-executor.ts; the first statement it cannot answer fails with
 *   "not emulated by the lab" and the list of what is, and nothing after it runs.
 */
import type { ScriptInvocation, ScriptOutcome } from '../dispatcher.js';
import { runAdhoc as runGenericAdhoc } from '../powershell/minimal-executor.js';
import { splitStatements } from '../powershell/statements.js';
import type { ShimPool } from '../shim/shim-runner.js';
import { projectWindowsView } from '../shim/windows-view.js';
import { findFileKey } from './paths.js';
import type { LabHostState } from './types.js';

/** What the lab answers without pwsh, for the "not emulated" message and docs/lab.md. */
export const ADHOC_FORMS = [
  'hostname',
  '$env:NAME',
  '$PSVersionTable.PSVersion',
  'Get-Service NAME[,NAME]',
  "Test-Path 'C:\\path'",
  "Write-Output / Write-Warning / Write-Error 'text'",
  "'literal'",
  'Get-Date',
  'Start-Sleep N',
  "throw 'text'",
  'exit N',
];

/** The longest an ad-hoc text may run in the shim, whatever the caller asked. */
const MAX_ADHOC_MS = 600_000;
/** The most output characters kept from one ad-hoc run. */
const MAX_ADHOC_OUTPUT = 1_048_576;

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

/** The error for text the lab cannot run: what it could not, and what it can. */
export function notEmulated(statement: string, scriptIds: readonly string[]): ScriptOutcome['errors'][number] {
  return {
    message:
      `'${statement.length > 120 ? `${statement.slice(0, 117)}...` : statement}' is not emulated by the lab: without pwsh it runs no PowerShell. ` +
      `It answers the project's scripts (${scriptIds.join(', ')}) and these ad-hoc forms: ${ADHOC_FORMS.join('; ')}. ` +
      'Install pwsh (scripts/setup.sh) to run any PowerShell against the lab (docs/lab.md).',
    category: 'NotImplemented',
    fullyQualifiedErrorId: 'CortexLabNotEmulated',
  };
}

export interface AdhocOptions {
  /** pwsh with the Windows shim; null where there is no pwsh. */
  shim: ShimPool | null;
  /** Script ids the lab models (for the "not emulated" message). */
  scriptIds: readonly string[];
}

export async function runAdhoc(inv: ScriptInvocation, state: LabHostState, opts: AdhocOptions): Promise<ScriptOutcome> {
  if (opts.shim) {
    const r = await opts.shim.run({
      script: inv.script,
      view: projectWindowsView(state.machine),
      outputFormat: 'text',
      timeoutMs: Math.min(inv.timeoutMs, MAX_ADHOC_MS),
      maxOutputChars: MAX_ADHOC_OUTPUT,
    });
    if (r.timedOut) r.errors.push({ message: 'The pipeline has been stopped.', category: 'OperationStopped', fullyQualifiedErrorId: 'PipelineStoppedException' });
    return { exitCode: r.exitCode, output: r.output, errors: r.errors, warnings: r.warnings };
  }
  const result: ScriptOutcome = { exitCode: 0, output: [], errors: [], warnings: [] };
  for (const st of splitStatements(inv.script)) {
    const own = fromState(st, state);
    if (own) {
      result.output.push(...own.output);
      result.errors.push(...own.errors);
      continue;
    }
    // Variables, subexpressions and pipelines need a PowerShell: the generic answers would print them as text.
    const generic = /[$(|{]/.test(st.replace(/'[^']*'/g, "''")) ? null : await runGenericAdhoc({ ...inv, script: st });
    if (!generic || generic.errors.some((e) => e.fullyQualifiedErrorId === 'CommandNotFoundException')) {
      result.errors.push(notEmulated(st, opts.scriptIds));
      return { ...result, exitCode: 1 };
    }
    result.output.push(...generic.output);
    result.errors.push(...generic.errors);
    result.warnings.push(...generic.warnings);
    // `exit N` and `throw` end the script.
    if (generic.exitCode !== 0 || /^exit\b/i.test(st)) return { ...result, exitCode: generic.exitCode };
  }
  return result;
}
