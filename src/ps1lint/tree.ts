/** One walk over a parsed script collects the nodes the rules look at. */
import type { Node, Tree } from 'web-tree-sitter';

export interface ScriptIndex {
  root: Node;
  commands: Node[];
  /** function_statement nodes */
  functions: Node[];
  comments: Node[];
  memberAccesses: Node[];
  variables: Node[];
  /** ERROR and MISSING nodes */
  errors: Node[];
  /** Per-tree memo (node id -> value) for derived facts several rules ask for. */
  memo: Map<string, unknown>;
}

export function indexTree(tree: Tree): ScriptIndex {
  const index: ScriptIndex = {
    root: tree.rootNode, commands: [], functions: [], comments: [], memberAccesses: [], variables: [], errors: [], memo: new Map(),
  };
  const cursor = tree.walk();
  for (;;) {
    const type = cursor.nodeType;
    if (cursor.nodeIsMissing || type === 'ERROR') index.errors.push(cursor.currentNode);
    else if (type === 'command') index.commands.push(cursor.currentNode);
    else if (type === 'function_statement') index.functions.push(cursor.currentNode);
    else if (type === 'comment') index.comments.push(cursor.currentNode);
    else if (type === 'member_access') index.memberAccesses.push(cursor.currentNode);
    else if (type === 'variable') index.variables.push(cursor.currentNode);
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        cursor.delete();
        return index;
      }
    }
  }
}

export function kids(node: Node): Node[] {
  return node.children.filter((c): c is Node => c !== null);
}

export function namedKids(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null);
}

export function position(node: Node): { line: number; col: number } {
  return { line: node.startPosition.row + 1, col: node.startPosition.column + 1 };
}

export function isBefore(a: Node, b: Node): boolean {
  return a.startIndex < b.startIndex;
}

export function contains(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/**
 * The statement (a direct child of a statement_list) that holds `node`, and that list. The lists
 * inside `$( )` and `@( )` are part of an expression, not a block: the search goes on past them.
 */
export function enclosingStatement(node: Node): { statement: Node; list: Node } | null {
  let cur: Node | null = node;
  while (cur?.parent) {
    const list = cur.parent;
    const inExpression = list.parent?.type === 'sub_expression' || list.parent?.type === 'array_expression';
    if (list.type === 'statement_list' && !inExpression) return { statement: cur, list };
    cur = cur.parent;
  }
  return null;
}

/** Text of a string literal without its quotes; null for anything with expansions. */
export function literalText(node: Node): string | null {
  let n: Node = node;
  while (n.type !== 'string_literal' && n.namedChildCount === 1) n = n.namedChildren[0] as Node;
  if (n.type === 'string_literal') n = n.namedChildren[0] ?? n;
  if (n.type === 'verbatim_string_characters') return n.text.slice(1, -1);
  if (n.type === 'expandable_string_literal' && n.namedChildCount === 0) return n.text.slice(1, -1);
  return null;
}

/** Top-level PowerShell variable name, lower-case, without `$` and scope (`$script:x` -> `x`). */
export function variableName(node: Node): string {
  return node.text.replace(/^[$@]\{?/, '').replace(/\}$/, '').replace(/^(script|global|local|private):/i, '').toLowerCase();
}

/** Walks up from `node` to the nearest ancestor for which `pred` holds. */
export function ancestor(node: Node, pred: (n: Node) => boolean): Node | null {
  for (let cur = node.parent; cur; cur = cur.parent) if (pred(cur)) return cur;
  return null;
}
