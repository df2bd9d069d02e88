/**
 * Evaluating a parsed expression against a scope of plain data. Errors name the path or operation
 * and never include more than the value's kind (a scope may hold addresses, never secrets, but the
 * habit costs nothing).
 */
import type { Expr } from './parse.js';
import { Version } from './version.js';

export type Value = string | number | boolean | null | Version | Value[] | { [k: string]: Value };
export type Scope = Record<string, unknown>;

export class ExprEvalError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const MISSING = Symbol('missing');

export function pathText(segments: ReadonlyArray<string | number>): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Resolve a path in the scope; MISSING when any segment is absent. Own properties only. */
function lookup(scope: Scope, segments: ReadonlyArray<string | number>): unknown {
  let cur: unknown = scope;
  for (const seg of segments) {
    if (Array.isArray(cur) && typeof seg === 'number') cur = seg < cur.length ? cur[seg] : MISSING;
    else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.prototype.hasOwnProperty.call(cur, String(seg))) cur = (cur as Record<string, unknown>)[String(seg)];
    else return MISSING;
    if (cur === undefined) return MISSING;
  }
  return cur;
}

export function resolvePath(scope: Scope, segments: ReadonlyArray<string | number>): { found: true; value: unknown } | { found: false } {
  const v = lookup(scope, segments);
  return v === MISSING ? { found: false } : { found: true, value: v };
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Version) return 'a version';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

function toVersion(v: unknown, at: number): Version {
  if (v instanceof Version) return v;
  if (typeof v === 'string' || typeof v === 'number') {
    try {
      return new Version(String(v));
    } catch (err) {
      throw new ExprEvalError((err as Error).message, at);
    }
  }
  throw new ExprEvalError(`version() needs a string, got ${kind(v)}`, at);
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== null && v !== false && v !== 0 && v !== '' && v !== undefined;
}

function equal(a: unknown, b: unknown, at: number): boolean {
  if (a instanceof Version || b instanceof Version) return toVersion(a, at).compare(toVersion(b, at)) === 0;
  return JSON.stringify(a) === JSON.stringify(b);
}

function order(a: unknown, b: unknown, at: number): number {
  if (a instanceof Version || b instanceof Version) return toVersion(a, at).compare(toVersion(b, at));
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  // Strings are not ordered implicitly: '10.1' < '9.0' as text is a classic upgrade bug.
  throw new ExprEvalError(`cannot order ${kind(a)} and ${kind(b)}; compare versions with version(x) >= '1.2', numbers as numbers`, at);
}

export function evaluate(e: Expr, scope: Scope): unknown {
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'list':
      return e.items.map((i) => evaluate(i, scope));
    case 'path': {
      const v = lookup(scope, e.segments);
      if (v === MISSING) throw new ExprEvalError(`'${pathText(e.segments)}' is not defined`, e.at);
      return v;
    }
    case 'not':
      return !truthy(evaluate(e.operand, scope));
    case 'and':
      return truthy(evaluate(e.left, scope)) && truthy(evaluate(e.right, scope));
    case 'or':
      return truthy(evaluate(e.left, scope)) || truthy(evaluate(e.right, scope));
    case 'compare': {
      const a = evaluate(e.left, scope);
      const b = evaluate(e.right, scope);
      switch (e.op) {
        case '==':
          return equal(a, b, e.at);
        case '!=':
          return !equal(a, b, e.at);
        case '<':
          return order(a, b, e.at) < 0;
        case '<=':
          return order(a, b, e.at) <= 0;
        case '>':
          return order(a, b, e.at) > 0;
        case '>=':
          return order(a, b, e.at) >= 0;
        case 'in':
        case 'not in': {
          let r: boolean;
          if (Array.isArray(b)) r = b.some((x) => equal(a, x, e.at));
          else if (typeof b === 'string' && typeof a === 'string') r = b.includes(a);
          else throw new ExprEvalError(`'in' needs a list or a string on its right, got ${kind(b)}`, e.at);
          return e.op === 'in' ? r : !r;
        }
      }
      break;
    }
    case 'call': {
      if (e.name === 'defined') return lookup(scope, (e.args[0] as { segments: Array<string | number> }).segments) !== MISSING;
      const args = e.args.map((a) => evaluate(a, scope));
      if (args.length !== 1) throw new ExprEvalError(`${e.name}() takes one argument`, e.at);
      return applyUnary(e.name, args[0], e.at);
    }
    case 'filter': {
      if (e.name === 'default') {
        const v = e.input.kind === 'path' ? lookup(scope, e.input.segments) : evaluate(e.input, scope);
        if (v !== MISSING && v !== null) return v;
        if (e.args.length !== 1) throw new ExprEvalError('default() takes one value', e.at);
        return evaluate(e.args[0]!, scope);
      }
      const input = evaluate(e.input, scope);
      if (e.name === 'map') {
        const arg = e.args[0];
        const attr = arg?.kind === 'path' && arg.segments.length === 1 ? String(arg.segments[0]) : arg?.kind === 'literal' && typeof arg.value === 'string' ? arg.value : undefined;
        if (e.args.length !== 1 || attr === undefined) throw new ExprEvalError('map() takes one attribute name, e.g. map(address)', e.at);
        if (!Array.isArray(input)) throw new ExprEvalError(`map() needs a list, got ${kind(input)}`, e.at);
        return input.map((item) => {
          const v = lookup({ item }, ['item', attr]);
          if (v === MISSING) throw new ExprEvalError(`an item has no '${attr}'`, e.at);
          return v;
        });
      }
      if (e.name === 'join') {
        const sep = e.args.length ? evaluate(e.args[0]!, scope) : ',';
        if (typeof sep !== 'string') throw new ExprEvalError('join() takes a string separator', e.at);
        if (!Array.isArray(input)) throw new ExprEvalError(`join() needs a list, got ${kind(input)}`, e.at);
        return input.map((x) => scalarText(x, e.at)).join(sep);
      }
      if (e.name === 'first') {
        if (!Array.isArray(input) || input.length === 0) throw new ExprEvalError(`first needs a non-empty list, got ${kind(input)}`, e.at);
        return input[0];
      }
      return applyUnary(e.name, input, e.at);
    }
  }
  throw new ExprEvalError('unsupported expression', 0);
}

function applyUnary(name: string, v: unknown, at: number): unknown {
  switch (name) {
    case 'version':
      return toVersion(v, at);
    case 'length':
      if (Array.isArray(v) || typeof v === 'string') return v.length;
      if (v !== null && typeof v === 'object') return Object.keys(v).length;
      throw new ExprEvalError(`length needs a list, string or mapping, got ${kind(v)}`, at);
    case 'lower':
    case 'upper':
      if (typeof v !== 'string') throw new ExprEvalError(`${name} needs a string, got ${kind(v)}`, at);
      return name === 'lower' ? v.toLowerCase() : v.toUpperCase();
  }
  throw new ExprEvalError(`unknown function '${name}'`, at);
}

/** A scalar as text inside a string template. Lists and mappings are not text. */
export function scalarText(v: unknown, at: number): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Version) return v.text;
  if (v === null) return '';
  throw new ExprEvalError(`${kind(v)} cannot be put inside text; use | join(',') for a list`, at);
}

export function isTruthy(v: unknown): boolean {
  return truthy(v);
}
