/**
 * The loaded inventory as the rest of cortex-deploy sees it: hosts with inherited, defaulted and
 * validated variables. Secret fields are still *references* here (env:/file:/prompt); resolve them
 * with resolveSecret() (secrets.ts) at the moment a connection needs them.
 */
import type { SourcePosition } from '../errors.js';
import type { InventoryComponents } from '../components/index.js';
import type { ROLES, TRANSPORTS, WEB_APPS, WINRM_AUTHS, WINRM_SCHEMES } from './schema.js';

export type { SourcePosition };
export type Role = (typeof ROLES)[number];
export type Transport = (typeof TRANSPORTS)[number];
export type WebApp = (typeof WEB_APPS)[number];
export type WinrmScheme = (typeof WINRM_SCHEMES)[number];
export type WinrmAuthKind = (typeof WINRM_AUTHS)[number];

export interface WinrmVars {
  scheme: WinrmScheme;
  /** Effective port: winrm.port, else the host's `port`, else 5985 (http) / 5986 (https). */
  port: number;
  auth: WinrmAuthKind;
  user: string | undefined;
  /** Secret reference (env:NAME | file:PATH | prompt), not the password. */
  password: string | undefined;
  allowUnencrypted: boolean;
  tls: { ca: string | null; serverName: string | null; insecure: boolean };
  /** Kerberos SPN override (HTTP/<name>). */
  spn?: string | undefined;
  /** Certificate authentication: file: reference of the certificate, secret reference of its key. */
  certificate: { cert: string; key: string } | null;
  operationTimeoutSec: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Largest HTTP response body accepted, KiB; null: derived from the envelope size (docs/security.md). */
  maxResponseSizeKb: number | null;
}

export interface SshVars {
  /** Effective port: ssh.port, else the host's `port`, else 22. */
  port: number;
  user: string | undefined;
  /** Secret references or null. */
  key: string | null;
  passphrase: string | null;
  password: string | null;
  /** true: $SSH_AUTH_SOCK; a string: that socket path; false: no agent. */
  agent: boolean | string;
  knownHosts: string | null;
  jumpHost?: { address: string; port: number; user?: string | undefined } | null | undefined;
  connectTimeoutMs: number;
}

export interface HostConfig {
  name: string;
  address: string;
  /** The host-level `port` as written (transport ports are already resolved in winrm/ssh). */
  port?: number | undefined;
  /** Role groups the host belongs to (directly or through child groups), in the order web, app, db, lb. */
  roles: Role[];
  /** Every group that contains the host, directly or through children ('all' excluded). */
  groups: string[];
  transport: Transport;
  winrm: WinrmVars;
  ssh: SshVars;
  versions: Record<string, string>;
  webApps: WebApp[];
  installPath?: string | undefined;
  /** How store artifacts reach the host (docs/artifacts.md); absent: pushed. */
  artifacts?: { transfer: 'push' | 'pull'; pullAddress?: string | undefined } | undefined;
  /** The raw `lab:` host var; validated only by the lab (src/lab), never here. */
  lab: unknown;
  /** YAML path of the most specific `lab:` that applies to this host ([] when none), for positionOf. */
  labPath: Array<string | number>;
  /**
   * Every `lab:` that applies to this host, least specific first (all.vars, groups, the host's own
   * listings), each as written with the YAML path of its `lab:` node. The lab merges them level by
   * level, so a preset named at one level overrides what outer levels set (docs/lab.md).
   * Absent when the host was not loaded from a file: `lab` is then the only level.
   */
  labLayers?: Array<{ lab: unknown; path: Array<string | number> }>;
  /** Where the host's entry is written (its first listing). */
  position: SourcePosition;
  /**
   * YAML path where each reference-holding field that is set was written (winrm.password, winrm.tls.ca,
   * ssh.key, ssh.passphrase, ssh.password), e.g. ['all','vars','winrm','password']: errors point there,
   * and `prompt` written once in all.vars is asked once for every host.
   */
  refSources?: Record<string, Array<string | number>>;
  /**
   * For every variable set on this host after inheritance, dotted key → YAML path that set it, e.g.
   * 'lab.ramGB' → ['all','vars','lab','ramGB']. With inv.positionOf it gives file:line:col for any
   * (inherited) value, such as a lab profile key merged from several levels.
   */
  varSources?: Record<string, Array<string | number>>;
  /**
   * The user's own variables (keys that are not cortex-deploy's, docs/inventory.md "Your own variables"),
   * merged as Ansible merges them: the most specific level wins, a mapping replaces as a whole.
   */
  vars?: Record<string, unknown>;
  /** Preflight findings the inventory accepts on this host, from every level that applies to it. */
  waivers?: HostWaiver[];
}

/** A waiver as it applies to one host (docs/preflight.md, "Waivers"). */
export interface HostWaiver {
  check: string;
  reason: string;
  /** Last day it applies, YYYY-MM-DD (UTC); null: no expiry. */
  expires: string | null;
  /** Where it is written. */
  position: SourcePosition;
}

export interface Inventory {
  /** Absolute path of the inventory file. */
  file: string;
  /** Hosts in the order they first appear in the file. */
  hosts: HostConfig[];
  /** Group name → host names (children included; 'all' lists every host). */
  groups: Record<string, string[]>;
  /**
   * Source position of a YAML path (e.g. ['all','children','app','hosts','app1','lab','ramGB']): of
   * its value, or of its key with `{ key: true }`.
   */
  positionOf(path: Array<string | number>, opts?: { key?: boolean }): SourcePosition | undefined;
  /** ansible_* settings of other tools the file sets and cortex-deploy ignores: each key once, where first written. */
  ignoredAnsible?: Array<{ key: string; position: SourcePosition }>;
  /** all.vars.components, validated with its defaults (docs/component-config.md); absent when not written. */
  components?: InventoryComponents;
  /** Every waiver written in the file, with the hosts it applies to (for `inventory check`). */
  waivers?: Array<HostWaiver & { hosts: string[] }>;
}

/** One problem found while loading: always a position, a field path and a message. */
export interface InventoryProblem {
  position: SourcePosition;
  /** Dotted field path as the user wrote it, e.g. all.children.web.hosts.web1.winrm.auth */
  field: string;
  message: string;
  hint?: string | undefined;
}
