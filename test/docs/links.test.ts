/** Every relative link in README.md and docs/*.md points at a file that exists. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('documentation links', () => {
  it('has pages to check', () => {
    expect(pages.length).toBeGreaterThan(5);
  });

  it.each(pages)('%s links only to files that exist', (page) => {
    const text = readFileSync(join(root, page), 'utf8');
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/i.test(target)) continue; // http:, mailto:
      if (!existsSync(resolve(dirname(join(root, page)), target))) broken.push(target);
    }
    expect(broken).toEqual([]);
  });

  it('the docs index lists every page in docs/', () => {
    const index = readFileSync(join(root, 'docs/README.md'), 'utf8');
    const missing = readdirSync(join(root, 'docs'))
      .filter((f) => f !== 'README.md' && (f.endsWith('.md') || f.endsWith('.json')))
      .filter((f) => !index.includes(`(${f})`));
    expect(missing).toEqual([]);
  });
});
