/**
 * The twin round trip over both transports (docs/rehearse.md): WinRM hosts and SSH hosts (the lab's
 * real sshd) captured with preflight --save-facts, a twin built on another loopback block whose SSH
 * hosts use the key and known_hosts of the twin lab's state folder, and preflight on the twin giving
 * the same findings, host by host (addresses written as host names; time.skew by status).
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPreflightCommand } from '../../../src/cli/commands/preflight.js';
import { loadInventory } from '../../../src/inventory/index.js';
import { startLab, type RunningLab } from '../../../src/lab/lab.js';
import { labHostsFromInventory } from '../../../src/lab/profile/from-inventory.js';
import { buildTwin, type BuiltTwin } from '../../../src/lab/twin/build.js';
import type { PreflightJson } from '../../../src/report/preflight-json.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';
import { sink } from '../../helpers/sink.js';
import { LAB_PASSWORD } from '../../preflight/lab-env.js';

const original = await claimLoopbackBlock(import.meta.url);
const twinBlock = await claimLoopbackBlock(`${import.meta.url}#twin`);
process.env.CORTEX_LAB_PASSWORD = LAB_PASSWORD;

async function labOf(file: string, stateDir: string): Promise<RunningLab> {
  const { hosts } = await labHostsFromInventory(await loadInventory(file));
  return startLab({ hosts: hosts.map((h) => ({ ...h, https: false })), stateDir });
}

async function preflight(file: string, saveFacts?: string): Promise<{ code: number; json: PreflightJson }> {
  const stdout = sink();
  const code = await runPreflightCommand({ inventory: file, forks: 100, json: true, timeout: 30, acceptNewHostKeys: false, ...(saveFacts ? { saveFacts } : {}) }, { stdout, stderr: sink(), color: false, runDir: null });
  return { code, json: JSON.parse(stdout.text()) as PreflightJson };
}

function normalised(json: PreflightJson, names: Map<string, string>): Record<string, unknown[]> {
  const pairs = [...names].sort((a, b) => b[0].length - a[0].length);
  const text = (s: string) => pairs.reduce((acc, [addr, name]) => acc.replaceAll(addr, `<${name}>`), s);
  return Object.fromEntries(json.hosts.map((h) => [h.name, h.checks.map((c) => (c.id === 'time.skew' ? { id: c.id, status: c.status } : { id: c.id, status: c.status, expected: text(c.expected), actual: text(c.actual), message: text(c.message) }))]));
}

describe('twin round trip over WinRM and SSH', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-twin-ssh-'));
  const site = join(dir, 'site.yaml');
  const factsFile = join(dir, 'site.facts.json');
  const twinFile = join(dir, 'twin.yaml');
  let lab: RunningLab | undefined;
  let before: { code: number; json: PreflightJson };
  let built: BuiltTwin;

  beforeAll(async () => {
    copyFileSync(resolve(import.meta.dirname, '../../fixtures/twin/mixed-ssh.yaml'), site);
    writeFileSync(site, readFileSync(site, 'utf8').replace('user: root', `user: ${userInfo().username}`).replaceAll('127.0.61.', original.prefix));
    lab = await labOf(site, join(dir, 'lab-state'));
    before = await preflight(site, factsFile);
    await lab.stop();
    built = await buildTwin({ factsFile, inventoryFile: twinFile, stateDir: join(dir, 'twin-state'), base: `${twinBlock.prefix}0` });
    lab = await labOf(twinFile, join(dir, 'twin-state'));
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('captured SSH hosts as SSH, and the twin reaches them over SSH with its own lab key', async () => {
    const facts = JSON.parse(readFileSync(factsFile, 'utf8')) as { hosts: Array<{ name: string; transport: string; session: string }> };
    expect(facts.hosts.filter((h) => h.transport === 'ssh').map((h) => [h.name, h.session])).toEqual([
      ['app1', 'connected'],
      ['app2', 'connected'],
      ['app3', 'connected'],
      ['lb1', 'connected'],
    ]);
    const twinInv = await loadInventory(twinFile);
    expect(twinInv.hosts.find((h) => h.name === 'lb1')).toMatchObject({ transport: 'ssh', ssh: { port: 5922, key: `file:${join(dir, 'twin-state', 'ssh', 'client_ed25519')}` } });
    expect(built.hosts).toHaveLength(6);
  });

  it('preflight on the twin reports the same findings, host by host, and the same exit code', async () => {
    const after = await preflight(twinFile);
    const a = normalised(before.json, new Map((await loadInventory(site)).hosts.map((h) => [h.address, h.name])));
    const b = normalised(after.json, new Map(built.hosts.map((h) => [h.address, h.name])));
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const name of Object.keys(a)) expect({ host: name, findings: b[name] }).toEqual({ host: name, findings: a[name] });
    expect(after.code).toBe(before.code);
    // Not a trivial comparison: the original had failures and warnings on SSH hosts.
    const app3 = before.json.hosts.find((h) => h.name === 'app3')!;
    expect(app3.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(expect.arrayContaining(['dotnet.version', 'reboot.pending']));
  });
});
