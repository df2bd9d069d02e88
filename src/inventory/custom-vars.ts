/**
 * Keys at a vars level (all.vars, a group's vars, a host's entry, a group_vars/host_vars file) that are
 * not cortex-deploy's own (docs/inventory.md, "Your own variables"). Real Ansible inventories carry
 * their own variables (env: prod, ntp_server: …) and other tools' ansible_* settings, so:
 * - our keys and the ansible_* keys we read are validated by the schema, strictly;
 * - other ansible_* keys are accepted and ignored (`inventory check` lists them once);
 * - a key within a typo's reach of one of our keys (adress, winmr, webapps) is an error with the key
 *   it resembles: a misspelt setting must not become a silently unused variable;
 * - any other key is a variable of the user's own, for playbook templates (host.vars.NAME).
 */
import { AnsibleVarsShape, VarsShape } from './schema.js';
import { isPlainObject } from './merge.js';
import type { YamlPath } from './source.js';

const ANSIBLE_READ = new Set(Object.keys(AnsibleVarsShape));
/** cortex-deploy's own keys at a vars level (what a typo is measured against). */
export const OWN_KEYS: readonly string[] = Object.keys(VarsShape).filter((k) => !ANSIBLE_READ.has(k));
const OWN = new Set(OWN_KEYS);
/** The structure of a group: written inside vars, it is a misplaced group key, never a variable. */
const STRUCTURE = ['vars', 'hosts', 'children'];
/** What a variable of one's own may be called: a name templates can read (host.vars.NAME). */
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Your own variables are public data (templates, plans, logs): a name that says "secret" is refused. */
const SECRET_WORDS = new Set(['pass', 'password', 'passwd', 'passphrase', 'pwd', 'secret', 'secrets', 'token', 'credential', 'credentials', 'privatekey', 'apikey']);
function secretLike(key: string): boolean {
  // Words of snake_case and camelCase names: db_password, dbPassword, api_key, privateKey.
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split('_').filter(Boolean);
  return words.some((w, i) => SECRET_WORDS.has(w) || SECRET_WORDS.has(`${w}${words[i + 1] ?? ''}`));
}

export type KeyKind =
  | { kind: 'own' }
  | { kind: 'ansible-read' }
  | { kind: 'ansible-ignored' }
  | { kind: 'custom' }
  | { kind: 'typo'; near: string }
  | { kind: 'structure' }
  | { kind: 'bad-name' }
  | { kind: 'secret-like' };

/** Optimal string alignment distance: edits, with a swap of two neighbours counted as one. */
export function typoDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The own key `key` is probably a misspelling of: same letters in another case, or one edit away
 * (two for keys of 5 letters or more). Short keys get one edit only, so `host` or `env` stay free.
 */
export function typoOf(key: string): string | undefined {
  const lower = key.toLowerCase();
  let best: { k: string; d: number } | undefined;
  for (const k of OWN_KEYS) {
    const d = typoDistance(lower, k.toLowerCase());
    const reach = k.length >= 5 ? 2 : 1;
    if (d <= reach && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

const classified = new Map<string, KeyKind>();

/** What a key at a vars level is (memoised: an inventory of thousands of hosts asks about the same few keys). */
export function classifyKey(key: string): KeyKind {
  let kind = classified.get(key);
  if (!kind) {
    kind = classify(key);
    if (classified.size < 10_000) classified.set(key, kind);
  }
  return kind;
}

function classify(key: string): KeyKind {
  if (OWN.has(key)) return { kind: 'own' };
  if (ANSIBLE_READ.has(key)) return { kind: 'ansible-read' };
  if (/^ansible_/i.test(key)) {
    // One edit from an ansible_* key we read (ansible_hots, ansible_winrm_transprot) is a typo, not another tool's setting.
    const near = [...ANSIBLE_READ].find((k) => typoDistance(key.toLowerCase(), k) <= 1);
    return near ? { kind: 'typo', near } : { kind: 'ansible-ignored' };
  }
  if (STRUCTURE.includes(key)) return { kind: 'structure' };
  const near = typoOf(key);
  if (near) return { kind: 'typo', near };
  if (!VAR_NAME.test(key)) return { kind: 'bad-name' };
  if (secretLike(key)) return { kind: 'secret-like' };
  return { kind: 'custom' };
}

/** The user's own variables of one level. */
export function customVarsOf(vars: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(vars).filter(([k]) => classifyKey(k).kind === 'custom'));
}

/** Every vars level of an inventory document (all, groups, host entries), with its YAML path. */
export function varsLevels(doc: unknown, prefix: YamlPath = []): Array<{ vars: Record<string, unknown>; path: YamlPath }> {
  const out: Array<{ vars: Record<string, unknown>; path: YamlPath }> = [];
  const group = (g: unknown, path: YamlPath, depth: number) => {
    if (!isPlainObject(g) || depth > 64) return;
    if (isPlainObject(g.vars)) out.push({ vars: g.vars, path: [...path, 'vars'] });
    if (isPlainObject(g.hosts)) for (const [h, v] of Object.entries(g.hosts)) if (isPlainObject(v)) out.push({ vars: v, path: [...path, 'hosts', h] });
    if (isPlainObject(g.children)) for (const [c, child] of Object.entries(g.children)) group(child, [...path, 'children', c], depth + 1);
  };
  if (isPlainObject(doc)) group(doc.all, [...prefix, 'all'], 0);
  return out;
}

export interface KeyProblem {
  path: YamlPath;
  message: string;
  hint: string;
}

/**
 * Problems with the keys of one vars level that are not ours (typos, misplaced group keys, names
 * templates cannot read), and the ansible_* keys it ignores.
 */
export function checkLevelKeys(vars: Record<string, unknown>, path: YamlPath): { problems: KeyProblem[]; ignored: Array<{ key: string; path: YamlPath }> } {
  const problems: KeyProblem[] = [];
  const ignored: Array<{ key: string; path: YamlPath }> = [];
  for (const key of Object.keys(vars)) {
    const c = classifyKey(key);
    const at = [...path, key];
    if (c.kind === 'ansible-ignored') ignored.push({ key, path: at });
    else if (c.kind === 'typo')
      problems.push({
        path: at,
        message: `unknown key '${key}'. Did you mean '${c.near}'?`,
        hint: c.near.startsWith('ansible_')
          ? `cortex-deploy reads ${c.near} (docs/inventory.md, "Coming from Ansible").`
          : `A variable of your own must not be this close to a cortex-deploy key; rename it if it is yours (docs/inventory.md, "Your own variables"). cortex-deploy keys here: ${OWN_KEYS.join(', ')}.`,
      });
    else if (c.kind === 'structure')
      problems.push({
        path: at,
        message: `'${key}' is a group key, written here among variables.`,
        hint: `vars, hosts and children belong to a group (all.children.GROUP.${key}), not inside vars or a host's entry.`,
      });
    else if (c.kind === 'bad-name')
      problems.push({
        path: at,
        message: `'${key}' is not a variable name cortex-deploy knows, nor one templates can read.`,
        hint: `Names of your own variables use letters, digits and _ (not starting with a digit). A dotted key is not nesting: write winrm: { port: 5986 }, not winrm.port: 5986. cortex-deploy keys here: ${OWN_KEYS.join(', ')}.`,
      });
    else if (c.kind === 'secret-like')
      problems.push({
        path: at,
        message: `'${key}' looks like a secret, and variables of your own are not masked: they reach templates, plans and logs as they are.`,
        hint: 'Keep secrets in the fields that take references (winrm.password, ssh.key, …: env:NAME, file:PATH or prompt), or rename the variable if it holds no secret.',
      });
  }
  return { problems, ignored };
}
