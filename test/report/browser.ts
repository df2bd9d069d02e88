/**
 * An HTML report opened in Debian's headless Chromium: `check` runs on the page, then the page must have
 * logged no console error or warning and asked for nothing off disk (the reports are self-contained).
 * The page and its screenshot are kept under test-results/ as NAME.html and NAME.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { chromium, type Page } from 'playwright-core';

const results = resolve(import.meta.dirname, '../../test-results');

export async function openInChromium(name: string, html: string, check: (page: Page) => Promise<void>): Promise<void> {
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
