/** Functions a script defines, and which of them check $LASTEXITCODE (so calls through them are checked). */
import type { Node } from 'web-tree-sitter';
import type { ScriptIndex } from '../tree.js';
import { contains, kids } from '../tree.js';

export function functionName(fn: Node): string | null {
  return kids(fn).find((c) => c.type === 'function_name')?.text ?? null;
}

/** lower-case name -> declared spelling */
export function definedFunctions(index: ScriptIndex): Map<string, string> {
  const out = new Map<string, string>();
  for (const fn of index.functions) {
    const name = functionName(fn);
    if (name) out.set(name.toLowerCase(), name);
  }
  return out;
}

/** lower-case names of functions whose body reads $LASTEXITCODE */
export function exitCodeCheckingFunctions(index: ScriptIndex): Set<string> {
  const out = new Set<string>();
  const reads = index.variables.filter((v) => v.text.toLowerCase() === '$lastexitcode');
  for (const fn of index.functions) {
    const name = functionName(fn);
    if (name && reads.some((v) => contains(fn, v))) out.add(name.toLowerCase());
  }
  return out;
}
