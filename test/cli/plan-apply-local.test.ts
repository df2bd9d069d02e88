/**
 * `plan` and `apply` end to end: the built CLI, spawned, over the local transport, which runs the
 * shipped resource scripts in real pwsh on this machine against a temp folder. No lab in the loop.
 *
 * Paths: a playbook wants Windows paths (C:\… or \\server\share\…). pwsh on Linux reads
 * \\tmp\x\y as //tmp/x/y, which POSIX resolves to /tmp/x/y, so the steps write under the temp folder.
 * (file steps are not used here: Get-FileHash does not resolve that form on Linux; the agent's own
 * real-pwsh test covers them with native paths.) exec's Set reads the pending-reboot registry keys,
 * which pwsh on Linux does not have: the exec step here is one whose guard holds (its Test runs).
 */
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { acquireLock } from '../../src/engine/run/lock.js';
import { JournalWriter, journalPath } from '../../src/engine/run/journal.js';
import { describeWithPwsh, REPO_ROOT } from '../helpers/pwsh.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The Windows (\\server\share) spelling of a POSIX absolute path under /tmp-like folders. */
function unc(posix: string): string {
  return `\\\\${posix.slice(1).split('/').join('\\')}`;
}

interface Site {
  dir: string;
  target: string;
  inv: string;
  pb: string;
}

function site(steps = 3): Site {
  const dir = mkdtempSync(join(tmpdir(), 'cx-cli-'));
  dirs.push(dir);
  const target = join(dir, 'Cortex');
  writeFileSync(join(dir, 'inv.yaml'), 'all:\n  vars: { transport: local }\n  children:\n    app:\n      hosts:\n        app1: { address: 127.0.0.1 }\n');
  const dirSteps = Array.from({ length: steps - 1 }, (_, k) => `      - id: dir${k + 1}\n        directory: { path: '${unc(join(target, `d${k + 1}`))}' }\n`).join('');
  writeFileSync(
    join(dir, 'pb.yaml'),
    `name: local-site\nphases:\n  - name: base\n    targets: { roles: [app] }\n    steps:\n      - id: root\n        directory: { path: '${unc(target)}' }\n${dirSteps}      - id: guard\n        exec: { run: 'exit 0', unless: '$true' }\n`,
  );
  return { dir, target, inv: join(dir, 'inv.yaml'), pb: join(dir, 'pb.yaml') };
}

function cli(s: Site, args: string[]): ResultPromise<{ reject: false; cwd: string; env: Record<string, string>; all: false }> {
  return execa(process.execPath, [CLI, ...args], {
    reject: false,
    cwd: s.dir,
    // The local transport finds pwsh on PATH; a short grace so an interrupted run ends quickly.
    env: { PATH: `${dirname(PWSH_PATH)}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', CORTEX_INTERRUPT_GRACE_MS: '20000' },
    all: false,
  });
}

let PWSH_PATH = '';

describeWithPwsh('plan and apply over the local transport (spawned CLI, real pwsh)', (pwsh) => {
  PWSH_PATH = pwsh;

  it('plan → apply → apply again changes nothing → plan --detailed-exitcode 0; --json shapes', async () => {
    const s = site();
    const plan = await cli(s, ['plan', '-i', 'inv.yaml', '-p', 'pb.yaml']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`+ root: directory ${unc(s.target)} (create: exists=true)`);
    expect(plan.stdout).toContain('= guard: exec exit 0');
    expect(plan.stdout).toMatch(/Plan: 3 to create, 0 to update, 1 unchanged, 0 skipped; 0 errors, 0 unreachable, on 1 host\./);
    const pending = await cli(s, ['plan', '-i', 'inv.yaml', '-p', 'pb.yaml', '--detailed-exitcode', '--json', '--report-json', 'r/plan.json', '--report-junit', 'r/plan.xml', '--report-html', 'r/plan.html']);
    expect(pending.exitCode).toBe(2);
    expect(JSON.parse(readFileSync(join(s.dir, 'r', 'plan.json'), 'utf8'))).toMatchObject({ summary: { create: 3 }, meta: { playbook: s.pb } });
    expect(readFileSync(join(s.dir, 'r', 'plan.xml'), 'utf8')).toMatch(/<testsuite[^>]*name="app1"/);
    expect(readFileSync(join(s.dir, 'r', 'plan.html'), 'utf8')).toMatch(/<html[\s\S]*app1/);
    const pdoc = JSON.parse(pending.stdout) as { changes: Array<Record<string, unknown>>; summary: Record<string, number> };
    expect(pdoc.changes[0]).toEqual({ host: 'app1', step: 'root', resource: `directory ${unc(s.target)}`, action: 'create', from: null, to: { exists: true } });
    expect(pdoc.changes.map((c) => c.action)).toEqual(['create', 'create', 'create', 'none']);
    expect(pdoc.summary).toMatchObject({ hosts: 1, create: 3, update: 0, unchanged: 1, errors: 0, unreachable: 0 });
    expect(existsSync(s.target)).toBe(false);

    const apply = await cli(s, ['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--skip-preflight', '--json']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.stderr).toMatch(/^run \d{8}-\d{6}-[0-9a-f]{6} \(log: /m);
    const adoc = JSON.parse(apply.stdout) as { hosts: Array<{ name: string; steps: Array<{ id: string; status: string; durationMs: number }> }>; summary: Record<string, number> };
    expect(adoc.hosts.map((h) => h.name)).toEqual(['app1']);
    expect(adoc.hosts[0]!.steps.map((x) => [x.id, x.status])).toEqual([['root', 'changed'], ['dir1', 'changed'], ['dir2', 'changed'], ['guard', 'ok']]);
    expect(adoc.hosts[0]!.steps.every((x) => typeof x.durationMs === 'number')).toBe(true);
    expect(adoc.summary).toMatchObject({ hosts: 1, ok: 1, changed: 3, failed: 0, unreachable: 0 });
    expect(existsSync(join(s.target, 'd1'))).toBe(true);
    expect(existsSync(join(s.target, 'd2'))).toBe(true);

    const again = await cli(s, ['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--skip-preflight', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { summary: Record<string, number> }).summary).toMatchObject({ ok: 4, changed: 0, failed: 0 });
    const clean = await cli(s, ['plan', '-i', 'inv.yaml', '-p', 'pb.yaml', '--detailed-exitcode']);
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/Plan: 0 to create, 0 to update, 4 unchanged/);

    // The apply runs are in the history.
    const runs = await cli(s, ['runs', 'list', '--json']);
    expect(runs.exitCode).toBe(0);
    expect((JSON.parse(runs.stdout) as { runs: Array<{ command: string }> }).runs.filter((r) => r.command === 'apply')).toHaveLength(2);
  }, 240_000);

  it('a saved plan is applied when nothing drifted, and refused (exit 3, naming host and step) when something did', async () => {
    const s = site();
    // apply --check is plan: it prints the plan and changes nothing.
    const check = await cli(s, ['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--check']);
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/Plan: 3 to create/);
    expect(existsSync(s.target)).toBe(false);
    const out = await cli(s, ['plan', '-i', 'inv.yaml', '-p', 'pb.yaml', '--out', 'plan.json']);
    expect(out.exitCode, out.stderr).toBe(0);
    expect(out.stderr).toContain('Plan saved to');
    // Someone creates one of the folders meanwhile: the plan no longer describes the host.
    mkdirSync(join(s.target, 'd1'), { recursive: true });
    const stale = await cli(s, ['apply', 'plan.json', '--skip-preflight']);
    expect(stale.exitCode).toBe(3);
    expect(stale.stderr).toMatch(/the plan plan\.json is stale; nothing was changed/);
    expect(stale.stderr).toMatch(/app1, step root: current state changed since the plan was made \(planned: create\)/);
    expect(existsSync(join(s.target, 'd2'))).toBe(false);

    const fresh = await cli(s, ['plan', '-i', 'inv.yaml', '-p', 'pb.yaml', '--out', 'plan.json']);
    expect(fresh.exitCode).toBe(0);
    const ok = await cli(s, ['apply', 'plan.json', '--skip-preflight']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(existsSync(join(s.target, 'd2'))).toBe(true);
  }, 240_000);

  it('another apply holding the lock: refused with exit 3, naming its pid, host and time; nothing changed', async () => {
    const s = site();
    const held = acquireLock({ root: s.dir, inventoryFile: resolve(s.inv), runId: '20261202-000000-abcdef', now: new Date('2026-12-02T05:00:00Z') });
    try {
      const r = await cli(s, ['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--skip-preflight']);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`another apply holds the lock on .*inv\\.yaml: .*, pid ${process.pid} on [^,]+, since 2026-12-02T05:00:00\\.000Z \\(run 20261202-000000-abcdef\\)`));
      expect(existsSync(s.target)).toBe(false);
    } finally {
      held.release();
    }
  }, 120_000);

  it('Ctrl-C: the running step finishes, exit 130; --resume does the rest without redoing finished steps', async () => {
    const s = site(12);
    const child = cli(s, ['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--skip-preflight']);
    let err = '';
    let sent = false;
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (!sent && /app1 dir1 changed/.test(err)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const first = await child;
    expect(sent).toBe(true);
    expect(first.exitCode, err).toBe(130);
    const done = [...err.matchAll(/^app1 (\S+) changed/gm)].map((m) => m[1]!);
    expect(done.slice(0, 2)).toEqual(['root', 'dir1']);
    expect(done.length).toBeLessThan(12); // root + dir1..dir11: not all of them

    const resumed = await cli(s, ['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--skip-preflight', '--resume', '--json']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/^resuming run \d{8}-\d{6}-[0-9a-f]{6}$/m);
    const redone = [...resumed.stderr.matchAll(/^app1 (\S+) (changed|ok)/gm)].map((m) => m[1]!);
    for (const id of done) expect(redone).not.toContain(id);
    expect([...done, ...redone.filter((x) => x !== 'guard')].sort()).toEqual(['root', ...Array.from({ length: 11 }, (_, k) => `dir${k + 1}`)].sort());
    for (let k = 1; k <= 11; k++) expect(existsSync(join(s.target, `d${k}`))).toBe(true);
    // Nothing left to resume now.
    const nothing = await cli(s, ['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--skip-preflight', '--resume']);
    expect(nothing.exitCode).toBe(3);
    expect(nothing.stderr).toMatch(/nothing to resume|no interrupted run/);
  }, 300_000);

  it('bad input exits 3 naming file:line and field; bad flags exit 3', async () => {
    const s = site();
    writeFileSync(join(s.dir, 'bad.yaml'), 'name: bad\nphases:\n  - name: base\n    targets: { roles: [app] }\n    steps:\n      - id: x\n        directory: { path: relative\\path }\n');
    const bad = await cli(s, ['plan', '-i', 'inv.yaml', '-p', 'bad.yaml']);
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toMatch(/bad\.yaml:7:\d+/);
    expect(bad.stderr).toMatch(/absolute Windows path/);
    const noPb = await cli(s, ['plan', '-i', 'inv.yaml']);
    expect(noPb.exitCode).toBe(3);
    expect(noPb.stderr).toMatch(/playbooks\/cortex\.yaml is not in the current folder/);
    const forks = await cli(s, ['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--forks', '0']);
    expect(forks.exitCode).toBe(3);
    const noInv = await cli(s, ['apply']);
    expect(noInv.exitCode).toBe(3);
    expect(noInv.stderr).toMatch(/needs an inventory/);
    const notPlan = await cli(s, ['apply', 'inv.yaml']);
    expect(notPlan.exitCode).toBe(3);
    expect(notPlan.stderr).toMatch(/inv\.yaml is not a saved plan/);
    writeFileSync(join(s.dir, 'file.yaml'), `name: f\nphases:\n  - name: base\n    targets: { roles: [app] }\n    steps:\n      - id: cfg\n        file: { path: '${unc(join(s.target, 'a.cfg'))}', source: files/a.cfg, sha256: '${'0'.repeat(64)}' }\n`);
    const missing = await cli(s, ['apply', '-i', 'inv.yaml', '-p', 'file.yaml', '--skip-preflight']);
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toMatch(/file\.yaml:6:\d+, host app1, step cfg, field file\.source: the file source .*files\/a\.cfg does not exist on this workstation/);
    expect(existsSync(join(s.dir, '.cortex', 'locks'))).toBe(false);
    const unknown = await cli(s, ['plan', '-i', 'inv.yaml', '-p', 'pb.yaml', '--bogus']);
    expect(unknown.exitCode).toBe(3);
    expect(readFileSync(s.pb, 'utf8')).toContain('local-site');
  }, 120_000);

  it('step secrets: an unset env: reference stops apply before any host is touched (exit 3, file:line, field); a set one never shows in output, journal or log', async () => {
    const s = site();
    writeFileSync(
      join(s.dir, 'task.yaml'),
      `name: task\nphases:\n  - name: base\n    targets: { roles: [app] }\n    steps:\n      - id: root\n        directory: { path: '${unc(s.target)}' }\n      - id: sf\n        scheduled_task: { name: sf, command: powershell.exe, runAs: { user: 'CORP\\sf', password: env:CX_CLI_SF_PW }, token: '1' }\n`,
    );
    const unset = await cli(s, ['apply', '-i', 'inv.yaml', '-p', 'task.yaml', '--skip-preflight']);
    expect(unset.exitCode).toBe(3);
    expect(unset.stderr).toMatch(/task\.yaml:8:\d+, host app1, field scheduled_task\.runAs\.password: .*CX_CLI_SF_PW/);
    expect(existsSync(s.target)).toBe(false);

    const secret = 'Cx-Cli-Secret-9f2!';
    const r = await execa(process.execPath, [CLI, 'apply', '-i', 'inv.yaml', '-p', 'task.yaml', '--skip-preflight', '--json', '-v'], {
      reject: false,
      cwd: s.dir,
      env: { PATH: `${dirname(PWSH_PATH)}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', CX_CLI_SF_PW: secret },
    });
    // The directory is made; the task's Test reads the registry, which pwsh on Linux lacks: that step fails.
    expect(r.exitCode).toBe(1);
    expect(existsSync(s.target)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(secret);
    const runs = join(s.dir, '.cortex', 'runs');
    const { readdirSync } = await import('node:fs');
    for (const id of readdirSync(runs)) for (const f of readdirSync(join(runs, id))) expect(readFileSync(join(runs, id, f), 'utf8'), `${id}/${f}`).not.toContain(secret);
  }, 120_000);

  it('the Erlang cookie: a value that is not 20-255 letters and digits stops plan and apply before any host (exit 3, file:line, step, reference; never the value)', async () => {
    const s = site();
    writeFileSync(
      join(s.dir, 'cookie.yaml'),
      `name: cookie\nphases:\n  - name: base\n    targets: { roles: [app] }\n    steps:\n      - id: root\n        directory: { path: '${unc(s.target)}' }\n      - id: erlang-cookie\n        erlang_cookie: { cookie: env:CX_CLI_ERLANG_COOKIE, paths: ['${unc(join(s.target, '.erlang.cookie'))}'] }\n`,
    );
    const bad = 'Short-Cookie!';
    for (const cmd of ['plan', 'apply']) {
      const r = await execa(process.execPath, [CLI, cmd, '-i', 'inv.yaml', '-p', 'cookie.yaml', '--skip-preflight'].filter((a) => cmd === 'apply' || a !== '--skip-preflight'), {
        reject: false,
        cwd: s.dir,
        env: { PATH: `${dirname(PWSH_PATH)}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', CX_CLI_ERLANG_COOKIE: bad },
      });
      expect(r.exitCode, `${cmd}: ${r.stderr}`).toBe(3);
      expect(r.stderr, cmd).toMatch(/cookie\.yaml:8:\d+, host app1, step erlang-cookie, field erlang_cookie\.cookie: the cookie holds characters other than ASCII letters and digits \(the value of env:CX_CLI_ERLANG_COOKIE\)\. An Erlang cookie is 20 to 255 ASCII letters and digits/);
      expect(r.stdout + r.stderr, cmd).not.toContain(bad);
      expect(existsSync(s.target), cmd).toBe(false);
    }
  }, 120_000);

  it('an unreachable host: plan reports it (exit 2; 1 with --detailed-exitcode), the other host is still planned', async () => {
    const s = site();
    // app2 is a WinRM host on this file's own loopback block, where nothing listens.
    writeFileSync(
      s.inv,
      `all:\n  vars: { transport: local }\n  children:\n    app:\n      hosts:\n        app1: { address: 127.0.0.1 }\n        app2: { address: ${net.addr(7)}, transport: winrm, winrm: { user: 'LAB\\\\x', password: env:CX_CLI_WINRM_PW, connectTimeoutMs: 2000 } }\n`,
    );
    const run = (args: string[]) => execa(process.execPath, [CLI, ...args], { reject: false, cwd: s.dir, env: { PATH: `${dirname(PWSH_PATH)}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', CX_CLI_WINRM_PW: 'not-used-pw' } });
    const plain = await run(['plan', '-i', 'inv.yaml', '-p', 'pb.yaml', '--json']);
    expect(plain.exitCode, plain.stderr).toBe(2);
    const doc = JSON.parse(plain.stdout) as { changes: Array<{ host: string }>; summary: Record<string, number>; problems: Array<{ host: string; kind: string; message: string }> };
    expect(new Set(doc.changes.map((c) => c.host))).toEqual(new Set(['app1']));
    expect(doc.problems).toEqual([{ host: 'app2', kind: 'unreachable', message: expect.stringMatching(/./) }]);
    expect(doc.summary).toMatchObject({ hosts: 2, unreachable: 1, create: 3 });
    const detailed = await run(['plan', '-i', 'inv.yaml', '-p', 'pb.yaml', '--detailed-exitcode']);
    expect(detailed.exitCode).toBe(1);
    expect(detailed.stdout).toMatch(/^! app2: unreachable: /m);
    const one = await run(['plan', '-i', 'inv.yaml', '-p', 'pb.yaml', '--limit', 'app1', '--detailed-exitcode']);
    expect(one.exitCode).toBe(2);
    expect(one.stdout).not.toContain('app2');
  }, 180_000);

  it('--resume refuses a run whose playbook has changed since it started (exit 3), before any host', async () => {
    const s = site();
    const inputs = { playbook: { file: s.pb, name: 'local-site', sha256: '0'.repeat(64) }, inventory: { file: s.inv, sha256: '0'.repeat(64) } };
    const w = JournalWriter.create(journalPath(s.dir, '20261202-010101-abcdef'), { type: 'journal-started', version: 1, runId: '20261202-010101-abcdef', ...inputs, startedAt: '2026-12-02T01:01:01.000Z', pid: 1, hostname: 'ws' });
    w.append({ type: 'run-started', playbook: 'local-site', hosts: ['app1'], at: '2026-12-02T01:01:01.000Z' });
    w.close();
    const r = await cli(s, ['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--skip-preflight', '--resume']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/field --resume: the playbook .*pb\.yaml changed since run 20261202-010101-abcdef started/);
    expect(existsSync(s.target)).toBe(false);
  }, 60_000);

  it('--help of plan and apply shows examples', async () => {
    const s = site();
    const plan = await cli(s, ['plan', '--help']);
    expect(plan.stdout).toContain('--detailed-exitcode');
    expect(plan.stdout).toContain('plan -i site.yaml --out plan.json');
    const apply = await cli(s, ['apply', '--help']);
    expect(apply.stdout).toContain('apply -i site.yaml --resume');
    expect(apply.stdout).toContain('--accept-warnings');
  }, 60_000);
});
