/**
 * MS-NLMP §4.2 example values, read from ../shared/reference/ntlm-vectors.json beside the repository
 * (CI checks the shared directory out next to the clone).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../../..');
export const vectorsPath = resolve(repoRoot, '../shared/reference/ntlm-vectors.json');

interface VectorFile {
  values: Record<string, { hex: string; section: string }>;
}

const file = JSON.parse(readFileSync(vectorsPath, 'utf8')) as VectorFile;

/** The bytes of a named vector; throws when the name is unknown so a typo cannot pass silently. */
export function v(name: string): Buffer {
  const entry = file.values[name];
  if (!entry) throw new Error(`no vector named ${name} in ${vectorsPath}`);
  return Buffer.from(entry.hex, 'hex');
}

export const inputs = {
  user: 'User',
  domain: 'Domain',
  password: 'Password',
  server: 'Server',
  workstation: 'COMPUTER',
};
