/**
 * A handler with run_once (docs/playbooks.md, "Handlers"): however many hosts notified it in a phase, it
 * runs once, on the first notified host (or the one named), and a resumed run does not run it again.
 * The RabbitMQ roll's finish handler (feature flags, rebalance) is one: playbooks/cortex.yaml.
 */
import { describe, expect, it } from 'vitest';
import { apply } from '../../src/engine/apply/executor.js';
import { parsePlaybook, PlaybookError } from '../../src/engine/playbook/loader.js';
import type { JournalContents } from '../../src/engine/run/journal.js';
import { resumeStateOf } from '../../src/engine/run/resume.js';
import { FakeWorld } from './fake-agent.js';
import { loadSite } from './support.js';

const PLAYBOOK = (runOnce: string) => `name: once
handlers:
  - id: finish
    run_once: ${runOnce}
    exec: { run: 'Finish-Roll' }
phases:
  - name: roll
    targets: { roles: [app] }
    serial: 1
    steps:
      - id: dir
        directory: { path: 'C:\\a' }
        notify: finish
`;

async function setup(runOnce: string) {
  const { inv } = await loadSite();
  const pb = parsePlaybook(PLAYBOOK(runOnce), 'once.yaml', inv);
  const world = new FakeWorld(pb, 'fresh', inv.groups);
  const run = () => apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 1, sleep: async () => {} });
  return { inv, pb, world, run };
}

describe('handler run_once', () => {
  it('run_once: true — notified on three hosts, it runs once, on the first, after the phase', async () => {
    const { pb, world, run } = await setup('true');
    expect(pb.handlers.finish!.runOnce).toBe(true);
    const r = await run();
    expect(r.exitCode).toBe(0);
    expect(world.setsOf().filter((c) => c.endsWith('finish'))).toEqual(['app1 set finish']);
    // After every host's step: the phase is serial, and the handler runs at its end.
    expect(world.setsOf().indexOf('app1 set finish')).toBe(world.setsOf().length - 1);
    expect(r.hosts.find((h) => h.name === 'app1')!.steps.map((s) => `${s.id}:${s.status}`)).toEqual(['dir:changed', 'finish:changed']);
    expect(r.hosts.find((h) => h.name === 'app2')!.steps.map((s) => s.id)).toEqual(['dir']);
  });

  it('notified only where the step changed: the first notified host runs it', async () => {
    const { world, run } = await setup('true');
    world.states.get('app1')!.set('dir', { exists: true, isDirectory: true });
    await run();
    expect(world.setsOf().filter((c) => c.endsWith('finish'))).toEqual(['app2 set finish']);
  });

  it('run_once: <host> runs on that host', async () => {
    const { world, run } = await setup('app3');
    await run();
    expect(world.setsOf().filter((c) => c.endsWith('finish'))).toEqual(['app3 set finish']);
  });

  it('not notified (nothing changed): not run', async () => {
    const { world, run } = await setup('true');
    for (const h of ['app1', 'app2', 'app3']) world.states.get(h)!.set('dir', { exists: true, isDirectory: true });
    await run();
    expect(world.setsOf()).toEqual([]);
  });

  it('a host name that no notifying step targets is refused at load, naming the hosts', async () => {
    const { inv } = await loadSite();
    let err: unknown;
    try {
      parsePlaybook(PLAYBOOK('web1'), 'once.yaml', inv);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlaybookError);
    expect(String((err as Error).message)).toMatch(/run_once host 'web1' is not among the hosts whose steps notify handler 'finish'/);
  });

  it('resume: one run of a run_once handler clears the notification of every host', () => {
    const entries = [
      ...['app1', 'app2', 'app3'].map((host) => ({ type: 'step-finished', host, step: 'dir', phase: 'roll', status: 'changed', notified: ['finish'] })),
      { type: 'step-finished', host: 'app1', step: 'finish', phase: 'roll', status: 'changed' },
    ];
    const journal = { entries } as unknown as JournalContents;
    expect(resumeStateOf(journal, new Set(['finish']), new Set(['finish'])).notified).toEqual({});
    // Without run_once, each host keeps its own.
    expect(resumeStateOf(journal, new Set(['finish'])).notified).toEqual({ app2: ['finish'], app3: ['finish'] });
  });
});
