/**
 * A minimal ScriptExecutor for the lab: enough for the WinRM server's own tests and for `exec` against
 * a bare lab. The lab profile (src/lab/handlers/) provides the full executor with host state; it can
 * fall back to this one for ad-hoc text.
 *
 * Knows: probes.ping, runner.file-hash and runner.receive-file (files kept in memory per host), and
 * ad-hoc text made of a few simple statements (see runAdhoc). Any other script id fails the way
 * PowerShell fails on a name it cannot resolve.
 */
import { createHash } from 'node:crypto';
import type { LabHostRef, ScriptExecutor, ScriptInvocation, ScriptOutcome } from '../dispatcher.js';
import { commandNotFound, failedOutcome, type ErrorRecord } from './records.js';
import { splitStatements } from './statements.js';

export interface MinimalExecutorOptions {
  /** Files "on the hosts": host name → lower-cased path → content. Shared with the caller when given. */
  files?: Map<string, Map<string, Buffer>>;
  /** What $PSVersionTable.PSVersion prints (default 5.1.17763.1, Windows Server 2019). */
  psVersion?: string;
}

/** ToString('o') of a UTC DateTime: seven fractional digits. */
export function psRoundTripDate(d: Date): string {
  return d.toISOString().replace(/Z$/, '0000Z');
}

export function envelopeOk(data: unknown): string {
  return JSON.stringify({ ok: true, data, error: null });
}

export function envelopeFail(message: string, category: string): string {
  return JSON.stringify({ ok: false, data: null, error: { message, category } });
}

function ok(data: unknown): ScriptOutcome {
  return { exitCode: 0, output: [envelopeOk(data)], errors: [], warnings: [] };
}

export function createMinimalExecutor(opts: MinimalExecutorOptions = {}): ScriptExecutor & { files: Map<string, Map<string, Buffer>> } {
  const files = opts.files ?? new Map<string, Map<string, Buffer>>();
  const psVersion = opts.psVersion ?? '5.1.17763.1';
  const filesOf = (host: LabHostRef) => {
    let m = files.get(host.name);
    if (!m) files.set(host.name, (m = new Map()));
    return m;
  };

  return {
    files,
    async run(inv: ScriptInvocation): Promise<ScriptOutcome> {
      switch (inv.scriptId) {
        // ps1/probes/ping.ps1
        case 'probes.ping':
          return ok({ hostName: inv.host.name, utcNow: psRoundTripDate(new Date()), psVersion });
        // ps1/runner/file-hash.ps1
        case 'runner.file-hash': {
          const path = String(inv.params.path ?? '');
          const content = filesOf(inv.host).get(path.toLowerCase());
          if (!content) return ok({ path, exists: false, length: 0, sha256: null });
          return ok({ path, exists: true, length: content.length, sha256: createHash('sha256').update(content).digest('hex') });
        }
        // ps1/runner/receive-file.ps1
        case 'runner.receive-file': {
          const path = String(inv.params.path ?? '');
          const length = Number(inv.params.length ?? 0);
          const input = inv.input ?? Buffer.alloc(0);
          if (input.length < length) {
            return { exitCode: 1, output: [envelopeFail(`stdin ended after ${input.length} of ${length} bytes`, 'NotSpecified')], errors: [], warnings: [] };
          }
          filesOf(inv.host).set(path.toLowerCase(), Buffer.from(input.subarray(0, length)));
          return ok({ path, bytes: length });
        }
        case null:
          return runAdhoc(inv);
        default:
          return failedOutcome(commandNotFound(inv.scriptId));
      }
    },
  };
}

function literal(text: string): string | null {
  const t = text.trim();
  const m = /^'((?:[^']|'')*)'$/.exec(t) ?? /^"([^"]*)"$/.exec(t);
  if (m) return (m[1] ?? '').replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(t)) return t;
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Ad-hoc PowerShell the lab understands: `hostname`, `$env:COMPUTERNAME`, literals, `Write-Output`,
 * `Write-Warning`, `Write-Error`, `throw`, `Start-Sleep`, `Get-Date`, `exit N`. Any other command is
 * reported as not found (a non-terminating error: the next statement still runs, as in PowerShell).
 */
export async function runAdhoc(inv: ScriptInvocation): Promise<ScriptOutcome> {
  const output: string[] = [];
  const errors: ErrorRecord[] = [];
  const warnings: string[] = [];
  for (const stmt of splitStatements(inv.script)) {
    const [word = '', ...rest] = stmt.split(/\s+/);
    const arg = rest.join(' ');
    const cmd = word.toLowerCase();
    const lit = literal(stmt);
    if (lit !== null) output.push(lit);
    else if (cmd === 'exit') return { exitCode: Number.parseInt(arg || '0', 10) || 0, output, errors, warnings };
    else if (cmd === 'hostname' || cmd === 'hostname.exe') output.push(inv.host.name);
    else if (cmd === '$env:computername') output.push(inv.host.name.toUpperCase());
    else if (cmd === 'write-output' || cmd === 'echo') output.push(literal(arg) ?? arg);
    else if (cmd === 'write-warning') warnings.push(literal(arg.replace(/^-Message\s+/i, '')) ?? arg);
    else if (cmd === 'write-error') {
      errors.push({
        message: literal(arg.replace(/^-Message\s+/i, '')) ?? arg,
        category: 'NotSpecified',
        fullyQualifiedErrorId: 'Microsoft.PowerShell.Commands.WriteErrorException',
      });
    } else if (cmd === 'throw') {
      const message = literal(arg) ?? (arg || 'ScriptHalted');
      errors.push({ message, category: 'OperationStopped', fullyQualifiedErrorId: message });
      return { exitCode: 1, output, errors, warnings };
    } else if (cmd === 'start-sleep') {
      const m = /-(s|seconds|milliseconds|m)\s+(\d+)/i.exec(arg) ?? /^(\d+)$/.exec(arg);
      const n = Number(m?.[2] ?? m?.[1] ?? 0);
      await sleep(/^-m/i.test(arg) ? n : n * 1000);
    } else if (cmd === 'get-date') output.push(new Date().toString());
    else errors.push(commandNotFound(word));
  }
  return { exitCode: 0, output, errors, warnings };
}
