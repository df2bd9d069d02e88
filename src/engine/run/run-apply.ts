/**
 * One apply as the CLI runs it: take the inventory's lock, open the run's journal (new, or the
 * interrupted run's to resume it), apply with every event journaled, then close the journal and
 * release the lock whatever happened. The lock is taken before anything is written, so a refused
 * second apply leaves no trace.
 *
 * The CLI takes the lock (lockRun) before it opens any session, so the preflight gate runs under it
 * too: a second apply is refused before it touches a host (docs/playbooks.md, "Runs: journal, resume, lock").
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { apply, type ApplyOptions, type ApplyResult } from '../apply/executor.js';
import { JournalWriter, journalPath, readJournal } from './journal.js';
import { acquireLock, type HeldLock } from './lock.js';
import { resumeStateOf } from './resume.js';

/** The inventory's lock, taken for one run, and what that run resumes. */
export interface RunLock {
  runId: string;
  lock: HeldLock;
  /** The journal's state when resuming (read under the lock); undefined for a new run. */
  resume: ApplyOptions['resume'];
  release(): void;
}

export interface LockRunOptions {
  root: string;
  inventory: ApplyOptions['inventory'];
  playbook: ApplyOptions['playbook'];
  runId: string;
  resume?: string | undefined;
  now?: () => number;
}

/** Take the inventory's lock for a run and, when resuming, read its journal under it. Throws LockHeldError. */
export function lockRun(o: LockRunOptions): RunLock {
  const now = o.now ?? Date.now;
  const runId = o.resume ?? o.runId;
  const lock = acquireLock({ root: o.root, inventoryFile: o.inventory.file, runId, now: new Date(now()) });
  try {
    const resume =
      o.resume !== undefined
        ? resumeStateOf(readJournal(journalPath(o.root, runId)), new Set(Object.keys(o.playbook.handlers)), new Set(Object.values(o.playbook.handlers).filter((h) => h.runOnce !== undefined).map((h) => h.id)))
        : undefined;
    return { runId, lock, resume, release: () => lock.release() };
  } catch (err) {
    lock.release();
    throw err;
  }
}

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
  /** The lock taken earlier with lockRun (the caller releases it); without it, runApply takes and releases its own. */
  held?: RunLock | undefined;
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
  const held = o.held ?? lockRun(o);
  try {
    const { runId, resume } = held;
    const path = journalPath(o.root, runId);
    const writer =
      resume !== undefined
        ? JournalWriter.reopen(path, new Date(now()))
        : JournalWriter.create(path, {
            type: 'journal-started',
            version: 1,
            runId,
            playbook: { file: o.playbook.file, name: o.playbook.name, sha256: sha256(o.playbookText) },
            inventory: { file: o.inventory.file, sha256: sha256(o.inventoryText) },
            startedAt: new Date(now()).toISOString(),
            pid: process.pid,
            hostname: hostname(),
          });
    try {
      const result = await apply({
        ...o,
        resume,
        // A step is reported once its line is on disk (the journal's group commit).
        onEvent: (e) => writer.append(e, o.onEvent ? () => o.onEvent!(e) : undefined),
      });
      return { ...result, runId, journal: path, replacedLock: held.lock.replaced };
    } finally {
      writer.close();
    }
  } finally {
    if (!o.held) held.release();
  }
}
