/**
 * Who ran what, carried by the JSON (`meta`) and HTML reports (docs/preflight.md, "Report metadata"):
 * a report mailed around or archived in CI says which inventory, tool version and run it came from.
 */
export interface ReportMeta {
  /** Absolute path of the inventory file. */
  inventory: string;
  toolVersion: string;
  /** The run's id: its folder is .cortex/runs/<runId>/ (docs/runs.md). */
  runId: string;
  /** ISO 8601, UTC. */
  startedAt: string;
  /** The user name that ran it. */
  operator: string;
  /** The strictness the verdict used (--fail-on). */
  failOn: 'fail' | 'warn';
}
