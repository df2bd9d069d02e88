/**
 * Defect 2 (issue 14): Ctrl-C did no cleanup. Against the lab, through the built CLI: SIGINT in the
 * middle of preflight and of exec stops new work, closes every shell (the lab's openShells is back to
 * 0), writes the partial report and the log's end record, says what was left undone, exits 130.
 * A second SIGINT exits at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempInventory } from '../helpers/site.js';
import { CLI, cliEnv, runCliSync } from '../helpers/cli.js';

const { dir, inventory } = tempInventory(
  'cortex-interrupt-',
  `all:
  vars:
    winrm: { user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD }
  children:
    app:
      hosts:
        app1: { address: 127.0.64.1 }
        app2: { address: 127.0.64.2 }
        app3: { address: 127.0.64.3 }
`,
);
const state = join(dir, 'lab');
const env = cliEnv({ CORTEX_LAB_PASSWORD: 'CortexLab!2026', CORTEX_INTERRUPT_GRACE_MS: '1000' });

function cli(args: string[]) {
  return runCliSync(args, { cwd: dir, env });
}

function openShells(): Record<string, number | null> {
  const r = cli(['lab', 'status', '--json', '--state', state]);
  const json = JSON.parse(r.stdout) as { hosts: Array<{ name: string; counters: { openShells: number | null } }> };
  return Object.fromEntries(json.hosts.map((h) => [h.name, h.counters.openShells]));
}

async function shellsClosed(): Promise<Record<string, number | null>> {
  // The lab deletes a shell when the Delete request arrives; give the last one a moment.
  let last = openShells();
  for (let i = 0; i < 20 && Object.values(last).some((n) => n !== 0); i++) {
    await new Promise((r) => setTimeout(r, 250));
    last = openShells();
  }
  return last;
}

interface Run {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exit: Promise<{ code: number | null; ms: number }>;
}

function start(args: string[], extraEnv: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  let t0 = 0;
  const exit = new Promise<{ code: number | null; ms: number }>((r) => child.on('close', (code) => r({ code, ms: Date.now() - t0 })));
  return {
    child,
    stderr: () => err,
    stdout: () => out,
    exit: Object.assign(exit, {}),
    set sentAt(v: number) {
      t0 = v;
    },
  } as Run & { sentAt: number };
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function interrupt(run: Run, sig: NodeJS.Signals = 'SIGINT'): void {
  (run as Run & { sentAt: number }).sentAt = Date.now();
  run.child.kill(sig);
}

function runLog(): string {
  const runs = join(dir, '.cortex', 'runs');
  const latest = readdirSync(runs).sort().at(-1)!;
  return readFileSync(join(runs, latest, 'log.jsonl'), 'utf8');
}

beforeAll(() => {
  // app2 answers every request 1.5 s late: the one still running when the signal comes.
  const r = cli(['lab', 'up', '-i', inventory, '--detach', '--state', state, '--fault', 'app2:latency:1500']);
  expect(r.status, r.stderr).toBe(0);
}, 60_000);

afterAll(() => {
  cli(['lab', 'down', '--state', state]);
});

describe('Ctrl-C', () => {
  it('mid-preflight: exit 130, partial report, log end record, what was left undone, no shell left open', async () => {
    const report = join(dir, 'preflight.json');
    const run = start(['preflight', '-i', inventory, '--json', '--report-json', report]);
    await until('app1 and app3 to finish', () => /^app1 ok/m.test(run.stderr()) && /^app3 ok/m.test(run.stderr()));
    interrupt(run);
    const { code } = await run.exit;
    expect(code, run.stderr()).toBe(130);
    expect(run.stderr()).toMatch(/Interrupted by SIGINT: 2 of 3 hosts finished/);
    expect(run.stderr()).toMatch(/stopped while running: app2/);
    const json = JSON.parse(readFileSync(report, 'utf8')) as { hosts: Array<{ name: string; reachable: boolean }>; summary: { exitCode: number; interrupted: { stopped: string[]; notStarted: string[] } } };
    expect(json.summary.exitCode).toBe(130);
    expect(json.summary.interrupted).toEqual({ notStarted: [], stopped: ['app2'] });
    expect(json.hosts.filter((h) => h.reachable).map((h) => h.name)).toEqual(['app1', 'app3']);
    expect(JSON.parse(run.stdout()).summary.exitCode).toBe(130);
    const log = runLog();
    expect(log).toMatch(/"msg":"preflight interrupted"/);
    expect(log.trim().split('\n').at(-1)).toMatch(/"msg":"preflight finished"/);
    expect(await shellsClosed()).toEqual({ app1: 0, app2: 0, app3: 0 });
  }, 90_000);

  it('mid-exec (SIGTERM too): the running host is stopped, the rest never start, exit 130, no shell left open', async () => {
    // Counted from what is open now, so this case stands on its own even if an earlier one left a shell.
    const before = openShells().app1 ?? 0;
    const run = start(['exec', '-i', inventory, '--forks', '1', '--limit', 'app1,app3', '--', 'Start-Sleep -Seconds 60']);
    await until('app1 to be running', () => openShells().app1 === before + 1);
    interrupt(run, 'SIGTERM');
    const { code, ms } = await run.exit;
    expect(code, run.stderr()).toBe(130);
    expect(ms).toBeLessThan(30_000);
    expect(run.stderr()).toMatch(/Interrupted by SIGTERM: 0 of 2 hosts finished/);
    expect(run.stderr()).toMatch(/stopped while running: app1/);
    expect(run.stderr()).toMatch(/not started: app3/);
    expect(run.stdout()).toMatch(/exec: 2 hosts: 0 ok, 0 failed, 0 unreachable, 2 interrupted/);
    expect(runLog().trim().split('\n').at(-1)).toMatch(/"msg":"exec finished"/);
    expect(await shellsClosed()).toEqual({ app1: 0, app2: 0, app3: 0 });
  }, 90_000);

  it('a second SIGINT exits at once', async () => {
    const run = start(['exec', '-i', inventory, '--limit', 'app1', '--', 'Start-Sleep -Seconds 60'], { CORTEX_INTERRUPT_GRACE_MS: '60000' });
    await until('app1 to be running', () => openShells().app1 === 1);
    interrupt(run);
    await until('the first notice', () => /SIGINT: stopping/.test(run.stderr()));
    interrupt(run);
    const { code, ms } = await run.exit;
    expect(code).toBe(130);
    expect(ms).toBeLessThan(10_000);
    expect(run.stderr()).toMatch(/SIGINT again: exiting now/);
    expect(existsSync(state)).toBe(true);
  }, 90_000);
});
