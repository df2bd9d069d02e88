/**
 * `native-exit-code`: $ErrorActionPreference = 'Stop' does not stop on a native program's failure.
 * After each native call, a later statement of the same block must read $LASTEXITCODE before any
 * other native call overwrites it; or the call runs inside a script block handed to a ps1/lib
 * function that checks $LASTEXITCODE itself (e.g. Invoke-CortexNative).
 */
import type { Node } from 'web-tree-sitter';
import type { Rule } from '../types.js';
import { allCalls, bareName, isNativeCall, type CommandCall } from '../commands.js';
import { contains, enclosingStatement, kids } from '../tree.js';
import { exitCodeCheckingFunctions } from './functions.js';

export const nativeExitCodeRule: Rule = (ctx) => {
  const calls = allCalls(ctx.index);
  const natives = calls.filter((c) => isNativeCall(c, ctx.text));
  if (natives.length === 0) return;
  const checkers = new Set([...ctx.lib.exitCodeCheckers, ...exitCodeCheckingFunctions(ctx.index)]);
  const reads = ctx.index.variables.filter((v) => v.text.toLowerCase() === '$lastexitcode');

  for (const call of natives) {
    if (insideCheckingHelper(call.node, calls, checkers)) continue;
    if (checkedAfter(call, natives, reads)) continue;
    ctx.report(call.nameNode, 'native-exit-code', message(call));
  }
};

function message(call: CommandCall): string {
  const name = call.target.kind === 'name' ? bareName(call.target.name) : call.target.kind === 'path' ? call.target.path : `& ${call.nameNode.text}`;
  return `${name} sets $LASTEXITCODE and does not throw on failure; check it in the next statement (if ($LASTEXITCODE -ne 0) { throw ... }) or run it through Invoke-CortexNative`;
}

/** The call sits in a script block passed to a function known to check $LASTEXITCODE. */
function insideCheckingHelper(node: Node, calls: CommandCall[], checkers: Set<string>): boolean {
  return calls.some((outer) => {
    if (outer.node === node || outer.target.kind !== 'name') return false;
    if (!checkers.has(bareName(outer.target.name).toLowerCase())) return false;
    const elements = kids(outer.node).find((c) => c.type === 'command_elements');
    return elements !== undefined && contains(elements, node);
  });
}

/** Blocks whose statements run once, in line with what follows: a check after the block still sees the code. */
const PASS_THROUGH_BLOCKS = new Set(['try_statement', 'catch_clause', 'finally_clause', 'if_statement', 'elseif_clause', 'else_clause']);

function checkedAfter(call: CommandCall, natives: CommandCall[], reads: Node[]): boolean {
  const own = enclosingStatement(call.node);
  if (!own) return false;
  // Same statement, after the call: `if ((foo.exe) -and $LASTEXITCODE -eq 0)`.
  if (reads.some((r) => contains(own.statement, r) && r.startIndex > call.node.endIndex)) return true;
  const laterNativeInSameStatement = natives.some((n) => n !== call && contains(own.statement, n.node) && n.node.startIndex > call.node.endIndex);
  if (laterNativeInSameStatement) return false;
  let home = own;
  for (;;) {
    for (let s = home.statement.nextNamedSibling; s; s = s.nextNamedSibling) {
      const stmt = s;
      const firstRead = reads.find((r) => contains(stmt, r));
      const firstNative = natives.find((n) => contains(stmt, n.node));
      if (firstRead && (!firstNative || firstRead.startIndex < firstNative.node.startIndex || contains(firstNative.node, firstRead))) return true;
      if (firstNative) return false;
    }
    // End of the block: `try { $out = foo.exe } finally { ... }` may be checked after the try.
    const block = home.list.parent;
    const owner = block?.type === 'statement_block' ? block.parent : null;
    if (!owner || !PASS_THROUGH_BLOCKS.has(owner.type)) return false;
    const outer = enclosingStatement(owner);
    if (!outer) return false;
    home = outer;
  }
}
