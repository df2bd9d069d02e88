/**
 * The site facts document (docs/site-facts.md): what `preflight --save-facts FILE` writes, and what
 * `lab up --from-facts FILE` builds a twin from. Per host: the inventory's shape (roles, groups, web apps,
 * component versions, install path, which transport on which port), how the session went, and what the
 * probes read (the facts, the reach result, the clock offset).
 *
 * No secrets by construction: the document is built from an allow-list of fields, never from the
 * inventory's host objects as a whole. No user names, no password/key/certificate references, no error
 * messages (they can quote a host's output): a failed session or probe is recorded by its kind.
 */
import { z } from 'zod';
import type { ErrorKind } from '../errors.js';
import type { HostConfig } from '../inventory/types.js';
import { isVaultRef } from '../inventory/vault.js';
import { InventoryComponentSettings, type InventoryComponents } from '../components/index.js';
import { Facts } from './facts.js';
import { ROLE_NAMES } from './finding.js';
import { ReachResult } from './reach.js';

export const SITE_FACTS_KIND = 'cortex-deploy/site-facts';
/** Version of the document's shape: a reader refuses any other (docs/site-facts.md, "Versions"). */
export const SITE_FACTS_VERSION = 2;

/**
 * How the session to the host went: connected; unreachable (network, host down); auth (login refused);
 * tls (certificate refused); input (settings unusable, e.g. an unset env: password); not-probed (the run
 * was interrupted before or while probing it).
 */
export const SESSION_OUTCOMES = ['connected', 'unreachable', 'auth', 'tls', 'input', 'not-probed'] as const;
export type SessionOutcome = (typeof SESSION_OUTCOMES)[number];

export const SiteFactsHost = z.strictObject({
  name: z.string().min(1),
  /** The inventory address (an IPv4 literal or a DNS name): the twin maps it to its loopback address. */
  address: z.string().min(1),
  roles: z.array(z.enum(ROLE_NAMES)),
  /** Every group containing the host, role groups included ('all' excluded). */
  groups: z.array(z.string()),
  webApps: z.array(z.string()),
  versions: z.record(z.string(), z.string()),
  installPath: z.string().nullable(),
  /**
   * The host's own variables (docs/inventory.md, "Your own variables": public data, secret-named keys
   * refused), such as the Gateway's gatewayHostName and gatewayThumbprint, which the install reads.
   */
  vars: z.record(z.string(), z.unknown()),
  /** Own variables left out because a value in them is a secret reference (env:, file:, prompt, vault). */
  varsLeftOut: z.array(z.string()),
  transport: z.enum(['winrm', 'ssh', 'local']),
  /** The WinRM listener the host was reached on (no account, no TLS files). Null for other transports. */
  winrm: z.strictObject({ scheme: z.enum(['http', 'https']), port: z.number().int(), auth: z.string() }).nullable(),
  ssh: z.strictObject({ port: z.number().int() }).nullable(),
  session: z.enum(SESSION_OUTCOMES),
  /** The facts probe's data; null when the host was not reached or the probe failed (factsFailed). */
  facts: Facts.nullable(),
  factsFailed: z.boolean(),
  /** The reach probe's result; null when the host had no peers to reach, or the probe failed (reachFailed). */
  reach: ReachResult.nullable(),
  reachFailed: z.boolean(),
  /** Host clock minus the capturing workstation's, ms (round trip halved); null when not measured. */
  clockSkewMs: z.number().nullable(),
});
export type SiteFactsHost = z.infer<typeof SiteFactsHost>;

export const SiteFacts = z.strictObject({
  kind: z.literal(SITE_FACTS_KIND),
  schemaVersion: z.literal(SITE_FACTS_VERSION),
  /** When the preflight run started (ISO 8601). */
  capturedAt: z.iso.datetime({ offset: true }),
  toolVersion: z.string(),
  /** File name of the inventory the run read (the name only: paths can say more than needed). */
  inventory: z.string(),
  /** The inventory's `components:` settings with their defaults (docs/component-config.md); null when not written. */
  components: InventoryComponentSettings.nullable(),
  hosts: z.array(SiteFactsHost),
});
export type SiteFacts = z.infer<typeof SiteFacts>;

/** What the preflight run learnt of one host (src/preflight/run.ts emits it as each host finishes). */
export interface HostCapture {
  name: string;
  session: SessionOutcome;
  facts: Facts | null;
  factsFailed: boolean;
  reach: ReachResult | null;
  reachFailed: boolean;
  clockSkewMs: number | null;
}

/** The session outcome for an error that stopped the session from opening. */
export function sessionOutcomeOf(kind: ErrorKind | null): SessionOutcome {
  if (kind === null) return 'connected';
  if (kind === 'auth' || kind === 'tls' || kind === 'input') return kind;
  return 'unreachable';
}

/** A value that is, or holds, a secret reference: never copied into the facts. */
function holdsSecretRef(v: unknown): boolean {
  if (typeof v === 'string') return v.startsWith('env:') || v.startsWith('file:') || v === 'prompt' || isVaultRef(v);
  if (Array.isArray(v)) return v.some(holdsSecretRef);
  if (v !== null && typeof v === 'object') return Object.values(v).some(holdsSecretRef);
  return false;
}

/** Pure: the host's own variables that the facts may carry, and the names of those they may not. */
export function publicVars(vars: Record<string, unknown> | undefined): { vars: Record<string, unknown>; leftOut: string[] } {
  const out: Record<string, unknown> = {};
  const leftOut: string[] = [];
  for (const [k, v] of Object.entries(vars ?? {})) {
    if (holdsSecretRef(v)) leftOut.push(k);
    else out[k] = structuredClone(v);
  }
  return { vars: out, leftOut };
}

/** One host's entry: an allow-list of the inventory's fields plus what the probes read. */
export function siteFactsHost(h: HostConfig, capture: HostCapture | undefined): SiteFactsHost {
  const own = publicVars(h.vars);
  return {
    name: h.name,
    address: h.address,
    roles: [...h.roles],
    groups: [...h.groups],
    webApps: [...h.webApps],
    versions: { ...h.versions },
    installPath: h.installPath ?? null,
    vars: own.vars,
    varsLeftOut: own.leftOut,
    transport: h.transport,
    winrm: h.transport === 'winrm' ? { scheme: h.winrm.scheme, port: h.winrm.port, auth: h.winrm.auth } : null,
    ssh: h.transport === 'ssh' ? { port: h.ssh.port } : null,
    session: capture?.session ?? 'not-probed',
    facts: capture?.facts ?? null,
    factsFailed: capture?.factsFailed ?? false,
    reach: capture?.reach ?? null,
    reachFailed: capture?.reachFailed ?? false,
    clockSkewMs: capture?.clockSkewMs === null || capture?.clockSkewMs === undefined ? null : Math.round(capture.clockSkewMs),
  };
}

export interface SiteFactsMeta {
  capturedAt: string;
  toolVersion: string;
  inventory: string;
  /** The inventory's validated `components:` block, when written. */
  components?: InventoryComponents | undefined;
}

/** Pure: the document for the hosts preflight ran on, in inventory order. */
export function buildSiteFacts(hosts: readonly HostConfig[], captures: ReadonlyMap<string, HostCapture>, meta: SiteFactsMeta): SiteFacts {
  const { components, ...rest } = meta;
  return { kind: SITE_FACTS_KIND, schemaVersion: SITE_FACTS_VERSION, ...rest, components: components ? publicComponents(components) : null, hosts: hosts.map((h) => siteFactsHost(h, captures.get(h.name))) };
}

/** Pure: the component settings without the NServiceBus licence's file reference (a secret file; a twin uses the lab's). */
export function publicComponents(c: InventoryComponents): InventoryComponents {
  const { license: _left, ...nservicebus } = c.nservicebus;
  return { ...c, nservicebus };
}

/** The document as written: stable key order, two-space indent, a final newline. */
export function renderSiteFacts(doc: SiteFacts): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
