/**
 * {{ }} templates in playbook strings. A string that is exactly one template keeps the value's type
 * (`port: '{{ vars.port }}'` renders a number, `'{{ groups.app | map(address) }}'` a list); a template
 * inside text renders as text. The expression language is ../expr (data only, no code).
 */
import { parseExpr, ExprSyntaxError, type Expr } from '../expr/parse.js';
import { evaluate, ExprEvalError, scalarText, type Scope } from '../expr/evaluate.js';
import { Version } from '../expr/version.js';

export type ValuePath = Array<string | number>;

export interface TemplateProblem {
  /** Path of the string inside the rendered value. */
  path: ValuePath;
  message: string;
}

type Part = { text: string } | { expr: Expr; source: string };

const cache = new Map<string, Part[] | TemplateProblem>();

const OPEN = '{{';
const CLOSE = '}}';

export function hasTemplate(s: string): boolean {
  return s.includes(OPEN);
}

/** Split a string into text and parsed expressions; a problem for an unterminated or invalid template. */
export function parseTemplate(s: string): Part[] | { message: string } {
  const hit = cache.get(s);
  if (hit) return Array.isArray(hit) ? hit : { message: hit.message };
  const parts: Part[] = [];
  let i = 0;
  let problem: string | undefined;
  while (i < s.length) {
    const open = s.indexOf(OPEN, i);
    if (open < 0) {
      parts.push({ text: s.slice(i) });
      break;
    }
    if (open > i) parts.push({ text: s.slice(i, open) });
    const close = s.indexOf(CLOSE, open + 2);
    if (close < 0) {
      problem = `unterminated template: '${OPEN}' without '${CLOSE}'`;
      break;
    }
    const source = s.slice(open + 2, close).trim();
    if (!source) {
      problem = 'empty template {{ }}';
      break;
    }
    try {
      parts.push({ expr: parseExpr(source), source });
    } catch (err) {
      if (!(err instanceof ExprSyntaxError)) throw err;
      problem = `in {{ ${source} }}: ${err.message} (at character ${err.offset + 1})`;
      break;
    }
    i = close + 2;
  }
  cache.set(s, problem ? { path: [], message: problem } : parts);
  return problem ? { message: problem } : parts;
}

function renderString(s: string, scope: Scope): { value: unknown } | { message: string } {
  const parts = parseTemplate(s);
  if (!Array.isArray(parts)) return parts;
  try {
    if (parts.length === 1 && 'expr' in parts[0]!) return { value: plain(evaluate(parts[0].expr, scope)) };
    let out = '';
    for (const p of parts) out += 'text' in p ? p.text : scalarText(evaluate(p.expr, scope), 0);
    return { value: out };
  } catch (err) {
    if (!(err instanceof ExprEvalError)) throw err;
    const src = parts.filter((p): p is { expr: Expr; source: string } => 'expr' in p).map((p) => p.source);
    return { message: `in {{ ${src.length === 1 ? src[0] : src.join(' }}, {{ ')} }}: ${err.message}` };
  }
}

/** Versions render as their text once they leave an expression. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Version) return v.text;
  return v;
}

/** Render every string in a value (mappings and lists walked); problems carry the path of the string. */
export function renderValue(value: unknown, scope: Scope, path: ValuePath = []): { value: unknown; problems: TemplateProblem[] } {
  if (typeof value === 'string') {
    if (!hasTemplate(value)) return { value, problems: [] };
    const r = renderString(value, scope);
    return 'message' in r ? { value, problems: [{ path, message: r.message }] } : { value: r.value, problems: [] };
  }
  if (Array.isArray(value)) {
    const problems: TemplateProblem[] = [];
    const out = value.map((v, i) => {
      const r = renderValue(v, scope, [...path, i]);
      problems.push(...r.problems);
      return r.value;
    });
    return { value: out, problems };
  }
  if (value !== null && typeof value === 'object') {
    const problems: TemplateProblem[] = [];
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = renderValue(v, scope, [...path, k]);
      problems.push(...r.problems);
      out[k] = r.value;
    }
    return { value: out, problems };
  }
  return { value, problems: [] };
}

/** Whether any string in the value holds a template (a templated step may differ per host). */
export function containsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return hasTemplate(value);
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsTemplate);
  return false;
}
