/**
 * Who ran what, carried by the JSON (`meta`) and HTML reports (docs/preflight.md, "Report metadata";
 * docs/reporting.md): a report mailed around or archived in CI says which inventory, tool version
 * and run it came from.
 */
export interface RunMeta {
  /** Absolute path of the inventory file. */
  inventory: string;
  toolVersion: string;
  /** The run's id: its folder is .cortex/runs/<runId>/ (docs/runs.md). */
  runId: string;
  /** ISO 8601, UTC. */
  startedAt: string;
  /** The user name that ran it. */
  operator: string;
}

/** Preflight's: the run's, and the strictness its verdict used. */
export interface ReportMeta extends RunMeta {
  /** The strictness the verdict used (--fail-on). */
  failOn: 'fail' | 'warn';
}

/** Apply's and plan's: the run's, and the playbook file they ran. */
export interface PlaybookRunMeta extends RunMeta {
  /** Absolute path of the playbook file. */
  playbook: string;
}

/** The rows of the HTML reports' metadata table. */
export function metaRows(meta: RunMeta & { playbook?: string | undefined }): Array<[string, string]> {
  return [
    ['Inventory', meta.inventory],
    ...(meta.playbook !== undefined ? [['Playbook', meta.playbook] as [string, string]] : []),
    ['Run', `${meta.runId} (.cortex/runs/${meta.runId}/)`],
    ['Started', meta.startedAt],
    ['Operator', meta.operator],
    ['Tool version', `cortex-deploy ${meta.toolVersion}`],
  ];
}
