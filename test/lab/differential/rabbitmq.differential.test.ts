/**
 * The lab models of the RabbitMQ component's resource types (erlang_cookie, ...) held to their scripts
 * through the Windows shim (resources-b-harness.ts): the Set script on the view and the Set handler on
 * the machine from the same state; envelopes, views and the Test's state afterwards must be equal.
 */
import { describe, expect, it } from 'vitest';
import { handlerRegistry } from '../../../src/lab/handlers/index.js';
import type { ResourceTypeName } from '../../../src/resources/index.js';
import { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { withShimHost } from '../helpers.js';
import { compareSet, machineFrom, withFile } from './resources-b-harness.js';
import { asciiSha256 } from '../../../src/lab/handlers/resources/erlang-cookie.js';

const pwsh = pwshForTests('test/lab/differential (RabbitMQ)');
let host: ShimHost;

/** The Set scripts this file holds to their handlers (test/lab/differential/probes.differential.test.ts counts on it). */
const COMPARED_HERE: Record<string, ResourceTypeName> = {
  'resources.erlang-cookie': 'erlang_cookie',
};

it("the handlers compared here are the lab's Set handlers of these types", () => {
  const registry = handlerRegistry();
  for (const [id, type] of Object.entries(COMPARED_HERE)) expect(registry.get(id)?.script, id).toBe(`ps1/resources/${type.replace(/_/g, '-')}.ps1`);
});

const COOKIE = 'QWERTYUIOPASDFGHJKLZXCVBNM123456';
const SYS = 'C:\\Windows\\System32\\config\\systemprofile\\.erlang.cookie';
const USER = 'C:\\Users\\svc-cortex\\.erlang.cookie';

describe.skipIf(!pwsh)('RabbitMQ component: lab models vs scripts through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  describe('erlang_cookie', () => {
    const base = machineFrom({ directories: ['C:\\Users\\svc-cortex'] });
    const params = { cookie: COOKIE, paths: [SYS, USER], cookieSha256: asciiSha256(COOKIE) };
    const readParams = { cookie: 'env:CORTEX_ERLANG_COOKIE', paths: [SYS, USER] };

    it('writes both files (ASCII bytes: 32 of them), then again writes nothing', async () => {
      const first = await compareSet(host, base, 'erlang_cookie', params, readParams);
      expect(first.diffs, first.diffs.join('\n')).toEqual([]);
      expect(first.script.data).toEqual({ rebootRequired: false, exitCode: null, message: `wrote the Erlang cookie to 2 of 2 files: ${SYS}, ${USER}` });
      expect(first.machine.files[SYS]).toBe(asciiSha256(COOKIE));
      expect(first.machine.fileSizes[USER]).toBe(32);
      const again = await compareSet(host, { ...base, machine: first.machine }, 'erlang_cookie', params, readParams);
      expect(again.diffs, again.diffs.join('\n')).toEqual([]);
      expect(again.viewChanged).toBe(false);
      expect(JSON.stringify(again.script)).not.toContain(COOKIE);
    }, 120_000);

    it('rewrites a file holding another cookie, keeps the right one', async () => {
      const m = structuredClone(base);
      withFile(m.machine, SYS, asciiSha256(COOKIE), 32);
      withFile(m.machine, USER, asciiSha256(`${COOKIE}\r\n`), 34);
      const r = await compareSet(host, m, 'erlang_cookie', params, readParams);
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.script.data).toMatchObject({ message: `wrote the Erlang cookie to 1 of 2 files: ${USER}` });
    }, 120_000);

    it('refuses a profile folder that does not exist, a short cookie, a mismatched digest', async () => {
      const noProfile = machineFrom({});
      const missing = await compareSet(host, noProfile, 'erlang_cookie', params, readParams);
      expect(missing.diffs, missing.diffs.join('\n')).toEqual([]);
      expect(missing.script.error?.message).toMatch(/^erlang_cookie: the folder C:\\Users\\svc-cortex does not exist/);
      // The systemprofile file was written before the refusal, as the script does.
      expect(missing.machine.files[SYS]).toBe(asciiSha256(COOKIE));
      const short = await compareSet(host, base, 'erlang_cookie', { ...params, cookie: 'abc' }, readParams);
      expect(short.diffs, short.diffs.join('\n')).toEqual([]);
      expect(short.script.error?.message).toBe('erlang_cookie: the cookie must be 20 to 255 ASCII letters and digits; the one received has 3 characters');
      const digest = await compareSet(host, base, 'erlang_cookie', { ...params, cookieSha256: asciiSha256('X'.repeat(32)) }, readParams);
      expect(digest.diffs, digest.diffs.join('\n')).toEqual([]);
      expect(digest.script.ok).toBe(false);
    }, 120_000);
  });
});
