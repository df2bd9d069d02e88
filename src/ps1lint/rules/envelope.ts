/**
 * `envelope`: every script starts with `# cortex-script: <id>`. Scripts outside ps1/lib and
 * ps1/bootstrap also run through the envelope (Invoke-CortexScript from ps1/lib) and set, at top
 * level and before that call, Set-StrictMode -Version Latest, $ErrorActionPreference = 'Stop' and
 * $ProgressPreference = 'SilentlyContinue', so each script is safe to read on its own.
 */
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from '../types.js';
import { allCalls, bareName, type CommandCall } from '../commands.js';
import { kids } from '../tree.js';

export const HEADER = /^# cortex-script: ([A-Za-z0-9][\w.-]*)\s*$/;

const SETTINGS: { test: RegExp; text: string }[] = [
  { test: /^Set-StrictMode\s+-Version\s+(['"]?)Latest\1$/i, text: 'Set-StrictMode -Version Latest' },
  { test: /^\$ErrorActionPreference\s*=\s*(['"])Stop\1$/i, text: "$ErrorActionPreference = 'Stop'" },
  { test: /^\$ProgressPreference\s*=\s*(['"])SilentlyContinue\1$/i, text: "$ProgressPreference = 'SilentlyContinue'" },
];

export const envelopeRule: Rule = (ctx) => {
  const firstLine = ctx.text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  if (!HEADER.test(firstLine)) {
    ctx.report({ line: 1, col: 1 }, 'envelope', "the first line must be the header '# cortex-script: <id>' naming the script");
  }
  if (ctx.kind === 'lib' || ctx.kind === 'bootstrap') return;

  const topLevel = topLevelStatements(ctx.index.root);
  const envelopeCall = topLevelEnvelopeStatement(ctx);
  for (const setting of SETTINGS) {
    const at = topLevel.find((s) => setting.test.test(s.text.trim()));
    if (!at) {
      ctx.report({ line: 1, col: 1 }, 'envelope', `the script never sets ${setting.text}; add it at top level, before Invoke-CortexScript`);
    } else if (envelopeCall && at.startIndex > envelopeCall.startIndex) {
      ctx.report(at, 'envelope', `${setting.text} comes after Invoke-CortexScript; move it above the envelope call`);
    }
  }
  // With a syntax error the call may sit inside an ERROR node; `syntax` has said what matters.
  if (!envelopeCall && ctx.index.errors.length === 0) {
    const nested = allCalls(ctx.index).some((c) => isEnvelopeCommand(c));
    ctx.report({ line: 1, col: 1 }, 'envelope', nested
      ? 'Invoke-CortexScript must be called at top level of the script, not inside another block'
      : 'the script does not use the envelope; wrap its body in Invoke-CortexScript (ps1/lib/envelope.ps1) so it reads JSON parameters and prints one JSON result');
  }
};

function topLevelStatements(root: Node): Node[] {
  const list = kids(root).find((c) => c.type === 'statement_list');
  return list ? kids(list).filter((c) => c.isNamed && c.type !== 'comment') : [];
}

function isEnvelopeCommand(call: CommandCall): boolean {
  return call.target.kind === 'name' && bareName(call.target.name).toLowerCase() === 'invoke-cortexscript';
}

/**
 * The top-level statement that calls Invoke-CortexScript: the call may be the statement itself or be
 * piped or assigned there, but not sit inside a nested block.
 */
function topLevelEnvelopeStatement(ctx: RuleContext): Node | undefined {
  for (const call of allCalls(ctx.index)) {
    if (!isEnvelopeCommand(call)) continue;
    for (let n: Node | null = call.node; n?.parent; n = n.parent) {
      const p: Node = n.parent;
      if (p.type === 'script_block' || p.type === 'function_statement' || p.type === 'statement_block') break;
      if (p.type === 'statement_list' && p.parent?.type === 'program') return n;
    }
  }
  return undefined;
}
