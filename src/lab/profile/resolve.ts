/**
 * From a host's raw `lab:` vars to a validated profile: default ← preset ← overrides, merged deep
 * (objects merge key by key; arrays, scalars and null replace), then validated as a whole. Because the
 * merged tree mirrors what the user wrote, every validation issue's path is also a path under the
 * host's `lab:` in the inventory, and becomes a file:line:col there.
 */
import { z } from 'zod';
import { InputError, type SourcePosition } from '../../errors.js';
import { DEFAULT_PROFILE, PRESETS, PRESET_NAMES } from './presets.js';
import { LabProfileSchema, type LabProfile } from './schema.js';

type Plain = Record<string, unknown>;

function isPlainObject(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge for profiles: objects merge, everything else (arrays included) replaces. */
export function mergeProfile(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Plain = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = mergeProfile(base[k], v);
    return out;
  }
  return override;
}

export interface ProfileIssue {
  /** Path under the host's `lab:` (e.g. ['volumes', 0, 'freeGB']). */
  path: Array<string | number>;
  message: string;
}

export type ProfileResult = { ok: true; profile: LabProfile } | { ok: false; issues: ProfileIssue[] };

/** Pure: raw `lab:` vars (anything) → profile or issues. */
export function resolveProfile(raw: unknown): ProfileResult {
  if (raw !== undefined && raw !== null && !isPlainObject(raw)) {
    return { ok: false, issues: [{ path: [], message: 'lab must be a mapping of profile keys (see docs/lab.md)' }] };
  }
  const overrides: Plain = isPlainObject(raw) ? { ...raw } : {};
  const presetName = overrides.preset ?? 'ws2019';
  delete overrides.preset;
  if (typeof presetName !== 'string' || !(presetName in PRESETS)) {
    return {
      ok: false,
      issues: [{ path: ['preset'], message: `unknown preset ${JSON.stringify(presetName)}; presets: ${PRESET_NAMES.join(', ')}` }],
    };
  }
  const merged = mergeProfile(mergeProfile(DEFAULT_PROFILE, PRESETS[presetName]), overrides);
  const parsed = LabProfileSchema.safeParse(merged);
  if (parsed.success) return { ok: true, profile: parsed.data };
  return { ok: false, issues: parsed.error.issues.flatMap(issueToProblems) };
}

function issueToProblems(issue: z.core.$ZodIssue): ProfileIssue[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({ path: [...path, k], message: `unknown key '${k}' (see docs/lab.md for the profile keys)` }));
  }
  return [{ path, message: issue.message }];
}

export interface ProfileSource {
  /** Inventory host name, for the message. */
  host: string;
  /** YAML path of the host's `lab:` in the inventory. */
  labPath: Array<string | number>;
  positionOf?: (path: Array<string | number>) => SourcePosition | undefined;
  /** Fallback position (the host's entry). */
  position?: SourcePosition;
}

/** Resolve or throw an InputError naming file:line:col, the host and the field. */
export function resolveProfileOrThrow(raw: unknown, src: ProfileSource): LabProfile {
  const r = resolveProfile(raw);
  if (r.ok) return r.profile;
  const lines = r.issues.map((i) => {
    const pos = positionFor(src, i.path);
    const where = pos ? `${pos.file}:${pos.line}:${pos.col}: ` : '';
    return `${where}lab.${i.path.join('.') || '(root)'}: ${i.message}`;
  });
  const first = r.issues[0]!;
  const position = positionFor(src, first.path);
  throw new InputError(`invalid lab profile:\n  ${lines.join('\n  ')}`, {
    host: src.host,
    field: `lab.${first.path.join('.')}`,
    ...(position ? { position } : {}),
    hint: 'Fix the host\'s lab: vars (profile keys and presets: docs/lab.md).',
  });
}

function positionFor(src: ProfileSource, path: Array<string | number>): SourcePosition | undefined {
  if (!src.positionOf) return src.position;
  // The exact node, else the closest ancestor that exists in the file (a key the preset supplied).
  for (let n = path.length; n >= 0; n--) {
    const pos = src.positionOf([...src.labPath, ...path.slice(0, n)]);
    if (pos) return pos;
  }
  return src.position;
}
