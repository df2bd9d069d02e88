/** `syntax`: every ERROR or MISSING node of tree-sitter-powershell, outermost only. */
import type { Rule } from '../types.js';

const SEE_DOCS = 'if Windows PowerShell 5.1 accepts this line, it is one of the parser false positives in docs/powershell-lint.md: rewrite it as shown there';

/** The parser's known false positives (docs/powershell-lint.md), recognised on the failing line. */
const FALSE_POSITIVES: { test: RegExp; fix: string }[] = [
  {
    test: /\b\d+(\.\d+)?(kb|mb|gb|tb|pb)\b/i,
    fix: 'tree-sitter-powershell rejects a size suffix (1GB) inside an expression though 5.1 accepts it; write the number (1073741824)',
  },
  {
    test: /\}\s*default\s*\{/i,
    fix: "tree-sitter-powershell rejects a switch's default clause right after another clause on the same line; put each clause on its own line (or ';' before default)",
  },
  {
    test: /\bparam\s*\(.*\)\s*[^\s;#]/i,
    fix: 'tree-sitter-powershell rejects a statement after param(...) on the same line; put the param block on its own line(s)',
  },
];

/** PowerShell 7 operators that fail to parse (and fail in 5.1): named so the fix is obvious. */
const PS7_OPERATORS: { test: RegExp; fix: string }[] = [
  { test: /\?\?=?/, fix: "'??' and '??=' (null-coalescing) exist only in PowerShell 7; write if ($null -eq $x) { ... }" },
  { test: /\?\.|\?\[/, fix: "'?.' and '?[]' (null-conditional access) exist only in PowerShell 7; test for $null first" },
  { test: /\s\?\s[^:]*\s:\s/, fix: "'a ? b : c' (the ternary operator) exists only in PowerShell 7; write if (a) { b } else { c }" },
];

export const syntaxRule: Rule = (ctx) => {
  const lines = ctx.text.split(/\r?\n/);
  for (const node of ctx.index.errors) {
    if (node.isMissing) {
      ctx.report(node, 'syntax', `missing '${node.type}' here; add it (${SEE_DOCS})`);
      continue;
    }
    let nested = false;
    for (let p = node.parent; p; p = p.parent) if (p.type === 'ERROR') nested = true;
    if (nested) continue;
    const line = lines[node.startPosition.row] ?? '';
    const known = FALSE_POSITIVES.find((fp) => fp.test.test(line));
    const snippet = node.text.split('\n')[0]?.trim().slice(0, 40) ?? '';
    const ps7 = PS7_OPERATORS.find((op) => op.test.test(line));
    if (ps7 && !known) {
      ctx.report(node, 'syntax', `cannot parse from '${snippet}': ${ps7.fix} (docs/powershell-lint.md)`);
      continue;
    }
    ctx.report(node, 'syntax', known
      ? `cannot parse from '${snippet}': ${known.fix} (docs/powershell-lint.md)`
      : `cannot parse from '${snippet}'; fix the syntax (${SEE_DOCS})`);
  }
};
