/**
 * The framing between the script runner (src/runner/) and the PowerShell bootstrap on the host
 * (ps1/bootstrap/), and therefore also what the lab's PowerShell emulation (src/lab/powershell/)
 * must speak. Both sides import this module; it has no I/O.
 *
 * Wire format: one frame per line, ASCII only, so console code pages cannot mangle it:
 *
 *     CORTEX1 <base64 of UTF-8 JSON>\n
 *
 * Lines that do not start with the marker (stray native output) are not frames; the runner keeps
 * them as diagnostics. stdin carries RequestFrame lines; stdout carries ReadyFrame once at start (or
 * a FatalFrame instead, and the process exits), then one ResultFrame per request line, in order.
 *
 * Modes: the resident bootstrap loops over requests until stdin closes or an `exit` request; the
 * one-shot bootstrap (same script, `$CortexOneShot = $true`) handles exactly one request and exits
 * with the script's exit code.
 */
import { gzipSync } from 'node:zlib';
import { z } from 'zod';

export const FRAME_MARKER = 'CORTEX1';

/** Run a script in a fresh runspace. */
export interface RunRequestFrame {
  type: 'run';
  /** Request id, echoed in the result. */
  id: string;
  /** Script id from its `# cortex-script: <id>` header, or `adhoc` for exec. */
  scriptId: string;
  /**
   * The script text (UTF-8), its own `# cortex-script:` header first (none for ad-hoc). Absent when
   * `scriptHash` names a script the process keeps, or when `scriptGz` carries it.
   */
  script?: string;
  /**
   * `script`, compressed: base64 of the gzip (RFC 1952) of its UTF-8 text (gzipText). The runner sends
   * shipped scripts this way (3-4.5x fewer bytes to base64 again, seal and sign on both ends); the
   * bootstrap expands it before anything else (a value that is not base64 of gzip: bootstrapError stage
   * `request`) and then treats it as `script`. `scriptHash` stays the SHA-256 of the uncompressed text.
   * A frame carries `script` or `scriptGz`, not both (with both, `scriptGz` wins). Optional (additive).
   */
  scriptGz?: string;
  /**
   * A shipped script's name: SHA-256 (hex) of its UTF-8 text, computed by the runner. With `script`, the
   * resident process keeps the text under this name; without it, it runs the text kept under the name,
   * or, keeping none, answers with bootstrapError stage `script` without running anything (the runner
   * then sends the request again whole). Ad-hoc text has none. Optional (additive).
   */
  scriptHash?: string;
  /**
   * Library text (ps1/lib/*.ps1) the bootstrap runs in the same fresh runspace just before `script`.
   * Sent apart so the script keeps its own header (its id) and its own line numbers. Optional (additive).
   */
  lib?: string;
  /**
   * `lib`, compressed as `scriptGz` is (base64 of gzip of the UTF-8 text; the runner's 61 KB library
   * travels as about 16 KB). `libHash` stays the SHA-256 of the uncompressed text. A frame carries `lib`
   * or `libGz`, not both (with both, `libGz` wins). Optional (additive).
   */
  libGz?: string;
  /**
   * The library's name: SHA-256 (hex) of its UTF-8 text, computed by the runner (the bootstrap treats it
   * as an opaque key). With `lib`, the resident process keeps that text under this name, replacing the
   * one it kept before. Without `lib`, it runs the text it keeps under this name; keeping none (a new
   * process, or another library), it answers with bootstrapError stage `lib` without running the
   * script, and the runner sends the request again with `lib`. Optional (additive).
   */
  libHash?: string;
  /**
   * `text`: the bootstrap pipes the script's output through `Out-String -Stream -Width 4096`, so objects
   * arrive as the console would show them (not cut at a console's width), one line per item, trailing
   * blanks trimmed (ad-hoc exec). Default: each object as its own text. Optional (additive).
   */
  outputFormat?: 'text';
  /**
   * What the script runs for, e.g. the playbook step id: the lab counts Test and Set calls per host and
   * tag, and logs name it. The bootstrap ignores it. Optional (additive).
   */
  tag?: string;
  /**
   * true: the bootstrap runs the script holding the host's lock, a machine-wide named mutex
   * (`Global\cortex-deploy-host`: the bootstrap's $CortexHostLockName), taken for this request only and
   * released when its result is written. So a Test or Set of another cortex-deploy process on the host
   * (the last Set of a run killed with `kill -9`, still running in its orphaned shell) finishes before
   * this one starts. The wait lasts at most `timeoutMs`; then nothing runs and the answer is
   * bootstrapError stage `run` ("TimeoutException: another cortex-deploy process on this host held its
   * lock …"). A holder that died leaves the mutex abandoned, and the wait gets it. The playbook engine
   * sets it (RunOptions.hostLock) for resource Tests, Sets and reboots. Optional (additive).
   */
  hostLock?: boolean;
  /**
   * true: when the script succeeds (exit code 0, not stopped at its timeout), the resident bootstrap
   * keeps its result frame and writes it together with the next request's result, in one write on
   * stdout, so one WinRM `Receive` reads both (a change's Set and the Test verifying it: one round trip
   * instead of two). A failed or stopped script's result is written at once, with any kept before it.
   * A kept result is written before the process ends (an `exit` request, stdin EOF). The runner sets it
   * only on a request that another follows in the same write (a pipelined batch), never on a request
   * it sends again. One-shot mode ignores it. Optional (additive).
   */
  answerWithNext?: boolean;
  /** Parameters, read by the script's envelope as one JSON object (`$CortexParams`). */
  params: Record<string, unknown>;
  /** The bootstrap stops the pipeline after this long and reports a timeout. */
  timeoutMs: number;
}

/** End the resident process cleanly. */
export interface ExitRequestFrame {
  type: 'exit';
  id: string;
}

export type RequestFrame = RunRequestFrame | ExitRequestFrame;

/**
 * Response frames are read with zod: a host that answers something else is a ProtocolError with
 * context, never a crash or a request left waiting.
 */
export const readyFrameSchema = z.object({
  type: z.literal('ready'),
  /** Process id of the resident powershell.exe (for logs). */
  pid: z.number().int(),
  /** $PSVersionTable.PSVersion as text. */
  psVersion: z.string(),
});
export type ReadyFrame = z.infer<typeof readyFrameSchema>;

export const errorRecordFrameSchema = z.object({
  message: z.string(),
  /** e.g. ObjectNotFound, from $_.CategoryInfo.Category */
  category: z.string(),
  /** FullyQualifiedErrorId, e.g. CommandNotFoundException */
  fullyQualifiedErrorId: z
    .string()
    .nullable()
    .transform((v) => v ?? ''),
  /** "At line:3 char:1" style position, when known (the bootstrap writes null when not). */
  position: z
    .string()
    .nullable()
    .optional()
    .transform((v) => v ?? undefined),
});
export interface ErrorRecordFrame {
  message: string;
  category: string;
  fullyQualifiedErrorId: string;
  position?: string | undefined;
}

/**
 * The bootstrap's own failure to handle a request (ps1/bootstrap/resident.ps1 answers every request line,
 * whatever goes wrong): `request`, it could not read the frame (not base64, not JSON, unknown type, a
 * `scriptGz` or `libGz` that is not base64 of gzip);
 * `lib` or `script`, the request names a library (`libHash` without `lib`) or a script (`scriptHash`
 * without `script`) this process does not keep, so nothing ran (the runner sends it again whole);
 * `run`, it could not start the script (a runspace that would not open, a request missing its script).
 */
export const bootstrapErrorSchema = z.object({
  stage: z.enum(['request', 'lib', 'script', 'run']),
  message: z.string(),
});

export const resultFrameSchema = z.object({
  type: z.literal('result'),
  /**
   * The request's id, echoed. Null when the bootstrap could not read it from a corrupt request: the
   * result then belongs to the oldest open request (the bootstrap answers requests in order).
   */
  id: z.string().nullable(),
  /** 0 when the pipeline completed; the argument of `exit N`; 1 after a terminating error. */
  exitCode: z.number().int(),
  /** Pipeline output, each object as text (Out-String trimmed). The envelope's JSON result is the last one. */
  output: z.array(z.string()),
  errors: z.array(errorRecordFrameSchema),
  warnings: z.array(z.string()),
  /** The information stream: Write-Information and Write-Host (which writes there since PowerShell 5). Optional (additive). */
  information: z.array(z.string()).optional(),
  /** The verbose stream (Write-Verbose with $VerbosePreference or -Verbose). Optional (additive). */
  verbose: z.array(z.string()).optional(),
  /** True when the bootstrap stopped the script at its timeout. */
  timedOut: z.boolean(),
  durationMs: z.number(),
  /** Present when the bootstrap itself failed on this request; the script may not have run. Optional (additive). */
  bootstrapError: bootstrapErrorSchema.optional(),
});
export type ResultFrame = Omit<z.output<typeof resultFrameSchema>, 'errors'> & { errors: ErrorRecordFrame[] };

/**
 * The process cannot serve requests at all; sent instead of `ready`. `languageMode`: the host runs
 * PowerShell in a language mode other than FullLanguage (AppLocker or WDAC policy: ConstrainedLanguage).
 */
export const fatalFrameSchema = z.object({
  type: z.literal('fatal'),
  reason: z.literal('languageMode'),
  languageMode: z.string(),
});
export type FatalFrame = z.infer<typeof fatalFrameSchema>;

export const responseFrameSchema = z.discriminatedUnion('type', [readyFrameSchema, resultFrameSchema, fatalFrameSchema]);

export type ResponseFrame = ReadyFrame | ResultFrame | FatalFrame;

export function encodeFrame(frame: RequestFrame | ResponseFrame): string {
  return `${FRAME_MARKER} ${Buffer.from(JSON.stringify(frame), 'utf8').toString('base64')}\n`;
}

/** base64 of the gzip of `text` as UTF-8: the form of `scriptGz`, `libGz` and the bootstrap's stdin line. */
export function gzipText(text: string): string {
  return gzipSync(Buffer.from(text, 'utf8'), { level: 9 }).toString('base64');
}

/** Decode one line (without its newline). Returns null when the line is not a frame. Throws on a corrupt frame. */
export function decodeFrameLine(line: string): unknown {
  const trimmed = line.replace(/\r$/, '');
  if (!trimmed.startsWith(`${FRAME_MARKER} `)) return null;
  const json = Buffer.from(trimmed.slice(FRAME_MARKER.length + 1), 'base64').toString('utf8');
  return JSON.parse(json) as unknown;
}

/**
 * Splits a byte stream into lines (frames are ASCII, so a chunk boundary inside a line is harmless).
 * Feed chunks; it calls `onLine` with every complete line.
 */
export class LineSplitter {
  // Pieces of the current, unfinished line. Kept as a list and searched chunk by chunk, so a long line
  // (a result frame with megabytes of output) arriving in many chunks costs linear time, not quadratic.
  private parts: string[] = [];
  private partsLength = 0;
  /** Inside a line that passed the bound: its bytes are dropped up to its newline. */
  private skipping = false;
  private readonly maxLine: number;
  private readonly onOverflow: (length: number) => void;
  /**
   * `maxLine` bounds what one unfinished line may hold (a host that never sends a newline must not
   * fill our memory); a longer line is dropped and `onOverflow` told (default: nothing).
   */
  constructor(
    private readonly onLine: (line: string) => void,
    opts: { maxLine?: number; onOverflow?: (length: number) => void } = {},
  ) {
    this.maxLine = opts.maxLine ?? MAX_LINE_CHARS;
    this.onOverflow = opts.onOverflow ?? (() => undefined);
  }
  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      if (this.skipping) {
        this.skipping = false;
        start = nl + 1;
        continue;
      }
      this.parts.push(text.slice(start, nl));
      const line = this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join('');
      this.parts = [];
      this.partsLength = 0;
      start = nl + 1;
      if (line.length > this.maxLine) this.onOverflow(line.length);
      else this.onLine(line);
    }
    if (start < text.length && !this.skipping) {
      this.parts.push(text.slice(start));
      this.partsLength += text.length - start;
      if (this.partsLength > this.maxLine) {
        this.onOverflow(this.partsLength);
        this.parts = [];
        this.partsLength = 0;
        this.skipping = true;
      }
    }
  }
  /** What is left after the stream ended (a last line without newline). */
  rest(): string {
    return this.parts.join('');
  }
}

/** The longest line a LineSplitter holds by default: a result frame of 64 MiB (base64 of the script's output). */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

/**
 * The envelope result every ps1 script prints as its last output (docs/scripts.md).
 */
export interface EnvelopeResult<T = unknown> {
  ok: boolean;
  data?: T;
  error?: { message: string; category: string };
}

/** The header line every script under ps1/ starts with. */
export const SCRIPT_HEADER_RE = /^#\s*cortex-script:\s*([a-z0-9][a-z0-9.-]*)\s*$/m;

export function scriptIdOf(scriptText: string): string | null {
  const m = SCRIPT_HEADER_RE.exec(scriptText);
  return m ? (m[1] ?? null) : null;
}
