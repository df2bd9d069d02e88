/**
 * Preflight's reporters, as instances of the run reporters: the console's live line and plain host
 * lines come from the run events (src/preflight/events.ts); the table, --json, JUnit and HTML are
 * documents rendered once at the end from the report, which holds what the events do not (expected
 * and actual values, remediations, the reach matrix, time.skew judged against the final median).
 */
import type { PreflightHostStatus, PreflightStepStatus } from '../preflight/events.js';
import type { PreflightReport } from '../preflight/outcome.js';
import { ConsoleRunReporter } from './run-console.js';
import { DocumentReporter } from './document-reporter.js';
import type { ReportMeta } from './meta.js';
import { renderPreflightConsole, type ConsoleOptions } from './preflight-console.js';
import { renderPreflightHtml } from './preflight-html.js';
import { renderPreflightJson } from './preflight-json.js';
import { renderPreflightJunit } from './preflight-junit.js';
import type { ReportStream, RunEnd } from './run-reporter.js';
import { PREFLIGHT_SCHEME } from './status-scheme.js';

export interface PreflightEnd extends RunEnd {
  report: PreflightReport;
  /** Known once the run has started (its start time is the report's). */
  meta?: ReportMeta | undefined;
}

/** How a preflight ended, for the reporters: its exit code decides (130 when interrupted). */
export function preflightEnd(report: PreflightReport, meta?: ReportMeta): PreflightEnd {
  const code = report.summary.exitCode;
  return { outcome: code === 130 ? 'interrupted' : code === 0 ? 'ok' : 'failed', exitCode: code, report, meta };
}

type PreflightDocument = DocumentReporter<PreflightStepStatus, PreflightHostStatus, PreflightEnd>;

/** Progress while probing: a live line on a TTY (hosts done, failed, unreachable, the slowest host), else a line per finished host. */
export function preflightProgressReporter(stream: ReportStream, opts: { color: boolean; live: boolean; now?: () => number }): ConsoleRunReporter<PreflightStepStatus, PreflightHostStatus> {
  // On a TTY the table follows: host lines would repeat it. A thousand hosts finishing at once draw once per 50 ms.
  return new ConsoleRunReporter({ stream, scheme: PREFLIGHT_SCHEME, color: opts.color, live: opts.live, stepLines: 'none', hostLines: opts.live ? 'none' : 'all', recap: false, throttleMs: 50, tickMs: 200, now: opts.now });
}

/** The table of checks × hosts, the findings and the summary (the console's recap for preflight). */
export function preflightTableReporter(stream: ReportStream, opts: ConsoleOptions): PreflightDocument {
  return new DocumentReporter(PREFLIGHT_SCHEME, (_t, end: PreflightEnd) => renderPreflightConsole(end.report, opts), stream);
}

export function preflightJsonReporter(stream: ReportStream): PreflightDocument {
  return new DocumentReporter(PREFLIGHT_SCHEME, (_t, end: PreflightEnd) => renderPreflightJson(end.report, end.meta), stream);
}

export function preflightJunitReporter(stream: ReportStream): PreflightDocument {
  return new DocumentReporter(PREFLIGHT_SCHEME, (_t, end: PreflightEnd) => renderPreflightJunit(end.report), stream);
}

export function preflightHtmlReporter(stream: ReportStream): PreflightDocument {
  return new DocumentReporter(PREFLIGHT_SCHEME, (_t, end: PreflightEnd) => renderPreflightHtml(end.report, end.meta), stream);
}
