/** runApply: lock + journal + apply together, on real files, as `apply` and `apply --resume` will run them. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runApply } from '../../src/engine/run/run-apply.js';
import { readJournal } from '../../src/engine/run/journal.js';
import { lockPath } from '../../src/engine/run/lock.js';
import { runToResume } from '../../src/engine/run/resume.js';
import { FakeWorld } from './fake-agent.js';
import { fixtures, loadSite } from './support.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setup() {
  const root = mkdtempSync(join(tmpdir(), 'cortex-run-'));
  dirs.push(root);
  const { inv, pb } = await loadSite('small.yaml');
  const world = new FakeWorld(pb, 'fresh', inv.groups);
  const base = { root, inventory: inv, playbook: pb, playbookText: readFileSync(join(fixtures, 'small.yaml'), 'utf8'), inventoryText: readFileSync(join(fixtures, 'inventory.yaml'), 'utf8'), forks: 1, sleep: async () => {} };
  return { root, inv, pb, world, base };
}

describe('runApply', () => {
  it('journals the run, releases the lock; a second apply during the first is refused naming the holder', async () => {
    const { root, inv, world, base } = await setup();
    let second: unknown;
    world.on('app1', 'dir', {
      onStart: () => {
        second = runApply({ ...base, agents: world.agents(), runId: 'second' }).catch((e: unknown) => e);
      },
    });
    const r = await runApply({ ...base, agents: world.agents(), runId: '20261202-050000-aaaaaa' });
    expect(r.exitCode).toBe(0);
    expect(await second).toMatchObject({ name: 'LockHeldError', message: expect.stringContaining(`pid ${process.pid}`) });
    expect(existsSync(join(root, '.cortex', 'runs', 'second'))).toBe(false);
    expect(existsSync(lockPath(root, inv.file))).toBe(false);
    const j = readJournal(r.journal);
    expect(j.header).toMatchObject({ runId: '20261202-050000-aaaaaa', playbook: { name: 'small' } });
    expect(j.entries.at(-1)).toEqual({ type: 'run-finished', outcome: 'ok' });
    expect(j.entries.filter((e) => e.type === 'step-finished')).toHaveLength(13);
  });

  it('an interrupted run is resumed from its journal: every Set once, the journal continued', async () => {
    const { root, inv, world, base } = await setup();
    const ac = new AbortController();
    world.on('app3', 'env', { onStart: () => ac.abort() });
    const first = await runApply({ ...base, agents: world.agents(), runId: 'r1', signal: ac.signal });
    expect(first.exitCode).toBe(130);
    expect(runToResume(root, inv.file)).toBe('r1');
    const second = await runApply({ ...base, agents: world.agents(), runId: 'ignored', resume: 'r1' });
    expect(second.exitCode).toBe(0);
    const sets = world.setsOf();
    expect(new Set(sets).size).toBe(sets.length);
    expect(sets).toHaveLength(13);
    const types = readJournal(second.journal).entries.map((e) => e.type);
    expect(types.filter((t) => t === 'journal-resumed')).toHaveLength(1);
    expect(types.filter((t) => t === 'run-finished')).toHaveLength(2);
    expect(() => runToResume(root, inv.file)).toThrow(/no interrupted run/);
  });
});
