/**
 * The Erlang cookie: the shared secret every RabbitMQ node and CLI of the cluster presents. It must be
 * byte-identical everywhere, so its file is ASCII with no BOM and no newline (PowerShell 5.1's Out-File
 * adds a UTF-16 BOM and Set-Content a CRLF, either of which makes another cookie): docs/rabbitmq.md.
 * Messages never show the cookie itself.
 */
import { randomBytes } from 'node:crypto';
import { ComponentConfigError } from './errors.js';

/** Erlang's limit. */
export const ERLANG_COOKIE_MAX_LENGTH = 255;
/** Erlang generates 20 characters; fewer would be a weaker secret than the default. */
export const ERLANG_COOKIE_MIN_LENGTH = 20;
/** What cortex-deploy generates. */
export const ERLANG_COOKIE_GENERATED_LENGTH = 32;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Why `cookie` cannot be an Erlang cookie, or null. */
export function erlangCookieProblem(cookie: string): string | null {
  if (cookie.length === 0) return 'the cookie is empty';
  if (cookie.charCodeAt(0) === 0xfeff) return 'the cookie starts with a byte-order mark (a file written as UTF-8 with BOM or UTF-16)';
  if (/[\r\n]/.test(cookie)) return 'the cookie holds a line break (a file written with a trailing newline)';
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(cookie)) return 'the cookie holds non-ASCII characters';
  if (!/^[A-Za-z0-9]+$/.test(cookie)) return 'the cookie holds characters other than ASCII letters and digits';
  if (cookie.length > ERLANG_COOKIE_MAX_LENGTH) return `the cookie is ${cookie.length} characters; Erlang takes at most ${ERLANG_COOKIE_MAX_LENGTH}`;
  if (cookie.length < ERLANG_COOKIE_MIN_LENGTH) return `the cookie is ${cookie.length} characters; use at least ${ERLANG_COOKIE_MIN_LENGTH}`;
  return null;
}

/** The exact bytes of the cookie file. Throws ComponentConfigError (without the value) when the cookie breaks a rule. */
export function erlangCookieFile(cookie: string, field = 'erlangCookie'): Buffer {
  const problem = erlangCookieProblem(cookie);
  if (problem) throw new ComponentConfigError('rabbitmq', `${problem}.`, { field, hint: `An Erlang cookie is ${ERLANG_COOKIE_MIN_LENGTH} to ${ERLANG_COOKIE_MAX_LENGTH} ASCII letters and digits, nothing else; let cortex-deploy generate one.` });
  return Buffer.from(cookie, 'ascii');
}

/** What is wrong with a cookie file read back from a host (empty: nothing). */
export function erlangCookieFileProblems(bytes: Uint8Array): string[] {
  const problems: string[] = [];
  const b = Buffer.from(bytes);
  if (b.length === 0) return ['the file is empty'];
  if ((b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) || (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) problems.push('the file starts with a byte-order mark');
  if (b.includes(0x0d) || b.includes(0x0a)) problems.push('the file holds a line break');
  if (b.includes(0x00)) problems.push('the file holds NUL bytes (UTF-16?)');
  if (b.some((x) => x > 0x7f)) problems.push('the file holds non-ASCII bytes');
  if (problems.length === 0) {
    const p = erlangCookieProblem(b.toString('ascii'));
    if (p) problems.push(p);
  }
  return problems;
}

/** A new random cookie: 32 upper-case letters and digits, each uniformly drawn (rejection sampling). */
export function generateErlangCookie(random: (n: number) => Uint8Array = randomBytes): string {
  const limit = 256 - (256 % ALPHABET.length);
  let out = '';
  while (out.length < ERLANG_COOKIE_GENERATED_LENGTH) {
    for (const byte of random(ERLANG_COOKIE_GENERATED_LENGTH)) {
      if (byte < limit && out.length < ERLANG_COOKIE_GENERATED_LENGTH) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}

/**
 * Where the cookie is written on each app server, before the RabbitMQ installer first starts the node:
 * the service's (LocalSystem) profile, and both places the install account's CLI may read.
 */
export const ERLANG_COOKIE_LOCATIONS = [
  { who: 'RabbitMQ service (LocalSystem)', path: 'C:\\Windows\\System32\\config\\systemprofile\\.erlang.cookie' },
  { who: 'install account CLI', path: '%USERPROFILE%\\.erlang.cookie' },
  { who: 'install account CLI (when HOMEDRIVE and HOMEPATH are set)', path: '%HOMEDRIVE%%HOMEPATH%\\.erlang.cookie' },
] as const;
