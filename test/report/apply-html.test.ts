/**
 * apply's --report-html and plan's, rendered in Debian's headless Chromium: no console errors, no
 * network requests, the verdict and the recap visible; screenshots kept under test-results/.
 */
import { describe, expect, it } from 'vitest';
import { DocumentReporter } from '../../src/report/document-reporter.js';
import { renderApplyHtml } from '../../src/report/apply-html.js';
import { renderPlanHtml } from '../../src/report/plan-reports.js';
import { buildPlan } from '../../src/engine/plan/plan.js';
import { APPLY_SCHEME } from '../../src/report/status-scheme.js';
import { loadSite, readingsFor } from '../engine/support.js';
import { SAMPLE_END, sampleRun } from './run-events.js';
import { openInChromium } from './browser.js';

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
    await openInChromium('apply-report', html, async (page) => {
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
    await openInChromium('plan-report', renderPlanHtml(plan), async (page) => {
      expect(await page.locator('#summary .verdict').innerText()).toBe('Incomplete: some steps could not be planned');
      expect(await page.locator('#changes h3').count()).toBe(plan.summary.hosts);
    });
  });
});
