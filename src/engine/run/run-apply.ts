/**
 * One apply as the CLI runs it: take the inventory's lock, open the run's journal (new, or the
 * interrupted run's to resume it), apply with every event journaled, then close the journal and
 * release the lock whatever happened. The lock is taken before anything is written, so a refused
 * second apply leaves no trace.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { apply, type ApplyOptions, type ApplyResult } from '../apply/executor.js';
import { JournalWriter, journalPath, readJournal } from './journal.js';
import { acquireLock, type HeldLock } from './lock.js';
import { resumeStateOf } from './resume.js';

export interface RunApplyOptions extends Omit<ApplyOptions, 'resume'> {
  /** Folder holding .cortex/ (the current directory for the CLI). */
  root: string;
  runId: string;
  /** Texts of the playbook and inventory files, for the journal's digests. */
  playbookText: string;
  inventoryText: string;
  /** Resume this interrupted run (its id) instead of starting `runId`. */
  resume?: string | undefined;
  now?: () => number;
}

export interface RunApplyResult extends ApplyResult {
  runId: string;
  journal: string;
  /** A stale lock this run took over (its process was gone), to tell the user. */
  replacedLock?: HeldLock['replaced'];
}

const sha256 = (t: string) => createHash('sha256').update(t).digest('hex');

export async function runApply(o: RunApplyOptions): Promise<RunApplyResult> {
  const now = o.now ?? Date.now;
  const runId = o.resume ?? o.runId;
  const lock = acquireLock({ root: o.root, inventoryFile: o.inventory.file, runId, now: new Date(now()) });
  try {
    const path = journalPath(o.root, runId);
    let writer: JournalWriter;
    let resume: ApplyOptions['resume'];
    if (o.resume !== undefined) {
      resume = resumeStateOf(readJournal(path), new Set(Object.keys(o.playbook.handlers)), new Set(Object.values(o.playbook.handlers).filter((h) => h.runOnce !== undefined).map((h) => h.id)));
      writer = JournalWriter.reopen(path, new Date(now()));
    } else {
      writer = JournalWriter.create(path, {
        type: 'journal-started',
        version: 1,
        runId,
        playbook: { file: o.playbook.file, name: o.playbook.name, sha256: sha256(o.playbookText) },
        inventory: { file: o.inventory.file, sha256: sha256(o.inventoryText) },
        startedAt: new Date(now()).toISOString(),
        pid: process.pid,
        hostname: hostname(),
      });
    }
    try {
      const result = await apply({
        ...o,
        resume,
        // A step is reported once its line is on disk (the journal's group commit).
        onEvent: (e) => writer.append(e, o.onEvent ? () => o.onEvent!(e) : undefined),
      });
      return { ...result, runId, journal: path, replacedLock: lock.replaced };
    } finally {
      writer.close();
    }
  } finally {
    lock.release();
  }
}
