/**
 * A readable structural diff for the differential tests: one line per differing leaf,
 * `path: handler <value> vs script <value>`.
 */
export function diffValues(a: unknown, b: unknown, path = '', out: string[] = []): string[] {
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diffValues(a[i], b[i], `${path}[${i}]`, out);
    return out;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) diffValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
    return out;
  }
  if (a !== b) out.push(`${path || '(root)'}: handler ${show(a)} vs script ${show(b)}`);
  return out;
}
