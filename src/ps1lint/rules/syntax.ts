/** `syntax`: every ERROR or MISSING node of tree-sitter-powershell, outermost only. */
import type { Rule } from '../types.js';

const SEE_DOCS = 'if Windows PowerShell 5.1 accepts this line, it is one of the parser false positives in docs/powershell-lint.md: rewrite it as shown there';

export const syntaxRule: Rule = (ctx) => {
  for (const node of ctx.index.errors) {
    if (node.isMissing) {
      ctx.report(node, 'syntax', `missing '${node.type}' here; add it (${SEE_DOCS})`);
      continue;
    }
    let nested = false;
    for (let p = node.parent; p; p = p.parent) if (p.type === 'ERROR') nested = true;
    if (nested) continue;
    const snippet = node.text.split('\n')[0]?.trim().slice(0, 40) ?? '';
    ctx.report(node, 'syntax', `cannot parse from '${snippet}'; fix the syntax (${SEE_DOCS})`);
  }
};
