/**
 * Turning zod issues into problems a person can act on: where (file:line:col), which field, what is
 * allowed, and the nearest valid key or value for a typo. Values of secret fields are never quoted.
 */
import { VARS_FILE } from './vars-dirs.js';
import { z } from 'zod';
import { InputError, type SourcePosition } from '../errors.js';
import type { InventoryProblem } from './types.js';
import type { YamlPath, YamlSource } from './source.js';
import { nearest } from './suggest.js';
import { ANSIBLE_EQUIVALENTS } from './ansible-keys.js';

const SECRET_FIELDS = new Set(['password', 'passphrase', 'key']);

/** The inventory could not be loaded: every problem found, each with its position. */
export class InventoryError extends InputError {
  readonly problems: InventoryProblem[];
  constructor(problems: InventoryProblem[]) {
    const first = problems[0]!;
    const detail =
      problems.length === 1
        ? first.message
        : `${problems.length} problems in the inventory, the first here:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`;
    super(detail, { position: first.position, field: first.field, hint: problems.length === 1 ? first.hint : undefined });
    this.problems = problems;
  }
}

export function formatProblem(p: InventoryProblem): string {
  return `${p.position.file}:${p.position.line}:${p.position.col}, field ${p.field}: ${p.message}${p.hint ? ` ${p.hint}` : ''}`;
}

export function fieldName(path: YamlPath): string {
  // A path into a group_vars/host_vars file starts with the file's key; the position names the file.
  if (typeof path[0] === 'string' && path[0].startsWith(VARS_FILE)) path = path.slice(1);
  return path.length ? path.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.').replace(/\.\[/g, '[') : '(document)';
}

/** Keys an object schema accepts at `path` (through optional/nullable/default/record/array/union/lazy). */
export function allowedKeysAt(schema: z.ZodType, path: YamlPath): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const seg of path) {
    if (!current) return [];
    current = unwrap(step(current, seg));
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function step(s: z.ZodType | undefined, seg: string | number): z.ZodType | undefined {
  if (s instanceof z.ZodObject) return (s.shape as Record<string, z.ZodType>)[String(seg)];
  if (s instanceof z.ZodRecord) return s.valueType as z.ZodType;
  if (s instanceof z.ZodArray) return s.element as z.ZodType;
  if (s instanceof z.ZodUnion) {
    for (const o of s.options as z.ZodType[]) {
      const r = step(unwrap(o), seg);
      if (r) return r;
    }
  }
  return undefined;
}

function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  let cur = s;
  for (let i = 0; i < 20 && cur; i++) {
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable) cur = cur.unwrap() as z.ZodType;
    else if (cur instanceof z.ZodDefault || cur instanceof z.ZodPrefault) cur = cur.def.innerType as z.ZodType;
    else if (cur instanceof z.ZodLazy) cur = cur.def.getter() as z.ZodType;
    else if (cur instanceof z.ZodPipe) cur = cur.def.in as z.ZodType;
    else break;
  }
  return cur;
}

export function valueAt(data: unknown, path: YamlPath): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null (empty)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

function show(v: unknown, path: YamlPath): string {
  const last = path[path.length - 1];
  if (typeof last === 'string' && SECRET_FIELDS.has(last)) return kindOf(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return `${kindOf(v)} ${JSON.stringify(v)}`;
  return kindOf(v);
}

const expectedNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  record: 'a mapping (key: value)',
};

export interface IssueContext {
  /** Where values are written (a YamlSource, or a loaded Inventory's positionOf for values inside it). */
  source: Pick<YamlSource, 'positionOf'>;
  schema: z.ZodType;
  /** The data the schema validated (issue paths index into it). */
  data: unknown;
  /** Maps an issue path to the YAML path where that value is written (identity for the document pass). */
  locate: (path: YamlPath) => YamlPath;
  /** Where to point when nothing better is known. */
  fallback: SourcePosition;
  /** Hints for the document being loaded; the inventory's when unset (other YAML formats pass their own). */
  hints?: DocumentHints;
}

/** What a YAML format adds to the generic messages: its usual shape mistakes and key equivalents. */
export interface DocumentHints {
  /** The form that was meant, for a value of the wrong type at `path`. */
  shape(path: YamlPath, value: unknown): string | undefined;
  /** Extra advice for an unknown key `key` at `path` with no near match. */
  unknownKey(path: YamlPath, key: string): string | undefined;
  /** Keys of other tools with a known equivalent here (lower-case key → what to write instead). */
  equivalents: Readonly<Record<string, string>>;
  /** What such a key is, in the message: 'an Ansible variable'. */
  equivalentNoun: string;
}

export const INVENTORY_HINTS: DocumentHints = {
  shape: (path, value) => shapeHint(path, value),
  unknownKey: (path, key) => (path.length === 0 ? ` Groups go under all.children (e.g. all.children.${key}).` : undefined),
  equivalents: ANSIBLE_EQUIVALENTS,
  equivalentNoun: 'an Ansible variable',
};

/** One or more problems for one zod issue (unrecognized_keys gives one per key). */
export function problemsFromIssue(issue: z.core.$ZodIssue, ctx: IssueContext): InventoryProblem[] {
  const path = issue.path as YamlPath;
  const yamlPath = ctx.locate(path);
  const at = (p: YamlPath, key = false) => ctx.source.positionOf(p, { key }) ?? ctx.fallback;
  const value = valueAt(ctx.data, path);
  const field = fieldName(yamlPath);
  const hints = ctx.hints ?? INVENTORY_HINTS;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(ctx.schema, path);
      return issue.keys.map((k) => {
        const near = nearest(k, allowed);
        const keyPath = [...ctx.locate([...path, k])];
        const ansible = hints.equivalents[k.toLowerCase()];
        if (ansible) {
          return { position: at(keyPath, true), field: fieldName(keyPath), message: `unknown key '${k}': this is ${hints.equivalentNoun}; cortex-deploy uses ${ansible}.`, hint: `Allowed here: ${allowed.join(', ')}.` };
        }
        return {
          position: at(keyPath, true),
          field: fieldName(keyPath),
          message: `unknown key '${k}'.${near ? ` Did you mean '${near}'?` : ''}`,
          hint: `Allowed here: ${allowed.join(', ')}.${near ? '' : (hints.unknownKey(path, k) ?? '')}`,
        };
      });
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      const near = typeof value === 'string' ? nearest(value, allowed) : undefined;
      return [{ position: at(yamlPath), field, message: `${show(value, path)} is not allowed.${near ? ` Did you mean '${near}'?` : ''}`, hint: `Allowed: ${allowed.join(' | ')}.` }];
    }
    case 'invalid_type': {
      if (value === undefined) {
        return [{ position: at(yamlPath, true), field, message: `is required.`, hint: `Expected ${expectedNames[issue.expected] ?? issue.expected}.` }];
      }
      const versionHint = path.includes('versions') && typeof value === 'number' ? ` Quote version numbers: "${value}" (unquoted, 2.10 would read as 2.1).` : '';
      return [{ position: at(yamlPath), field, message: `expected ${expectedNames[issue.expected] ?? issue.expected}, got ${show(value, path)}.${versionHint}`, hint: hints.shape(path, value) }];
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const what = issue.origin === 'string' && issue.code === 'too_small' && Number(bound) === 1 ? 'must not be empty.' : `must be ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(bound)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : ''}.`;
      return [{ position: at(yamlPath), field, message: what }];
    }
    case 'invalid_union':
      return [{ position: at(yamlPath), field, message: `${show(value, path)} matches none of the allowed forms.`, hint: describeUnion(issue) }];
    case 'custom': {
      const hint = (issue.params as { hint?: string } | undefined)?.hint;
      return [{ position: at(yamlPath, value === undefined), field, message: issue.message, hint }];
    }
    default:
      return [{ position: at(yamlPath), field, message: issue.message }];
  }
}

/** The usual shape mistakes in an Ansible-style file, with the form that was meant. */
function shapeHint(path: YamlPath, value: unknown): string | undefined {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (parent === 'hosts' && typeof last === 'string') return `A host's entry is a mapping of its vars: ${last}: { address: ${typeof value === 'string' ? value : '10.0.0.21'} } (or ${last}: with nothing after it).`;
  if (last === 'hosts' && Array.isArray(value)) return 'hosts is a mapping of host name → vars, not a list: hosts: { app1: { address: 10.0.0.21 } }.';
  if (parent === 'children' && typeof last === 'string') return `A group is a mapping of vars, hosts and children: ${last}: { hosts: { … } }.`;
  if (last === 'webApps' && typeof value === 'string') return `Write a list: webApps: [${value}].`;
  return undefined;
}

function describeUnion(issue: z.core.$ZodIssueInvalidUnion): string | undefined {
  const expected = issue.errors.flatMap((errs) => errs.filter((e) => e.code === 'invalid_type').map((e) => expectedNames[(e as z.core.$ZodIssueInvalidType).expected] ?? ''));
  const uniq = [...new Set(expected.filter(Boolean))];
  return uniq.length ? `Expected ${uniq.join(' or ')}.` : undefined;
}

/** Same position and message reported by several hosts (a group var) → once. */
export function dedupe(problems: InventoryProblem[]): InventoryProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.position.line}:${p.position.col}:${p.field}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function sortProblems(problems: InventoryProblem[]): InventoryProblem[] {
  // By file (an inventory with group_vars/ and host_vars/ has several), then by place.
  return [...problems].sort((a, b) => (a.position.file === b.position.file ? 0 : a.position.file < b.position.file ? -1 : 1) || a.position.line - b.position.line || a.position.col - b.position.col);
}
