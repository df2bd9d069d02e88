/**
 * acl: explicit access rules on a file or folder. Only the rules listed are managed unless `purge`
 * is set (then explicit rules not listed are removed); inherited rules are never touched.
 */
import { z } from 'zod';
import { WindowsPath } from './common.js';
import { defineResource, NONE, sameText, UnreachableStateError } from './resource.js';

export const ACL_RIGHTS = ['FullControl', 'Modify', 'ReadAndExecute', 'Read', 'Write', 'ListDirectory'] as const;

const Rule = z.strictObject({
  identity: z.string().min(1).meta({ description: "Account or group, e.g. 'CORP\\svc-cortex' or 'BUILTIN\\Users'" }),
  rights: z.enum(ACL_RIGHTS),
  type: z.enum(['allow', 'deny']).default('allow'),
  inherit: z.boolean().default(true).meta({ description: 'Applies to subfolders and files (container and object inherit)' }),
});

export const AclParams = z.strictObject({
  path: WindowsPath,
  rules: z.array(Rule).min(1),
  purge: z.boolean().default(false),
  inheritance: z.boolean().optional().meta({ description: 'Whether the item inherits from its parent; unset: left as it is' }),
});

export const AclState = z.object({
  exists: z.boolean(),
  /** false for a file: nothing below a file inherits, so a rule's `inherit` is not compared there. */
  isContainer: z.boolean().optional(),
  inheritance: z.boolean(),
  /** Explicit (non-inherited) rules, identities as NTAccount names. */
  rules: z.array(z.object({ identity: z.string(), rights: z.string(), type: z.enum(['allow', 'deny']), inherit: z.boolean() })),
});

type RuleT = { identity: string; rights: string; type: 'allow' | 'deny'; inherit: boolean };
const sameRule = (a: RuleT, b: RuleT, compareInherit: boolean) => sameText(a.identity, b.identity) && a.rights === b.rights && a.type === b.type && (!compareInherit || a.inherit === b.inherit);

export const aclResource = defineResource({
  type: 'acl',
  description: 'Explicit access rules on a file or folder',
  params: AclParams,
  state: AclState,
  label: (p) => `acl ${p.path}`,
  diff(p, s) {
    if (!s.exists) throw new UnreachableStateError(`${p.path} does not exist; create it in an earlier step`);
    const inherit = s.isContainer !== false;
    const missing = p.rules.filter((r) => !s.rules.some((c) => sameRule(r, c, inherit)));
    const extra = p.purge ? s.rules.filter((c) => !p.rules.some((r) => sameRule(r, c, inherit))) : [];
    const inheritanceChange = p.inheritance !== undefined && p.inheritance !== s.inheritance;
    if (!missing.length && !extra.length && !inheritanceChange) return NONE;
    return {
      action: 'update',
      from: { ...(extra.length ? { rules: extra } : {}), ...(inheritanceChange ? { inheritance: s.inheritance } : {}) },
      to: { ...(missing.length ? { rules: missing } : {}), ...(inheritanceChange ? { inheritance: p.inheritance } : {}) },
    };
  },
});
