/**
 * --report-html: one self-contained page. Rendered in Debian's headless Chromium: no console errors,
 * no network requests, the summary visible; the screenshot is kept as test-results/preflight-report.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { renderPreflightHtml } from '../../src/report/preflight-html.js';
import { sampleReport } from './sample-report.js';

const results = resolve(import.meta.dirname, '../../test-results');

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
    const html = renderPreflightHtml(await sampleReport());
    mkdirSync(results, { recursive: true });
    const file = resolve(results, 'preflight-report.html');
    writeFileSync(file, html);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
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
      expect(await page.locator('#summary').isVisible()).toBe(true);
      expect(await page.locator('#summary .verdict').innerText()).toContain('Not ready: some hosts could not be reached');
      expect(await page.locator('#matrix tbody tr').count()).toBe(9);
      expect(await page.locator('#findings .finding.fail').count()).toBe(1);
      // A dropped port before the install: a warning, "firewall or network, unknown".
      expect(await page.locator('#findings .finding.warn').filter({ hasText: 'net.reach' }).innerText()).toContain('a firewall drops these ports');
      expect(await page.locator('#reach td.warn').innerText()).toContain('25672 filtered');
      await page.screenshot({ path: resolve(results, 'preflight-report.png'), fullPage: true });
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
