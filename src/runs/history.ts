/**
 * Past runs as `runs list` and `runs show` see them (docs/runs.md): every folder under .cortex/runs/
 * holding a run record (preflight, exec: run.json) or an apply journal (journal.jsonl). A folder with
 * neither, or a record that does not parse, is listed as unreadable rather than hidden or fatal.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { JOURNAL_FILE, readJournal } from '../engine/run/journal.js';
import { RUN_RECORD_FILE, runRecordSchema, type RunRecord } from './record.js';

/** One run as shown: the record's shape, for apply journals too. `problem` when it could not be read. */
export type RunView = Omit<RunRecord, 'version'> & { problem?: string };

export function runsRoot(root: string): string {
  return join(root, '.cortex', 'runs');
}

const RUN_ID = /^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$/;

function unreadable(runId: string, problem: string): RunView {
  return { runId, command: '?', commandLine: [], cwd: '', inventory: '', startedAt: '', operator: '', toolVersion: '', hosts: [], status: 'running', problem };
}

function fromJournal(runId: string, path: string): RunView {
  const { header, entries } = readJournal(path);
  const results = new Map<string, { host: string; status: string; details: Array<{ id: string; status: string; message: string }> }>();
  const of = (host: string) => results.get(host) ?? results.set(host, { host, status: 'running', details: [] }).get(host)!;
  let outcome: string | undefined;
  let hosts: string[] = [];
  for (const e of entries) {
    if (e.type === 'run-started') hosts = [...e.hosts];
    else if (e.type === 'step-finished') of(e.host).details.push({ id: e.step, status: e.status, message: e.message ?? '' });
    else if (e.type === 'host-finished') of(e.host).status = e.status;
    else if (e.type === 'run-finished') outcome = e.outcome;
  }
  const rs = [...results.values()];
  const count = (s: string) => rs.filter((r) => r.status === s).length;
  return {
    runId,
    command: 'apply',
    commandLine: ['apply', '-i', header.inventory.file, header.playbook.file],
    cwd: '',
    inventory: header.inventory.file,
    startedAt: header.startedAt,
    operator: '',
    toolVersion: '',
    hosts: hosts.length ? hosts : rs.map((r) => r.host),
    status: outcome === undefined ? 'running' : outcome === 'interrupted' ? 'interrupted' : 'finished',
    ...(outcome !== undefined ? { summary: { outcome, hosts: rs.length, ok: count('ok'), changed: count('changed'), failed: count('failed') } } : {}),
    results: rs,
  };
}

function readRun(dir: string, runId: string): RunView {
  const record = join(dir, RUN_RECORD_FILE);
  try {
    if (existsSync(record)) {
      const parsed = runRecordSchema.safeParse(JSON.parse(readFileSync(record, 'utf8')));
      if (!parsed.success) return unreadable(runId, `${record}: not a run record of this version (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''})`);
      const { version: _v, ...view } = parsed.data;
      return view;
    }
    if (existsSync(join(dir, JOURNAL_FILE))) return fromJournal(runId, join(dir, JOURNAL_FILE));
  } catch (err) {
    return unreadable(runId, (err as Error).message);
  }
  return unreadable(runId, `no ${RUN_RECORD_FILE} or ${JOURNAL_FILE} (a run from an older version, or one that stopped before it started)`);
}

/** Every run under root/.cortex/runs, newest first (run ids sort by time). */
export function listRuns(root: string): RunView[] {
  const base = runsRoot(root);
  let names: string[];
  try {
    names = readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  return names.sort().reverse().map((n) => readRun(join(base, n), n));
}

/** One run by id, or by a prefix that names exactly one run. */
export function showRun(root: string, id: string): RunView {
  const base = runsRoot(root);
  const names = (() => {
    try {
      return readdirSync(base);
    } catch {
      return [];
    }
  })();
  if (names.includes(id) && RUN_ID.test(id)) return readRun(join(base, id), id);
  const matches = id.length >= 4 ? names.filter((n) => n.startsWith(id) && RUN_ID.test(n)) : [];
  if (matches.length === 1) return readRun(join(base, matches[0]!), matches[0]!);
  if (matches.length > 1) throw new InputError(`run id ${id} names ${matches.length} runs: ${matches.slice(0, 5).join(', ')}${matches.length > 5 ? ', ...' : ''}.`, { field: 'RUN', hint: 'Give more of the id.' });
  throw new InputError(`no run ${id} under ${base}.`, { field: 'RUN', hint: 'List runs with: cortex-deploy runs list (run it in the folder you ran the command from).' });
}
