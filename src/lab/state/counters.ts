/**
 * What the lab counts per host, so tests and benchmarks can assert on round trips and process starts
 * (served by `lab status --json`).
 */
export interface LabCounters {
  /** HTTP requests received (every POST, authentication legs and faulted ones included). */
  requests: number;
  /** Requests refused with HTTP 413 (larger than the host's maxEnvelopeSizeKb). */
  tooLarge: number;
  /** WinRS shells created. */
  shells: number;
  /** Commands started in a shell (or SSH exec). */
  commands: number;
  /** powershell.exe processes started. */
  powershellStarts: number;
  /** Scripts run (every framed script, whatever its id). */
  scripts: number;
  /** Set-type scripts run (those that change the host). */
  setCalls: number;
  /** Faults applied (latency excluded). */
  faults: number;
  /** Reboots. */
  reboots: number;
}

export function emptyCounters(): LabCounters {
  return { requests: 0, tooLarge: 0, shells: 0, commands: 0, powershellStarts: 0, scripts: 0, setCalls: 0, faults: 0, reboots: 0 };
}
