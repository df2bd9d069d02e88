/**
 * `apply --resume` after `kill -9` while a change is still running on the host (issue 11, "Resume"):
 * the killed run's shell lives on and finishes its Set; the resumed run's first Test of that step waits
 * for it under the host's lock (script-frames.ts, hostLock), so it sees the change done and does not
 * make it a second time. Without the lock, the Test ran beside the unfinished Set, found the step still
 * to do, and the step was Set twice. The built CLI, spawned, against a one-host lab whose `slow` step
 * takes 6 s; every claim is read back from the lab's counters.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detachedLab, stepCountersOf, type ApplyDoc } from '../helpers/detached-lab.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);
const PASSWORD = 'E2e-Lab!2026-hostlock';
const SLOW_MS = 6000;

const files = mkdtempSync(join(tmpdir(), 'cx-hostlock-files-'));
const inv = join(files, 'inventory.yaml');
const pb = join(files, 'pb.yaml');
writeFileSync(
  inv,
  [
    'all:',
    '  vars:',
    '    transport: winrm',
    "    winrm: { scheme: http, port: 5985, auth: ntlm, user: 'LAB\\cortex', password: env:CORTEX_E2E_LAB_PASSWORD }",
    "    installPath: 'C:\\Cortex'",
    '  children:',
    '    web:',
    '      hosts:',
    `        web1: { address: ${net.addr(1)}, webApps: [gateway], lab: { steps: { slow: { durationMs: ${SLOW_MS} } } } }`,
    '',
  ].join('\n'),
);
// Two steps, so a Test batch of the phase is tagged "slow,after" and keeps the lab's usual 30 ms: only the Set of `slow` is slow.
writeFileSync(
  pb,
  [
    'name: resume-host-lock',
    'phases:',
    '  - name: one',
    '    targets: { roles: [web] }',
    '    steps:',
    '      - id: slow',
    "        directory: { path: 'C:\\Cortex\\slow' }",
    '      - id: after',
    '        env_var: { name: CORTEX_AFTER, value: "1" }',
    '',
  ].join('\n'),
);

const { cli, status } = detachedLab({ name: 'hostlock', inventory: inv, hosts: 1, env: { CORTEX_E2E_LAB_PASSWORD: PASSWORD } });
const apply = (extra: string[]) => cli(['apply', '-i', inv, '-p', pb, '--skip-preflight', ...extra]);

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('resume after kill -9 in the middle of a change (spawned CLI, one-host lab)', () => {
  it("the resumed run's Test waits for the killed run's Set still running on the host: the step is Set once, found done, and the run finishes (0)", async () => {
    const first = apply([]);
    // The Set of `slow` has started on the host (the lab counts a Set when it starts): kill the run now.
    await waitFor('the Set of slow to start', async () => (stepCountersOf(await status(), 'web1').slow?.setCalls ?? 0) === 1);
    const killedAt = Date.now();
    first.kill('SIGKILL');
    expect((await first).signal).toBe('SIGKILL');

    const resumed = await apply(['--resume', '--json']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    // It could not have finished before the killed run's Set did.
    expect(Date.now() - killedAt).toBeGreaterThan(SLOW_MS / 2);
    const doc = JSON.parse(resumed.stdout) as ApplyDoc;
    // `slow` was tested again after the killed Set had finished: found done (ok), not changed again.
    expect(doc.hosts[0]!.steps.find((s) => s.id === 'slow')).toMatchObject({ status: 'ok' });
    expect(doc.hosts[0]!.steps.find((s) => s.id === 'after')).toMatchObject({ status: 'changed' });
    const steps = stepCountersOf(await status(), 'web1');
    expect(steps.slow).toMatchObject({ setCalls: 1, setFailures: 0 });
    expect(steps.after).toMatchObject({ setCalls: 1, setFailures: 0 });
  }, 180_000);
});
