/** Renders a LintReport as text: one finding a line, then the suppressions, then a summary. */
import type { LintReport } from './types.js';

export function formatReport(report: LintReport): string {
  const lines: string[] = [];
  for (const f of report.findings) lines.push(`${f.file}:${f.line}:${f.col}  ${f.rule}  ${f.message}`);
  const used = report.suppressions.filter((s) => s.used > 0);
  if (used.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push('suppressed:');
    for (const s of used) lines.push(`  ${s.file}:${s.line}  ${s.rules.join(',')}  (${s.used}x) ${s.reason}`);
  }
  if (lines.length > 0) lines.push('');
  const n = (k: number, word: string): string => `${k} ${word}${k === 1 ? '' : 's'}`;
  lines.push(`ps1lint: ${n(report.files.length, 'file')}, ${n(report.findings.length, 'finding')}, ${n(used.length, 'suppression')}`);
  return `${lines.join('\n')}\n`;
}
