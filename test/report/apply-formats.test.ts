/**
 * apply's document reporters fed run events: --json (validated by its zod schema, and equal to what
 * the executor's result says), JUnit (a testsuite per host, a testcase per step), HTML (self-contained,
 * escaped), and secrets masked even when they hold markup characters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { apply, applyDocument } from '../../src/engine/apply/executor.js';
import type { RunEvent } from '../../src/engine/apply/events.js';
import { ApplyJsonSchema, applyJsonReporter } from '../../src/report/apply-json.js';
import { applyJunitReporter, renderApplyJunit } from '../../src/report/apply-junit.js';
import { DocumentReporter } from '../../src/report/document-reporter.js';
import { APPLY_SCHEME } from '../../src/report/status-scheme.js';
import { applyHtmlReporter } from '../../src/report/apply-html.js';
import { allReporters } from '../../src/report/run-reporter.js';
import type { PlaybookRunMeta } from '../../src/report/meta.js';
import { clearSecretsForTests, registerSecret } from '../../src/secrets/registry.js';
import { FakeWorld } from '../engine/fake-agent.js';
import { loadSite } from '../engine/support.js';
import { SAMPLE_END, sampleRun } from './run-events.js';

const META: PlaybookRunMeta = { inventory: '/srv/site.yaml', playbook: '/srv/playbooks/cortex.yaml', toolVersion: '0.1.0', runId: '20261202-065000-ab12', startedAt: '2026-12-02T06:50:00.000Z', operator: 'svc-deploy' };

function collector() {
  let text = '';
  return { write: (s: string) => ((text += s), true), text: () => text };
}

function renderAll(events: Array<[number, RunEvent]>, end: Parameters<ReturnType<typeof applyJsonReporter>['finish']>[0], meta?: PlaybookRunMeta) {
  const json = collector();
  const junit = collector();
  const html = collector();
  const r = allReporters(applyJsonReporter(json, meta), applyJunitReporter(junit), applyHtmlReporter(html, meta));
  for (const [, e] of events) r.onEvent(e);
  r.finish(end);
  return { json: JSON.parse(json.text()) as unknown, junit: junit.text(), html: html.text() };
}

type Case = { name: string; time: string; failure?: { message: string; '#text': string }; skipped?: { message: string }; error?: { message: string }; 'system-out'?: string };
type Suite = { name: string; tests: string; failures: string; errors: string; skipped: string; testcase: Case | Case[] };
const parseJunit = (xml: string) => (new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, isArray: (name) => name === 'testsuite' }).parse(xml) as { testsuites: { tests: string; failures: string; errors: string; skipped: string; testsuite: Suite[] } }).testsuites;
const casesOf = (s: Suite) => (Array.isArray(s.testcase) ? s.testcase : [s.testcase]);

afterEach(() => clearSecretsForTests());

describe('apply JSON', () => {
  it('matches its schema and the design shape; summary counts steps; meta when given', () => {
    const { json } = renderAll(sampleRun(), SAMPLE_END, META);
    const doc = ApplyJsonSchema.strict().parse(json);
    expect(doc.hosts.map((h) => [h.name, h.status, h.steps.map((s) => `${s.id}:${s.status}`)])).toEqual([
      ['app1', 'changed', ['dir:changed', 'erlang:changed', 'rabbitmq:ok', 'ldap:skipped']],
      ['app2', 'failed', ['dir:ok', 'erlang:failed']],
      ['db1', 'unreachable', []],
    ]);
    expect(doc.hosts[1]!.steps[1]).toEqual({ id: 'erlang', phase: 'prepare', status: 'failed', durationMs: 3000, message: 'installer exited 1603\x1b[2J (see C:\\Windows\\Temp\\erlang.log)' });
    expect(doc.summary).toEqual({ hosts: 3, ok: 2, changed: 2, failed: 1, skipped: 1, unreachable: 1 });
    expect(doc).toMatchObject({ outcome: 'failed', exitCode: 2, meta: META });
    expect(Object.keys(json as object)).toEqual(['hosts', 'summary', 'outcome', 'exitCode', 'meta']);
  });

  it('agrees with the executor: the same steps, statuses, durations, messages and summary as applyDocument', async () => {
    const { inv, pb } = await loadSite('site.yaml');
    const world = new FakeWorld(pb, 'fresh', inv.groups);
    world.on('app2', 'erlang', { failTimes: Infinity });
    const events: Array<[number, RunEvent]> = [];
    const result = await apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 4, sleep: async () => undefined, onEvent: (e) => events.push([0, e]) });
    const doc = ApplyJsonSchema.parse(renderAll(events, result).json);
    const expected = applyDocument(result);
    expect(doc.summary).toEqual(expected.summary);
    expect(doc.hosts.map((h) => ({ name: h.name, steps: h.steps.map(({ id, status, durationMs, message }) => ({ id, status, durationMs, message })) }))).toEqual(expected.hosts);
    expect(doc.hosts.find((h) => h.name === 'app2')?.status).toBe('failed');
  });

  it('steps an interrupted run finished are listed, marked resumed, and not counted again', () => {
    const end = { ...SAMPLE_END, hosts: [{ name: 'app1', steps: [{ id: 'base', status: 'changed' as const, resumed: true }] }] };
    const doc = ApplyJsonSchema.parse(renderAll(sampleRun(), end).json);
    expect(doc.hosts[0]!.steps[0]).toEqual({ id: 'base', status: 'changed', durationMs: 0, resumed: true });
    expect(doc.summary.changed).toBe(2);
  });
});

describe('apply JUnit', () => {
  it('a testsuite per host, a testcase per step: failures with the message, skips, changes in system-out, unreachable as an error', () => {
    const { junit } = renderAll(sampleRun(), SAMPLE_END);
    expect(XMLValidator.validate(junit)).toBe(true);
    const doc = parseJunit(junit);
    expect(doc).toMatchObject({ tests: '7', failures: '1', errors: '1', skipped: '1' });
    expect(doc.testsuite.map((s) => [s.name, s.tests, s.failures, s.errors, s.skipped])).toEqual([
      ['app1', '4', '0', '0', '1'],
      ['app2', '2', '1', '0', '0'],
      ['db1', '1', '0', '1', '0'],
    ]);
    const app1 = casesOf(doc.testsuite[0]!);
    expect(app1.map((c) => c.name)).toEqual(['prepare/dir', 'prepare/erlang', 'install/rabbitmq', 'install/ldap']);
    expect(app1[0]).toMatchObject({ time: '0.500', 'system-out': 'changed: create: path=C:\\Cortex' });
    expect(app1[3]!.skipped).toEqual({ message: 'when: ldap.enabled' });
    const failure = casesOf(doc.testsuite[1]!)[1]!.failure!;
    // The host's escape character is dropped (XML 1.0 forbids it); the rest of the message stays.
    expect(failure.message).toBe('installer exited 1603[2J (see C:\\Windows\\Temp\\erlang.log)');
    expect(failure['#text']).toContain('attempts: 3');
    expect(casesOf(doc.testsuite[2]!)[0]).toMatchObject({ name: 'host.reachable', error: { message: 'cannot connect to 127.0.0.9:5985 (ECONNREFUSED)' } });
  });
});

describe('apply documents, snapshot', () => {
  it('the sample run as JUnit and JSON, byte for byte (a pinned clock)', async () => {
    let t = 0;
    const xml = collector();
    const r = new DocumentReporter(APPLY_SCHEME, renderApplyJunit, xml, () => t);
    for (const [at, e] of sampleRun()) {
      t = at;
      r.onEvent(e);
    }
    r.finish(SAMPLE_END);
    await expect(xml.text()).toMatchFileSnapshot('__snapshots__/apply-sample.junit.xml');
    await expect(`${JSON.stringify(renderAll(sampleRun(), SAMPLE_END, META).json, null, 2)}\n`).toMatchFileSnapshot('__snapshots__/apply-sample.json');
  });
});

describe('apply HTML', () => {
  it('self-contained: the outcome, the recap and every step per host, with the metadata', () => {
    const { html } = renderAll(sampleRun(), { ...SAMPLE_END, reason: 'max_fail_percentage 0% exceeded in phase prepare' }, META);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src=|url\(/i);
    expect(html).toContain('Failed (exit code 2)');
    expect(html).toContain('<p class="msg" id="reason">max_fail_percentage 0% exceeded in phase prepare</p>');
    const recap = /<section id="recap">(.*?)<\/section>/.exec(html)![1]!;
    expect(recap).toContain('<tr><th>app2</th><td class="failed">failed</td><td class="n">1</td><td class="n">0</td><td class="n failed">1</td>');
    const meta = /<table id="run-meta"[^>]*>(.*?)<\/table>/.exec(html)![1]!;
    for (const v of [META.inventory, META.playbook, META.runId, META.operator, 'cortex-deploy 0.1.0']) expect(meta).toContain(v);
    expect(html).toContain('<td class="msg">create: path=C:\\Cortex</td>');
    // The host's escape character is shown, not passed to the page.
    expect(html).toContain('installer exited 1603\\x1b[2J');
    expect(html).not.toContain('\x1b');
  });

  it('escapes what hosts supply, and masks secrets even when they contain markup characters', () => {
    registerSecret('p<a&s>"s');
    const events: Array<[number, RunEvent]> = [
      [0, { type: 'host-started', host: 'app1' }],
      [0, { type: 'step-finished', host: 'app1', step: 'svc', phase: 'p', status: 'failed', durationMs: 5, attempts: 1, message: '<img src=x onerror=alert(1)> login p<a&s>"s refused ]]> <!--' }],
      [0, { type: 'host-finished', host: 'app1', status: 'failed', message: 'password p<a&s>"s' }],
    ];
    const { html, junit, json } = renderAll(events, { outcome: 'failed', exitCode: 1, reason: 'app1: p<a&s>"s' });
    for (const text of [html, junit, JSON.stringify(json)]) {
      expect(text).not.toContain('p<a&s>"s');
      expect(text).not.toContain('p&lt;a&amp;s&gt;&quot;s');
      expect(text).toContain('***');
    }
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(XMLValidator.validate(junit)).toBe(true);
    expect(casesOf(parseJunit(junit).testsuite[0]!)[0]!.failure!.message).toContain('<img src=x onerror=alert(1)>');
  });
});
