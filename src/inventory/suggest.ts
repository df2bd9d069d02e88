/** "Did you mean …?" for a mistyped key or value. */
import { closest, distance } from 'fastest-levenshtein';

export function nearest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const ci = candidates.find((c) => c.toLowerCase() === word.toLowerCase());
  if (ci) return ci;
  const best = closest(word, candidates as string[]);
  // Suggest only when it is plausibly a typo: a few edits, relative to the word's length.
  return distance(word.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.ceil(best.length / 3)) ? best : undefined;
}
