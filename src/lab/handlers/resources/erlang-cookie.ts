/**
 * erlang_cookie (ps1/resources/erlang-cookie.ps1; its Test in test-batch.ps1's
 * Get-CortexErlangCookieState): each cookie file's SHA-256, and the Set that writes the cookie's ASCII
 * bytes where the hash differs. The lab keeps files as hashes, which is exactly what the Test reads.
 */
import { createHash } from 'node:crypto';
import { findFile, parentPath, testPath, writeFileBytes } from './files.js';
import { resourceParam, stringParam, psString } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'erlang_cookie';

export const asciiSha256 = (text: string): string => createHash('sha256').update(Buffer.from(text, 'latin1')).digest('hex');

function pathsParam(params: Record<string, unknown>): string[] {
  const raw = resourceParam(params, R, 'paths', { required: true });
  return (Array.isArray(raw) ? raw : [raw]).map(psString);
}

export const erlangCookieModel = defineResourceModel({
  type: 'erlang_cookie',
  read: ({ machine, params }) => ({
    files: pathsParam(params).map((path) => ({ path, sha256: testPath(machine, path, 'Leaf') ? findFile(machine, path)!.sha256 : null })),
  }),
  set: ({ machine: m, params }) => {
    const cookie = stringParam(params, R, 'cookie', { required: true });
    const paths = pathsParam(params);
    const expected = stringParam(params, R, 'cookieSha256', { default: '' });
    if (!/^[A-Za-z0-9]{20,255}$/.test(cookie)) throw new LabResourceError(`erlang_cookie: the cookie must be 20 to 255 ASCII letters and digits; the one received has ${cookie.length} characters`);
    const want = asciiSha256(cookie);
    if (expected && expected.toLowerCase() !== want) throw new LabResourceError('erlang_cookie: the cookie received is not the one whose SHA-256 the plan compared; run apply again');
    const written: string[] = [];
    for (const path of paths) {
      if (testPath(m, path, 'Container')) throw new LabResourceError(`erlang_cookie: ${path} is a folder, not a cookie file`);
      if (testPath(m, path, 'Leaf') && findFile(m, path)!.sha256 === want) continue;
      const parent = parentPath(path);
      if (!testPath(m, parent, 'Container')) {
        throw new LabResourceError(`erlang_cookie: the folder ${parent} does not exist; a profile folder is made by Windows when its account first logs on, so log on once as that account or fix the path`);
      }
      writeFileBytes(m, path, want, cookie.length);
      written.push(path);
    }
    return setResult(`wrote the Erlang cookie to ${written.length} of ${paths.length} files: ${written.join(', ')}`);
  },
});
