/**
 * Access rules of files and folders on a simulated machine (docs/lab.md, "ACLs"): a path's explicit rules
 * and whether it inherits are in `machine.acls`; what it inherits follows from its ancestors — each
 * ancestor's explicit inheritable rules, nearest first, up to an ancestor that does not inherit — and,
 * unless such an ancestor stops it, the drive root's (ROOT_ACCESS). A machine fact shared by the acl
 * handler and the Windows view (src/lab/shim/), like listeners.ts. Pure.
 */
import type { LabMachine } from './types.js';

export interface AclRule {
  identity: string;
  rights: 'FullControl' | 'Modify' | 'ReadAndExecute' | 'Read' | 'Write' | 'ListDirectory';
  type: 'allow' | 'deny';
  inherit: boolean;
}

/** What every drive root passes down on a fresh Windows Server (its rules for subfolders and files). */
export const ROOT_ACCESS: readonly AclRule[] = [
  { identity: 'NT AUTHORITY\\SYSTEM', rights: 'FullControl', type: 'allow', inherit: true },
  { identity: 'BUILTIN\\Administrators', rights: 'FullControl', type: 'allow', inherit: true },
  { identity: 'BUILTIN\\Users', rights: 'ReadAndExecute', type: 'allow', inherit: true },
];

const norm = (p: string) => p.replace(/\//g, '\\').replace(/\\+$/, '').toLowerCase();

/** The machine.acls key of a path (as first written), if it has one. */
export function aclKey(m: LabMachine, path: string): string | undefined {
  const want = norm(path);
  return Object.keys(m.acls).find((k) => norm(k) === want);
}

/** The rules a path inherits, in Get-Acl's order (nearest ancestor first); `inherit` as they apply to it. */
export function inheritedRules(m: LabMachine, path: string, isContainer: boolean): AclRule[] {
  const own = aclKey(m, path);
  if (own !== undefined && !m.acls[own]!.inheritance) return [];
  const parts = norm(path).split('\\');
  const out: AclRule[] = [];
  let reachedRoot = true;
  for (let i = parts.length - 1; i >= 2; i--) {
    const ancestor = aclKey(m, parts.slice(0, i).join('\\'));
    if (ancestor === undefined) continue;
    const acl = m.acls[ancestor]!;
    out.push(...acl.rules.filter((r) => r.inherit));
    if (!acl.inheritance) {
      reachedRoot = false;
      break;
    }
  }
  if (reachedRoot) out.push(...ROOT_ACCESS);
  return out.map((r) => ({ ...r, inherit: isContainer }));
}
