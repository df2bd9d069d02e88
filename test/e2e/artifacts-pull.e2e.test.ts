/**
 * Artifacts pulled and verified, end to end (docs/artifacts.md, "Pull"): the built CLI against a lab on
 * a loopback block this file claims. `apply --artifacts pull` starts the pull server; each lab host makes
 * a real HTTPS GET to it over loopback (the certificate pinned, the token sent) and records the bytes'
 * hash; the synthetic MSI it fetched then installs. A source that is not a store artifact is still pushed.
 * Then the hash checks: a transfer corrupted on its way (the lab's corrupt-transfers fault), pulled or
 * pushed, fails the step naming the file, both hashes and the host; a store file altered after
 * `artifacts add` fails `artifacts verify` on the workstation, and the host's step when pulled.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactFile } from '../../src/lab/artifacts/catalog.js';
import { detachedLab, type ApplyDoc } from '../helpers/detached-lab.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { REPO_ROOT } from '../helpers/pwsh.js';

const net = await claimLoopbackBlock(import.meta.url);
const PASSWORD = 'E2e-Lab!2026-pull';
const inv = relocatedCopy(join(REPO_ROOT, 'test', 'fixtures', 'playbooks', 'lab', 'inventory.yaml'), ['127.0.50.'], net);
const { work, state, cli, status: labStatus } = detachedLab({ name: 'pull', inventory: inv, env: { CORTEX_E2E_LAB_PASSWORD: PASSWORD } });
const store = join(work, 'artifacts');

const msi = artifactFile('lab-sample-1.0.0');
const STAGED = 'C:\\ProgramData\\CortexInstall\\artifacts\\labSample\\1.0.0\\lab-sample-1.0.0.msi';
const notes = 'pushed, not pulled\r\n';
const notesSha = createHash('sha256').update(notes).digest('hex');

const apply = (extra: string[]) => cli(['apply', '-i', inv, '-p', join(work, 'pull.yaml'), '--skip-preflight', '--json', ...extra]);

const stepOf = (doc: ApplyDoc, host: string, step: string) => doc.hosts.find((h) => h.name === host)!.steps.find((s) => s.id === step)!;

/** The host's machine as the lab saved it (files: path → SHA-256). */
function labMachine(host: string): { computerName: string; files: Record<string, string> } {
  return (JSON.parse(readFileSync(join(state, 'hosts', `${host}.json`), 'utf8')) as { state: { machine: { computerName: string; files: Record<string, string> } } }).state.machine;
}
const labFiles = (host: string) => labMachine(host).files;

/** A run's log: the run apply's stderr names, else the newest by name. */
function runLog(stderr?: string): string {
  const runs = join(work, '.cortex', 'runs');
  const last = (stderr ? /^run (\S+): /m.exec(stderr)?.[1] : undefined) ?? readdirSync(runs).sort().at(-1)!;
  return readFileSync(join(runs, last, 'log.jsonl'), 'utf8');
}
/** The pull server's requests in that run's log. */
function pullRequests(stderr?: string): Array<{ status: number; artifact: string | null; remote: string }> {
  return runLog(stderr)
    .split('\n')
    .filter((l) => l.includes('"pullRequest"'))
    .map((l) => (JSON.parse(l) as { pullRequest: { status: number; artifact: string | null; remote: string } }).pullRequest);
}

// After the lab is up (detachedLab's beforeAll, registered first): the store and the playbook.
beforeAll(async () => {
  mkdirSync(join(work, 'in'));
  writeFileSync(join(work, 'in', 'lab-sample-1.0.0.msi'), msi.bytes);
  writeFileSync(join(work, 'notes.txt'), notes);
  const add = await cli(['artifacts', 'add', join(work, 'in', 'lab-sample-1.0.0.msi'), '--name', 'labSample', '--version', '1.0.0', '--store', store]);
  expect(add.exitCode, add.stderr).toBe(0);
  writeFileSync(
    join(work, 'pull.yaml'),
    `name: pull
phases:
  - name: stage
    targets: { roles: [app, db] }
    steps:
      - id: stage-sample
        file: { path: '${STAGED}', source: artifacts/labSample/1.0.0/lab-sample-1.0.0.msi, sha256: ${msi.sha256} }
      - id: install-sample
        package: { name: Cortex Lab Sample, path: '${STAGED}', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E01}', version: '1.0.0' }
      - id: notes
        file: { path: 'C:\\Cortex\\notes.txt', source: notes.txt, sha256: ${notesSha} }
`,
  );
}, 120_000);

describe('apply --artifacts pull on the lab', () => {
  it('each host downloads the store artifact from the pull server over loopback, and the synthetic MSI it fetched installs', async () => {
    const r = await apply(['--artifacts', 'pull', '--limit', 'app1,app2']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/artifact pull server: 1 artifact on https:\/\/127\.[\d.]+:\d+ \(certificate SHA-256 [0-9a-f]{64}\)/);
    const doc = JSON.parse(r.stdout) as ApplyDoc;
    for (const h of ['app1', 'app2']) {
      expect(stepOf(doc, h, 'stage-sample').status).toBe('changed');
      expect(stepOf(doc, h, 'install-sample').status).toBe('changed');
      expect(labFiles(h)[STAGED]).toBe(msi.sha256);
      expect(labFiles(h)['C:\\Cortex\\notes.txt']).toBe(notesSha);
      // Nothing left behind beside the file.
      expect(Object.keys(labFiles(h)).filter((p) => p.endsWith('.cortex-download') || p.endsWith('.cortex-upload'))).toEqual([]);
    }
    // Two real GETs, one per host, from loopback, both served; the token appears nowhere in the run's log.
    const reqs = pullRequests();
    expect(reqs.map((q) => [q.status, q.artifact])).toEqual([
      [200, 'labSample/1.0.0'],
      [200, 'labSample/1.0.0'],
    ]);
    // From each lab host's own loopback address.
    expect(reqs.map((q) => q.remote.replace(/^::ffff:/, '')).sort()).toEqual([net.addr(3), net.addr(4)]);
    expect(runLog()).not.toMatch(/Bearer [A-Za-z0-9_-]{20}/);
    // The server stopped with the run: its port no longer answers.
    const [, where] = /artifact pull server: 1 artifact on https:\/\/(127\.[\d.]+:\d+)/.exec(r.stderr)!;
    const [host, port] = where!.split(':');
    const refused = await new Promise<string>((resolve) => {
      const s = connect({ host: host!, port: Number(port) }, () => (s.destroy(), resolve('connected')));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  }, 120_000);

  it('a second pulled apply changes nothing and downloads nothing', async () => {
    const before = await labStatus();
    const r = await apply(['--artifacts', 'pull', '--limit', 'app1,app2']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as ApplyDoc).summary.changed).toBe(0);
    expect(pullRequests()).toEqual([]);
    const after = await labStatus();
    for (const h of ['app1', 'app2']) expect(after.hosts.find((x) => x.name === h)!.counters.setCalls).toBe(before.hosts.find((x) => x.name === h)!.counters.setCalls);
  }, 120_000);

  it('a download corrupted in transit fails the host step, naming the file, both hashes and the host; nothing is placed', async () => {
    const f = await cli(['lab', 'fault', 'app3:corrupt-transfers', '--state', state]);
    expect(f.exitCode, f.stderr).toBe(0);
    const r = await apply(['--artifacts', 'pull', '--limit', 'app3']);
    expect(r.exitCode).toBe(1);
    const step = stepOf(JSON.parse(r.stdout) as ApplyDoc, 'app3', 'stage-sample');
    expect(step.status).toBe('failed');
    const name = labMachine('app3').computerName;
    expect(step.message).toContain(`on ${name}, the copy of ${STAGED} downloaded from https://127.`);
    expect(step.message).toMatch(new RegExp(`has SHA-256 (?!${msi.sha256})[0-9a-f]{64}, not the ${msi.sha256} the step wants`));
    expect(labFiles('app3')[STAGED]).toBeUndefined();
    expect(Object.keys(labFiles('app3')).some((p) => p.endsWith('.cortex-download'))).toBe(false);
  }, 120_000);

  it('an upload corrupted in transit (push) fails too, naming the file and both hashes', async () => {
    const r = await apply(['--limit', 'app3']);
    expect(r.exitCode).toBe(1);
    const step = stepOf(JSON.parse(r.stdout) as ApplyDoc, 'app3', 'stage-sample');
    expect(step.status).toBe('failed');
    expect(step.message).toMatch(new RegExp(`lab-sample-1\\.0\\.0\\.msi.*SHA-256 [0-9a-f]{64} instead of ${msi.sha256}`));
    const clear = await cli(['lab', 'fault', 'app3:clear', '--state', state]);
    expect(clear.exitCode, clear.stderr).toBe(0);
  }, 120_000);

  it("the inventory's artifacts.transfer: pull makes a host pull without the flag", async () => {
    const text = readFileSync(inv, 'utf8');
    const pullInv = join(work, 'pull-inventory.yaml');
    const marked = text.replace(/(app3: \{ address: [\d.]+)/, '$1, artifacts: { transfer: pull }');
    expect(marked).not.toBe(text);
    writeFileSync(pullInv, marked);
    const r = await cli(['apply', '-i', pullInv, '-p', join(work, 'pull.yaml'), '--skip-preflight', '--json', '--limit', 'app3']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/artifact pull server: 1 artifact/);
    // On failure, say how the file got there: the step's status and the run's pull lines.
    const why = `stage-sample on app3: ${JSON.stringify(stepOf(JSON.parse(r.stdout) as ApplyDoc, 'app3', 'stage-sample'))}\n${r.stderr}\n${runLog(r.stderr).split('\n').filter((l) => /pull/i.test(l)).join('\n')}`;
    expect(pullRequests(r.stderr).map((q) => [q.status, q.remote.replace(/^::ffff:/, '')]), why).toEqual([[200, net.addr(5)]]);
    expect(labFiles('app3')[STAGED]).toBe(msi.sha256);
  }, 120_000);

  it('a store file altered after artifacts add: verify fails on the workstation, and a pulled copy fails the host step', async () => {
    appendFileSync(join(store, 'labSample', '1.0.0', 'lab-sample-1.0.0.msi'), 'tampered');
    const v = await cli(['artifacts', 'verify', '--store', store]);
    expect(v.exitCode).toBe(1);
    expect(v.stdout).toMatch(/WRONG (SIZE|HASH)\s+labSample 1\.0\.0/);
    const r = await apply(['--artifacts', 'pull', '--limit', 'db1']);
    expect(r.exitCode).toBe(1);
    const step = stepOf(JSON.parse(r.stdout) as ApplyDoc, 'db1', 'stage-sample');
    expect(step.message).toContain(`on ${labMachine('db1').computerName}, the copy of ${STAGED}`);
    expect(step.message).toContain(`not the ${msi.sha256} the step wants`);
    // The package after it did not run on a file that is not there.
    expect((JSON.parse(r.stdout) as ApplyDoc).hosts[0]!.steps.filter((s) => s.status === 'changed')).toEqual([]);
  }, 120_000);
});
