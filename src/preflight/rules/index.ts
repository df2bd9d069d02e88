/** Every per-host rule, and evaluateHost(): facts → findings in report order. */
import { CHECK_IDS } from '../check-ids.js';
import type { Finding } from '../finding.js';
import type { Rule, RuleContext } from './context.js';
import { osRules } from './os.js';
import { diskRules } from './disk.js';
import { hardwareRules } from './hardware.js';
import { softwareRules } from './software.js';
import { webRules } from './web.js';
import { dbRules } from './db.js';
import { hostRules } from './host.js';
import { networkRules } from './network.js';

export const RULES: readonly Rule[] = [osRules, diskRules, hardwareRules, softwareRules, webRules, dbRules, hostRules, networkRules];

const ORDER = new Map(CHECK_IDS.map((id, i) => [id, i]));

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => (ORDER.get(a.id) ?? 0) - (ORDER.get(b.id) ?? 0));
}

export function evaluateHost(ctx: RuleContext): Finding[] {
  return sortFindings(RULES.flatMap((rule) => rule(ctx)));
}

export type { RuleContext, ClockComparison } from './context.js';
