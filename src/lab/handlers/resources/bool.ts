/** PowerShell's [bool] conversion of a JSON parameter: what `[bool](Get-CortexResourceParam ...)` gives. */
export function psBool(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length === 1 ? psBool(v[0]) : v.length > 0;
  return true;
}
