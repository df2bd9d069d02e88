/**
 * --report-html: one self-contained page. Rendered in Debian's headless Chromium: no console errors,
 * no network requests, the summary visible; the screenshot is kept as test-results/preflight-report.png.
 */
import { describe, expect, it } from 'vitest';
import { renderPreflightHtml } from '../../src/report/preflight-html.js';
import { sampleReport } from './sample-report.js';
import { openInChromium } from './browser.js';

describe('preflight HTML report', () => {
  it('is self-contained: no external assets, no scripts', async () => {
    const html = renderPreflightHtml(await sampleReport());
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/(src|href)\s*=|url\(|@import/i);
    expect(html).toContain('<section id="summary">');
    expect(html).toContain('Install .NET Framework 4.8');
  });

  it('escapes host output', async () => {
    const report = await sampleReport();
    report.hosts[0]!.findings[0]!.message = '<img src=x onerror=alert(1)>';
    report.hosts[0]!.findings[0]!.status = 'fail';
    const html = renderPreflightHtml(report);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('renders in headless Chromium with no console errors and a visible summary', async () => {
    await openInChromium('preflight-report', renderPreflightHtml(await sampleReport()), async (page) => {
      expect(await page.locator('#summary').isVisible()).toBe(true);
      expect(await page.locator('#summary .verdict').innerText()).toContain('Not ready: some hosts could not be reached');
      expect(await page.locator('#matrix tbody tr').count()).toBe(9);
      expect(await page.locator('#findings .finding.fail').count()).toBe(1);
      // A dropped port before the install: a warning, "firewall or network, unknown".
      expect(await page.locator('#findings .finding.warn').filter({ hasText: 'net.reach' }).innerText()).toContain('a firewall drops these ports');
      expect(await page.locator('#reach td.warn').innerText()).toContain('25672 filtered');
    });
  });
});
