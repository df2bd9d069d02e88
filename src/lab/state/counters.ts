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
  /** Per playbook step (the run frame's tag, or a test-batch request's `step`). */
  steps: Record<string, StepCounters>;
}

/** What one step did on one host: the e2e tests' "0 Set calls on a second apply", "each step once". */
export interface StepCounters {
  /** Resource Tests: one per test-batch request naming this step. */
  testCalls: number;
  /** Set-type scripts run with this step as their tag (started; failed ones included). */
  setCalls: number;
  /** Of those, the ones that failed (ok: false or a lab fault). */
  setFailures: number;
  /** Scripts run with this step as their tag that are neither a Test batch nor a Set (probes, uploads' checks). */
  otherCalls: number;
}

export function emptyCounters(): LabCounters {
  return { requests: 0, tooLarge: 0, shells: 0, commands: 0, powershellStarts: 0, scripts: 0, setCalls: 0, faults: 0, reboots: 0, steps: Object.create(null) as Record<string, StepCounters> };
}

/** The counters of one step (made on first use). */
export function stepCounters(c: LabCounters, step: string): StepCounters {
  // An own-property lookup: a step named like an Object.prototype member is a step like any other.
  if (!Object.hasOwn(c.steps, step)) c.steps[step] = { testCalls: 0, setCalls: 0, setFailures: 0, otherCalls: 0 };
  return c.steps[step]!;
}

/** A deep copy, for a status document that must not change after it is made. */
export function copyCounters(c: LabCounters): LabCounters {
  return { ...c, steps: Object.fromEntries(Object.entries(c.steps).map(([k, v]) => [k, { ...v }])) };
}

/** Back to zero, in place (the WinRM server holds a reference to the same object). */
export function resetCounters(c: LabCounters): void {
  Object.assign(c, emptyCounters());
}
