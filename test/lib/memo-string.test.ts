import { describe, expect, it } from 'vitest';
import { memoString } from '../../src/lib/memo-string.js';

describe('memoString', () => {
  it('answers as the function does, calling it once per distinct string', () => {
    const calls: string[] = [];
    const upper = memoString((s) => (calls.push(s), s.toUpperCase()));
    expect(['a', 'b', 'a', 'a', 'b'].map(upper)).toEqual(['A', 'B', 'A', 'A', 'B']);
    expect(calls).toEqual(['a', 'b']);
  });

  it('forgets everything past its bound, and still answers right', () => {
    const calls: string[] = [];
    const f = memoString((s) => (calls.push(s), `${s}!`), 2);
    expect(['a', 'b', 'c', 'a'].map(f)).toEqual(['a!', 'b!', 'c!', 'a!']);
    // 'c' started a new memory (a and b forgotten), so 'a' was computed again.
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
