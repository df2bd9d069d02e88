/**
 * The run journal (every run is resumable: docs/playbooks.md): .cortex/runs/<id>/journal.jsonl, one JSON
 * line per run event. Each line is written to the file at once (one write(2): a killed process, even
 * kill -9, loses nothing it wrote), and after a finished step the file is fsynced (against a machine
 * crash) before the step is reported (the report runs once its line is on disk). The fsync is a group
 * commit off the main thread: one for the steps that finish in one event-loop turn, and the steps
 * that finish while it runs share the next one. At 4 ms an fsync on this machine's disk, one per step
 * held the event loop 4 ms per step and host; a lost tail only means resume tests those steps
 * again (a Test, never a second Set).
 * A kill mid-write can leave a torn last line: reading ignores it (and says so), and reopening to
 * resume cuts it off before appending. A bad line anywhere else is corruption, named by line.
 */
import { closeSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, ftruncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import { redactDeep } from '../../secrets/registry.js';
import type { RunEvent } from '../apply/events.js';

export const JOURNAL_FILE = 'journal.jsonl';
export const JOURNAL_VERSION = 1;

export interface JournalHeader {
  type: 'journal-started';
  version: typeof JOURNAL_VERSION;
  runId: string;
  playbook: { file: string; name: string; sha256: string };
  inventory: { file: string; sha256: string };
  startedAt: string;
  pid: number;
  hostname: string;
  /** Set when this run continues an interrupted one. */
  resumes?: string | undefined;
}

export type JournalEntry = JournalHeader | RunEvent | { type: 'journal-resumed'; at: string; pid: number };

export function runDir(root: string, runId: string): string {
  return join(root, '.cortex', 'runs', runId);
}

export function journalPath(root: string, runId: string): string {
  return join(runDir(root, runId), JOURNAL_FILE);
}

/** Events after which the journal is fsynced: the end of each step and every milestone a resume reads. */
const DURABLE = new Set(['journal-started', 'journal-resumed', 'step-finished', 'reboot-finished', 'health-gate', 'host-finished', 'run-finished']);

export class JournalWriter {
  /** fsync calls made (the group commit's effect, for tests and benchmarks). */
  syncs = 0;
  /** Durable entries appended, and how many of them a finished fsync covers (sequence numbers). */
  private appended = 0;
  private synced = 0;
  private scheduled = false;
  private inFlight = false;
  /** close() came while an fsync was in flight: the descriptor is closed when it returns. */
  private closeWhenIdle: number | null = null;
  /** An fsync that failed, or a report callback that threw: the next append throws it into the run. */
  private failure: Error | null = null;
  /** Callbacks waiting for their entry (and every one before it) to be on disk, in append order. */
  private waiting: Array<{ seq: number; then: () => void }> = [];

  private constructor(
    private fd: number | null,
    readonly path: string,
  ) {}

  /** A new journal for a new run; refuses to overwrite an existing one. */
  static create(path: string, header: JournalHeader): JournalWriter {
    mkdirSync(join(path, '..'), { recursive: true });
    const w = new JournalWriter(openSync(path, 'wx'), path);
    w.append(header);
    return w;
  }

  /** Reopen a journal to continue its run: a torn last line is cut off first. */
  static reopen(path: string, now: Date): JournalWriter {
    const fd = openSync(path, 'r+');
    const text = readFileSync(fd, 'utf8');
    const keep = text.endsWith('\n') || text.length === 0 ? text.length : text.lastIndexOf('\n') + 1;
    if (keep !== text.length) ftruncateSync(fd, Buffer.byteLength(text.slice(0, keep)));
    closeSync(fd);
    const w = new JournalWriter(openSync(path, 'a'), path);
    w.append({ type: 'journal-resumed', at: now.toISOString(), pid: process.pid });
    return w;
  }

  /**
   * Write the entry at once; `then` (its report) runs when it and every entry before it are on disk:
   * at once when nothing waits for an fsync, else in order after the group commit that covers it.
   */
  append(entry: JournalEntry, then?: () => void): void {
    if (this.failure) throw this.failure;
    if (this.fd === null) throw new Error(`journal ${this.path} is closed`);
    // One write per line: a line is either whole or the torn tail a reader ignores.
    writeSync(this.fd, `${JSON.stringify(redactDeep(entry))}\n`);
    if (DURABLE.has(entry.type)) {
      this.appended++;
      if (entry.type === 'journal-started' || entry.type === 'run-finished') this.sync();
      else this.schedule();
    }
    if (!then) return;
    if (this.waiting.length === 0 && this.synced >= this.appended) then();
    else this.waiting.push({ seq: this.appended, then });
  }

  /** Resolves when every entry appended so far is on disk. */
  whenDurable(): Promise<void> {
    return new Promise((resolve) => {
      if (this.waiting.length === 0 && this.synced >= this.appended) resolve();
      else this.waiting.push({ seq: this.appended, then: resolve });
    });
  }

  /** The group commit starts after this event-loop turn, or when the fsync in flight returns. */
  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.commit();
    });
  }

  /**
   * One fsync off the main thread for every entry appended so far. Entries appended while it runs wait
   * for the next one, which starts as soon as it returns: one fsync per group, never one per step.
   */
  private commit(): void {
    if (this.fd === null || this.inFlight || this.synced >= this.appended) return;
    const target = this.appended;
    this.inFlight = true;
    fsync(this.fd, (err) => {
      this.inFlight = false;
      this.syncs++;
      if (this.closeWhenIdle !== null) {
        closeSync(this.closeWhenIdle);
        this.closeWhenIdle = null;
      }
      if (err) {
        this.failure ??= new Error(`cannot sync the run journal ${this.path}: ${err.message}`);
        return;
      }
      this.synced = Math.max(this.synced, target);
      this.deliver();
      this.commit();
    });
  }

  /** fsync now (the header, the run's end, close). */
  sync(): void {
    this.scheduled = false;
    if (this.fd === null) return;
    fsyncSync(this.fd);
    this.syncs++;
    this.synced = this.appended;
    this.deliver();
  }

  /** Run the callbacks whose entries are on disk, in order. */
  private deliver(): void {
    while (this.waiting.length > 0 && this.waiting[0]!.seq <= this.synced) {
      const { then } = this.waiting.shift()!;
      try {
        then();
      } catch (err) {
        // Called from an fsync's completion: there is no caller to throw to but the run's next append.
        this.failure ??= err instanceof Error ? err : new Error(String(err));
      }
    }
  }

  /** Sync, run the reports still waiting, and close (the descriptor once no fsync is in flight). */
  close(): void {
    if (this.fd === null) return;
    this.sync();
    if (this.inFlight) this.closeWhenIdle = this.fd;
    else closeSync(this.fd);
    this.fd = null;
    if (this.failure) throw this.failure;
  }
}

export interface JournalContents {
  header: JournalHeader;
  entries: JournalEntry[];
  /** The last line was cut short (the writer was killed mid-write); it was ignored. */
  tornTail: boolean;
}

export function readJournal(path: string): JournalContents {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the run journal ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`, { hint: 'List runs with: cortex-deploy runs list' });
  }
  const lines = text.split('\n');
  const last = lines.pop()!; // '' when the file ends with a newline
  const entries: JournalEntry[] = [];
  lines.forEach((line, i) => {
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      throw new InputError(`the run journal ${path} is corrupt at line ${i + 1} (not a JSON line).`, { hint: 'A journal is only ever appended to; if it was edited, restore it, or start a new run without --resume.' });
    }
  });
  let tornTail = false;
  if (last !== '') {
    // A complete last line without its newline still counts; anything else is a torn write.
    try {
      entries.push(JSON.parse(last) as JournalEntry);
    } catch {
      tornTail = true;
    }
  }
  const header = entries[0];
  if (!header || header.type !== 'journal-started' || header.version !== JOURNAL_VERSION) {
    throw new InputError(`${path} is not a run journal of this version (its first line is not a journal-started header of version ${JOURNAL_VERSION}).`);
  }
  return { header, entries, tornTail };
}

export function journalSize(path: string): number {
  return statSync(path).size;
}
