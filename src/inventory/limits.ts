/**
 * What an inventory may be (docs/security.md "Limits"). A real site is a few hundred hosts and a
 * few hundred KiB at most; the bounds keep a mistaken or hostile file (a 50 MB list, an alias bomb,
 * 10,000 levels of nesting) from exhausting memory or time before it is rejected.
 */
export const INVENTORY_LIMITS = {
  /** Bytes of the inventory file. */
  maxBytes: 1024 * 1024,
  /** Nesting of mappings and sequences (all/children/group/hosts/host/winrm/tls is 7). */
  maxDepth: 64,
  /** The yaml package's maxAliasCount: how much aliases may expand the document. */
  maxAliasCount: 100,
  /** Hosts in one inventory. */
  maxHosts: 5000,
} as const;

/** Secret files (`file:` references): one line, small. */
export const SECRET_FILE_MAX_BYTES = 64 * 1024;
/** Other referenced files (a CA bundle, an SSH private key). */
export const REFERENCED_FILE_MAX_BYTES = 1024 * 1024;
