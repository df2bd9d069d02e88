/** The frame every report's HTML page shares: one self-contained page (inline CSS, no scripts, no external assets). */
import { redact } from '../secrets/registry.js';
import { consoleText } from './console-text.js';
import { escapeMarkup } from './escape.js';
import { metaRows } from './meta.js';
import type { RunMeta } from './meta.js';

const e = (s: string) => escapeMarkup(consoleText(redact(s)));

/** What every report page's style starts with: type, the header, the verdict and cards, tables. */
export const PAGE_CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d2329;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#5b6670;margin-bottom:16px}
#run-meta td{text-align:left}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{border:1px solid #d0d7de;border-radius:6px;padding:10px 16px;min-width:110px}
.card b{display:block;font-size:24px}
.verdict{font-weight:600;padding:8px 12px;border-radius:6px;display:inline-block;margin:12px 0}
table{border-collapse:collapse;font-size:13px}
`;

/** The plan's and apply's pages: a table per host, left-aligned, statuses by step outcome. */
export const RUN_CSS = `${PAGE_CSS}h3{font-size:15px;margin:18px 0 6px}
th,td{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}
td.n{text-align:right}
thead th{background:#f6f8fa}
.ok,.none,.pass{background:#dafbe1;color:#116329}.changed,.update,.create,.warn{background:#fff8c5;color:#7d4e00}
.failed,.fail{background:#ffebe9;color:#a40e26;font-weight:700}.unreachable,.error{background:#fbefff;color:#8250df;font-weight:700}
.skipped{background:#ddf4ff;color:#0969da}
.msg{white-space:pre-wrap;font-family:ui-monospace,Consolas,monospace;font-size:12px}
`;

/** The page's head (its style `css`) and header: title, one-line summary, then `headerHtml` (markup, e.g. a metadata table). Close it with pageEnd(). */
export function pageHead(title: string, subtitle: string, css: string, headerHtml = ''): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(title)}</title><style>${css}</style></head><body><header><h1>${e(title)}</h1><div class="meta">${e(subtitle)}</div>${headerHtml}</header>`;
}

/** A run page's head and header, with the metadata table; close it with pageEnd(). */
export function pageStart(title: string, subtitle: string, meta?: RunMeta & { playbook?: string | undefined }): string {
  const rows = meta ? `<table id="run-meta" class="meta">${metaRows(meta).map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</table>` : '';
  return pageHead(title, subtitle, RUN_CSS, rows);
}

/** The summary section's opening: its heading and the verdict (`cls` colours it). Cards and the closing tag follow. */
export function summaryStart(cls: string, verdict: string): string {
  return `<section id="summary"><h2>Summary</h2><div class="verdict ${cls}">${e(verdict)}</div>`;
}

export function pageEnd(): string {
  return '</body></html>\n';
}

export function cards(items: ReadonlyArray<readonly [string, number, string]>): string {
  return `<div class="cards">${items.map(([label, n, cls]) => `<div class="card ${n > 0 ? cls : ''}"><b>${n}</b>${e(label)}</div>`).join('')}</div>`;
}
