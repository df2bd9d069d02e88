/**
 * The console reporter (docs/reporting.md): on a TTY, a live line per phase batch — hosts done of
 * total, changed, failed, the slowest host and its step — redrawn in place at a bounded rate, with
 * failures and milestones scrolling above it; elsewhere one plain line per finished step and host.
 * At the end a recap per host, like a play recap: ok / changed / failed / skipped / unreachable.
 *
 * Every text a host supplied goes through consoleLine (no terminal escapes from a host) and redact.
 */
import { createColors } from 'picocolors';
import type { HostStatus, RunEvent, StepStatus } from '../engine/apply/events.js';
import { redact } from '../secrets/registry.js';
import { consoleLine } from './console-text.js';
import type { ReportStream, RunEnd, RunReporter } from './run-reporter.js';
import { phaseLabel, RunTally, type HostView, type Progress, type StepView } from './run-tally.js';
import { APPLY_SCHEME, type Colors, type StatusScheme } from './status-scheme.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const CLEAR_LINE = '\r\x1b[2K';

const secs = (ms: number, digits = 2) => `${(ms / 1000).toFixed(digits)}s`;

/** The live line: no newline, at most `width - 1` visible characters (the last column would wrap). */
export function progressLine<S extends string, H extends string>(p: Progress, scheme: StatusScheme<S, H>, opts: { color: boolean; width: number }): string {
  const c = createColors(opts.color);
  const slow = p.slowest ? consoleLine(`slowest: ${p.slowest.host}${p.slowest.step ? ` ${p.slowest.step}` : ''} ${(p.slowest.ms / 1000).toFixed(1)} s`) : null;
  const parts = [
    consoleLine(`${p.label} ${p.done}/${p.total} hosts`),
    scheme.changed.length ? (p.changed ? c.yellow(`${p.changed} changed`) : '0 changed') : null,
    p.failed ? c.red(`${p.failed} failed`) : '0 failed',
    p.unreachable ? c.magenta(`${p.unreachable} unreachable`) : null,
    slow,
  ].filter((x): x is string => x !== null);
  const text = parts.join('  ');
  const plain = text.replace(ANSI, '');
  // Cut without colours: a cut through an escape sequence would garble the terminal.
  return redact(plain.length > opts.width - 1 ? plain.slice(0, Math.max(0, opts.width - 1)) : text);
}

/** One finished step: host, step, status, duration, and the message (a failure's reason). */
export function stepLine<S extends string, H extends string>(host: string, st: StepView<S>, scheme: StatusScheme<S, H>, c: Colors = createColors(false)): string {
  const tail = `${secs(st.durationMs)}${st.message ? `: ${st.message}` : ''}`;
  return redact(`${consoleLine(host)} ${consoleLine(st.id)} ${scheme.paint(c, st.status, scheme.text(st.status))} ${consoleLine(tail)}`);
}

/** One finished host: name, status, duration, then what did not pass (or how many steps did). */
export function hostLine<S extends string, H extends string>(h: HostView<S, H>, scheme: StatusScheme<S, H>, c: Colors = createColors(false)): string {
  const status = h.status === undefined ? 'running' : scheme.paint(c, h.status, scheme.text(h.status));
  const ms = (h.finishedAt ?? 0) - (h.startedAt ?? h.finishedAt ?? 0);
  const bad = h.steps.filter((s) => !scheme.quiet.includes(s.status));
  const detail = h.status === scheme.unreachable ? (h.message ?? bad[0]?.message ?? '') : bad.length > 0 ? bad.map((s) => `${s.id}=${s.status}`).join(' ') : `${h.steps.length} ${scheme.noun}`;
  return redact(`${consoleLine(h.name)} ${status} ${consoleLine(`${secs(ms)} ${detail}`.trimEnd())}`);
}

/** The recap: one line per host with its steps by status and whether it was unreachable. */
export function recapLines<S extends string, H extends string>(tally: RunTally<S, H>, c: Colors = createColors(false)): string[] {
  const names = [...tally.hosts.keys()];
  if (names.length === 0) return [];
  const pad = Math.min(30, Math.max(...names.map((n) => n.length)));
  const lines = [c.bold(`Recap (${tally.scheme.noun} per host)`)];
  for (const name of names) {
    const r = tally.recap(name);
    const h = tally.hosts.get(name)!;
    const label = consoleLine(name).padEnd(pad);
    const cols = [...tally.scheme.steps.map((s) => [s, r[s]] as const), ['unreachable', r.unreachable] as const].map(([k, n]) => {
      const cell = `${k}=${n}`;
      return n > 0 ? tally.scheme.paint(c, k as S, cell) : cell;
    });
    lines.push(`${h.status !== undefined ? tally.scheme.paint(c, h.status, label) : label}  ${cols.join('  ')}`);
  }
  return lines.map(redact);
}

/** The last line: how the run ended, how long it took, the exit code and why it stopped early. */
export function outcomeLine(label: string, end: RunEnd, durationMs: number, c: Colors = createColors(false)): string {
  const word = end.outcome === 'ok' ? c.green('ok') : end.outcome === 'interrupted' ? c.yellow('interrupted') : c.red(c.bold('failed'));
  return redact(`${label} ${word} in ${(durationMs / 1000).toFixed(1)} s (exit code ${end.exitCode})${end.reason ? `: ${consoleLine(end.reason)}` : ''}`);
}

export interface ConsoleReporterOptions<S extends string, H extends string> {
  stream: ReportStream;
  scheme: StatusScheme<S, H>;
  color: boolean;
  /** Live view (default: the stream is a TTY). */
  live?: boolean | undefined;
  /** Plain lines for finished steps: all of them (apply), only failures, or none (preflight lists them per host). */
  stepLines?: 'all' | 'failed' | 'none' | undefined;
  /** Plain lines for finished hosts: all (default when not live), only failed and unreachable ones (default live), or none (preflight's table follows). */
  hostLines?: 'all' | 'failed' | 'none' | undefined;
  /** Print the recap and the outcome line at the end (default true; preflight prints its table instead). */
  recap?: boolean | undefined;
  /** Least time between two redraws caused by events (default 100 ms): a thousand hosts finishing at once draw once. */
  throttleMs?: number | undefined;
  /** Redraw period while nothing happens, so the slowest host's time moves (default 250 ms; 0: no timer). */
  tickMs?: number | undefined;
  now?: (() => number) | undefined;
}

/**
 * Call finish() when the run ends (the recap), or close() on a path where it cannot end normally (an
 * exception): either stops the redraw timer and clears the live line, so the shell prompt is clean.
 */
export class ConsoleRunReporter<S extends string, H extends string> implements RunReporter<S, H> {
  readonly tally: RunTally<S, H>;
  private readonly c: Colors;
  private readonly live: boolean;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private drawnAt = Number.NEGATIVE_INFINITY;
  private shown = false;
  private finished = false;

  constructor(private readonly o: ConsoleReporterOptions<S, H>) {
    this.now = o.now ?? Date.now;
    this.tally = new RunTally(o.scheme, this.now);
    this.c = createColors(o.color);
    this.live = o.live ?? o.stream.isTTY === true;
  }

  private get width(): number {
    return this.o.stream.columns ?? 100;
  }

  /** Redraw the live line now. */
  draw(): void {
    if (!this.live || this.finished) return;
    this.drawnAt = this.now();
    this.o.stream.write(`${CLEAR_LINE}${progressLine(this.tally.progress(this.drawnAt), this.o.scheme, { color: this.o.color, width: this.width })}`);
    this.shown = true;
  }

  /** Lines that stay: above the live line on a TTY, the whole output elsewhere. */
  private print(lines: string[]): void {
    if (lines.length === 0) return;
    this.o.stream.write(`${this.live && this.shown ? CLEAR_LINE : ''}${lines.join('\n')}\n`);
    this.shown = false;
  }

  onEvent(e: RunEvent<S, H>): void {
    const at = this.now();
    this.tally.apply(e, at);
    // Closed (the run ended or failed): keep counting, write nothing more.
    if (this.finished) return;
    this.print(this.linesFor(e));
    if (!this.live) return;
    if (this.timer === null && (this.o.tickMs ?? 250) > 0) {
      this.timer = setInterval(() => this.draw(), this.o.tickMs ?? 250);
      this.timer.unref();
    }
    if (!this.shown || at - this.drawnAt >= (this.o.throttleMs ?? 100)) this.draw();
  }

  private linesFor(e: RunEvent<S, H>): string[] {
    const s = this.o.scheme;
    const c = this.c;
    const mode = this.o.stepLines ?? 'all';
    switch (e.type) {
      case 'phase-started':
        return [c.bold(`phase ${consoleLine(phaseLabel({ name: e.phase, batch: e.batch }))}: ${e.hosts.length} host${e.hosts.length === 1 ? '' : 's'}`)];
      case 'step-finished': {
        const failed = s.failed.includes(e.status);
        // On a TTY the live line stands for the steps that went well.
        if (mode === 'none' || (!failed && (mode === 'failed' || this.live))) return [];
        const h = this.tally.hosts.get(e.host)!;
        return [stepLine(e.host, h.steps[h.steps.length - 1]!, s, c)];
      }
      case 'host-finished': {
        const h = this.tally.hosts.get(e.host)!;
        const hosts = this.o.hostLines ?? (this.live ? 'failed' : 'all');
        if (hosts === 'none' || (hosts === 'failed' && e.status !== s.unreachable && !s.hostFailed(e.status))) return [];
        return [hostLine(h, s, c)];
      }
      case 'reboot-started':
        return [redact(consoleLine(`${e.host} rebooting: ${e.reason}`))];
      case 'reboot-finished':
        return [redact(consoleLine(e.ok ? `${e.host} back after reboot (${(e.durationMs / 1000).toFixed(1)} s)` : `${e.host} did not come back from the reboot: ${e.message ?? 'failed'}`))];
      case 'health-gate':
        return [redact(consoleLine(`health gate after ${phaseLabel({ name: e.phase, batch: e.batch })}: ${e.ok ? 'ok' : `failed: ${e.message ?? ''}`}`))];
      default:
        return [];
    }
  }

  /** Stop the live view and clear its line (the run ended, or failed before it could end). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.live && this.shown) this.o.stream.write(CLEAR_LINE);
    this.shown = false;
    this.finished = true;
  }

  finish(result: RunEnd): void {
    if (this.finished) return;
    this.close();
    if (this.o.recap === false) return;
    const lines = ['', ...recapLines(this.tally, this.c), outcomeLine(this.o.scheme.label, result, this.tally.durationMs(), this.c)];
    this.o.stream.write(`${lines.join('\n')}\n`);
  }
}

/** apply's console: plain lines for every finished step when not live, failures only above the live line. */
export function applyConsoleReporter(stream: ReportStream, opts: { color: boolean; live?: boolean | undefined; now?: () => number }): ConsoleRunReporter<StepStatus, HostStatus> {
  return new ConsoleRunReporter({ stream, scheme: APPLY_SCHEME, color: opts.color, live: opts.live, now: opts.now });
}
