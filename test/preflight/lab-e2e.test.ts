/**
 * preflight end to end against the lab, through the real CLI command, WinRM/NTLM transport, resident
 * runner and the lab's models of the probe scripts (the fixtures' addresses moved into this file's loopback block):
 * - the healthy 7-host topology passes everything (exit 0);
 * - each preset produces exactly its expected findings on its host, nothing anywhere else;
 * - a host down, a refused login, a blocked port, a fast clock and a failing probe are reported per host while the
 *   others complete (exit 2).
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import { runPreflightCommand, type PreflightArgs } from '../../src/cli/commands/preflight.js';
import type { PreflightJson } from '../../src/report/preflight-json.js';
import { expectedFor } from './preset-expectations.js';
import { LAB_PASSWORD, startTestLab } from './lab-env.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { sink } from '../helpers/sink.js';

const fixtures = resolve(import.meta.dirname, '../fixtures/preflight/lab');
// The three labs run one after another: one block serves them all.
const net = await claimLoopbackBlock(import.meta.url);
const fixture = (name: string) => relocatedCopy(resolve(fixtures, name), ['127.0.50.', '127.0.51.', '127.0.52.'], net);

async function preflight(file: string, extra: Partial<PreflightArgs> = {}) {
  const stdout = sink();
  const stderr = sink();
  const code = await runPreflightCommand({ inventory: file, forks: 1000, json: true, timeout: 30, ...extra }, { stdout, stderr, color: false, runDir: null });
  return { code, json: JSON.parse(stdout.text()) as PreflightJson, stderr: stderr.text() };
}

function notPassing(json: PreflightJson, host: string): Record<string, string> {
  const h = json.hosts.find((x) => x.name === host);
  return Object.fromEntries((h?.checks ?? []).filter((c) => c.status !== 'pass').map((c) => [c.id, c.status]));
}

process.env.CORTEX_LAB_PASSWORD = LAB_PASSWORD;

describe('preflight on the lab: healthy 7-host topology', () => {
  const file = fixture('healthy.yaml');
  let stop: () => Promise<void>;
  beforeAll(async () => {
    stop = (await startTestLab(await loadInventory(file))).stop;
  });
  afterAll(async () => stop?.());

  it('every check passes on every host; exit code 0; one plain line per host on stderr', async () => {
    const { code, json, stderr } = await preflight(file);
    const problems = json.hosts.flatMap((h) => h.checks.filter((c) => c.status !== 'pass').map((c) => `${h.name} ${c.id}: ${c.message}`));
    expect(problems).toEqual([]);
    expect(code).toBe(0);
    expect(json.hosts.map((h) => h.name)).toEqual(['web1', 'web2', 'app1', 'app2', 'app3', 'db1', 'lb1']);
    expect(json.hosts.every((h) => h.reachable)).toBe(true);
    // Cross-host checks ran: app servers reach each other, web reaches lb and db.
    expect(json.hosts.find((h) => h.name === 'app1')?.checks.find((c) => c.id === 'net.reach')?.status).toBe('pass');
    expect(json.hosts.find((h) => h.name === 'web1')?.checks.find((c) => c.id === 'net.reach')?.expected).toContain('db1 on 1433');
    expect(stderr.trim().split('\n').filter((l) => / ok \d/.test(l))).toHaveLength(7);
  });

  it('--limit narrows the run; the console table fits 100 columns', async () => {
    const stdout = sink();
    const code = await runPreflightCommand({ inventory: file, forks: 2, json: false, timeout: 30, limit: 'app' }, { stdout, stderr: sink(), color: false, runDir: null });
    expect(code).toBe(0);
    const lines = stdout.text().split('\n');
    expect(lines[0]).toMatch(/^check\s+app1\s+app2\s+app3$/);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
  });
});

describe('preflight on the lab: presets', () => {
  const file = fixture('presets.yaml');
  let stop: () => Promise<void>;
  beforeAll(async () => {
    stop = (await startTestLab(await loadInventory(file))).stop;
  });
  afterAll(async () => stop?.());

  it('each preset produces exactly its expected findings on its host', async () => {
    const inv = await loadInventory(file);
    const { code, json } = await preflight(file);
    for (const h of inv.hosts) {
      const preset = (h.lab as { preset: string }).preset;
      expect({ host: h.name, preset, findings: notPassing(json, h.name) }).toEqual({ host: h.name, preset, findings: expectedFor(preset, h.roles[0]!) });
    }
    expect(code).toBe(1);
  });
});

describe('preflight on the lab: faults', () => {
  const file = fixture('faults.yaml');
  let stop: () => Promise<void>;
  beforeAll(async () => {
    stop = (await startTestLab(await loadInventory(file))).stop;
  });
  afterAll(async () => stop?.());

  it('a host down and a refused login are reported per host, the others complete; exit code 2', async () => {
    const { code, json, stderr } = await preflight(file);
    expect(code).toBe(2);
    const app3 = json.hosts.find((h) => h.name === 'app3');
    expect(app3).toMatchObject({ reachable: false, checks: [{ id: 'host.reachable', status: 'error' }] });
    const db1 = json.hosts.find((h) => h.name === 'db1');
    expect(db1).toMatchObject({ reachable: false, checks: [{ id: 'host.reachable', status: 'error' }] });
    expect(db1?.checks[0]?.message).toMatch(/refused|denied|401|credentials/i);
    expect(stderr).toMatch(/^app3 unreachable /m);
    // The others completed; the only findings are the ones the faults explain.
    // A failing probe script is an error on the checks it feeds, not on the host.
    expect(notPassing(json, 'web1')).toEqual({ 'net.resolve': 'error', 'net.reach': 'error' });
    expect(json.hosts.find((h) => h.name === 'web1')?.reachable).toBe(true);
    expect(notPassing(json, 'web2')).toEqual({ 'time.skew': 'fail' });
    // Peers of the down host measure it truthfully: no answer, which before the install is a warning
    // ("firewall or network, unknown"): lb1 → app3 on the gateway port.
    expect(notPassing(json, 'lb1')).toEqual({ 'net.reach': 'warn' });
    expect(json.hosts.find((h) => h.name === 'lb1')?.checks.find((c) => c.id === 'net.reach')?.actual).toBe('firewall or network, unknown: app3:8443 filtered (API gateway / gobetween)');
    expect(notPassing(json, 'app2')).toEqual({ 'net.reach': 'warn' });
    const app1Reach = json.hosts.find((h) => h.name === 'app1')?.checks.find((c) => c.id === 'net.reach');
    expect(app1Reach?.status).toBe('warn');
    expect(app1Reach?.actual).toContain('app2:25672 filtered');
    expect(app1Reach?.actual).toContain('app3:');
  });
});
