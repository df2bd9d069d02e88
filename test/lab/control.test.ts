/** The control socket of a running lab (status, faults at run time, reset) and pid-file hygiene. */
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPaths, queryStatus, readPid, sendFaults, sendReset, serveControl, stopRunningLab, assertNotRunning, type ControlServer } from '../../src/lab/control.js';
import type { RunningLab } from '../../src/lab/lab.js';
import { startTestLab, tempStateDir } from './helpers.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const stateDir = tempStateDir();
const paths = controlPaths(stateDir);
let lab: RunningLab;
let control: ControlServer;
let stopRequested = false;

beforeAll(async () => {
  lab = await startTestLab([{ name: 'ctl-app1', address: net.addr(1), lab: { powershellStartMs: 0 } }], { stateDir });
  control = await serveControl(lab, paths, () => (stopRequested = true));
});
afterAll(async () => {
  await control?.close();
  await lab?.stop();
});

describe('lab control', () => {
  it('serves the status and writes our pid', async () => {
    const s = await queryStatus(paths);
    expect(s).toMatchObject({ running: true, pid: process.pid, hosts: [{ name: 'ctl-app1', up: true }] });
    expect(await readPid(paths)).toBe(process.pid);
    await expect(assertNotRunning(paths)).resolves.toBeUndefined(); // vitest's cmdline is not `lab up`
  });

  it('adds faults at run time and clears them', async () => {
    await sendFaults(paths, 'ctl-app1', { down: true, latencyMs: 5 });
    let s = await queryStatus(paths);
    expect(s!.hosts[0]).toMatchObject({ up: false, faults: { down: true, latencyMs: 5 } });
    await sendFaults(paths, 'ctl-app1', {}, true);
    s = await queryStatus(paths);
    expect(s!.hosts[0]).toMatchObject({ up: true, faults: { down: false, latencyMs: 0 } });
    await expect(sendFaults(paths, 'nobody', { down: true })).rejects.toThrow(/no lab host named nobody/);
  });

  it('resets the hosts to their profiles', async () => {
    lab.host('ctl-app1')!.state.machine.features.push('Changed');
    await sendReset(paths);
    expect(lab.host('ctl-app1')!.state.machine.features).not.toContain('Changed');
    expect(stopRequested).toBe(false);
  });

  it('down with a stale pid file removes it and stops nothing', async () => {
    const other = controlPaths(tempStateDir());
    writeFileSync(other.pidFile, '999999\n');
    expect(await stopRunningLab(other)).toEqual({ notRunning: true, stalePid: 999999 });
    expect(existsSync(other.pidFile)).toBe(false);
    expect(await stopRunningLab(controlPaths(join(stateDir, 'none')))).toEqual({ notRunning: true, stalePid: null });
    expect(await queryStatus(other)).toBeNull();
  });
});
