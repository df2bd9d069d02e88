// Models ps1/runner/receive-file.ps1: a file streamed through stdin (a header frame with {path, length},
// then the raw bytes), written to PATH.cortex-partial and moved over PATH. The lab records the file's
// SHA-256 and length in the host state, not its bytes; of small .json and .xml files (configuration a
// lab model may have to read, such as Service Fabric's ClusterConfig.json) it keeps the text too.
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
    const text = configText(params.path, content.subarray(0, params.length));
    if (text !== null) (state.machine.fileTexts ??= {})[sha] = text;
    return { ok: true, data: { path: params.path, bytes: params.length } };
  },
});

/** Files whose text the lab keeps: configuration a program reads, small enough to sit in the state. */
const TEXT_FILE = /\.(?:json|xml)(?:\.cortex-upload)?(?:\.cortex-partial)?$/i;
const MAX_TEXT_BYTES = 256 * 1024;

/** The UTF-8 text of a small .json or .xml file (a BOM dropped), or null (another file, too big, not UTF-8). */
export function configText(path: string, bytes: Buffer): string | null {
  if (!TEXT_FILE.test(path) || bytes.length > MAX_TEXT_BYTES) return null;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    return null;
  }
}

/** The bytes with the first one changed (the corrupt-transfers fault). */
export function corrupted(bytes: Buffer): Buffer {
  if (!bytes.length) return bytes;
  const out = Buffer.from(bytes);
  out[0] = out[0]! ^ 0xff;
  return out;
}
