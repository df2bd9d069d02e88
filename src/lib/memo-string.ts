/**
 * A pure string function remembered by its argument. For the lab's path and registry-key rules, which
 * its models apply to every path of a machine on every call (at 1,000 hosts, their regular expressions
 * were a visible part of the lab's CPU), over a small set of distinct strings. Bounded: past `max`
 * entries the memory starts again, so an unusual run cannot grow it without end.
 */
export function memoString(fn: (s: string) => string, max = 50_000): (s: string) => string {
  let seen = new Map<string, string>();
  return (s: string) => {
    let out = seen.get(s);
    if (out === undefined) {
      out = fn(s);
      if (seen.size >= max) seen = new Map();
      seen.set(s, out);
    }
    return out;
  };
}
