/**
 * The playbooks' small expression language, shared by `when:` conditions and `{{ }}` templates.
 * Data only: paths into a scope, literals, comparisons, and/or/not, a few named functions and filters.
 * There is no assignment, no call of anything but the fixed list below, and no access to JavaScript
 * objects: nothing a playbook writes can run code on the admin workstation.
 *
 *   expr    := or
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | cmp
 *   cmp     := piped (('==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in') piped)?
 *   piped   := primary ('|' filter ('(' args ')')?)*       (filters bind tighter than comparisons, as in Jinja)
 *   primary := string | number | true | false | null | path | name '(' args ')' | '(' expr ')' | '[' args ']'
 *   path    := name ('.' name | '[' integer ']')*
 */

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';

export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null; at: number }
  | { kind: 'list'; items: Expr[]; at: number }
  | { kind: 'path'; segments: Array<string | number>; at: number }
  | { kind: 'call'; name: string; args: Expr[]; at: number }
  | { kind: 'filter'; name: string; input: Expr; args: Expr[]; at: number }
  | { kind: 'not'; operand: Expr; at: number }
  | { kind: 'and' | 'or'; left: Expr; right: Expr; at: number }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr; at: number };

/** Functions callable in an expression: version('1.2'), defined(path), length(x), lower(x), upper(x). */
export const FUNCTIONS = ['version', 'defined', 'length', 'lower', 'upper'] as const;
/** Filters after `|`: map(attr), join('sep'), first, length, lower, upper, default(value). */
export const FILTERS = ['map', 'join', 'first', 'length', 'lower', 'upper', 'default'] as const;

/** A syntax error at a character offset of the expression text. */
export class ExprSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token =
  | { t: 'str'; v: string; at: number }
  | { t: 'num'; v: number; at: number }
  | { t: 'name'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; at: number };

const OPS = ['==', '!=', '<=', '>=', '<', '>', '(', ')', '[', ']', ',', '.', '|'];

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let v = '';
      while (j < src.length && src[j] !== c) {
        // Backslash is literal (Windows paths); a doubled quote is the quote itself.
        v += src[j];
        j++;
      }
      if (j >= src.length) throw new ExprSyntaxError(`unterminated string (missing ${c})`, i);
      out.push({ t: 'str', v, at: i });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?(?![\w.])/.exec(src.slice(i));
    if (num && (c !== '-' || out.length === 0 || out[out.length - 1]!.t === 'op')) {
      out.push({ t: 'num', v: Number(num[0]), at: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ t: 'op', v: op, at: i });
      i += op.length;
      continue;
    }
    if (c === '=') throw new ExprSyntaxError("'=' is not an operator here; compare with '=='", i);
    if (c === '&' || c === '!') throw new ExprSyntaxError(`'${c}' is not an operator here; write and, or, not`, i);
    throw new ExprSyntaxError(`unexpected character '${c}'`, i);
  }
  out.push({ t: 'end', at: src.length });
  return out;
}

export function parseExpr(src: string): Expr {
  const toks = lex(src);
  let p = 0;
  const peek = () => toks[p]!;
  const isOp = (v: string) => peek().t === 'op' && (peek() as { v: string }).v === v;
  const isWord = (v: string) => peek().t === 'name' && (peek() as { v: string }).v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExprSyntaxError(`expected '${v}'${describe(peek())}`, peek().at);
    p++;
  };

  function piped(): Expr {
    let e = primary();
    while (isOp('|')) {
      const at = peek().at;
      p++;
      const tok = peek();
      if (tok.t !== 'name') throw new ExprSyntaxError(`expected a filter name after '|'`, tok.at);
      p++;
      if (!(FILTERS as readonly string[]).includes(tok.v)) throw new ExprSyntaxError(`unknown filter '${tok.v}'; filters: ${FILTERS.join(', ')}`, tok.at);
      const args = isOp('(') ? argList('(', ')') : [];
      e = { kind: 'filter', name: tok.v, input: e, args, at };
    }
    return e;
  }
  function or(): Expr {
    let e = and();
    while (isWord('or')) {
      const at = peek().at;
      p++;
      e = { kind: 'or', left: e, right: and(), at };
    }
    return e;
  }
  function and(): Expr {
    let e = not();
    while (isWord('and')) {
      const at = peek().at;
      p++;
      e = { kind: 'and', left: e, right: not(), at };
    }
    return e;
  }
  function not(): Expr {
    if (isWord('not')) {
      const at = peek().at;
      p++;
      return { kind: 'not', operand: not(), at };
    }
    return cmp();
  }
  function cmp(): Expr {
    const left = piped();
    const tok = peek();
    let op: CompareOp | undefined;
    if (tok.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(tok.v)) op = tok.v as CompareOp;
    else if (isWord('in')) op = 'in';
    else if (isWord('not') && toks[p + 1]?.t === 'name' && (toks[p + 1] as { v: string }).v === 'in') {
      op = 'not in';
      p++;
    }
    if (!op) return left;
    p++;
    return { kind: 'compare', op, left, right: piped(), at: tok.at };
  }
  function argList(open: string, close: string): Expr[] {
    expect(open);
    const args: Expr[] = [];
    if (!isOp(close)) {
      args.push(or());
      while (isOp(',')) {
        p++;
        args.push(or());
      }
    }
    expect(close);
    return args;
  }
  function primary(): Expr {
    const tok = peek();
    if (tok.t === 'str' || tok.t === 'num') {
      p++;
      return { kind: 'literal', value: tok.v, at: tok.at };
    }
    if (tok.t === 'op' && tok.v === '(') {
      p++;
      const e = or();
      expect(')');
      return e;
    }
    if (tok.t === 'op' && tok.v === '[') return { kind: 'list', items: argList('[', ']'), at: tok.at };
    if (tok.t === 'name') {
      if (tok.v === 'true' || tok.v === 'false') {
        p++;
        return { kind: 'literal', value: tok.v === 'true', at: tok.at };
      }
      if (tok.v === 'null') {
        p++;
        return { kind: 'literal', value: null, at: tok.at };
      }
      if (['and', 'or', 'not', 'in'].includes(tok.v)) throw new ExprSyntaxError(`expected a value, found '${tok.v}'`, tok.at);
      p++;
      if (isOp('(')) {
        if (!(FUNCTIONS as readonly string[]).includes(tok.v)) throw new ExprSyntaxError(`unknown function '${tok.v}'; functions: ${FUNCTIONS.join(', ')}`, tok.at);
        const args = argList('(', ')');
        if (tok.v === 'defined' && (args.length !== 1 || args[0]!.kind !== 'path')) throw new ExprSyntaxError('defined() takes one variable path, e.g. defined(versions.erlang)', tok.at);
        return { kind: 'call', name: tok.v, args, at: tok.at };
      }
      const segments: Array<string | number> = [tok.v];
      for (;;) {
        if (isOp('.')) {
          p++;
          const n = peek();
          if (n.t !== 'name' && n.t !== 'num') throw new ExprSyntaxError(`expected a name after '.'`, n.at);
          p++;
          segments.push(n.t === 'num' ? n.v : n.v);
        } else if (isOp('[')) {
          p++;
          const n = peek();
          if (n.t !== 'num' && n.t !== 'str') throw new ExprSyntaxError('expected an index or a quoted key in [ ]', n.at);
          p++;
          segments.push(n.v);
          expect(']');
        } else break;
      }
      return { kind: 'path', segments, at: tok.at };
    }
    throw new ExprSyntaxError(`expected a value${describe(tok)}`, tok.at);
  }

  const e = or();
  if (peek().t !== 'end') throw new ExprSyntaxError(`unexpected ${describe(peek()).replace(/^, found /, '')} after the expression`, peek().at);
  return e;
}

function describe(tok: Token): string {
  if (tok.t === 'end') return ', found the end of the expression';
  if (tok.t === 'str') return `, found the string '${tok.v}'`;
  return `, found '${String(tok.v)}'`;
}

/** Every variable path the expression reads, with whether it is only tested by defined(). */
export function pathsOf(e: Expr, inDefined = false): Array<{ segments: Array<string | number>; at: number; guarded: boolean }> {
  switch (e.kind) {
    case 'path':
      return [{ segments: e.segments, at: e.at, guarded: inDefined }];
    case 'literal':
      return [];
    case 'list':
      return e.items.flatMap((i) => pathsOf(i, inDefined));
    case 'call':
      return e.args.flatMap((a) => pathsOf(a, inDefined || e.name === 'defined'));
    case 'filter':
      // `x | default(y)`: x may be missing.
      return [...pathsOf(e.input, inDefined || e.name === 'default'), ...(e.name === 'map' ? [] : e.args.flatMap((a) => pathsOf(a, inDefined)))];
    case 'not':
      return pathsOf(e.operand, inDefined);
    case 'and':
    case 'or':
    case 'compare':
      return [...pathsOf(e.left, inDefined), ...pathsOf(e.right, inDefined)];
  }
}
