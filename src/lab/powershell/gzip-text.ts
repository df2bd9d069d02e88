/**
 * The lab's reading of the runner's compressed texts (script-frames.ts gzipText: the bootstrap's stdin
 * line, `scriptGz`, `libGz`), as strictly as the real bootstrap reads them.
 */
import { gunzipSync } from 'node:zlib';
import { memoString } from '../../lib/memo-string.js';

/**
 * The text of a gzipText value, read as strictly as the bootstrap reads it (.NET's FromBase64String:
 * white space ignored, padding required; then GZipStream). Throws an Error saying what is wrong.
 */
export function gunzipText(value: string): string {
  const compact = value.replace(/[ \t\r\n]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw new Error('not base64');
  let bytes: Buffer;
  try {
    bytes = gunzipSync(Buffer.from(compact, 'base64'));
  } catch (err) {
    throw new Error(`not gzip: ${(err as Error).message}`);
  }
  return bytes.toString('utf8');
}

/**
 * gunzipText remembered by value: every host of a run gets the same compressed bootstrap, library and
 * scripts, so the lab expands each once, not once per process (the library alone is 61 KB of text, at
 * 1,000 hosts a thousand times). A value that does not expand throws every time and is not kept.
 */
export const expandText: (value: string) => string = memoString(gunzipText, 64);
