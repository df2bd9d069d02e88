/**
 * Make a log record safe to write: Errors become plain objects (pino would otherwise serialize them
 * after our redaction ran), and every string — message, nested field, stack — is redacted.
 */
import { redact, redactDeep } from '../secrets/registry.js';

export function sanitize(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[depth]';
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: redact(value.message) };
    if (value.stack) out.stack = redact(value.stack);
    for (const [k, v] of Object.entries(value)) out[k] = sanitize(v, depth + 1);
    if (value.cause !== undefined) out.cause = sanitize(value.cause, depth + 1);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1));
  if (value && typeof value === 'object') {
    if (Buffer.isBuffer(value)) return redact(value.toString('utf8'));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = sanitize(v, depth + 1);
    return out;
  }
  return redactDeep(value);
}
