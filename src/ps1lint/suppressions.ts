/**
 * `# lint-ignore: <rule>[,<rule>] <reason>` on the line of a finding or the line before it silences
 * that rule there. The reason is mandatory; a malformed, unknown or unused suppression is itself a
 * finding (rule `suppression`), so exceptions stay few and explained.
 */
import type { Node } from 'web-tree-sitter';
import { RULE_IDS, type Finding, type RuleId, type Suppression } from './types.js';
import { position } from './tree.js';

const MARKER = /^#\s*lint-ignore\b:?\s*(.*)$/i;

export interface ParsedSuppressions {
  suppressions: Suppression[];
  problems: Finding[];
}

export function parseSuppressions(file: string, comments: Node[]): ParsedSuppressions {
  const suppressions: Suppression[] = [];
  const problems: Finding[] = [];
  for (const comment of comments) {
    const m = MARKER.exec(comment.text.trim());
    if (!m) continue;
    const { line, col } = position(comment);
    const [ruleList = '', ...reasonWords] = (m[1] ?? '').trim().split(/\s+/);
    const reason = reasonWords.join(' ').trim();
    const names = ruleList.split(',').filter(Boolean);
    const unknown = names.filter((r) => !(RULE_IDS as readonly string[]).includes(r) || r === 'suppression');
    if (names.length === 0 || unknown.length > 0) {
      problems.push({
        file, line, col, rule: 'suppression',
        message: `lint-ignore names ${names.length === 0 ? 'no rule' : `unknown rule '${unknown.join(',')}'`}; write '# lint-ignore: <rule> <reason>' with one of ${RULE_IDS.filter((r) => r !== 'suppression').join(', ')}`,
      });
      continue;
    }
    if (!reason) {
      problems.push({
        file, line, col, rule: 'suppression',
        message: `lint-ignore: ${ruleList} has no reason; say why the exception is safe after the rule id`,
      });
      continue;
    }
    suppressions.push({ file, line, col, rules: names as RuleId[], reason, used: 0 });
  }
  return { suppressions, problems };
}

/** Splits findings into kept and silenced; counts each suppression's uses; reports unused ones. */
/**
 * A finding about the whole file sits at line 1 (the header line); a suppression anywhere in the
 * leading comment block (the lines `headerBlockEnd` counts) covers it.
 */
export function applySuppressions(findings: Finding[], suppressions: Suppression[], headerBlockEnd = 1): Finding[] {
  const kept: Finding[] = [];
  const covers = (s: Suppression, f: Finding): boolean =>
    s.line === f.line || s.line === f.line - 1 || (f.line === 1 && s.line <= headerBlockEnd);
  for (const f of findings) {
    const s = suppressions.find((s) => s.file === f.file && s.rules.includes(f.rule) && covers(s, f));
    if (s) s.used += 1;
    else kept.push(f);
  }
  for (const s of suppressions) {
    if (s.used === 0) {
      kept.push({
        file: s.file, line: s.line, col: s.col, rule: 'suppression',
        message: `lint-ignore: ${s.rules.join(',')} silences nothing on this line or the next (nor, in the header comment block, in the whole file); remove it`,
      });
    }
  }
  return kept;
}

/** The last line of the comment block the file starts with (1 when the file starts otherwise). */
export function leadingCommentBlockEnd(text: string): number {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let n = 0;
  while (n < lines.length && /^\s*#/.test(lines[n] ?? '')) n += 1;
  return Math.max(1, n);
}
