/** The tool's version, from the package's package.json (reports and run records carry it). */
import { packageRoot } from './package-root.js';

let cached: string | undefined;

export function toolVersion(): string {
  if (cached !== undefined) return cached;
  const version = packageRoot()?.manifest.version;
  cached = typeof version === 'string' ? version : 'unknown';
  return cached;
}
