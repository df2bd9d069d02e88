/**
 * Typed errors. Every error that can reach a user is a CortexError: it has a `kind` that maps to an
 * exit code, and context (host, step, file:line:col, field) that its message always shows.
 * One place builds the message (`formatContext`), so every error reads the same way.
 */
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { redact } from './secrets/registry.js';

export type ErrorKind =
  | 'input' // bad inventory, playbook, flags, parameters
  | 'unreachable' // connection refused, DNS, connect timeout, host down
  | 'auth' // credentials refused
  | 'tls' // certificate verification failed
  | 'protocol' // the peer answered something we cannot accept (WSManFault, malformed reply)
  | 'timeout' // an operation on a connected host took too long
  | 'script' // a script ran and failed
  | 'internal'; // a bug

export const exitCodeForKind: Record<ErrorKind, ExitCodeValue> = {
  input: ExitCode.InvalidInput,
  unreachable: ExitCode.Unreachable,
  auth: ExitCode.Unreachable,
  tls: ExitCode.Unreachable,
  protocol: ExitCode.Failed,
  timeout: ExitCode.Failed,
  script: ExitCode.Failed,
  internal: ExitCode.Internal,
};

export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

export interface ErrorContext {
  host?: string;
  step?: string;
  script?: string;
  position?: SourcePosition;
  field?: string;
  /** How to fix it: one sentence. */
  hint?: string;
}

export function formatContext(ctx: ErrorContext): string {
  const where: string[] = [];
  if (ctx.position) where.push(`${ctx.position.file}:${ctx.position.line}:${ctx.position.col}`);
  if (ctx.host) where.push(`host ${ctx.host}`);
  if (ctx.step) where.push(`step ${ctx.step}`);
  if (ctx.script) where.push(`script ${ctx.script}`);
  if (ctx.field) where.push(`field ${ctx.field}`);
  return where.join(', ');
}

export abstract class CortexError extends Error {
  abstract readonly kind: ErrorKind;
  readonly context: ErrorContext;
  /** The message without the context prefix. */
  readonly detail: string;

  constructor(detail: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    const safe = redact(detail);
    const where = formatContext(context);
    const hint = context.hint ? ` ${redact(context.hint)}` : '';
    super(where ? `${where}: ${safe}${hint}` : `${safe}${hint}`, options);
    this.detail = safe;
    this.context = context;
    this.name = new.target.name;
  }

  get exitCode(): ExitCodeValue {
    return exitCodeForKind[this.kind];
  }
}

export class InputError extends CortexError {
  readonly kind = 'input' as const;
}
export class UnreachableError extends CortexError {
  readonly kind = 'unreachable' as const;
}
export class AuthError extends CortexError {
  readonly kind = 'auth' as const;
}
export class TlsError extends CortexError {
  readonly kind = 'tls' as const;
}
export class ProtocolError extends CortexError {
  readonly kind = 'protocol' as const;
}
export class OperationTimeoutError extends CortexError {
  readonly kind = 'timeout' as const;
}
export class ScriptError extends CortexError {
  readonly kind = 'script' as const;
}
export class InternalError extends CortexError {
  readonly kind = 'internal' as const;
}

/** Exit code for anything thrown: CortexErrors map by kind; anything else is a bug. */
export function exitCodeOf(err: unknown): ExitCodeValue {
  return err instanceof CortexError ? err.exitCode : ExitCode.Internal;
}
