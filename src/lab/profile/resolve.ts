/**
 * From a host's `lab:` levels to a validated profile (docs/lab.md, "Merge order"):
 *
 *   built-in default (ws2019)
 *   → each level that has `lab:`, least specific first (all.vars, group vars in the inventory's order,
 *     the host's own entry); at each level, first the preset it names, then its other keys.
 *
 * A preset is thus a set of settings written at the level that names it: it overrides what outer levels
 * set for the keys it sets, and loses to keys written at its own level or narrower ones. Merging is deep
 * (mappings merge key by key; lists, scalars and null replace). The merged profile is validated as a
 * whole, and every problem is reported at once through the inventory's problem machinery (positions,
 * did-you-mean), pointing at the level, or at the preset, that set the offending value.
 */
import { InputError, type SourcePosition } from '../../errors.js';
import { fieldName, formatProblem, problemsFromIssue, sortProblems, dedupe, type DocumentHints } from '../../inventory/problems.js';
import { nearest } from '../../inventory/suggest.js';
import type { InventoryProblem } from '../../inventory/types.js';
import { DEFAULT_PROFILE, PRESETS, PRESET_NAMES } from './presets.js';
import { LabProfileSchema, type LabProfile } from './schema.js';

type Plain = Record<string, unknown>;
type Path = Array<string | number>;

function isPlainObject(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own-property write: a `__proto__` key stays a key (and is then refused as unknown), never a prototype. */
function put(target: Plain, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Deep merge for profiles: objects merge, everything else (arrays included) replaces. */
export function mergeProfile(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Plain = { ...base };
    for (const [k, v] of Object.entries(override)) put(out, k, mergeProfile(Object.hasOwn(base, k) ? base[k] : undefined, v));
    return out;
  }
  return override;
}

/** One `lab:` of the inventory that applies to the host. */
export interface LabLevel {
  lab: unknown;
  /** YAML path of this `lab:` node in the inventory (['lab'] when not from a file). */
  path: Path;
}

/** Who set a value: a level's own keys, or the preset that level names. No origin: the built-in default. */
interface Origin {
  level: number;
  preset?: string;
}

class Origins {
  private readonly map = new Map<string, Origin>();
  private static key = (p: Path) => p.join('\u0000');

  set(path: Path, o: Origin): void {
    this.map.set(Origins.key(path), o);
  }

  /** Forget what set the children of a value that was just replaced whole. */
  clearBelow(path: Path): void {
    const prefix = Origins.key(path) + '\u0000';
    for (const k of [...this.map.keys()]) if (k.startsWith(prefix)) this.map.delete(k);
  }

  /** The origin of `path` or of its nearest ancestor that has one. */
  of(path: Path): Origin | undefined {
    for (let n = path.length; n > 0; n--) {
      const o = this.map.get(Origins.key(path.slice(0, n)));
      if (o) return o;
    }
    return undefined;
  }
}

function mergeInto(target: Plain, src: Plain, prefix: Path, origin: Origin, origins: Origins): void {
  for (const [k, v] of Object.entries(src)) {
    const here = [...prefix, k];
    origins.set(here, origin);
    const existing = Object.hasOwn(target, k) ? target[k] : undefined;
    if (isPlainObject(v)) {
      if (!isPlainObject(existing)) {
        origins.clearBelow(here);
        put(target, k, {});
      }
      mergeInto(target[k] as Plain, v, here, origin, origins);
    } else {
      origins.clearBelow(here);
      put(target, k, structuredClone(v));
    }
  }
}

/** A problem in a profile, with the path under `lab:` it concerns. */
export interface LabProblem extends InventoryProblem {
  path: Path;
}

/** Where the levels are written: positions in the inventory, and where to point when nothing better is known. */
export interface ProfileWhere {
  positionOf?: ((path: Path, opts?: { key?: boolean }) => SourcePosition | undefined) | undefined;
  fallback: SourcePosition;
}

export type LevelsResult = { ok: true; profile: LabProfile } | { ok: false; problems: LabProblem[] };

const LAB_HINTS: DocumentHints = {
  shape: (path, value) => {
    const last = path[path.length - 1];
    if (path.length === 1 && ['volumes', 'sql', 'services', 'features', 'products', 'firewallRules', 'ipv6', 'blockedPorts', 'listeningPorts'].includes(String(last)) && !Array.isArray(value)) {
      return `Write a list: ${String(last)}: [ … ] (see docs/lab.md, "Host profiles").`;
    }
    return undefined;
  },
  unknownKey: () => ' The profile keys are in docs/lab.md, "Host profiles".',
  // Null prototype: a key named __proto__ must not find Object.prototype here.
  equivalents: Object.create(null) as Record<string, string>,
  equivalentNoun: '',
};

/** Pure: the host's `lab:` levels (least specific first) → a profile, or every problem found. */
export function resolveLevels(levels: readonly LabLevel[], where: ProfileWhere): LevelsResult {
  // The node itself, else its closest ancestor that is written in the file.
  const positionOf = (p: Path, opts?: { key?: boolean }) => {
    for (let n = p.length; n > 0 && where.positionOf; n--) {
      const pos = where.positionOf(p.slice(0, n), n === p.length ? opts : undefined);
      if (pos) return pos;
    }
    return undefined;
  };
  const problems: LabProblem[] = [];
  const merged = structuredClone(DEFAULT_PROFILE) as unknown as Plain;
  const origins = new Origins();

  levels.forEach((level, i) => {
    const lab = level.lab;
    if (lab === undefined || lab === null) return;
    if (!isPlainObject(lab)) {
      problems.push({
        path: [],
        position: positionOf(level.path) ?? where.fallback,
        field: fieldName(level.path),
        message: `expected a mapping of profile keys, got ${Array.isArray(lab) ? 'a list' : `a ${typeof lab}`}.`,
        hint: 'Write lab: { preset: ws2016, ramGB: 8 } (see docs/lab.md, "Host profiles").',
      });
      return;
    }
    const { preset, ...settings } = lab;
    if (preset !== undefined && preset !== null) {
      if (typeof preset === 'string' && Object.hasOwn(PRESETS, preset)) {
        mergeInto(merged, PRESETS[preset]!, [], { level: i, preset }, origins);
      } else {
        const near = typeof preset === 'string' ? nearest(preset, PRESET_NAMES) : undefined;
        problems.push({
          path: ['preset'],
          position: positionOf([...level.path, 'preset']) ?? where.fallback,
          field: fieldName([...level.path, 'preset']),
          message: `${typeof preset === 'string' ? `unknown preset '${preset}'` : 'a preset is a name'}.${near ? ` Did you mean '${near}'?` : ''}`,
          hint: `Presets: ${PRESET_NAMES.join(', ')}.`,
        });
      }
    }
    mergeInto(merged, settings, [], { level: i }, origins);
  });

  const parsed = LabProfileSchema.safeParse(merged);
  if (parsed.success && problems.length === 0) return { ok: true, profile: parsed.data };
  if (!parsed.success) {
    const innermost = levels.length ? levels[levels.length - 1]!.path : ['lab'];
    // Where a value is written: under the level that set it. A value from a preset or the default is
    // written nowhere: its field is named as if under the level, and the problem says where it came from.
    const yamlPathOf = (p: Path) => {
      const o = origins.of(p);
      return [...(o ? levels[o.level]!.path : innermost), ...p];
    };
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
      const keyPaths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...path, k]) : [path];
      const found = problemsFromIssue(issue, { source: { positionOf }, schema: LabProfileSchema, data: merged, locate: yamlPathOf, fallback: where.fallback, hints: LAB_HINTS });
      found.forEach((p, n) => {
        const at = keyPaths[n] ?? path;
        const o = origins.of(at);
        if (o?.preset !== undefined) {
          const presetPath = [...levels[o.level]!.path, 'preset'];
          problems.push({ ...p, path: at, position: positionOf(presetPath) ?? where.fallback, message: `${p.message} (set by preset '${o.preset}', named at ${fieldName(presetPath)})` });
        } else if (!o) {
          problems.push({ ...p, path: at, position: where.fallback, message: `${p.message} (the built-in default)` });
        } else {
          problems.push({ ...p, path: at });
        }
      });
    }
  }
  return { ok: false, problems: sortProblems(dedupe(problems)) as LabProblem[] };
}

const NO_FILE: SourcePosition = { file: '(lab profile)', line: 1, col: 1 };

export interface ProfileIssue {
  /** Path under `lab:` (e.g. ['volumes', 0, 'freeGB']). */
  path: Path;
  message: string;
  hint?: string | undefined;
}

export type ProfileResult = { ok: true; profile: LabProfile } | { ok: false; issues: ProfileIssue[] };

/** Pure: one `lab:` mapping, not from a file (tests, synthetic hosts) → profile or issues. */
export function resolveProfile(raw: unknown): ProfileResult {
  const r = resolveLevels([{ lab: raw, path: ['lab'] }], { fallback: NO_FILE });
  return r.ok ? r : { ok: false, issues: r.problems.map((p) => ({ path: p.path, message: p.message, hint: p.hint })) };
}

/** Lab profiles that cannot be resolved: every problem, each with its position in the inventory. */
export class LabProfileError extends InputError {
  readonly problems: InventoryProblem[];
  constructor(problems: InventoryProblem[], host?: string) {
    const first = problems[0]!;
    const detail =
      problems.length === 1
        ? `invalid lab profile: ${first.message}`
        : `${problems.length} problems in lab profiles, the first here:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`;
    super(detail, {
      ...(host ? { host } : {}),
      position: first.position,
      field: first.field,
      hint: problems.length === 1 ? (first.hint ?? 'See docs/lab.md, "Host profiles".') : 'Fix them in the lab: vars (profile keys, presets and merge order: docs/lab.md).',
    });
    this.problems = problems;
  }
}

export interface ProfileSource {
  /** Inventory host name, for the message. */
  host: string;
  /** YAML path of the host's `lab:` in the inventory (the only level). */
  labPath: Path;
  positionOf?: ProfileWhere['positionOf'];
  /** Fallback position (the host's entry). */
  position?: SourcePosition;
}

/** One `lab:` mapping → profile, or a LabProfileError naming file:line:col, the host and the fields. */
export function resolveProfileOrThrow(raw: unknown, src: ProfileSource): LabProfile {
  const r = resolveLevels([{ lab: raw, path: src.labPath.length ? src.labPath : ['lab'] }], { positionOf: src.positionOf, fallback: src.position ?? NO_FILE });
  if (r.ok) return r.profile;
  throw new LabProfileError(r.problems, src.host);
}
