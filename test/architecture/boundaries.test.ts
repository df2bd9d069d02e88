/**
 * The layer boundaries of design.md ("Boundaries worth keeping"), checked on the import graph:
 * - the product (transport, runner, engine, preflight, inventory, report, …) never imports src/lab/;
 * - pure decision modules (inventory, preflight rules, resource diffs, config generators) import no transport;
 * - src/transport takes plain connection settings and imports nothing from the inventory;
 * - nothing below src/cli/ writes to the screen (reporters render events; the CLI prints them);
 * - src/protocol holds nothing only the lab uses (the server halves live in src/lab/);
 * - the lab reads command lines with its own parser, never the product's quoting code;
 * - the package's own files are found from the package root (src/package-root.ts), never from a module's
 *   own location, which in the bundled CLI is a chunk's (rolldown.config.mjs).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const files = walk(src).map((abs) => ({ abs, rel: relative(src, abs).split(sep).join('/'), text: readFileSync(abs, 'utf8') }));

function importsOf(file: { abs: string; text: string }): string[] {
  const specs: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of file.text.matchAll(re)) {
    const spec = m[1] ?? m[2];
    if (spec && spec.startsWith('.')) specs.push(relative(src, resolve(dirname(file.abs), spec)).split(sep).join('/'));
  }
  return specs;
}

const productAreas = ['transport/', 'runner/', 'engine/', 'preflight/', 'inventory/', 'report/', 'resources/', 'components/', 'protocol/', 'log/', 'secrets/', 'scripts/', 'lifecycle/', 'connection/'];
const pureAreas = ['inventory/', 'preflight/rules/', 'resources/', 'components/'];

describe('layer boundaries', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('the product never imports the lab', () => {
    const offenders = files
      .filter((f) => productAreas.some((a) => f.rel.startsWith(a)))
      .flatMap((f) => importsOf(f).filter((i) => i.startsWith('lab/')).map((i) => `${f.rel} -> ${i}`));
    expect(offenders).toEqual([]);
  });

  it('pure decision modules import no transport, runner or lab', () => {
    const offenders = files
      .filter((f) => pureAreas.some((a) => f.rel.startsWith(a)))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => /^(transport|runner|lab)\//.test(i))
          .map((i) => `${f.rel} -> ${i}`),
      );
    expect(offenders).toEqual([]);
  });

  it('src/transport takes plain settings: it imports nothing from the inventory, secret resolution or the CLI', () => {
    // Secrets are resolved (and prompted for) before any host is touched: src/connection/settings.ts.
    const offenders = files
      .filter((f) => f.rel.startsWith('transport/'))
      .flatMap((f) => importsOf(f).filter((i) => /^(inventory|connection|cli|preflight|engine)\//.test(i)).map((i) => `${f.rel} -> ${i}`));
    expect(offenders).toEqual([]);
    // And the check sees the transport's imports at all.
    expect(files.filter((f) => f.rel.startsWith('transport/')).flatMap(importsOf)).toContain('transport/winrm/index.js');
  });

  it('nothing below src/cli writes to the screen', () => {
    // Entry points run as their own processes (the ps1 linter's CLI, the lab's SSH entry) may write.
    const allowed = (rel: string) => rel.startsWith('cli/') || /(^|\/)(cli|entry)\.ts$/.test(rel);
    const offenders = files
      .filter((f) => !allowed(f.rel))
      .filter((f) => /\bconsole\.(log|error|warn|info)\(|process\.(stdout|stderr)\.write\(/.test(f.text))
      .map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it('src/protocol exports nothing that only the lab uses', () => {
    // Codecs whose two directions belong together (both tested against the specifications' vectors)
    // and the shared vocabulary may serve the lab's side alone.
    // krb-error.ts: the KRB-ERROR a refusing acceptor sends (lab) and reads back (client), one codec.
    const shared = new Set(['protocol/ntlm/messages.ts', 'protocol/ntlm/crypto.ts', 'protocol/wsman/namespaces.ts', 'protocol/wsman/duration.ts', 'protocol/kerberos/krb-error.ts']);
    const byRel = new Map(files.map((f) => [f.rel, f]));
    const fileOf = (spec: string) => (byRel.has(spec.replace(/\.js$/, '.ts')) ? spec.replace(/\.js$/, '.ts') : `${spec.replace(/\.js$/, '')}/index.ts`);
    /** Where a name imported from `target` is really defined, following index re-exports. */
    const definedIn = (target: string, name: string, seen = new Set<string>()): string => {
      const f = byRel.get(target);
      if (!f || seen.has(target)) return target;
      seen.add(target);
      for (const m of f.text.matchAll(/export\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
        const names = m[2]!.split(',').map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+/));
        const hit = names.find((n) => (n[1] ?? n[0]) === name);
        if (hit) return definedIn(fileOf(relative(src, resolve(dirname(f.abs), m[3]!)).split(sep).join('/')), hit[0]!, seen);
      }
      for (const m of f.text.matchAll(/export\s+\*\s+from\s+'([^']+)'/g)) {
        const inner = fileOf(relative(src, resolve(dirname(f.abs), m[1]!)).split(sep).join('/'));
        if (new RegExp(`export\\s+(declare\\s+)?(async\\s+)?(function|const|let|class|interface|type|enum)\\s+${name}\\b`).test(byRel.get(inner)?.text ?? '')) return inner;
      }
      return target;
    };
    const users = new Map<string, Set<string>>(); // "protocol/x.ts#name" -> importing files
    for (const f of files) {
      for (const m of f.text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(\.[^']+)'/g)) {
        const target = fileOf(relative(src, resolve(dirname(f.abs), m[3]!)).split(sep).join('/'));
        if (!target.startsWith('protocol/')) continue;
        for (const raw of m[2]!.split(',')) {
          const name = raw.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0];
          if (!name) continue;
          const key = `${definedIn(target, name)}#${name}`;
          users.set(key, (users.get(key) ?? new Set()).add(f.rel));
        }
      }
    }
    const offenders: string[] = [];
    for (const f of files.filter((x) => x.rel.startsWith('protocol/') && !shared.has(x.rel))) {
      for (const m of f.text.matchAll(/export\s+(?:declare\s+)?(?:async\s+)?(?:function|const|let|class|interface|type|enum)\s+(\w+)/g)) {
        const name = m[1]!;
        const importers = [...(users.get(`${f.rel}#${name}`) ?? [])];
        // Used by the module's own code (comments aside), beyond its declaration: the product uses it through that code.
        const code = f.text.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/.*$/gm, '$1');
        const usedInside = (code.match(new RegExp(`\\b${name}\\b`, 'g')) ?? []).length > 1;
        if (importers.length > 0 && !usedInside && importers.every((i) => i.startsWith('lab/'))) offenders.push(`${f.rel}#${name} (${importers.join(', ')})`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("the package's own files are found from the package root, not from a module's own location", () => {
    // import.meta.url is the bundle chunk's in the built CLI. Where else it may appear, and why that is safe:
    const allowed: Record<string, string> = {
      'package-root.ts': 'walks up from wherever it runs to the package.json named cortex-deploy',
      'cli/compile-cache.ts': 'names __filename and __dirname only as the parameters of the CommonJS wrapper chunks are compiled in',
      'cli/start.ts': "the bundle's entry (dist/cli/start.cjs): its own folder is the bundle's, whose chunks the code cache serves",
      'protocol/kerberos/gss-module.ts': 'createRequire: resolves a package in node_modules, found from any folder of the package',
      'ps1lint/parser.ts': 'createRequire: resolves a package in node_modules, found from any folder of the package',
      'ps1lint/cli.ts': 'is this module the process entry (dist/ps1lint/cli.js, not bundled)',
      'ps1lint/data/generate-commands.ts': 'a maintainer\'s generator run from dist/ps1lint/data/ (tsc output, not bundled)',
      'lab/ssh/server.ts': 'asks only whether it runs as TypeScript source (vitest), to transpile the SSH entry',
    };
    const users = files.filter((f) => /import\.meta\.(url|dirname|filename)|__dirname|__filename/.test(f.text.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/.*$/gm, '$1'))).map((f) => f.rel);
    expect(users.filter((rel) => !(rel in allowed))).toEqual([]);
    // And the check sees them at all.
    expect(users).toContain('package-root.ts');
  });

  it('the lab reads command lines with its own parser, not the product quoting it checks', () => {
    const offenders = files
      .filter((f) => f.rel.startsWith('lab/'))
      .flatMap((f) => importsOf(f).filter((i) => /^(transport|runner)\/.*command-line/.test(i)).map((i) => `${f.rel} -> ${i}`));
    expect(offenders).toEqual([]);
  });
});
