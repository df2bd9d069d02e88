/**
 * The run journal (every run is resumable: docs/playbooks.md): .cortex/runs/<id>/journal.jsonl, one JSON
 * line per run event. Each line is written to the file at once (one write(2): a killed process, even
 * kill -9, loses nothing it wrote), and after a finished step the file is fsynced (against a machine
 * crash). The fsyncs of the steps that finish in one event-loop turn are one fsync (group commit):
 * at 4 ms an fsync on this machine's disk, one per step cost 4 ms per step and host, while a lost
 * tail only means resume tests those steps again (a Test, never a second Set).
 * A kill mid-write can leave a torn last line: reading ignores it (and says so), and reopening to
 * resume cuts it off before appending. A bad line anywhere else is corruption, named by line.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, ftruncateSync, writeSync } from 'node:fs';
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
  private syncScheduled = false;
  /** fsync calls made (the group commit's effect, for tests and benchmarks). */
  syncs = 0;

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

  append(entry: JournalEntry): void {
    if (this.fd === null) throw new Error(`journal ${this.path} is closed`);
    // One write per line: a line is either whole or the torn tail a reader ignores.
    writeSync(this.fd, `${JSON.stringify(redactDeep(entry))}\n`);
    if (!DURABLE.has(entry.type)) return;
    if (entry.type === 'journal-started' || entry.type === 'run-finished') return this.sync();
    if (!this.syncScheduled) {
      this.syncScheduled = true;
      setImmediate(() => this.sync());
    }
  }

  /** fsync now (also what the scheduled group commit does). */
  sync(): void {
    this.syncScheduled = false;
    if (this.fd === null) return;
    fsyncSync(this.fd);
    this.syncs++;
  }

  close(): void {
    if (this.fd === null) return;
    this.sync();
    closeSync(this.fd);
    this.fd = null;
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
