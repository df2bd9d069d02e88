/**
 * What every per-host rule reads: the host as the inventory describes it, its validated facts, and the
 * clock comparison computed by the orchestrator (the only fact that needs the workstation).
 */
import type { Facts } from '../facts.js';
import type { Finding, PreflightHost } from '../finding.js';

export interface ClockComparison {
  /** Host clock minus workstation clock at the moment the probe read it (round trip halved), ms. */
  skewMs: number;
  /** The median skew of all probed hosts: "between hosts" compares against it, so one bad clock fails one host. */
  medianSkewMs: number;
}

export interface RuleContext {
  host: PreflightHost;
  facts: Facts;
  clock: ClockComparison | null;
}

/** A rule returns the findings of its checks, or [] when they do not apply to the host's roles. */
export type Rule = (ctx: RuleContext) => Finding[];
