/**
 * What ships cites what ships: comments, `source:` lines, remediation texts and docs point at docs/
 * pages, never at the developers' design notes or component reference, which are not in the package.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const SHIPPED = ['src', 'ps1', 'docs', 'examples', 'playbooks', 'scripts', 'README.md'];
const NOT_SHIPPED = /\b(design\.md|components\.md|powershell51\.md|ntlm-vectors\.json)\b|\.\.\/shared\b|\breference\/winrm\.md\b|(?<!docs\/)\bwinrm\.md §/;

function files(p: string): string[] {
  const abs = join(root, p);
  let info;
  try {
    info = statSync(abs);
  } catch {
    return [];
  }
  if (info.isFile()) return [abs];
  return readdirSync(abs).flatMap((name) => files(join(p, name)));
}

describe('citations in what ships', () => {
  const all = SHIPPED.flatMap(files).filter((f) => /\.(ts|mjs|js|ps1|psm1|md|sh|ya?ml|json)$/.test(f));

  it('has files to check', () => {
    expect(all.length).toBeGreaterThan(100);
  });

  it('no file cites the developers’ design notes or reference (cite docs/ instead)', () => {
    const found: string[] = [];
    for (const f of all) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (NOT_SHIPPED.test(line)) found.push(`${relative(root, f)}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(found).toEqual([]);
  });
});
