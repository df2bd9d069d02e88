/**
 * apply's preflight gate: a failing check or an unreachable host stops the run before anything is
 * changed; warnings stop it unless --accept-warnings. The gate's probes answer from fake facts
 * (this machine is no Windows host); the apply after an accepted gate runs for real, over the local
 * transport in pwsh, so "nothing was changed" and "it went ahead" are both seen on disk.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runApplyCommand, type ApplyArgs } from '../../src/cli/commands/apply.js';
import { RunInterrupt } from '../../src/lifecycle/interrupt.js';
import { describeWithPwsh } from '../helpers/pwsh.js';
import { sink } from '../helpers/sink.js';
import { fakeConnect, type FakeBehaviour } from '../preflight/fake-hosts.js';

describeWithPwsh('apply: the preflight gate', (pwsh) => {
  const savedPath = process.env.PATH;
  beforeAll(() => {
    process.env.PATH = `${dirname(pwsh)}${delimiter}${savedPath ?? ''}`;
  });
  afterAll(() => {
    process.env.PATH = savedPath;
  });

  function site() {
    const dir = mkdtempSync(join(tmpdir(), 'cx-gate-'));
    const target = join(dir, 'Cortex');
    writeFileSync(join(dir, 'inv.yaml'), 'all:\n  vars: { transport: local }\n  children:\n    app:\n      hosts:\n        app1: { address: 192.0.2.10 }\n');
    const unc = `\\\\${target.slice(1).split('/').join('\\')}`;
    writeFileSync(join(dir, 'pb.yaml'), `name: gate\nphases:\n  - name: base\n    targets: { roles: [app] }\n    steps:\n      - id: root\n        directory: { path: '${unc}' }\n`);
    return { dir, target };
  }

  // A loopback address fails the net.ipv4 check, so the host has a documentation address (RFC 5737)
  // in the inventory and in its facts. Nothing ever connects to it: the gate's probes are fake, and the
  // local transport runs pwsh on this machine whatever the address.
  const ipv4 = [{ address: '192.0.2.10', interfaceAlias: 'Ethernet', addressState: 'Preferred', prefixOrigin: 'Manual' }];

  async function apply(behaviour: FakeBehaviour, extra: Partial<ApplyArgs> = {}) {
    const s = site();
    behaviour = { ...behaviour, patch: { ipv4, ...behaviour.patch } };
    const stdout = sink();
    const stderr = sink();
    const code = await runApplyCommand(
      { inventory: join(s.dir, 'inv.yaml'), playbook: join(s.dir, 'pb.yaml'), forks: 5, timeout: 60, json: false, ...extra },
      { stdout, stderr, color: false, runDir: null, root: s.dir, interrupt: new RunInterrupt(), preflightConnect: fakeConnect({ app1: behaviour }).connect },
    );
    const journaled = existsSync(join(s.dir, '.cortex', 'runs')) ? readdirSync(join(s.dir, '.cortex', 'runs')) : [];
    return { code, stdout: stdout.text(), stderr: stderr.text(), created: existsSync(s.target), journaled };
  }

  it('a failing check stops the run (exit 1): nothing changed, no journal', async () => {
    const r = await apply({ patch: { cpu: { cores: 1, logicalProcessors: 1 } } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Preflight failed; nothing was changed:\n {2}app1: cpu\.cores fail: 1 cores, below the minimum of 2\./);
    expect(r.created).toBe(false);
    expect(r.journaled).toEqual([]);
  }, 60_000);

  it('an unreachable host stops the run with exit 2', async () => {
    const r = await apply({ connectError: 'unreachable' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/app1: host\.reachable error/);
    expect(r.created).toBe(false);
  }, 60_000);

  it('warnings stop the run unless --accept-warnings; accepted, the apply goes ahead', async () => {
    const warn = { patch: { cpu: { cores: 2, logicalProcessors: 4 } } };
    const stopped = await apply(warn);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/Preflight has warnings; nothing was changed:\n {2}app1: cpu\.cores warn: 2 cores, below the recommended 4\./);
    expect(stopped.stderr).toContain('--accept-warnings');
    expect(stopped.created).toBe(false);

    const accepted = await apply(warn, { acceptWarnings: true, json: true });
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain('Preflight warnings accepted (--accept-warnings)');
    expect(accepted.created).toBe(true);
    expect(JSON.parse(accepted.stdout)).toMatchObject({ hosts: [{ name: 'app1', steps: [{ id: 'root', status: 'changed' }] }], summary: { changed: 1, failed: 0 } });
    expect(accepted.journaled).toHaveLength(1);
  }, 120_000);

  it('a clean preflight goes ahead and says so; --report-json/junit/html are written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cx-gate-reports-'));
    const r = await apply({}, { reportJson: join(out, 'r.json'), reportJunit: join(out, 'r.xml'), reportHtml: join(out, 'r.html') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Preflight passed on 1 host.');
    expect(r.created).toBe(true);
    const json = JSON.parse(readFileSync(join(out, 'r.json'), 'utf8')) as { hosts: Array<{ name: string; steps: Array<{ id: string; status: string }> }>; outcome: string; exitCode: number; meta: { runId: string; playbook: string } };
    expect(json).toMatchObject({ outcome: 'ok', exitCode: 0, hosts: [{ name: 'app1', steps: [{ id: 'root', status: 'changed' }] }] });
    expect(json.meta.playbook).toMatch(/pb\.yaml$/);
    expect(r.stderr).toContain(`JSON report: ${join(out, 'r.json')}`);
    expect(readFileSync(join(out, 'r.xml'), 'utf8')).toMatch(/<testsuite name="app1"[\s\S]*<testcase classname="apply.app1" name="base\/root"/);
    expect(readFileSync(join(out, 'r.html'), 'utf8')).toMatch(/<html[\s\S]*app1[\s\S]*root/);
  }, 120_000);

  it('when the gate stops the run, --report-json says so (outcome failed, no hosts run)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cx-gate-reports-'));
    const r = await apply({ patch: { cpu: { cores: 1, logicalProcessors: 1 } } }, { reportJson: join(out, 'r.json') });
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'r.json'), 'utf8'))).toMatchObject({ outcome: 'failed', exitCode: 1, reason: 'stopped by the preflight gate before any change', hosts: [] });
  }, 60_000);
});
