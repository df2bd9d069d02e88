/** `preflight --fail-on`: warnings pass by default (exit 0) and fail the run with --fail-on warn (exit 1). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempInventory } from '../helpers/site.js';
import { runPreflightCommand, type PreflightArgs } from '../../src/cli/commands/preflight.js';
import { InputError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/preflight/outcome.js';
import { fakeConnect, type FakeBehaviour } from '../preflight/fake-hosts.js';
import { sink } from '../helpers/sink.js';

const { dir, inventory } = tempInventory(
  'cortex-fail-on-',
  `all:
  vars:
    winrm: { user: 'CORP\\svc', password: env:NOT_USED_BY_FAKES }
  children:
    web: { hosts: { web1: { address: 10.0.0.11 }, web2: { address: 10.0.0.12 } } }
`,
);

const twoCores: Record<string, FakeBehaviour> = { web2: { patch: { cpu: { cores: 2, logicalProcessors: 2 } } } };

async function run(extra: Partial<PreflightArgs>, behaviour: Record<string, FakeBehaviour> = twoCores) {
  const stdout = sink();
  const code = await runPreflightCommand({ inventory, forks: 5, json: true, timeout: 5, ...extra }, { stdout, stderr: sink(), color: false, runDir: null, connect: fakeConnect(behaviour).connect });
  return { code, doc: JSON.parse(stdout.text()) as { summary: { exitCode: number; warned: number; failed: number } } };
}

describe('preflight --fail-on', () => {
  it('default (fail): a warning alone passes, exit 0', async () => {
    const r = await run({});
    expect(r.doc.summary).toMatchObject({ warned: 1, failed: 0, exitCode: 0 });
    expect(r.code).toBe(0);
    expect((await run({ failOn: 'fail' })).code).toBe(0);
  });

  it('warn: the same warning fails the run (exit 1), in the JSON and the HTML verdict too', async () => {
    const html = join(dir, 'strict.html');
    const r = await run({ failOn: 'warn', reportHtml: html });
    expect(r.code).toBe(1);
    expect(r.doc.summary).toMatchObject({ warned: 1, failed: 0, exitCode: 1 });
    expect(readFileSync(html, 'utf8')).toContain('Not ready: warnings fail this run (--fail-on warn) (exit code 1)');
  });

  it('warn with every check passing still exits 0; an unreachable host still exits 2', async () => {
    expect((await run({ failOn: 'warn' }, {})).code).toBe(0);
    expect((await run({ failOn: 'warn' }, { ...twoCores, web1: { connectError: 'unreachable' } })).code).toBe(2);
  });

  it('an unknown level is invalid input naming the flag', async () => {
    const err = await run({ failOn: 'error' as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(String(err)).toMatch(/--fail-on error is not a level.*fail, warn/);
  });

  it('exitCodeOf: the pure decision', () => {
    const host = { name: 'h', address: 'a', roles: [], installPath: null };
    const warned = [{ host, reachable: true, findings: [{ id: 'cpu.cores', status: 'warn' as const, expected: '', actual: '', message: '' }], durationMs: 1 }];
    expect(exitCodeOf(warned as never)).toBe(0);
    expect(exitCodeOf(warned as never, 'warn')).toBe(1);
  });
});
