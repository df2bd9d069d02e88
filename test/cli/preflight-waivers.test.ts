/** `preflight` with waivers in the inventory: the verdict, and each report showing waived findings as waived. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempInventory } from '../helpers/site.js';
import { XMLParser } from 'fast-xml-parser';
import { runPreflightCommand, type PreflightArgs } from '../../src/cli/commands/preflight.js';
import { fakeConnect, type FakeBehaviour } from '../preflight/fake-hosts.js';
import { sink } from '../helpers/sink.js';

const { dir, inventory } = tempInventory(
  'cortex-waivers-',
  `all:
  vars:
    winrm: { user: 'CORP\\svc', password: env:NOT_USED_BY_FAKES }
  children:
    web:
      vars:
        waivers:
          - { check: dotnet.version, hosts: web1, reason: "Upgrade to 4.8 booked, CHG-7", expires: "2999-12-31" }
          - { check: cpu.cores, reason: "2 cores accepted for the pilot" }
          - { check: ram.size, reason: "Long gone", expires: "2020-01-01" }
      hosts: { web1: { address: 10.0.0.11 }, web2: { address: 10.0.0.12 } }
`,
);

// web1: .NET too old (a fail); web2: 2 cores (a warn) and 2 GB RAM (a fail, its waiver expired).
const behaviour: Record<string, FakeBehaviour> = {
  web1: { patch: { dotnetRelease: 460805 } },
  web2: { patch: { cpu: { cores: 2, logicalProcessors: 2 } } },
};

async function run(extra: Partial<PreflightArgs>, b = behaviour) {
  const stdout = sink();
  const code = await runPreflightCommand({ inventory, forks: 5, json: false, timeout: 5, ...extra }, { stdout, stderr: sink(), color: false, runDir: null, connect: fakeConnect(b).connect });
  return { code, out: stdout.text() };
}

interface Check {
  id: string;
  status: string;
  waived?: { reason: string; expires: string | null; source: string };
}

describe('preflight with waivers', () => {
  it('a waived fail and a waived warn pass the run (exit 0), even with --fail-on warn; JSON keeps the status and adds waived', async () => {
    const { code, out } = await run({ json: true, failOn: 'warn' });
    expect(code).toBe(0);
    const doc = JSON.parse(out) as { hosts: Array<{ name: string; checks: Check[] }>; summary: { exitCode: number; checks: Record<string, number>; failed: number; warned: number } };
    const web1 = doc.hosts.find((h) => h.name === 'web1')!.checks.find((c) => c.id === 'dotnet.version')!;
    expect(web1).toMatchObject({ status: 'fail', waived: { reason: 'Upgrade to 4.8 booked, CHG-7', expires: '2999-12-31' } });
    expect(web1.waived!.source).toBe(`${inventory}:8:13`);
    const cores = doc.hosts.find((h) => h.name === 'web2')!.checks.find((c) => c.id === 'cpu.cores')!;
    expect(cores).toMatchObject({ status: 'warn', waived: { reason: '2 cores accepted for the pilot', expires: null } });
    // hosts: web1 narrows: web2's .NET passes anyway, and is not marked.
    expect(doc.hosts.find((h) => h.name === 'web2')!.checks.find((c) => c.id === 'dotnet.version')).toEqual(expect.not.objectContaining({ waived: expect.anything() }));
    expect(doc.summary).toMatchObject({ failed: 0, warned: 0, exitCode: 0 });
    expect(doc.summary.checks.waived).toBe(2);
  });

  it('an expired waiver no longer applies: the finding fails the run and the reports say the waiver expired', async () => {
    const junit = join(dir, 'expired.xml');
    const { code, out } = await run({ reportJunit: junit }, { ...behaviour, web2: { patch: { cpu: { cores: 2, logicalProcessors: 2 }, memory: { totalPhysicalBytes: 2 * 1024 ** 3 } } } });
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL web2 ram\.size:/);
    expect(out).toMatch(/waiver expired: Long gone \(until 2020-01-01;\s+\S*site\.yaml:10:13\)/);
    expect(readFileSync(junit, 'utf8')).toMatch(/<failure [^>]*>[^<]*waiver expired: Long gone/);
  });

  it('console, JUnit and HTML show waived findings as waived, with the reason', async () => {
    const junit = join(dir, 'w.xml');
    const html = join(dir, 'w.html');
    const { code, out } = await run({ reportJunit: junit, reportHtml: html });
    expect(code).toBe(0);
    expect(out).toMatch(/^dotnet +waiv +ok/m);
    expect(out).toMatch(/^WAIV web1 dotnet\.version: /m);
    expect(out).toMatch(/waived \(fail\): Upgrade to 4\.8 booked, CHG-7 \(until 2999-12-31;\s+\S*site\.yaml:8:13\)/);
    expect(out).toMatch(/, 2 waived;/);
    expect(out).not.toMatch(/fix: Install \.NET/);

    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(junit, 'utf8')) as {
      testsuites: { failures: string; skipped: string; testsuite: Array<{ name: string; skipped: string; testcase: Array<{ name: string; skipped?: { message: string }; failure?: unknown }> }> };
    };
    expect(xml.testsuites).toMatchObject({ failures: '0', skipped: '2' });
    const dotnet = xml.testsuites.testsuite.find((s) => s.name === 'web1')!.testcase.find((c) => c.name === 'dotnet.version')!;
    expect(dotnet.failure).toBeUndefined();
    expect(dotnet.skipped?.message).toBe('waived (fail): Upgrade to 4.8 booked, CHG-7 (until 2999-12-31; ' + `${inventory}:8:13)`);

    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<td class="waived"');
    expect(page).toMatch(/<span class="tag">WAIVED \(fail\)<\/span> <b>web1<\/b> <code>dotnet\.version<\/code>/);
    expect(page).toContain('<b>Waived:</b> Upgrade to 4.8 booked, CHG-7');
    expect(page).toMatch(/<b>2<\/b>checks waived/);
  });
});
