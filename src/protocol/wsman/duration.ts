/**
 * xs:duration as WS-Man uses it (OperationTimeout `PT20S`, IdleTimeOut `PT7200.000S`). Only the
 * day/time designators are meaningful here; years and months are refused because their length in
 * seconds is not fixed.
 */
const DURATION = /^(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds in an xs:duration, or null when the text is not a valid non-negative duration. */
export function parseDurationMs(text: string): number | null {
  const t = text.trim();
  const m = DURATION.exec(t);
  if (!m || t === 'P' || t.endsWith('T')) return null;
  if (m[1]) return null;
  const [d, h, min, s] = [m[2], m[3], m[4], m[5]].map((v) => (v === undefined ? 0 : Number(v))) as [number, number, number, number];
  return Math.round((((d * 24 + h) * 60 + min) * 60 + s) * 1000);
}

/** `PT<seconds>S`, with milliseconds when the value is not whole seconds. */
export function formatDuration(ms: number): string {
  const sec = Math.max(0, ms) / 1000;
  return Number.isInteger(sec) ? `PT${sec}S` : `PT${sec.toFixed(3)}S`;
}
