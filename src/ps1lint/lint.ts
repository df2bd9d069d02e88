/**
 * The checker: parse every script once, run every rule over its tree, apply suppressions.
 * `lintFiles` is the API the tests and the CLI share.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { packageDir } from '../package-root.js';
import { parsePowerShell } from './parser.js';
import { indexTree, type ScriptIndex } from './tree.js';
import { applySuppressions, leadingCommentBlockEnd, parseSuppressions } from './suppressions.js';
import { definedFunctions, exitCodeCheckingFunctions } from './rules/functions.js';
import { syntaxRule } from './rules/syntax.js';
import { jsonDepthRule } from './rules/json-depth.js';
import { noWriteHostRule } from './rules/no-write-host.js';
import { knownCommandRule } from './rules/known-command.js';
import { ps7ParameterRule } from './rules/ps7-parameter.js';
import { noAliasRule } from './rules/no-alias.js';
import { nativeExitCodeRule } from './rules/native-exit-code.js';
import { envelopeRule } from './rules/envelope.js';
import { datesRule } from './rules/dates.js';
import { fileEncodingRule } from './rules/file-encoding.js';
import { ps7SyntaxRule } from './rules/ps7-syntax.js';
import type { Finding, LibFacts, LintReport, Rule, RuleContext, ScriptKind } from './types.js';

export type { Finding, LintReport, RuleId, Suppression } from './types.js';

export const RULES: readonly Rule[] = [
  syntaxRule, envelopeRule, jsonDepthRule, noWriteHostRule, noAliasRule, knownCommandRule, ps7ParameterRule, nativeExitCodeRule, datesRule, fileEncodingRule, ps7SyntaxRule,
];

/** The repository root (src/package-root.ts). */
export const REPO_ROOT = packageDir('the repository root');

export interface LintOptions {
  /** Directories whose functions every script may call (default: <repo>/ps1/lib). */
  libDirs?: string[];
  /** Paths in findings are made relative to this directory (default: process.cwd()). */
  cwd?: string;
}

/**
 * Where a script sits decides which rules apply: the nearest folder named after a kind, looking no
 * higher than a `ps1` folder (so a checkout under /srv/steps/ does not make every script a step).
 */
export function scriptKind(file: string): ScriptKind {
  const dirs = path.resolve(file).split(path.sep).slice(0, -1).reverse();
  for (const d of dirs) {
    switch (d.toLowerCase()) {
      case 'ps1': return 'other';
      case 'probes': return 'probe';
      case 'resources': return 'resource';
      case 'steps': return 'step';
      case 'lib': return 'lib';
      case 'bootstrap': return 'bootstrap';
    }
  }
  return 'other';
}

/** Every *.ps1 under the given files or directories, sorted, each once. */
export async function collectScripts(paths: string[]): Promise<string[]> {
  const out = new Set<string>();
  async function visit(p: string): Promise<void> {
    const s = await stat(p);
    if (s.isDirectory()) {
      const entries = await readdir(p, { withFileTypes: true });
      for (const e of entries) {
        if (e.isDirectory() || e.name.toLowerCase().endsWith('.ps1')) await visit(path.join(p, e.name));
      }
    } else if (s.isFile()) {
      out.add(path.resolve(p));
    }
  }
  for (const p of paths) await visit(p);
  return [...out].sort();
}

interface Parsed {
  file: string;
  display: string;
  text: string;
  index: ScriptIndex;
  /** Frees the tree's wasm memory; the index is unusable afterwards. */
  dispose(): void;
}

async function parseFile(file: string, cwd: string): Promise<Parsed> {
  const text = await readFile(file, 'utf8');
  const tree = await parsePowerShell(text);
  return { file, display: path.relative(cwd, file) || file, text, index: indexTree(tree), dispose: () => tree.delete() };
}

/** Functions of ps1/lib (and which of them check $LASTEXITCODE): every script may call them. */
async function libFacts(libDirs: string[], cwd: string): Promise<LibFacts> {
  const facts: LibFacts = { functions: new Map(), exitCodeCheckers: new Set() };
  const existing: string[] = [];
  for (const d of libDirs) {
    try {
      if ((await stat(d)).isDirectory()) existing.push(d);
    } catch {
      // no ps1/lib yet: nothing to add
    }
  }
  for (const file of await collectScripts(existing)) {
    const parsed = await parseFile(file, cwd);
    for (const [k, v] of definedFunctions(parsed.index)) facts.functions.set(k, v);
    for (const k of exitCodeCheckingFunctions(parsed.index)) facts.exitCodeCheckers.add(k);
    parsed.dispose();
  }
  return facts;
}

function lintParsed(p: Parsed, lib: LibFacts): { findings: Finding[]; suppressions: LintReport['suppressions'] } {
  const raw: Finding[] = [];
  const ctx: RuleContext = {
    file: p.display,
    kind: scriptKind(p.file),
    text: p.text,
    index: p.index,
    lib,
    report(where, rule, message) {
      const pos = 'startPosition' in where
        ? { line: where.startPosition.row + 1, col: where.startPosition.column + 1 }
        : where;
      raw.push({ file: p.display, line: pos.line, col: pos.col, rule, message });
    },
  };
  for (const rule of RULES) rule(ctx);
  const { suppressions, problems } = parseSuppressions(p.display, p.index.comments);
  const findings = [...applySuppressions(raw, suppressions, leadingCommentBlockEnd(p.text)), ...problems];
  return { findings, suppressions };
}

/** Lints every *.ps1 under `paths` (files or directories), one tree in memory at a time. */
export async function lintFiles(paths: string[], options: LintOptions = {}): Promise<LintReport> {
  const cwd = options.cwd ?? process.cwd();
  const files = await collectScripts(paths);
  const lib = await libFacts(options.libDirs ?? [path.join(REPO_ROOT, 'ps1', 'lib')], cwd);
  const report: LintReport = { files: [], findings: [], suppressions: [] };
  for (const f of files) {
    const parsed = await parseFile(f, cwd);
    try {
      const { findings, suppressions } = lintParsed(parsed, lib);
      report.files.push(parsed.display);
      report.findings.push(...findings);
      report.suppressions.push(...suppressions);
    } finally {
      parsed.dispose();
    }
  }
  report.findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.rule.localeCompare(b.rule));
  return report;
}
