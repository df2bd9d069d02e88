/**
 * apply's --report-html and plan's, rendered in Debian's headless Chromium: no console errors, no
 * network requests, the verdict and the recap visible; screenshots kept under test-results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { DocumentReporter } from '../../src/report/document-reporter.js';
import { renderApplyHtml } from '../../src/report/apply-html.js';
import { renderPlanHtml } from '../../src/report/plan-reports.js';
import { buildPlan } from '../../src/engine/plan/plan.js';
import { APPLY_SCHEME } from '../../src/report/status-scheme.js';
import { loadSite, readingsFor } from '../engine/support.js';
import { SAMPLE_END, sampleRun } from './run-events.js';

const results = resolve(import.meta.dirname, '../../test-results');

async function open(name: string, html: string, check: (page: import('playwright-core').Page) => Promise<void>) {
  mkdirSync(results, { recursive: true });
  const file = resolve(results, `${name}.html`);
  writeFileSync(file, html);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(`file://${file}`);
    await check(page);
    await page.screenshot({ path: resolve(results, `${name}.png`), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  } finally {
    await browser.close();
  }
}

describe('run HTML reports in a browser', () => {
  it('apply: the verdict, the reason, the recap and the steps of every host', async () => {
    let t = 0;
    let html = '';
    const r = new DocumentReporter(APPLY_SCHEME, (tally, end: typeof SAMPLE_END & { reason: string }) => renderApplyHtml(tally, end), { write: (s: string) => (html = s) }, () => t);
    for (const [at, e] of sampleRun()) {
      t = at;
      r.onEvent(e);
    }
    r.finish({ ...SAMPLE_END, reason: 'max_fail_percentage 0% exceeded in phase prepare: 1 of 2 hosts failed (app2: step erlang: installer exited 1603)' });
    await open('apply-report', html, async (page) => {
      expect(await page.locator('#summary .verdict').innerText()).toBe('Failed (exit code 2)');
      expect(await page.locator('#reason').innerText()).toContain('max_fail_percentage');
      expect(await page.locator('#recap tbody tr').count()).toBe(3);
      expect(await page.locator('#steps table').count()).toBe(2);
      expect(await page.locator('#steps td.failed').innerText()).toBe('failed');
    });
  });

  it('plan: the verdict and every host’s changes', async () => {
    const { inv, pb } = await loadSite();
    const plan = buildPlan(inv, pb, readingsFor(pb, 'fresh', { unreachable: { db1: 'connection refused (127.0.1.6:5985)' } }));
    await open('plan-report', renderPlanHtml(plan), async (page) => {
      expect(await page.locator('#summary .verdict').innerText()).toBe('Incomplete: some steps could not be planned');
      expect(await page.locator('#changes h3').count()).toBe(plan.summary.hosts);
    });
  });
});
