/**
 * Progress of a preflight run, fed by run events: a live line for a TTY (hosts done/total, failures so
 * far, the slowest host still running) and a plain line per finished host elsewhere. Pure: the CLI
 * decides where and how often to write.
 */
import { createColors } from 'picocolors';
import type { PreflightHost } from '../preflight/finding.js';
import { hostStatus, type HostOutcome } from '../preflight/outcome.js';
import { redact } from '../secrets/registry.js';
import { CELL_TEXT } from './preflight-console.js';
import { consoleLine } from './console-text.js';

export class PreflightProgress {
  private readonly running = new Map<string, number>();
  done = 0;
  failed = 0;
  unreachable = 0;

  constructor(readonly total: number) {}

  started(host: PreflightHost, at: number): void {
    this.running.set(host.name, at);
  }

  finished(outcome: HostOutcome): void {
    this.running.delete(outcome.host.name);
    this.done++;
    if (outcome.interrupted) return;
    if (!outcome.reachable) this.unreachable++;
    else {
      const s = hostStatus(outcome);
      if (s === 'fail' || s === 'error') this.failed++;
    }
  }

  /** The host running longest, with its elapsed time. */
  slowest(now: number): { name: string; ms: number } | null {
    let best: { name: string; ms: number } | null = null;
    for (const [name, at] of this.running) if (!best || now - at > best.ms) best = { name, ms: now - at };
    return best;
  }

  /** One line, no newline, at most `width` visible characters. */
  line(now: number, opts: { color: boolean; width: number }): string {
    const c = createColors(opts.color);
    const slow = this.slowest(now);
    const parts = [
      `preflight ${this.done}/${this.total} hosts`,
      this.failed ? c.red(`${this.failed} failed`) : '0 failed',
      this.unreachable ? c.magenta(`${this.unreachable} unreachable`) : null,
      slow ? `slowest: ${slow.name} ${(slow.ms / 1000).toFixed(1)} s` : null,
    ].filter((p): p is string => p !== null);
    const text = parts.join('  ');
    // eslint-disable-next-line no-control-regex
    const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
    return redact(plain.length > opts.width - 1 ? plain.slice(0, opts.width - 1) : text);
  }
}

/** The non-TTY line for one finished host: name, worst status, and what did not pass. */
export function hostFinishedLine(outcome: HostOutcome): string {
  const s = hostStatus(outcome);
  const label = outcome.interrupted ? 'interrupted' : outcome.reachable ? CELL_TEXT[s] : 'unreachable';
  const bad = outcome.findings.filter((f) => f.status !== 'pass');
  const detail = !outcome.reachable ? (bad[0]?.message ?? '') : bad.length > 0 ? bad.map((f) => `${f.id}=${f.waived ? 'waived' : f.status}`).join(' ') : `${outcome.findings.length} checks`;
  return redact(consoleLine(`${outcome.host.name} ${label} ${(outcome.durationMs / 1000).toFixed(2)}s ${detail}`.trimEnd()));
}
