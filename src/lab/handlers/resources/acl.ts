/**
 * acl (ps1/resources/acl.ps1; its Test in test-batch.ps1's Get-CortexAclState): explicit access rules of
 * a file or folder on machine.acls, what it inherits from src/lab/state/acl.ts. The Set follows the
 * script step by step: inheritance turned off keeps the inherited rules as explicit copies; purge removes
 * unlisted explicit rules; each identity and type with a missing rule gets exactly its listed rules, added
 * as .NET's AddAccessRule adds them (merged into a rule of the same identity, type and inheritance).
 */
import { aclKey, inheritedRules, type AclRule } from '../../state/acl.js';
import type { LabMachine } from '../../state/types.js';
import { psBool } from './bool.js';
import { testPath } from './files.js';
import { resourceParam, stringParam } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'acl';
export const RIGHTS = ['FullControl', 'Modify', 'ReadAndExecute', 'Read', 'Write', 'ListDirectory'] as const;
/** FileSystemRights without Synchronize (Windows adds it to every allow rule; the resource leaves it out). */
const RIGHT_BITS: Record<(typeof RIGHTS)[number], number> = { FullControl: 0xf01ff, Modify: 0x301bf, ReadAndExecute: 0x200a9, Read: 0x20089, Write: 0x116, ListDirectory: 0x1 };

/** Rights merged as AddAccessRule merges them; a combination without one of the six names is not emulated. */
export function mergeRights(a: AclRule['rights'], b: AclRule['rights']): AclRule['rights'] {
  const bits = RIGHT_BITS[a] | RIGHT_BITS[b];
  const name = RIGHTS.find((r) => RIGHT_BITS[r] === bits);
  if (!name) throw new LabResourceError(`combining the rights ${a} and ${b} in one access rule: not emulated by the lab (see docs/lab.md, "The Windows shim")`, 'NotImplemented');
  return name;
}

/** The path as the lab keys it: backslashes, no trailing one. */
const keyPath = (p: string) => p.replace(/\//g, '\\').replace(/(?<!^)\\{2,}/g, '\\').replace(/\\+$/, '');
const sameIdentity = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const sameRule = (a: AclRule, b: AclRule, ignoreInherit: boolean) => sameIdentity(a.identity, b.identity) && a.rights === b.rights && a.type === b.type && (ignoreInherit || a.inherit === b.inherit);

const exists = (m: LabMachine, path: string) => testPath(m, path);
const isDirectory = (m: LabMachine, path: string) => testPath(m, path, 'Container');

export const aclModel = defineResourceModel({
  type: 'acl',
  read: ({ machine: m, params }) => {
    const path = stringParam(params, R, 'path', { required: true });
    if (!exists(m, path)) return { exists: false, isContainer: false, inheritance: true, rules: [] };
    const key = aclKey(m, path);
    const acl = key === undefined ? undefined : m.acls[key];
    return { exists: true, isContainer: isDirectory(m, path), inheritance: acl?.inheritance ?? true, rules: (acl?.rules ?? []).map((r) => ({ ...r })) };
  },
  set: ({ machine: m, params }) => {
    const path = stringParam(params, R, 'path', { required: true });
    const rulesParam = resourceParam(params, R, 'rules', { required: true });
    const purge = psBool(resourceParam(params, R, 'purge', { default: false }));
    const inheritance = resourceParam(params, R, 'inheritance');
    if (!exists(m, path)) throw new LabResourceError(`acl: ${path} does not exist; create it in an earlier step`);
    const isContainer = isDirectory(m, path);
    const wanted: AclRule[] = [];
    for (const r of Array.isArray(rulesParam) ? rulesParam : [rulesParam]) {
      const identity = stringParam(r, R, 'identity', { required: true });
      const rights = stringParam(r, R, 'rights', { required: true });
      if (!(RIGHTS as readonly string[]).includes(rights)) throw new LabResourceError(`acl: rights must be FullControl, Modify, ReadAndExecute, Read, Write or ListDirectory, not ${rights}`);
      const type = stringParam(r, R, 'type', { default: 'allow' });
      if (type !== 'allow' && type !== 'deny') throw new LabResourceError(`acl: type must be allow or deny, not ${type}`);
      const inherit = psBool(resourceParam(r, R, 'inherit', { default: true }));
      wanted.push({ identity, rights: rights as AclRule['rights'], type, inherit: inherit && isContainer });
    }
    if (wanted.length === 0) throw new LabResourceError('acl: parameter rules is empty');

    const key = aclKey(m, path) ?? keyPath(path);
    const current = m.acls[key] ?? { inheritance: true, rules: [] };
    let protectedNow = !current.inheritance;
    let explicit = current.rules.map((r) => ({ ...r }));
    const done: string[] = [];
    if (inheritance !== null && psBool(inheritance) === protectedNow) {
      // SetAccessRuleProtection(-not inheritance, preserve: $true): turning it off keeps inherited rules as explicit copies.
      if (!psBool(inheritance)) explicit = [...explicit, ...inheritedRules(m, path, isContainer)];
      protectedNow = !psBool(inheritance);
      // Written at once (Set-Acl), whatever happens to the rules after.
      m.acls[key] = { inheritance: !protectedNow, rules: explicit.map((r) => ({ ...r })) };
      done.push(psBool(inheritance) ? 'inheritance on' : 'inheritance off');
    }
    const present = explicit.map((r) => ({ ...r }));
    let removed = 0;
    if (purge) {
      for (const rule of present) {
        if (!wanted.some((w) => sameRule(w, rule, !isContainer))) {
          // RemoveAccessRuleSpecific: the first rule exactly like it.
          const i = explicit.findIndex((x) => sameIdentity(x.identity, rule.identity) && x.rights === rule.rights && x.type === rule.type && x.inherit === rule.inherit);
          if (i >= 0) explicit.splice(i, 1);
          removed++;
        }
      }
    }
    const groups: string[] = [];
    for (const w of wanted) {
      if (present.some((p) => sameRule(p, w, !isContainer))) continue;
      const g = `${w.identity.toLowerCase()}|${w.type}`;
      if (!groups.includes(g)) groups.push(g);
    }
    let added = 0;
    for (const g of groups) {
      const members = wanted.filter((w) => `${w.identity.toLowerCase()}|${w.type}` === g);
      // RemoveAccessRuleAll: every explicit rule of that identity and type.
      explicit = explicit.filter((x) => !(sameIdentity(x.identity, members[0]!.identity) && x.type === members[0]!.type));
      for (const w of members) {
        const same = explicit.find((x) => sameIdentity(x.identity, w.identity) && x.type === w.type && x.inherit === w.inherit);
        if (same) same.rights = mergeRights(same.rights, w.rights);
        else explicit.push({ ...w });
        added++;
      }
    }
    if (removed > 0 || added > 0) m.acls[key] = { inheritance: !protectedNow, rules: explicit };
    if (added > 0) done.push(`${added} rule(s) set`);
    if (removed > 0) done.push(`${removed} rule(s) removed`);
    return setResult(done.join(', '));
  },
});
