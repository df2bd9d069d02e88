/**
 * A step's parameters read the way ps1/lib/resource.ps1's Get-CortexResourceParam reads them, with the
 * same messages, and PowerShell's [string] conversion: the models fail where the scripts fail.
 */
import { LabResourceError } from './types.js';

export interface ParamOptions {
  required?: boolean;
  default?: unknown;
}

/**
 * A parameter: missing or null gives the default; -Required also refuses an empty or blank string, with
 * "<resource>: parameter <name> is missing".
 */
export function resourceParam(params: unknown, resource: string, name: string, opts: ParamOptions = {}): unknown {
  let value: unknown = null;
  if (params !== null && typeof params === 'object' && !Array.isArray(params) && Object.hasOwn(params, name)) value = (params as Record<string, unknown>)[name];
  if (value === null || value === undefined || (opts.required && typeof value === 'string' && value.trim() === '')) {
    if (opts.required) throw new LabResourceError(`${resource}: parameter ${name} is missing`);
    return opts.default ?? null;
  }
  return value;
}

/** PowerShell's [string]: $null is '', a list is its items joined by spaces, booleans True/False. */
export function psString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map(psString).join(' ');
  // [string] of a PSCustomObject is its @{...} text: no script relies on it.
  throw new LabResourceError(`a parameter given as an object where text is expected: not emulated by the lab (see docs/lab.md, "Resource scripts")`);
}

/** A [string] parameter with its default: `[string](Get-CortexResourceParam ...)`. */
export function stringParam(params: unknown, resource: string, name: string, opts: ParamOptions = {}): string {
  return psString(resourceParam(params, resource, name, opts));
}
