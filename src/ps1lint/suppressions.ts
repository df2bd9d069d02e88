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
    suppressions.push({ file, line, rules: names as RuleId[], reason, used: 0 });
  }
  return { suppressions, problems };
}

/** Splits findings into kept and silenced; counts each suppression's uses; reports unused ones. */
export function applySuppressions(findings: Finding[], suppressions: Suppression[]): Finding[] {
  const kept: Finding[] = [];
  for (const f of findings) {
    const s = suppressions.find((s) => s.file === f.file && s.rules.includes(f.rule) && (s.line === f.line || s.line === f.line - 1));
    if (s) s.used += 1;
    else kept.push(f);
  }
  for (const s of suppressions) {
    if (s.used === 0) {
      kept.push({
        file: s.file, line: s.line, col: 1, rule: 'suppression',
        message: `lint-ignore: ${s.rules.join(',')} silences nothing on this line or the next; remove it`,
      });
    }
  }
  return kept;
}
