/**
 * What must be released before the process ends, even when a run is interrupted: open sessions
 * (their WinRS shells and resident PowerShell processes), later the engine's locks. Whoever opens
 * such a thing registers its release and unregisters it once released the normal way.
 */
export interface CleanupOutcome {
  /** Names released within the bound. */
  done: string[];
  /** Names whose release failed or did not finish within the bound. */
  failed: string[];
}

export class CleanupRegistry {
  private readonly entries = new Map<symbol, { name: string; release: () => Promise<void> }>();
  private running: Promise<CleanupOutcome> | null = null;
  private readonly late: Array<Promise<unknown>> = [];

  /**
   * Register a release; returns the function that unregisters it (call it once released). Once the
   * registry has run, a late registration (a session that finished opening after the interrupt) is
   * released at once.
   */
  register(name: string, release: () => Promise<void>): () => void {
    if (this.running) {
      this.late.push(release().catch(() => undefined));
      return () => undefined;
    }
    const key = Symbol(name);
    this.entries.set(key, { name, release });
    return () => {
      this.entries.delete(key);
    };
  }

  get size(): number {
    return this.entries.size;
  }

  /** Release everything registered, all at once, waiting at most `timeoutMs`. Runs once; later calls share the result. */
  runAll(timeoutMs: number): Promise<CleanupOutcome> {
    if (!this.running) this.running = this.runNow(timeoutMs);
    return this.running;
  }

  /** Wait for releases started by late registrations (bounded by `timeoutMs`). */
  async settleLate(timeoutMs: number): Promise<void> {
    await withTimeout(Promise.allSettled(this.late), timeoutMs);
  }

  private async runNow(timeoutMs: number): Promise<CleanupOutcome> {
    const list = [...this.entries.values()];
    this.entries.clear();
    const results = await Promise.all(list.map((e) => withTimeout(e.release().then(() => true, () => false), timeoutMs).then((ok) => ok === true)));
    return { done: list.filter((_, i) => results[i]).map((e) => e.name), failed: list.filter((_, i) => !results[i]).map((e) => e.name) };
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
