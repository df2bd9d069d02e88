/** Test helper: the run request frames a fake process was written on its stdin, in order. */
import { decodeFrameLine, type RunRequestFrame } from '../../src/protocol/script-frames.js';

export const framesOf = (p: { written: Buffer[] }): RunRequestFrame[] =>
  Buffer.concat(p.written)
    .toString('ascii')
    .split('\n')
    .map((l) => decodeFrameLine(l) as RunRequestFrame | null)
    .filter((f): f is RunRequestFrame => f?.type === 'run');
