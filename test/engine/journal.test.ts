/**
 * The run journal on real files: round trip, a torn last line (as kill -9 mid-write leaves it)
 * ignored on read and cut off on reopen, corruption named by line, a real writer process killed
 * with SIGKILL, and resume after an interrupted apply doing every step exactly once.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalWriter, journalPath, readJournal, type JournalHeader } from '../../src/engine/run/journal.js';
import { listRuns, resumeStateOf, runToResume } from '../../src/engine/run/resume.js';
import { apply } from '../../src/engine/apply/executor.js';
import { FakeWorld } from './fake-agent.js';
import { loadSite } from './support.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cortex-journal-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const header = (runId: string, inventory = '/site/inventory.yaml'): JournalHeader => ({
  type: 'journal-started',
  version: 1,
  runId,
  playbook: { file: 'site.yaml', name: 'site', sha256: 'a'.repeat(64) },
  inventory: { file: inventory, sha256: 'b'.repeat(64) },
  startedAt: '2026-12-02T04:00:00.000Z',
  pid: process.pid,
  hostname: 'admin1',
});

const finished = (host: string, step: string) => ({ type: 'step-finished' as const, host, step, phase: 'one', status: 'changed' as const, durationMs: 5, attempts: 1 });

describe('journal', () => {
  it('appends one JSON line per entry and reads them back', () => {
    const p = journalPath(tmp(), '20261202-040000-aaaaaa');
    const w = JournalWriter.create(p, header('20261202-040000-aaaaaa'));
    w.append(finished('app1', 'dir'));
    w.close();
    const j = readJournal(p);
    expect(j.tornTail).toBe(false);
    expect(j.header.runId).toBe('20261202-040000-aaaaaa');
    expect(j.entries.map((e) => e.type)).toEqual(['journal-started', 'step-finished']);
    expect(() => JournalWriter.create(p, header('x'))).toThrow(/EEXIST/);
  });

  it('group commit: the steps finished in one event-loop turn share one fsync; the header and the end sync at once', async () => {
    const p = journalPath(tmp(), 'gc');
    const w = JournalWriter.create(p, header('gc'));
    expect(w.syncs).toBe(1);
    for (let i = 0; i < 100; i++) w.append(finished(`h${i}`, 'dir'));
    // Written already (a killed process loses none of it), synced after this turn.
    expect(readJournal(p).entries).toHaveLength(101);
    expect(w.syncs).toBe(1);
    await w.whenDurable();
    expect(w.syncs).toBe(2);
    w.append(finished('a', 'b'));
    await w.whenDurable();
    expect(w.syncs).toBe(3);
    w.append({ type: 'run-finished', outcome: 'ok' });
    expect(w.syncs).toBe(4);
    w.close();
  });

  it('steps that finish while an fsync runs share the next one: far fewer fsyncs than steps, one at a time', async () => {
    const p = journalPath(tmp(), 'gc2');
    const w = JournalWriter.create(p, header('gc2'));
    // 200 steps finishing in 200 event-loop turns, as hosts answer one by one.
    for (let i = 0; i < 200; i++) {
      w.append(finished(`h${i}`, 'dir'));
      await new Promise((r) => setImmediate(r));
    }
    await w.whenDurable();
    // An fsync takes milliseconds, a turn microseconds: many steps per fsync (one per step before).
    expect(w.syncs - 1).toBeGreaterThan(0);
    expect(w.syncs - 1).toBeLessThanOrEqual(100);
    w.close();
    expect(readJournal(p).entries).toHaveLength(201);
  });

  it('a step is reported only once its line is on disk, and reports keep the order of the journal', async () => {
    const p = journalPath(tmp(), 'report');
    const w = JournalWriter.create(p, header('report'));
    const reported: string[] = [];
    const synced: number[] = [];
    const report = (what: string) => () => {
      reported.push(what);
      synced.push(w.syncs);
    };
    // Nothing waits for an fsync: a step-started is reported at once.
    w.append({ type: 'step-started', host: 'a', step: 's1', phase: 'one' }, report('a s1 started'));
    expect(reported).toEqual(['a s1 started']);
    // A finished step waits for its fsync, and what comes after it waits behind it.
    w.append(finished('a', 's1'), report('a s1 finished'));
    w.append({ type: 'step-started', host: 'a', step: 's2', phase: 'one' }, report('a s2 started'));
    expect(reported).toEqual(['a s1 started']);
    await w.whenDurable();
    expect(reported).toEqual(['a s1 started', 'a s1 finished', 'a s2 started']);
    expect(synced).toEqual([1, 2, 2]);
    // close() syncs and reports whatever still waits.
    w.append(finished('a', 's2'), report('a s2 finished'));
    w.close();
    expect(reported.at(-1)).toBe('a s2 finished');
    expect(synced.at(-1)).toBe(3);
  });

  it('a torn last line is ignored on read and cut off when the run is reopened to resume', () => {
    const p = journalPath(tmp(), 'r1');
    const w = JournalWriter.create(p, header('r1'));
    w.append(finished('app1', 'dir'));
    w.close();
    appendFileSync(p, '{"type":"step-finished","host":"app2","st');
    const torn = readJournal(p);
    expect(torn.tornTail).toBe(true);
    expect(torn.entries).toHaveLength(2);
    const again = JournalWriter.reopen(p, new Date('2026-12-02T05:00:00Z'));
    again.append(finished('app2', 'dir'));
    again.close();
    const j = readJournal(p);
    expect(j.tornTail).toBe(false);
    expect(j.entries.map((e) => `${e.type}${'host' in e ? ` ${e.host}` : ''}`)).toEqual(['journal-started', 'step-finished app1', 'journal-resumed', 'step-finished app2']);
    expect(readFileSync(p, 'utf8')).not.toContain('"st{');
  });

  it('a bad line before the last is corruption, named by line number', () => {
    const p = journalPath(tmp(), 'r2');
    JournalWriter.create(p, header('r2')).close();
    appendFileSync(p, 'garbage\n{"type":"run-finished","outcome":"ok"}\n');
    expect(() => readJournal(p)).toThrow(/journal .*journal\.jsonl is corrupt at line 2 \(not a JSON line\)/);
  });

  it('a writer process killed with SIGKILL leaves every line it finished readable', async () => {
    const root = tmp();
    const p = journalPath(root, 'killed');
    const mod = resolve(import.meta.dirname, '../../dist/engine/run/journal.js');
    const script = `
      const { JournalWriter } = await import(${JSON.stringify(mod)});
      const w = JournalWriter.create(${JSON.stringify(p)}, ${JSON.stringify(header('killed'))});
      const big = 'x'.repeat(20000);
      for (let i = 0; ; i++) {
        w.append({ type: 'step-finished', host: 'h' + i, step: 's', phase: 'p', status: 'changed', durationMs: 1, attempts: 1, message: big });
        if (i === 20) process.stdout.write('ready\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && res());
      child.on('exit', (code) => rej(new Error(`writer exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const j = readJournal(p);
    expect(j.entries.length).toBeGreaterThan(20);
    const hosts = j.entries.filter((e) => e.type === 'step-finished').map((e) => (e as { host: string }).host);
    expect(hosts).toEqual(hosts.map((_, i) => `h${i}`));
  });
});

describe('resume', () => {
  it('an apply interrupted mid-run and resumed from its journal does every Set exactly once', async () => {
    const { inv, pb } = await loadSite('small.yaml');
    const world = new FakeWorld(pb, 'fresh', inv.groups);
    const root = tmp();
    const p = journalPath(root, 'r-int');
    const w = JournalWriter.create(p, header('r-int'));
    const ac = new AbortController();
    world.on('app2', 'env', { onStart: () => ac.abort() });
    const first = await apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 1, signal: ac.signal, onEvent: (e) => w.append(e), sleep: async () => {} });
    w.close();
    expect(first.exitCode).toBe(130);
    const setsBefore = world.setsOf().length;
    expect(setsBefore).toBeGreaterThan(0);

    const state = resumeStateOf(readJournal(p), new Set(Object.keys(pb.handlers)));
    expect(state.done).toEqual({ app1: { dir: 'changed', env: 'changed' }, app2: { dir: 'changed', env: 'changed' }, app3: { dir: 'changed' } });
    expect(state.notified).toEqual({ app1: ['restart'], app2: ['restart'], app3: ['restart'] });

    const w2 = JournalWriter.reopen(p, new Date());
    const second = await apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 1, resume: state, onEvent: (e) => w2.append(e), sleep: async () => {} });
    w2.close();
    expect(second.exitCode).toBe(0);
    const sets = world.setsOf();
    expect(new Set(sets).size).toBe(sets.length); // no Set twice
    expect(sets.sort()).toEqual(
      ['app1 set dir', 'app2 set dir', 'app3 set dir', 'app1 set env', 'app2 set env', 'app3 set env', 'app1 set restart', 'app2 set restart', 'app3 set restart', 'db1 set db-dir', 'app1 set app-file', 'app2 set app-file', 'app3 set app-file'].sort(),
    );
    // After the resumed run, the journal says everything is done and nothing is left notified.
    const after = resumeStateOf(readJournal(p), new Set(Object.keys(pb.handlers)));
    expect(after.notified).toEqual({});
  });

  it('finds the latest unfinished run of the inventory (interrupted, killed or failed); one that ended ok is not resumable', () => {
    const root = tmp();
    const mk = (id: string, inv: string, outcome?: 'ok' | 'interrupted' | 'failed') => {
      const w = JournalWriter.create(journalPath(root, id), header(id, inv));
      if (outcome) w.append({ type: 'run-finished', outcome });
      w.close();
    };
    mk('20261201-000000-aaaaaa', '/site/a.yaml', 'interrupted');
    mk('20261201-010000-bbbbbb', '/site/b.yaml');
    mk('20261201-020000-cccccc', '/site/c.yaml', 'ok');
    mk('20261201-030000-dddddd', '/site/d.yaml', 'failed');
    expect(listRuns(root)).toEqual(['20261201-000000-aaaaaa', '20261201-010000-bbbbbb', '20261201-020000-cccccc', '20261201-030000-dddddd']);
    expect(runToResume(root, '/site/d.yaml')).toBe('20261201-030000-dddddd');
    expect(runToResume(root, '/site/a.yaml')).toBe('20261201-000000-aaaaaa');
    expect(runToResume(root, '/site/b.yaml')).toBe('20261201-010000-bbbbbb');
    expect(() => runToResume(root, '/site/c.yaml')).toThrow(/no interrupted run of \/site\/c\.yaml to resume/);
    expect(() => runToResume(root, '/site/c.yaml', '20261201-020000-cccccc')).toThrow(/run 20261201-020000-cccccc finished; there is nothing to resume/);
    expect(() => runToResume(root, '/site/c.yaml', 'nope')).toThrow(/no run 'nope' with a journal/);
    writeFileSync(join(root, 'x'), '');
    expect(existsSync(join(root, '.cortex', 'runs'))).toBe(true);
  });
});
