/**
 * The twin round trip (docs/rehearse.md): preflight on a lab of mixed machines (failing and passing
 * hosts, several presets, faults) saves its facts; a twin is built from them on other loopback
 * addresses; preflight on the twin gives the same findings, host by host. Everything real: the CLI's
 * preflight command, WinRM/NTLM, the lab's probe models, the twin's inventory read by the inventory loader.
 *
 * "Same" means every finding's id, status, expected, actual and message, with each host's address
 * written as its name on both sides (the twin's hosts have other addresses), and time.skew compared by
 * status (its text carries the measured offset, which varies by a second between any two runs).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/index.js';
import { runPreflightCommand } from '../../../src/cli/commands/preflight.js';
import type { PreflightJson } from '../../../src/report/preflight-json.js';
import { buildTwin, type BuiltTwin } from '../../../src/lab/twin/build.js';
import { LAB_PASSWORD, startTestLab } from '../../preflight/lab-env.js';
import { claimLoopbackBlock, relocatedCopy } from '../../helpers/loopback.js';
import { sink } from '../../helpers/sink.js';

const original = await claimLoopbackBlock(import.meta.url);
const twinBlock = await claimLoopbackBlock(`${import.meta.url}#twin`);
const fixture = relocatedCopy(resolve(import.meta.dirname, '../../fixtures/twin/mixed.yaml'), ['127.0.60.'], original);
process.env.CORTEX_LAB_PASSWORD = LAB_PASSWORD;

async function preflight(file: string, saveFacts?: string): Promise<{ code: number; json: PreflightJson }> {
  const stdout = sink();
  const code = await runPreflightCommand({ inventory: file, forks: 100, json: true, timeout: 30, ...(saveFacts ? { saveFacts } : {}) }, { stdout, stderr: sink(), color: false, runDir: null });
  return { code, json: JSON.parse(stdout.text()) as PreflightJson };
}

type Row = { id: string; status: string; expected?: string; actual?: string; message?: string };

/** Findings per host with addresses written as host names (longest addresses first: .1 is a prefix of .11). */
function normalised(json: PreflightJson, addresses: Map<string, string>): Record<string, Row[]> {
  const pairs = [...addresses].sort((a, b) => b[0].length - a[0].length);
  const text = (s: string) => pairs.reduce((acc, [addr, name]) => acc.replaceAll(addr, `<${name}>`), s);
  return Object.fromEntries(
    json.hosts.map((h) => [
      h.name,
      h.checks.map((c): Row =>
        c.id === 'time.skew' ? { id: c.id, status: c.status } : { id: c.id, status: c.status, expected: text(c.expected), actual: text(c.actual), message: text(c.message) },
      ),
    ]),
  );
}

describe('twin round trip: facts from a mixed lab → twin → the same preflight findings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-twin-'));
  const factsFile = join(dir, 'site.facts.json');
  const twinFile = join(dir, 'twin.yaml');
  let stopOriginal: (() => Promise<void>) | undefined;
  let stopTwin: (() => Promise<void>) | undefined;
  let before: { code: number; json: PreflightJson };
  let built: BuiltTwin;

  beforeAll(async () => {
    stopOriginal = (await startTestLab(await loadInventory(fixture))).stop;
    before = await preflight(fixture, factsFile);
    await stopOriginal();
    stopOriginal = undefined;
    built = await buildTwin({ factsFile, inventoryFile: twinFile, stateDir: join(dir, 'twin-state'), base: `${twinBlock.prefix}0` });
    stopTwin = (await startTestLab(await loadInventory(twinFile))).stop;
  }, 120_000);
  afterAll(async () => {
    await stopOriginal?.();
    await stopTwin?.();
  });

  it('the original lab has failing, warning, passing and unreachable hosts (the test is not trivial)', () => {
    const worst = (name: string) => {
      const h = before.json.hosts.find((x) => x.name === name)!;
      return h.reachable ? (['fail', 'warn', 'pass'].find((s) => h.checks.some((c) => c.status === s || (s === 'fail' && c.status === 'error'))) ?? 'pass') : 'unreachable';
    };
    expect(worst('app3')).toBe('pass');
    expect(worst('app4')).toBe('pass');
    expect(worst('app2')).toBe('warn');
    expect(worst('web1')).toBe('fail');
    expect(worst('web3')).toBe('unreachable');
    expect(worst('app6')).toBe('unreachable');
    expect(before.code).toBe(2);
  });

  it('the twin lives on the other block, one address per host, same names', async () => {
    const inv = await loadInventory(twinFile);
    expect(inv.hosts.map((h) => h.name)).toEqual(before.json.hosts.map((h) => h.name));
    for (const h of inv.hosts) expect(h.address.startsWith(twinBlock.prefix)).toBe(true);
    expect(new Set(inv.hosts.map((h) => h.address)).size).toBe(inv.hosts.length);
    expect(inv.hosts.find((h) => h.name === 'web1')?.roles).toEqual(['web']);
    expect(inv.hosts.find((h) => h.name === 'web1')?.webApps).toEqual(['gateway']);
    expect(inv.hosts.find((h) => h.name === 'app1')?.versions).toEqual({ erlang: '27.3.4', rabbitmq: '4.1.4', serviceFabric: '10.1' });
  });

  it('preflight on the twin reports the same findings, host by host, and the same exit code', async () => {
    const after = await preflight(twinFile);
    const origAddr = new Map((await loadInventory(fixture)).hosts.map((h) => [h.address, h.name]));
    const twinAddr = new Map(built.hosts.map((h) => [h.address, h.name]));
    const a = normalised(before.json, origAddr);
    const b = normalised(after.json, twinAddr);
    for (const name of Object.keys(a)) expect({ host: name, findings: b[name] }).toEqual({ host: name, findings: a[name] });
    expect(after.code).toBe(before.code);
  });

  it('each host states what it assumed; the down host and the refused login say why', () => {
    const of = (name: string) => built.hosts.find((h) => h.name === name)!.assumed.join('\n');
    expect(of('web3')).toMatch(/faults\.down: true \(the host could not be reached/);
    expect(of('web3')).toMatch(/machine: the lab default/);
    expect(of('app6')).toMatch(/faults\.refuseAuth: true/);
    expect(of('app5')).toMatch(/probes\.reach/);
    // A host whose facts were read still names what the facts cannot say.
    expect(of('app3')).toMatch(/^services: /m);
    expect(of('app3')).not.toMatch(/^faults/m);
    expect(readFileSync(twinFile, 'utf8')).toContain('assumed:');
  });
});
