/**
 * `apply --json` and `--report-json` (docs/reporting.md): {hosts:[{name,status,steps:[{id,status,
 * durationMs,message}]}],summary,outcome,exitCode}, and `meta` when the CLI gives it. Built from the
 * run events; steps finished by an earlier run (resume) come from the result, marked resumed.
 */
import { z } from 'zod';
import { redactDeep } from '../secrets/registry.js';
import type { HostStatus, StepStatus } from '../engine/apply/events.js';
import { DocumentReporter } from './document-reporter.js';
import type { PlaybookRunMeta } from './meta.js';
import type { ReportStream, RunEnd } from './run-reporter.js';
import type { RunTally } from './run-tally.js';
import { APPLY_SCHEME } from './status-scheme.js';

const STEP_STATUSES = ['ok', 'changed', 'failed', 'skipped'] as const satisfies readonly StepStatus[];
const HOST_STATUSES = ['ok', 'changed', 'failed', 'unreachable'] as const satisfies readonly HostStatus[];

export const ApplySummarySchema = z.object({
  hosts: z.number().int(),
  ok: z.number().int(),
  changed: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  unreachable: z.number().int(),
});

export const ApplyJsonSchema = z.object({
  hosts: z.array(
    z.object({
      name: z.string(),
      /** Absent when the host never finished (the run was cut short before its end). */
      status: z.enum(HOST_STATUSES).optional(),
      message: z.string().optional(),
      steps: z.array(
        z.object({
          id: z.string(),
          phase: z.string().optional(),
          status: z.enum(STEP_STATUSES),
          durationMs: z.number(),
          message: z.string().optional(),
          resumed: z.literal(true).optional(),
        }),
      ),
    }),
  ),
  summary: ApplySummarySchema,
  outcome: z.enum(['ok', 'failed', 'interrupted']),
  reason: z.string().optional(),
  exitCode: z.number().int(),
  meta: z.object({ inventory: z.string(), playbook: z.string(), toolVersion: z.string(), runId: z.string(), startedAt: z.string(), operator: z.string() }).optional(),
});

export type ApplyJson = z.infer<typeof ApplyJsonSchema>;

/** How an apply ended: ApplyResult fits (its hosts carry the steps an earlier run finished). */
export interface ApplyEnd extends RunEnd {
  hosts?: ReadonlyArray<{ name: string; steps: ReadonlyArray<{ id: string; status: StepStatus; resumed?: boolean | undefined }> }> | undefined;
}

type ApplyTally = RunTally<StepStatus, HostStatus>;

export function toApplyJson(tally: ApplyTally, end: ApplyEnd, meta?: PlaybookRunMeta): ApplyJson {
  const hosts = [...tally.hosts.values()].map((h) => {
    const resumed = (end.hosts?.find((x) => x.name === h.name)?.steps ?? []).filter((s) => s.resumed).map((s) => ({ id: s.id, status: s.status, durationMs: 0, resumed: true as const }));
    const steps = h.steps.map((s) => ({ id: s.id, phase: s.phase, status: s.status, durationMs: s.durationMs, ...(s.message !== undefined ? { message: s.message } : {}) }));
    return { name: h.name, ...(h.status !== undefined ? { status: h.status } : {}), ...(h.message !== undefined ? { message: h.message } : {}), steps: [...resumed, ...steps] };
  });
  const all = [...tally.hosts.values()].flatMap((h) => h.steps);
  const count = (s: StepStatus) => all.filter((x) => x.status === s).length;
  const summary = { hosts: hosts.length, ok: count('ok'), changed: count('changed'), failed: count('failed'), skipped: count('skipped'), unreachable: hosts.filter((h) => h.status === 'unreachable').length };
  const reason = end.reason ?? tally.reason;
  return redactDeep({ hosts, summary, outcome: end.outcome, ...(reason !== undefined ? { reason } : {}), exitCode: end.exitCode, ...(meta ? { meta: { ...meta } } : {}) });
}

export function renderApplyJson(tally: ApplyTally, end: ApplyEnd, meta?: PlaybookRunMeta): string {
  return `${JSON.stringify(toApplyJson(tally, end, meta), null, 2)}\n`;
}

/** The reporter for `apply --json` (stdout) or `--report-json FILE` (a stream the CLI saves). */
export function applyJsonReporter(stream: ReportStream, meta?: PlaybookRunMeta): DocumentReporter<StepStatus, HostStatus, ApplyEnd> {
  return new DocumentReporter(APPLY_SCHEME, (t, end: ApplyEnd) => renderApplyJson(t, end, meta), stream);
}
