/**
 * Go duration strings as gobetween reads them (time.ParseDuration): "10s", "500ms", "1m30s".
 * Only the units a health check needs (ms, s, m, h); anything else is refused rather than guessed.
 */
const PART = /(\d+)(ms|s|m|h)/g;
const WHOLE = /^(?:\d+(?:ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration string, or null when it is not one. */
export function durationMs(text: string): number | null {
  if (!WHOLE.test(text)) return null;
  let total = 0;
  for (const m of text.matchAll(PART)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}
