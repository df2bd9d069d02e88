/**
 * What an interrupted run left to do, from its journal (`apply --resume [RUN]`): the steps finished on
 * each host (not redone), the handlers notified and not yet run, and deferred reboots still pending.
 * Steps started but not finished are not "done": the executor tests them again first, so a Set that
 * did complete before the kill is seen as in sync and not repeated.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import type { ResumeState } from '../apply/executor.js';
import type { StepStatus } from '../apply/events.js';
import { JOURNAL_FILE, readJournal, type JournalContents } from './journal.js';

/** `runOnce`: the handlers that run once for all the hosts that notified them (run_once): one run clears every host. */
export function resumeStateOf(journal: JournalContents, handlerIds: ReadonlySet<string>, runOnce: ReadonlySet<string> = new Set()): ResumeState {
  const done: Record<string, Record<string, StepStatus>> = {};
  const notified: Record<string, Set<string>> = {};
  const pending = new Set<string>();
  for (const e of journal.entries) {
    if (e.type === 'step-finished') {
      if (handlerIds.has(e.step)) {
        if (e.status !== 'failed') for (const h of runOnce.has(e.step) ? Object.keys(notified) : [e.host]) notified[h]?.delete(e.step);
        continue;
      }
      if (e.status !== 'failed') (done[e.host] ??= {})[e.step] = e.status;
      for (const n of e.notified ?? []) (notified[e.host] ??= new Set()).add(n);
      if (e.rebootPending) pending.add(e.host);
    } else if (e.type === 'reboot-finished' && e.ok) {
      pending.delete(e.host);
    }
  }
  return {
    done,
    notified: Object.fromEntries(Object.entries(notified).flatMap(([h, s]): Array<[string, string[]]> => (s.size ? [[h, [...s]]] : []))),
    rebootPending: [...pending],
  };
}

/**
 * Whether a journal's run is done with: it ended ok. A run cut short (interrupted, killed) or stopped
 * by a failure (a failed step, an unreachable host) left steps to do, and resumes: its failed steps
 * are tested and run again, its finished ones are not.
 */
export function isFinished(journal: JournalContents): boolean {
  return journal.entries.some((e) => e.type === 'run-finished' && e.outcome === 'ok');
}

/** Run ids under .cortex/runs that have a journal, oldest first (ids sort by time). */
export function listRuns(root: string): string[] {
  const dir = join(root, '.cortex', 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((id) => existsSync(join(dir, id, JOURNAL_FILE))).sort();
}

/** The run to resume: the one named, or the latest unfinished (interrupted or failed) run of this inventory. */
export function runToResume(root: string, inventoryFile: string, named?: string): string {
  const runs = listRuns(root);
  if (named !== undefined) {
    if (!runs.includes(named)) throw new InputError(`no run '${named}' with a journal under ${join(root, '.cortex', 'runs')}.`, { hint: runs.length ? `Runs: ${runs.slice(-5).join(', ')}.` : 'There are no runs to resume.' });
    const j = readJournal(join(root, '.cortex', 'runs', named, JOURNAL_FILE));
    if (isFinished(j)) throw new InputError(`run ${named} finished; there is nothing to resume.`, { hint: 'Run apply without --resume.' });
    return named;
  }
  for (const id of [...runs].reverse()) {
    const j = readJournal(join(root, '.cortex', 'runs', id, JOURNAL_FILE));
    if (j.header.inventory.file !== inventoryFile) continue;
    if (isFinished(j)) break; // the latest run of this inventory ended ok: nothing to resume
    return id;
  }
  throw new InputError(`no interrupted run of ${inventoryFile} to resume.`, { hint: 'Only a run that was interrupted or stopped by a failure resumes. Run apply without --resume.' });
}
