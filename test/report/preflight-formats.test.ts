/** --json (design.md shape, exactly) and --report-junit (one testcase per host × check). */
import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { toPreflightJson } from '../../src/report/preflight-json.js';
import { renderPreflightJunit } from '../../src/report/preflight-junit.js';
import { registerSecret, clearSecretsForTests } from '../../src/secrets/registry.js';
import { sampleReport } from './sample-report.js';

describe('preflight JSON', () => {
  it('has exactly the design.md shape', async () => {
    const json = toPreflightJson(await sampleReport());
    expect(Object.keys(json)).toEqual(['hosts', 'summary']);
    for (const h of json.hosts) {
      expect(Object.keys(h)).toEqual(['name', 'address', 'roles', 'reachable', 'checks']);
      for (const c of h.checks) {
        expect(Object.keys(c)).toEqual(['id', 'status', 'expected', 'actual', 'message']);
        expect(['pass', 'warn', 'fail', 'error']).toContain(c.status);
      }
    }
    expect(json.hosts.find((h) => h.name === 'lb1')).toMatchObject({ reachable: false, checks: [{ id: 'host.reachable', status: 'error' }] });
    expect(json.summary).toMatchObject({ hosts: 9, unreachable: 1, failed: 1, warned: 2, exitCode: 2 });
  });
});

describe('preflight JUnit', () => {
  it('one testsuite per host, one testcase per host × check, failures carry the remediation', async () => {
    const report = await sampleReport();
    const xml = renderPreflightJunit(report);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      testsuites: { tests: string; failures: string; testsuite: Array<{ name: string; testcase: Array<{ name: string; failure?: { message: string; '#text': string }; error?: unknown; 'system-out'?: string }> | { name: string } }> };
    };
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s) => s.name)).toEqual(report.hosts.map((o) => o.host.name));
    const total = report.hosts.reduce((n, o) => n + o.findings.length, 0);
    expect(Number(doc.testsuites.tests)).toBe(total);
    const cases = suites.flatMap((s) => (Array.isArray(s.testcase) ? s.testcase : [s.testcase]));
    expect(cases).toHaveLength(total);
    const dotnet = suites.find((s) => s.name === 'app3')?.testcase as Array<{ name: string; failure?: { message: string; '#text': string } }>;
    const failure = dotnet.find((c) => c.name === 'dotnet.version')?.failure;
    expect(failure?.message).toContain('Fix: Install .NET Framework 4.8');
    expect(failure?.['#text']).toContain('remediation: Install .NET Framework 4.8');
    const web2 = suites.find((s) => s.name === 'web2')?.testcase as Array<{ name: string; 'system-out'?: string }>;
    expect(web2.find((c) => c.name === 'cpu.cores')?.['system-out']).toMatch(/^WARN: /);
    expect(xml).toContain('<error type="error"');
  });

  it('redacts registered secrets from every report', async () => {
    const report = await sampleReport();
    const lb = report.hosts.find((o) => o.host.name === 'lb1')!;
    lb.findings[0]!.message = 'login as CORP\\svc with S3cret-Value failed';
    registerSecret('S3cret-Value');
    try {
      expect(renderPreflightJunit(report)).not.toContain('S3cret-Value');
      expect(JSON.stringify(toPreflightJson(report))).not.toContain('S3cret-Value');
    } finally {
      clearSecretsForTests();
    }
  });
});
