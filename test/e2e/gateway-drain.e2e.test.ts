/**
 * Issue 13 §5, end to end with the built CLI: web servers go one at a time, and the load balancer drains
 * the one being changed and puts it back when it is healthy. playbooks/cortex.yaml on the Bronze site
 * (examples/lab/inventory.yaml: gobetween balances the Gateway on the web servers as web_gateway).
 * Install at Cortex 1.0.0; bump it to 1.1.0; plan shows each web server's drain and restore around its
 * changes; apply: in the journal each web server is drained on lb1 before its first change and restored
 * after its last, and the lab's record of web_gateway never had both backends out (maxDownAtOnce 1,
 * noneLive false); a re-run changes nothing and drains nothing.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORTEX_PLAYBOOK, INSTALL_SECRETS, labArtifactStore } from '../helpers/cortex-install.js';
import { detachedLab, type ApplyDoc } from '../helpers/detached-lab.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { REPO_ROOT } from '../helpers/pwsh.js';

const net = await claimLoopbackBlock(import.meta.url);
const src = mkdtempSync(join(tmpdir(), 'cx-e2e-drain-src-'));
const source = readFileSync(join(REPO_ROOT, 'examples/lab/inventory.yaml'), 'utf8');
writeFileSync(join(src, 'inventory-a.yaml'), source);
writeFileSync(join(src, 'inventory-b.yaml'), source.replace('cortex: "1.0.0"', 'cortex: "1.1.0"'));
copyFileSync(join(REPO_ROOT, 'examples/lab/nservicebus-license.xml'), join(src, 'nservicebus-license.xml'));
const invA = relocatedCopy(join(src, 'inventory-a.yaml'), ['127.0.1.'], net);
const invB = relocatedCopy(join(src, 'inventory-b.yaml'), ['127.0.1.'], net);
const lab = detachedLab({ name: 'drain', inventory: invA, env: { CORTEX_LAB_PASSWORD: 'E2e-Cortex!2026-drain', CORTEX_REBOOT_POLL_MS: '300', ...INSTALL_SECRETS } });


interface JournalLine {
  type: string;
  host?: string;
  step?: string;
  status?: string;
  for?: string;
  phase?: string;
}

/** The step-finished lines of the newest run's journal, in order. */
function lastJournal(work: string): JournalLine[] {
  const runs = join(work, '.cortex', 'runs');
  const newest = readdirSync(runs).sort().at(-1)!;
  return readFileSync(join(runs, newest, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as JournalLine).filter((e) => e.type === 'step-finished');
}

describe('the gateway phase drains each web server at the load balancer', () => {
  it('install at 1.0.0; bump to 1.1.0: each web server drained before its change and restored after, one at a time; re-run: nothing', async () => {
    await labArtifactStore(lab.work);
    const store = join(lab.work, 'store');
    const install = await lab.cli(['apply', '-i', invA, '-p', CORTEX_PLAYBOOK, '--store', store, '--json']);
    expect(install.exitCode, install.stderr).toBe(0);
    // The fresh install drained each web server too (each had changes), and put each back once its site answered.
    const installLb = (JSON.parse(install.stdout) as ApplyDoc).hosts.find((h) => h.name === 'lb1')!;
    expect(installLb.steps.filter((s) => s.id.includes('@')).map((s) => `${s.id} ${s.status}`)).toEqual(['gateway-drain@web1 changed', 'gateway-restore@web1 changed', 'gateway-drain@web2 changed', 'gateway-restore@web2 changed']);

    const plan = await lab.cli(['plan', '-i', invB, '-p', CORTEX_PLAYBOOK, '--store', store, '--json']);
    expect([0, 2], plan.stderr).toContain(plan.exitCode);
    const changes = (JSON.parse(plan.stdout) as { changes: Array<{ host: string; step: string; action: string }> }).changes.filter((c) => c.action !== 'none');
    const gateway = changes.filter((c) => c.step.startsWith('gateway-')).map((c) => `${c.host} ${c.step}`);
    expect(gateway[0]).toBe('lb1 gateway-drain@web1');
    expect(gateway.indexOf('lb1 gateway-restore@web1')).toBeLessThan(gateway.indexOf('lb1 gateway-drain@web2'));
    expect(gateway.at(-1)).toBe('lb1 gateway-restore@web2');

    await lab.lab(['reset-counters']);
    const upgrade = await lab.cli(['apply', '-i', invB, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);
    const events = lastJournal(lab.work).filter((e) => e.phase === 'gateway').map((e) => `${e.host} ${e.step} ${e.status}`);
    for (const web of ['web1', 'web2']) {
      const own = events.filter((e) => e.startsWith(`${web} `) && e.endsWith(' changed'));
      expect(own.length, web).toBeGreaterThan(0);
      const drained = events.indexOf(`lb1 gateway-drain@${web} changed`);
      const restored = events.indexOf(`lb1 gateway-restore@${web} changed`);
      expect(drained, web).toBeGreaterThanOrEqual(0);
      expect(drained, web).toBeLessThan(events.indexOf(own[0]!));
      expect(restored, web).toBeGreaterThan(events.indexOf(own.at(-1)!));
    }
    expect(events.indexOf('lb1 gateway-restore@web1 changed')).toBeLessThan(events.indexOf('lb1 gateway-drain@web2 changed'));
    const record = (await lab.status()).clusters.find((c) => c.name === 'gobetween/web_gateway');
    expect(record).toMatchObject({ kind: 'gobetween', members: ['web1', 'web2'], downNow: [], maxDownAtOnce: 1, noneLive: false });

    const again = await lab.cli(['apply', '-i', invB, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    const doc = JSON.parse(again.stdout) as ApplyDoc;
    expect(doc.summary).toMatchObject({ changed: 0, failed: 0 });
    expect(doc.hosts.flatMap((h) => h.steps).filter((s) => s.id.includes('@'))).toEqual([]);
  }, 1_200_000);
});
