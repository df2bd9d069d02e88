/**
 * The run logger: pino JSON lines into .cortex/runs/<run-id>/log.jsonl, and readable lines on the
 * terminal with -v. Secrets are masked at three points, so no path around them is left:
 * the message arguments (hooks.logMethod), the record's fields (formatters.log/bindings, Errors
 * included), and the final serialized line (hooks.streamWrite).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { mayHoldSecretInJson, redact } from '../secrets/registry.js';
import { newRunId } from './run-id.js';
import { prettyStream } from './pretty.js';
import { sanitize } from './sanitize.js';

export interface RunLoggerOptions {
  /** Readable lines on the terminal stream. */
  verbose: boolean;
  /** Folder for log.jsonl; default .cortex/runs/<run-id> under the current directory; null: no file. */
  runDir?: string | null;
  /** Where readable lines go (default: standard error, so stdout stays clean for --json). */
  terminal?: NodeJS.WritableStream;
  /** Colour on the terminal (default: when it is a TTY and NO_COLOR is unset). */
  color?: boolean;
  runId?: string;
}

export interface RunLogger {
  logger: Logger;
  runId: string;
  /** Folder holding log.jsonl (null when logging to a file is off). */
  runDir: string | null;
  logFile: string | null;
}

export function createRunLogger(opts: RunLoggerOptions): RunLogger {
  const runId = opts.runId ?? newRunId();
  const runDir = opts.runDir === null ? null : resolve(opts.runDir ?? join('.cortex', 'runs', runId));
  const streams: pino.StreamEntry[] = [];
  let logFile: string | null = null;
  if (runDir) {
    mkdirSync(runDir, { recursive: true });
    logFile = join(runDir, 'log.jsonl');
    // sync: a run that dies must still leave its last lines on disk.
    streams.push({ level: 'debug', stream: pino.destination({ dest: logFile, sync: true, mkdir: true }) });
  }
  if (opts.verbose) {
    const terminal = opts.terminal ?? process.stderr;
    const isTty = (terminal as { isTTY?: boolean }).isTTY === true;
    const color = opts.color ?? (isTty && !process.env.NO_COLOR);
    streams.push({ level: 'debug', stream: prettyStream(terminal, color) });
  }
  const logger = pino(
    {
      level: streams.length ? 'debug' : 'silent',
      base: { runId },
      timestamp: pino.stdTimeFunctions.epochTime,
      hooks: {
        logMethod(args, method) {
          const safe = args.map((a: unknown) => sanitize(a)) as Parameters<typeof method>;
          method.apply(this, safe);
        },
        // Last line of defence (child bindings skip formatters.bindings, and a secret with a quote or a
        // backslash is escaped in JSON, so a plain text search would miss it): redact the parsed record.
        streamWrite: redactLine,
      },
      // Errors are already plain objects (sanitize); pino's own err serializer would relabel them.
      serializers: { err: (e: unknown) => e },
      formatters: {
        log: (obj) => sanitize(obj) as Record<string, unknown>,
        bindings: (b) => sanitize(b) as Record<string, unknown>,
      },
    },
    streams.length ? pino.multistream(streams) : undefined,
  );
  return { logger, runId, runDir, logFile };
}

function redactLine(line: string): string {
  // The common case, checked without parsing: no secret in the line, raw or escaped. Parsing and
  // re-serializing every clean line was a few per cent of an apply's CPU at 1,000 hosts.
  if (!mayHoldSecretInJson(line)) return line;
  try {
    return `${JSON.stringify(sanitize(JSON.parse(line)))}\n`;
  } catch {
    return redact(line);
  }
}
