/**
 * Issue 11's "Must show", end to end: the built CLI (plan, apply, lab), spawned, against a 7-host lab
 * (web1, web2, app1..app3, db1, lb1; WinRM over HTTP with NTLM) started detached on a loopback block
 * this file claims. The playbook (test/fixtures/playbooks/lab/site.yaml, about 30 steps) uses only the
 * resource types the lab emulates, one of them an MSI that exits 3010. Every claim is read back from the lab's own counters
 * (`lab status --json`), not from what the CLI says about itself.
 *
 * One lab for the file; the tests run in order and share it (each says what state it starts from).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactFile } from '../../src/lab/artifacts/catalog.js';
import type { LabStatus } from '../../src/lab/lab.js';
import { detachedLab, stepCountersOf, type ApplyDoc } from '../helpers/detached-lab.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { REPO_ROOT } from '../helpers/pwsh.js';

const net = await claimLoopbackBlock(import.meta.url);

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'playbooks', 'lab');
const PB = (name: string) => join(FIXTURES, name);
const HOSTS = ['web1', 'web2', 'app1', 'app2', 'app3', 'db1', 'lb1'];
const APP = ['app1', 'app2', 'app3'];
const PASSWORD = 'E2e-Lab!2026-engine';

const inv = relocatedCopy(join(FIXTURES, 'inventory.yaml'), ['127.0.50.'], net);
/** The CLI's default cwd is the work folder, where the runs' journals and the lock live. */
const { work, cli, status: labStatus, lab: labCommand } = detachedLab({
  name: 'lab',
  inventory: inv,
  hosts: 7,
  env: { CORTEX_E2E_LAB_PASSWORD: PASSWORD, CORTEX_REBOOT_POLL_MS: '300', CORTEX_INTERRUPT_GRACE_MS: '5000' },
});

const apply = (pb: string, extra: string[] = [], cwd = work) => cli(['apply', '-i', inv, '-p', pb, '--skip-preflight', ...extra], cwd);
const plan = (pb: string, extra: string[] = []) => cli(['plan', '-i', inv, '-p', pb, ...extra]);

const hostOf = (s: LabStatus, host: string) => s.hosts.find((h) => h.name === host)!;

/** The steps-finished records of the newest run's journal in `cwd` (none yet: []). */
function journalSteps(cwd = work): Array<{ host: string; step: string; status: string }> {
  const runs = join(cwd, '.cortex', 'runs');
  if (!existsSync(runs)) return [];
  const ids = readdirSync(runs).filter((d) => existsSync(join(runs, d, 'journal.jsonl'))).sort();
  if (ids.length === 0) return [];
  const text = readFileSync(join(runs, ids.at(-1)!, 'journal.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { type: string; host: string; step: string; status: string }];
      } catch {
        return []; // a line being written
      }
    })
    .filter((e) => e.type === 'step-finished');
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 90_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('engine on the lab: 7 hosts, about 30 steps (spawned CLI)', () => {
  let firstApply: LabStatus | undefined;

  it("the staged installer is the lab's synthetic lab-reboot-2.0.0 (an MSI that exits 3010), byte for byte", () => {
    expect(readFileSync(join(FIXTURES, 'files', 'lab-reboot-2.0.0.msi')).equals(artifactFile('lab-reboot-2.0.0').bytes)).toBe(true);
  });

  it('idempotence: plan says changes (2), apply (0), a second apply changes nothing on any host, plan then says none (0)', async () => {
    const pending = await plan(PB('site.yaml'), ['--detailed-exitcode', '--json']);
    expect(pending.exitCode, pending.stderr).toBe(2);
    const pdoc = JSON.parse(pending.stdout) as { changes: Array<{ host: string; step: string; action: string }>; summary: Record<string, number> };
    expect(new Set(pdoc.changes.map((c) => c.host))).toEqual(new Set(HOSTS));
    expect(pdoc.summary).toMatchObject({ hosts: 7, errors: 0, unreachable: 0 });
    expect(pdoc.changes.find((c) => c.host === 'web1' && c.step === 'agent-startup')?.action).toBe('update');

    // The first apply goes through the preflight gate (the lab's hosts are healthy); the others skip it.
    const first = await cli(['apply', '-i', inv, '-p', PB('site.yaml'), '--json'], work);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain('Preflight passed on 7 hosts');
    const doc = JSON.parse(first.stdout) as ApplyDoc;
    // The 3010 of the driver's installer was handled mid-run: the app server rebooted right after it.
    for (const h of APP) expect(doc.hosts.find((x) => x.name === h)!.steps.find((x) => x.id === 'driver'), h).toMatchObject({ status: 'changed', message: 'rebooted' });
    expect(doc.summary).toMatchObject({ hosts: 7, failed: 0, unreachable: 0 });
    expect(doc.summary.changed).toBeGreaterThan(100);
    firstApply = await labStatus();
    for (const h of HOSTS) {
      const steps = stepCountersOf(firstApply, h);
      // Every step ran its Set once on every host it targets (each was out of its desired state).
      for (const s of doc.hosts.find((x) => x.name === h)!.steps) {
        expect(s.status, `${h} ${s.id}`).toBe('changed');
        expect(steps[s.id], `${h} ${s.id}`).toMatchObject({ setCalls: 1, setFailures: 0 });
      }
      expect(hostOf(firstApply, h).counters.openShells, h).toBe(0);
    }

    await labCommand(['reset-counters']);
    const again = await apply(PB('site.yaml'), ['--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    const adoc = JSON.parse(again.stdout) as ApplyDoc;
    expect(adoc.summary).toMatchObject({ hosts: 7, changed: 0, failed: 0, unreachable: 0 });
    expect(adoc.summary.ok).toBe(doc.summary.changed);
    const after = await labStatus();
    for (const h of HOSTS) {
      const c = hostOf(after, h).counters;
      expect(c.setCalls, `${h}: setCalls after the second apply`).toBe(0);
      expect(c.reboots, h).toBe(0);
      // It did Test: the zero is not a run that never reached the host.
      expect(Object.values(stepCountersOf(after, h)).reduce((n, s) => n + s.testCalls, 0), h).toBeGreaterThan(0);
    }

    const clean = await plan(PB('site.yaml'), ['--detailed-exitcode']);
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/Plan: 0 to create, 0 to update, \d+ unchanged/);
  }, 400_000);

  it("reboots: the first apply rebooted each app server twice (the installer's 3010, then the rename), one at a time (maxDownAtOnce 1, quorum kept); nothing else rebooted", () => {
    expect(firstApply, 'the idempotence test ran first').toBeDefined();
    const s = firstApply!;
    for (const h of HOSTS) expect(hostOf(s, h).counters.reboots, h).toBe(APP.includes(h) ? 2 : 0);
    for (const h of APP) expect(stepCountersOf(s, h)['app-reboot'], h).toMatchObject({ setCalls: 1, setFailures: 0 });
    for (const h of APP) expect(stepCountersOf(s, h)['driver'], h).toMatchObject({ setCalls: 1, setFailures: 0 });
    // The reboot the installer's 3010 asked for is counted apart from the install itself.
    for (const h of APP) expect(stepCountersOf(s, h)['driver#reboot'], h).toMatchObject({ setCalls: 1, setFailures: 0 });
    const app = s.clusters.find((c) => c.name === 'app')!;
    expect(app).toMatchObject({ kind: 'quorum', members: APP, maxDownAtOnce: 1, quorumLost: false, downNow: [] });
    for (const c of s.clusters.filter((x) => x.name !== 'app')) expect(c.maxDownAtOnce, c.name).toBe(0);
  });

  it('drift: a saved plan is refused (exit 3) once the host changed behind it, naming host and step; nothing applied', async () => {
    // Start: the lab converged by the tests above, so the saved plan has no change to make; then a
    // second playbook (drift.yaml) changes on web2 the env var site.yaml sets.
    const saved = await plan(PB('site.yaml'), ['--out', join(work, 'plan.json')]);
    expect(saved.exitCode, saved.stderr).toBe(0);
    const behind = await apply(PB('drift.yaml'));
    expect(behind.exitCode, behind.stderr).toBe(0);
    await labCommand(['reset-counters']);
    const stale = await cli(['apply', join(work, 'plan.json'), '--skip-preflight']);
    expect(stale.exitCode).toBe(3);
    expect(stale.stderr).toMatch(/the plan .*plan\.json is stale; nothing was changed/);
    expect(stale.stderr).toMatch(/web2, step cortex-env: current state changed since the plan was made/);
    const after = await labStatus();
    for (const h of HOSTS) expect(hostOf(after, h).counters.setCalls, h).toBe(0);
    // A fresh plan sees it, and applying that plan puts it back.
    const fresh = await plan(PB('site.yaml'), ['--out', join(work, 'plan2.json'), '--json']);
    expect(fresh.exitCode, fresh.stderr).toBe(0);
    expect((JSON.parse(fresh.stdout) as { changes: Array<{ host: string; step: string; action: string }> }).changes.filter((c) => c.action !== 'none')).toEqual([
      expect.objectContaining({ host: 'web2', step: 'cortex-env', action: 'update' }),
    ]);
    const ok = await cli(['apply', join(work, 'plan2.json'), '--skip-preflight']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(stepCountersOf(await labStatus(), 'web2')['cortex-env']).toMatchObject({ setCalls: 1 });
  }, 300_000);

  // The lock and the kill share one run (a full apply from a fresh lab costs a minute): the apply the
  // second one is refused by is the one killed with -9, whose lock the resume then takes over.
  let killedCwd = '';
  let killedPid = 0;

  it('lock: while an apply runs, a second apply is refused (exit 3) naming its pid and host; then the first is killed with -9', async () => {
    // Start: a fresh lab (every host back to its profile), counters at zero.
    await labCommand(['reset', '-i', inv]);
    await labCommand(['reset-counters']);
    const cwd = mkdtempSync(join(work, 'run-'));
    const child = apply(PB('site.yaml'), [], cwd);
    // release-notes takes 3 s on web1 and lb1: wait until the run is under way, a few steps journalled.
    await waitFor('some finished steps in the journal', () => journalSteps(cwd).some((e) => e.step === 'agent-running'));
    const second = await apply(PB('site.yaml'), [], cwd);
    expect(second.exitCode).toBe(3);
    expect(second.stderr).toMatch(new RegExp(`another apply holds the lock on .*inventory\\.yaml: .*, pid ${child.pid} on [^,]+, since \\S+ \\(run \\d{8}-\\d{6}-[0-9a-f]{6}\\)`));
    expect(existsSync(join(cwd, '.cortex', 'locks'))).toBe(true);

    child.kill('SIGKILL');
    const killed = await child;
    expect(killed.signal).toBe('SIGKILL');
    const journalled = journalSteps(cwd);
    expect(journalled.length).toBeGreaterThan(0);
    expect(journalled.length).toBeLessThan(100); // of 126: killed in the middle
    killedCwd = cwd;
    killedPid = child.pid!;
  }, 300_000);

  it('resume after kill -9: apply --resume takes over the stale lock, finishes (0), and every step that needed a change was Set exactly once per host', async () => {
    expect(killedCwd, 'the lock test ran first').not.toBe('');
    const cwd = killedCwd;
    const resumed = await apply(PB('site.yaml'), ['--resume', '--json'], cwd);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/^resuming run \d{8}-\d{6}-[0-9a-f]{6}$/m);
    expect(resumed.stderr).toContain(`took over a stale lock of run`);
    expect(resumed.stderr).toContain(`(pid ${killedPid} is gone)`);
    const doc = JSON.parse(resumed.stdout) as ApplyDoc;
    expect(doc.summary).toMatchObject({ failed: 0, unreachable: 0 });

    const s = await labStatus();
    for (const h of HOSTS) {
      const steps = stepCountersOf(s, h);
      const ids = doc.hosts.find((x) => x.name === h)!.steps.map((x) => x.id);
      expect(ids.length, h).toBeGreaterThanOrEqual(16);
      for (const id of ids) {
        const c = steps[id];
        expect(c, `${h} ${id}: no Set recorded by the lab`).toBeDefined();
        expect(c!.setCalls - c!.setFailures, `${h} ${id}: Set ${c!.setCalls} times, ${c!.setFailures} failed`).toBe(1);
      }
      expect(hostOf(s, h).counters.reboots, h).toBe(APP.includes(h) ? 2 : 0);
      // (openShells is not checked: a shell the killed process had open stays until its idle timeout,
      // on Windows as in the lab.)
    }
    const app = s.clusters.find((c) => c.name === 'app')!;
    expect(app).toMatchObject({ maxDownAtOnce: 1, quorumLost: false });
    const clean = await plan(PB('site.yaml'), ['--detailed-exitcode']);
    expect(clean.exitCode, clean.stdout + clean.stderr).toBe(0);
  }, 400_000);

  it('a failing step (app2): max_fail_percentage 0 stops every host after that step; 20 lets the others finish; exit 1; --json and the console name host and step', async () => {
    await labCommand(['reset-counters']);
    const strict = await apply(PB('fail.yaml'), ['--report-json', join(work, 'fail.json')]);
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout + strict.stderr).toMatch(/app2 fragile failed.*disk E: is full/);
    expect(strict.stdout + strict.stderr).toMatch(/^app2\s+ok=\d+\s+changed=1\s+failed=1/m);
    const sdoc = JSON.parse(readFileSync(join(work, 'fail.json'), 'utf8')) as ApplyDoc;
    expect(sdoc.summary).toMatchObject({ failed: 1 });
    const app2 = sdoc.hosts.find((h) => h.name === 'app2')!;
    expect(app2.steps.find((s) => s.id === 'fragile')).toMatchObject({ status: 'failed', message: expect.stringContaining('disk E: is full') });
    let s = await labStatus();
    expect(stepCountersOf(s, 'app2').fragile).toMatchObject({ setCalls: 1, setFailures: 1 });
    for (const h of HOSTS) {
      // The step ran everywhere (all at once); after it, the run stopped: fragile-post nowhere.
      expect(stepCountersOf(s, h)['fragile-post']?.setCalls ?? 0, h).toBe(0);
      if (h !== 'app2') expect(stepCountersOf(s, h).fragile, h).toMatchObject({ setCalls: 1, setFailures: 0 });
    }

    await labCommand(['reset-counters']);
    const tolerant = await apply(PB('fail-tolerant.yaml'), ['--json']);
    expect(tolerant.exitCode).toBe(1);
    const tdoc = JSON.parse(tolerant.stdout) as ApplyDoc;
    expect(tdoc.hosts.find((h) => h.name === 'app2')!.steps.find((x) => x.id === 'fragile')).toMatchObject({ status: 'failed', message: expect.stringContaining('disk E: is full') });
    expect(tolerant.stderr).toMatch(/app2 fragile failed/);
    s = await labStatus();
    expect(stepCountersOf(s, 'app2')['fragile-post']?.setCalls ?? 0).toBe(0);
    for (const h of HOSTS.filter((x) => x !== 'app2')) {
      expect(tdoc.hosts.find((x) => x.name === h)!.steps.map((x) => [x.id, x.status]), h).toEqual([
        ['fragile-pre', 'changed'],
        ['fragile', 'changed'],
        ['fragile-post', 'changed'],
      ]);
      expect(stepCountersOf(s, h)['fragile-post'], h).toMatchObject({ setCalls: 1, setFailures: 0 });
    }
  }, 300_000);
});
