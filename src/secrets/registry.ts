/**
 * Every value resolved from a secret reference is registered here once and masked wherever text is
 * written: logs, errors, reports, captured host output. Masking is by value, so a secret is caught even
 * when it arrives embedded in a host's error message.
 */
const MASK = '********';
const secrets = new Set<string>();
let pattern: RegExp | null = null;
/** Each secret as it is written inside a JSON string (quotes, backslashes, control characters escaped), or raw. */
let inJson: RegExp | null = null;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Register a secret value. Very short values (under 3 characters) are refused as too likely to mask noise. */
export function registerSecret(value: string): void {
  if (value.length < 3 || secrets.has(value)) return;
  secrets.add(value);
  // Also mask the base64 of the secret: Basic auth headers and encoded commands carry it that way.
  // Only one level: registering the base64 recursively would never terminate (each encoding is new).
  const b64 = Buffer.from(value, 'utf8').toString('base64').replace(/=+$/, '');
  if (b64.length >= 4) secrets.add(b64);
  // Longest first, so a secret that contains another is masked whole.
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  pattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
  const forms = new Set(sorted.flatMap((v) => [v, JSON.stringify(v).slice(1, -1)]));
  inJson = new RegExp([...forms].map(escapeRegExp).join('|'));
}

export function redact(text: string): string {
  return pattern ? text.replace(pattern, MASK) : text;
}

/**
 * Whether a line of JSON may hold a secret: it holds one of them raw or as JSON escapes it. JSON escapes
 * character by character, so a string (or key) that contains a secret, once serialized, contains the
 * secret's escaped form: false here means no decoded string of the line holds a secret.
 */
export function mayHoldSecretInJson(line: string): boolean {
  return inJson !== null && inJson.test(line);
}

/** Deep copy of a JSON-like value with every string redacted. */
export function redactDeep<T>(value: T): T {
  if (!pattern) return value;
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}

export function registeredSecretCount(): number {
  return secrets.size;
}

/** For tests only. */
export function clearSecretsForTests(): void {
  secrets.clear();
  pattern = null;
  inJson = null;
}
