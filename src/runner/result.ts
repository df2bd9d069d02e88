/**
 * From a ResultFrame to what callers get: the envelope's JSON result (docs/scripts.md)
 * picked out of the output, the error records, and one verdict `ok`. Pure functions.
 */
import type { EnvelopeResult, ErrorRecordFrame, ResultFrame } from '../protocol/script-frames.js';
import { redact, redactDeep } from '../secrets/registry.js';

export interface ScriptResult<T = unknown> {
  /** The envelope's `ok` when the script printed one; otherwise exit code 0 and no error records. */
  ok: boolean;
  data: T | undefined;
  /** The envelope's error, or the first error record when there is no envelope. */
  error: { message: string; category: string } | undefined;
  exitCode: number;
  /** Error records of the error stream (and a terminating error), redacted. */
  errors: ErrorRecordFrame[];
  warnings: string[];
  /** The information stream (Write-Information, Write-Host), redacted. */
  information: string[];
  /** The verbose stream (Write-Verbose when verbose output is on), redacted. */
  verbose: string[];
  /** Pipeline output other than the envelope result (ad-hoc output, stray text), redacted. */
  output: string[];
  /** Lines on the process's stdout that were not frames, and its decoded stderr, redacted. */
  stdoutDiagnostics: string[];
  /** True when the script printed an envelope result. */
  enveloped: boolean;
  durationMs: number;
}

/** The envelope result: the last output item that parses as a JSON object with a boolean `ok`. */
export function findEnvelope(output: string[]): { index: number; result: EnvelopeResult } | null {
  for (let i = output.length - 1; i >= 0; i--) {
    const text = (output[i] ?? '').trim();
    if (!text.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && typeof (parsed as { ok?: unknown }).ok === 'boolean') {
        return { index: i, result: parsed as EnvelopeResult };
      }
    } catch {
      // not JSON: ordinary output
    }
    return null; // only the last object-looking item can be the envelope
  }
  return null;
}

function normaliseError(e: unknown): { message: string; category: string } | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const { message, category } = e as { message?: unknown; category?: unknown };
  return { message: redact(String(message ?? 'unknown error')), category: String(category ?? 'NotSpecified') };
}

/**
 * `enveloped`: the script runs in the envelope (it was sent with ps1/lib), so its last JSON object is
 * its result. Ad-hoc text is not: JSON it prints is just output.
 */
export function toScriptResult<T>(frame: ResultFrame, diagnostics: string[], enveloped = true): ScriptResult<T> {
  const errors = frame.errors.map((e) => ({ ...e, message: redact(e.message), ...(e.position ? { position: redact(e.position) } : {}) }));
  const envelope = enveloped ? findEnvelope(frame.output) : null;
  const output = frame.output.filter((_, i) => i !== envelope?.index).map(redact);
  const base = {
    exitCode: frame.exitCode,
    errors,
    warnings: frame.warnings.map(redact),
    information: (frame.information ?? []).map(redact),
    verbose: (frame.verbose ?? []).map(redact),
    output,
    stdoutDiagnostics: diagnostics.map(redact),
    durationMs: frame.durationMs,
  };
  if (envelope) {
    const r = envelope.result;
    return {
      ...base,
      ok: r.ok,
      data: r.data === undefined || r.data === null ? (r.data as T | undefined) : redactDeep(r.data as T),
      error: r.ok ? undefined : (normaliseError(r.error) ?? { message: 'the script reported failure without a message', category: 'NotSpecified' }),
      enveloped: true,
    };
  }
  const first = errors[0];
  return {
    ...base,
    ok: frame.exitCode === 0 && errors.length === 0,
    data: undefined,
    error: first
      ? { message: first.message, category: first.category }
      : frame.exitCode !== 0
        ? { message: `exited with code ${frame.exitCode}`, category: 'NotSpecified' }
        : undefined,
    enveloped: false,
  };
}
