/**
 * Readable log lines for the terminal (-v): `12:04:31.207 INFO  app1  connected  port=5985`.
 * A tiny stand-in for pino-pretty: it takes pino's JSON lines and writes one text line each.
 */
import { Writable } from 'node:stream';
import pc from 'picocolors';
import { redact } from '../secrets/registry.js';
import { consoleLine } from '../report/console-text.js';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'runId', 'host', 'step', 'err']);

export function formatLine(record: Record<string, unknown>, color: boolean): string {
  const c = color ? pc : pc.createColors(false);
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : '';
  const levelNum = typeof record.level === 'number' ? record.level : 30;
  const levelName = (LEVELS[levelNum] ?? String(levelNum)).padEnd(5);
  const paint = levelNum >= 50 ? c.red : levelNum >= 40 ? c.yellow : levelNum <= 20 ? c.dim : c.cyan;
  const where = consoleLine([record.host, record.step].filter((x) => typeof x === 'string').join(' '));
  const extras = Object.entries(record)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const safeExtras = consoleLine(extras);
  const err = record.err as { message?: string } | undefined;
  const parts = [c.dim(time), paint(levelName), where ? c.bold(where) : '', consoleLine(String(record.msg ?? '')), safeExtras ? c.dim(safeExtras) : '', err?.message ? c.red(consoleLine(err.message)) : ''];
  return redact(parts.filter(Boolean).join('  '));
}

/** A stream pino can write to; renders each JSON line onto `out`. */
export function prettyStream(out: NodeJS.WritableStream, color: boolean): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      pending += chunk.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.trim()) continue;
        let text: string;
        try {
          text = formatLine(JSON.parse(line) as Record<string, unknown>, color);
        } catch {
          text = redact(consoleLine(line));
        }
        out.write(`${text}\n`);
      }
      done();
    },
  });
}
