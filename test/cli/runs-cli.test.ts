/**
 * Run history: preflight and exec print their run id and leave a run record; `runs list` and
 * `runs show` read it (and apply journals), with secrets redacted in the stored command line and script.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempInventory } from '../helpers/site.js';
import { runPreflightCommand } from '../../src/cli/commands/preflight.js';
import { runExecCommand } from '../../src/cli/commands/exec.js';
import { renderRunList, renderRunShow, runRunsList, runRunsShow } from '../../src/cli/commands/runs.js';
import { listRuns, showRun } from '../../src/runs/history.js';
import { JournalWriter, journalPath } from '../../src/engine/run/journal.js';
import { InputError } from '../../src/errors.js';
import type { HostConfig } from '../../src/inventory/types.js';
import { createMinimalExecutor, createPowerShellDispatcher } from '../../src/lab/powershell/index.js';
import { FakeSession } from '../fakes/fake-session.js';
import { fakeConnect } from '../preflight/fake-hosts.js';
import { sink } from '../helpers/sink.js';
import { runCli } from '../helpers/cli.js';

const SECRET = 'Runs-Test-Pw!42';
process.env.CORTEX_RUNS_TEST_PW = SECRET;
afterAll(() => {
  delete process.env.CORTEX_RUNS_TEST_PW;
});

const { dir: root, inventory } = tempInventory(
  'cortex-runs-',
  `all:
  vars:
    winrm: { user: 'CORP\\svc', password: env:CORTEX_RUNS_TEST_PW }
  children:
    app: { hosts: { app1: { address: 10.0.0.21 }, app2: { address: 10.0.0.22 } } }
`,
);

const dispatcher = createPowerShellDispatcher(createMinimalExecutor());
const execConnect = async (h: HostConfig) => new FakeSession({ name: h.name, address: h.address }, dispatcher);

describe('run history', () => {
  let preflightId = '';
  let execId = '';

  it('preflight prints its run id once on stderr and records the run', async () => {
    const stderr = sink();
    const code = await runPreflightCommand(
      { inventory, forks: 5, json: false, timeout: 5 },
      { stdout: sink(), stderr, color: false, root, commandLine: ['preflight', '-i', inventory], connect: fakeConnect({ app2: { patch: { dotnetRelease: 1 } } }).connect },
    );
    expect(code).toBe(1);
    const ids = [...stderr.text().matchAll(/^run (\d{8}-\d{6}-[0-9a-f]{6}) \(log: (.+)\)$/gm)];
    expect(ids).toHaveLength(1);
    preflightId = ids[0]![1]!;
    expect(ids[0]![2]).toBe(join(root, '.cortex', 'runs', preflightId));
    expect(existsSync(join(root, '.cortex', 'runs', preflightId, 'log.jsonl'))).toBe(true);
    const run = showRun(root, preflightId);
    expect(run).toMatchObject({ command: 'preflight', status: 'finished', exitCode: 1, inventory, hosts: ['app1', 'app2'], commandLine: ['preflight', '-i', inventory] });
    expect(run.operator).not.toBe('');
    expect(run.toolVersion).toMatch(/^\d+\.\d+\.\d+/);
    const app2 = run.results?.find((r) => r.host === 'app2');
    expect(app2?.status).toBe('fail');
    expect(app2?.details.map((d) => d.id)).toContain('dotnet.version');
    expect(run.results?.find((r) => r.host === 'app1')?.details.every((d) => d.status !== 'pass')).toBe(true);
  });

  it('exec records the command it ran, with secrets redacted in the script and the command line', async () => {
    const stderr = sink();
    const script = `Write-Output 'pw=${SECRET}'`;
    const code = await runExecCommand(
      { inventory, forks: 2, oneshot: false, timeout: 30, json: false, script: [script], limit: 'app1' },
      { stdout: sink(), stderr, color: false, root, commandLine: ['exec', '-i', inventory, '--limit', 'app1', '--', script], connect: execConnect },
    );
    expect(code).toBe(0);
    execId = /^run (\S+) /m.exec(stderr.text())![1]!;
    const dir = join(root, '.cortex', 'runs', execId);
    const stored = readFileSync(join(dir, 'run.json'), 'utf8') + readFileSync(join(dir, 'log.jsonl'), 'utf8');
    expect(stored).not.toContain(SECRET);
    const run = showRun(root, execId);
    expect(run.script).toMatch(/^Write-Output 'pw=\S+'$/);
    expect(run.script).not.toContain(SECRET);
    expect(run.commandLine.slice(0, 5)).toEqual(['exec', '-i', inventory, '--limit', 'app1']);
    expect(run.results).toEqual([{ host: 'app1', status: 'ok', details: [{ id: 'exit', status: '0', message: '' }] }]);
    expect(readFileSync(join(dir, 'log.jsonl'), 'utf8')).toMatch(/"script":"Write-Output 'pw=/);
  });

  it('runs list: newest first, text and --json; apply journals are listed with their steps', () => {
    const applyId = '20200101-000000-abcdef';
    const w = JournalWriter.create(journalPath(root, applyId), {
      type: 'journal-started', version: 1, runId: applyId, playbook: { file: 'install.yaml', name: 'install', sha256: 'x' }, inventory: { file: inventory, sha256: 'y' }, startedAt: '2020-01-01T00:00:00.000Z', pid: 1, hostname: 'ops',
    });
    w.append({ type: 'run-started', playbook: 'install', hosts: ['app1'], at: '2020-01-01T00:00:00.000Z' });
    w.append({ type: 'step-finished', host: 'app1', step: 'dotnet', phase: 'prereqs', status: 'changed', durationMs: 5, attempts: 1 });
    w.append({ type: 'host-finished', host: 'app1', status: 'ok' } as never);
    w.append({ type: 'run-finished', outcome: 'ok' });
    w.close();

    const runs = listRuns(root);
    expect(runs.map((r) => r.runId)).toEqual([execId, preflightId, applyId].sort().reverse());
    const apply = runs.find((r) => r.runId === applyId)!;
    expect(apply).toMatchObject({ command: 'apply', status: 'finished', hosts: ['app1'] });
    expect(apply.results?.[0]?.details).toEqual([{ id: 'dotnet', status: 'changed', message: '' }]);

    const text = renderRunList(runs, false);
    expect(text.split('\n')[0]).toMatch(/^RUN\s+COMMAND\s+STARTED \(UTC\)\s+HOSTS\s+RESULT\s+INVENTORY$/);
    expect(text).toMatch(new RegExp(`^${preflightId}\\s+preflight\\s+\\S+ \\S+\\s+2 hosts\\s+exit 1\\s+`, 'm'));
    const out = sink();
    expect(runRunsList({ json: true }, { stdout: out, color: false, root })).toBe(0);
    expect((JSON.parse(out.text()) as { runs: Array<{ runId: string }> }).runs.map((r) => r.runId)).toContain(execId);
  });

  it('runs show: text and --json, by id or unique prefix; unknown and ambiguous ids are input errors', () => {
    const text = renderRunShow(showRun(root, preflightId), false);
    expect(text).toContain(`command   cortex-deploy preflight -i ${inventory}`);
    expect(text).toMatch(/^app2 {2}fail$/m);
    expect(text).toMatch(/^ {2}fail +dotnet\.version {2}/m);
    const out = sink();
    expect(runRunsShow({ run: execId, json: true }, { stdout: out, color: false, root })).toBe(0);
    expect(JSON.parse(out.text())).toMatchObject({ runId: execId, command: 'exec' });
    expect(out.text()).not.toContain(SECRET);
    expect(showRun(root, execId.slice(0, -1)).runId).toBe(execId);
    expect(() => showRun(root, '20991231-000000-000000')).toThrow(InputError);
    expect(() => showRun(root, '../../etc')).toThrow(/no run \.\.\/\.\.\/etc/);
    expect(() => showRun(root, '20')).toThrow(/names 3 runs|no run 20/);
  });

  it('a folder without a record is listed as unreadable, not fatal', () => {
    const r2 = mkdtempSync(join(tmpdir(), 'cortex-runs-bad-'));
    const dir = join(r2, '.cortex', 'runs', '20260101-000000-000001');
    JournalWriter.create(join(dir, 'other.jsonl'), { type: 'journal-started', version: 1, runId: 'x', playbook: { file: '', name: '', sha256: '' }, inventory: { file: '', sha256: '' }, startedAt: '', pid: 1, hostname: '' }).close();
    writeFileSync(join(r2, '.cortex', 'runs', 'notes.txt'), 'x');
    const runs = listRuns(r2);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.problem).toMatch(/no run\.json or journal\.jsonl/);
    const out = sink();
    expect(runRunsShow({ run: '20260101-000000-000001', json: false }, { stdout: out, color: false, root: r2 })).toBe(1);
    expect(out.text()).toContain('unreadable');
    expect(listRuns(join(r2, 'nothing-here'))).toEqual([]);
  });

  it('the built CLI: runs list and runs show read .cortex/runs of the current folder', async () => {
    const cortex = (cwd: string, args: string[]) => runCli(args, { cwd, timeoutMs: 30_000 });
    const list = await cortex(root, ['runs', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(preflightId);
    const shown = await cortex(root, ['runs', 'show', execId, '--json']);
    expect(shown.code).toBe(0);
    expect((JSON.parse(shown.stdout) as { runId: string }).runId).toBe(execId);
    const empty = mkdtempSync(join(tmpdir(), 'cortex-runs-empty-'));
    expect((await cortex(empty, ['runs', 'list'])).stdout).toMatch(/^No runs recorded here/);
    expect(JSON.parse((await cortex(empty, ['runs', 'list', '--json'])).stdout)).toEqual({ runs: [] });
    const missing = await cortex(empty, ['runs', 'show', '20991231-000000-000000']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no run 20991231-000000-000000 under .*runs list/);
  });
});
