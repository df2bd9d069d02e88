// Models ps1/runner/receive-file.ps1: a file streamed through stdin (a header frame with {path, length},
// then the raw bytes), written to PATH.cortex-partial and moved over PATH. The lab records the file's
// SHA-256 and length in the host state, not its bytes.
import { createHash } from 'node:crypto';
import { runnerReceiveFile as contract } from '../../scripts/catalog.js';
import { findFileKey, isAbsoluteWindowsPath } from './paths.js';
import { defineHandler } from './types.js';

export const runnerReceiveFile = defineHandler({
  contract,
  defaultDurationMs: 5,
  setType: true,
  run: ({ state, params, input, corruptTransfers }) => {
    const content = corruptTransfers ? corrupted(input ?? Buffer.alloc(0)) : (input ?? Buffer.alloc(0));
    if (content.length < params.length) {
      return { ok: false, error: { message: `stdin ended after ${content.length} of ${params.length} bytes`, category: 'OperationStopped' } };
    }
    if (!isAbsoluteWindowsPath(params.path)) {
      return { ok: false, error: { message: `path must be a full path, not ${params.path}`, category: 'OperationStopped' } };
    }
    const sha = createHash('sha256').update(content.subarray(0, params.length)).digest('hex');
    const key = findFileKey(state.machine, params.path) ?? params.path;
    state.machine.files[key] = sha;
    state.machine.fileSizes[key] = params.length;
    return { ok: true, data: { path: params.path, bytes: params.length } };
  },
});

/** The bytes with the first one changed (the corrupt-transfers fault). */
export function corrupted(bytes: Buffer): Buffer {
  if (!bytes.length) return bytes;
  const out = Buffer.from(bytes);
  out[0] = out[0]! ^ 0xff;
  return out;
}
