/**
 * One detached lab for an e2e test file: the built CLI brings it up before the file's tests
 * (`lab up --detach`) and down after them, in a temp work folder that is the CLI's cwd (the runs'
 * journals and the lock live there) and is removed at the end.
 *
 *   const net = await claimLoopbackBlock(import.meta.url);
 *   const lab = detachedLab({ name: 'iis', inventory: relocatedCopy(..., net), env: { CORTEX_E2E_LAB_PASSWORD: '…' } });
 *   const r = await lab.cli(['apply', '-i', lab.inventory, '-p', PB, '--json']);
 *   const doc = JSON.parse(r.stdout) as ApplyDoc;
 */
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { LabStatus } from '../../src/lab/lab.js';
import { CLI } from './cli.js';

/** What `apply --json` prints, as far as the e2e tests read it (one shape for every e2e file). */
export interface ApplyDoc {
  hosts: Array<{ name: string; status: string; steps: Array<{ id: string; status: string; durationMs: number; message?: string; error?: string }> }>;
  summary: Record<string, number>;
}

/** The `steps` counters of a host in `lab status --json` (the status types them loosely). */
export type LabStepCounters = Record<string, { testCalls: number; setCalls: number; setFailures: number; otherCalls: number }>;

export type CliRun = ResultPromise<{ reject: false; cwd: string; env: Record<string, string>; all: false }>;

/** The built CLI in `cwd` with colour off and `env` on top of this process's environment. */
export function cliIn(cwd: string, env: Record<string, string>): (args: string[], at?: string) => CliRun {
  return (args, at = cwd) => execa(process.execPath, [CLI, ...args], { reject: false, cwd: at, env: { NO_COLOR: '1', ...env }, all: false });
}

/** `lab status --json` of the lab whose state folder is `state` (a failure fails the test). */
export async function labStatusOf(cli: (args: string[]) => CliRun, state: string): Promise<LabStatus> {
  const r = await cli(['lab', 'status', '--state', state, '--json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as LabStatus;
}

/** A host's step counters in a lab status. */
export function stepCountersOf(status: LabStatus, host: string): LabStepCounters {
  const h = status.hosts.find((x) => x.name === host);
  if (!h) throw new Error(`lab status has no host ${host}`);
  return (h.counters as unknown as { steps: LabStepCounters }).steps;
}

export interface DetachedLabOptions {
  /** Names the temp work folder (cx-e2e-<name>-). */
  name: string;
  /** The inventory the lab (and the tests' commands) use. */
  inventory: string;
  /** The CLI's environment on top of this process's (secrets, poll intervals). */
  env: Record<string, string>;
  /** When given, `lab up` must say that this many hosts are up. */
  hosts?: number;
}

export interface DetachedLab {
  /** The file's work folder: the CLI's default cwd; removed after the file's tests. */
  readonly work: string;
  /** The lab's state folder (its hosts' saved machines under hosts/). */
  readonly state: string;
  readonly inventory: string;
  /** The built CLI; in the work folder unless `cwd` is given. */
  cli(args: string[], cwd?: string): CliRun;
  /** `lab status --json`. */
  status(): Promise<LabStatus>;
  /** `lab <args> --state <state>`, which must succeed (fault, reset-counters, reset…). */
  lab(args: string[]): Promise<void>;
}

/** Registers the file's beforeAll (lab up) and afterAll (lab down, work folder removed). */
export function detachedLab(opts: DetachedLabOptions): DetachedLab {
  const work = mkdtempSync(join(tmpdir(), `cx-e2e-${opts.name}-`));
  const state = join(work, 'lab-state');
  const cli = cliIn(work, opts.env);

  beforeAll(async () => {
    const up = await cli(['lab', 'up', '-i', opts.inventory, '--detach', '--state', state]);
    expect(up.exitCode, up.stderr).toBe(0);
    if (opts.hosts !== undefined) expect(up.stdout).toContain(`${opts.hosts} hosts, ${opts.hosts} up`);
  }, 120_000);

  afterAll(async () => {
    await cli(['lab', 'down', '--state', state]);
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  return {
    work,
    state,
    inventory: opts.inventory,
    cli,
    status: () => labStatusOf(cli, state),
    async lab(args) {
      const r = await cli(['lab', ...args, '--state', state]);
      expect(r.exitCode, `lab ${args.join(' ')}: ${r.stderr}`).toBe(0);
    },
  };
}
