/** Run ids sort by time and do not collide: 20261124-003112-4f9a2c. */
import { randomBytes } from 'node:crypto';

export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-24T00:31:12.345Z
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
