/** Preflight reports carry their metadata: inventory path, tool version, run id, start time, operator. */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempInventory } from '../helpers/site.js';
import { runPreflightCommand } from '../../src/cli/commands/preflight.js';
import { fakeConnect } from '../preflight/fake-hosts.js';
import { sink } from '../helpers/sink.js';

const version = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;
const { dir: root, inventory } = tempInventory(
  'cortex-report-meta-',
  `all:
  vars:
    winrm: { user: 'CORP\\svc', password: env:NOT_USED_BY_FAKES }
  children:
    app: { hosts: { app1: { address: 10.0.0.21 }, app2: { address: 10.0.0.22 } } }
`,
);

describe('preflight report metadata', () => {
  it('--json, --report-json and --report-html carry the same meta; hosts and summary are unchanged', async () => {
    const stdout = sink();
    const stderr = sink();
    const before = new Date().toISOString();
    const code = await runPreflightCommand(
      { inventory, forks: 5, json: true, timeout: 5, failOn: 'warn', reportJson: join(root, 'r.json'), reportHtml: join(root, 'r.html') },
      { stdout, stderr, color: false, root, commandLine: ['preflight'], connect: fakeConnect({ app2: { patch: { cpu: { cores: 2, logicalProcessors: 2 } } } }).connect },
    );
    expect(code).toBe(1);
    const runId = /^run (\S+) /m.exec(stderr.text())![1]!;
    const doc = JSON.parse(stdout.text()) as Record<string, unknown> & { meta: Record<string, string>; hosts: Array<Record<string, unknown>> };
    expect(Object.keys(doc)).toEqual(['hosts', 'summary', 'meta']);
    expect(Object.keys(doc.hosts[0]!)).toEqual(['name', 'address', 'roles', 'reachable', 'checks']);
    expect(doc.meta).toEqual({ inventory, toolVersion: version, runId, startedAt: expect.any(String), operator: userInfo().username, failOn: 'warn' });
    expect(String(doc.meta.startedAt) >= before).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'r.json'), 'utf8'))).toEqual(doc);

    const html = readFileSync(join(root, 'r.html'), 'utf8');
    const table = /<table id="run-meta"[^>]*>(.*?)<\/table>/.exec(html)?.[1] ?? '';
    for (const v of [inventory, runId, String(doc.meta.startedAt), userInfo().username, `cortex-deploy ${version}`, '--fail-on warn']) expect(table).toContain(v);
  });
});
