/**
 * The pull server's one-time token (docs/artifacts.md, "Pull"): random per run, sent to hosts only in a
 * file Set's parameters on stdin, compared in constant time. Registered as a secret, so any log line,
 * error or report that would carry it is masked.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { registerSecret } from '../../secrets/registry.js';

/** 32 random bytes, base64url (43 characters): one per run, registered as a secret. */
export function newPullToken(): string {
  const token = randomBytes(32).toString('base64url');
  registerSecret(token);
  return token;
}

/** Whether `given` is the token, in time independent of where they differ (both hashed to one length first). */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header; null when the header is absent or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer ([A-Za-z0-9_-]{1,512})$/.exec(header ?? '');
  return m ? m[1]! : null;
}
