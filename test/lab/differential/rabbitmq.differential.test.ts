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
import { artifactFile } from '../../../src/lab/artifacts/catalog.js';
import { projectWindowsView } from '../../../src/lab/shim/windows-view.js';
import type { LabHostState } from '../../../src/lab/state/types.js';

/** A machine with the named artifacts uploaded to C:\Installers\<fileName>. */
function withArtifacts(state: LabHostState, ids: string[]): LabHostState {
  const s = structuredClone(state);
  for (const id of ids) {
    const a = artifactFile(id);
    withFile(s.machine, `C:\\Installers\\${a.artifact.fileName}`, a.sha256, a.bytes.length);
  }
  return s;
}

const ERLANG = { name: 'Erlang OTP', path: 'C:\\Installers\\otp_win64_27.3.4.exe', uninstallKey: 'Erlang OTP', version: '27.3.4', arguments: ['/S'] };
const RABBITMQ = { name: 'RabbitMQ', path: 'C:\\Installers\\rabbitmq-server-4.1.4.exe', uninstallKey: 'RabbitMQ', version: '4.1.4', arguments: ['/S'] };

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

  describe('package: the Erlang and RabbitMQ installers', () => {
    const base = withArtifacts(machineFrom({}), ['erlang-otp-27.3.4', 'rabbitmq-server-4.1.4']);

    it('RabbitMQ without Erlang: the installer aborts (exit code 2, its message), nothing installed', async () => {
      const r = await compareSet(host, base, 'package', RABBITMQ);
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.script.error?.message).toBe('package: installing RabbitMQ failed: C:\\Installers\\rabbitmq-server-4.1.4.exe exited with code 2: Erlang could not be detected. You must install Erlang before installing RabbitMQ.');
      expect(r.machine.products).toEqual([]);
      expect(r.viewChanged).toBe(false);
    }, 120_000);

    it('Erlang, then RabbitMQ: their keys in WOW6432Node, erl.exe and OTP_VERSION, the RabbitMQ service and sbin', async () => {
      const erl = await compareSet(host, base, 'package', ERLANG);
      expect(erl.diffs, erl.diffs.join('\n')).toEqual([]);
      const reg = projectWindowsView(erl.machine).registry;
      expect(reg['SOFTWARE\\WOW6432Node\\Ericsson\\Erlang\\15.2.7']).toEqual({ '(default)': { kind: 'String', data: 'C:\\Program Files\\Erlang OTP' } });
      expect(Object.keys(reg)).toContain('SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Erlang OTP');
      expect(Object.keys(erl.machine.files)).toEqual(expect.arrayContaining(['C:\\Program Files\\Erlang OTP\\bin\\erl.exe', 'C:\\Program Files\\Erlang OTP\\releases\\27\\OTP_VERSION']));
      const rabbit = await compareSet(host, { ...base, machine: erl.machine }, 'package', RABBITMQ);
      expect(rabbit.diffs, rabbit.diffs.join('\n')).toEqual([]);
      expect(rabbit.script.data).toEqual({ rebootRequired: false, exitCode: 0, message: 'installing RabbitMQ: exit code 0' });
      expect(rabbit.machine.services.find((s) => s.name === 'RabbitMQ')?.state).toBe('Running');
      expect(rabbit.machine.env.ERLANG_HOME).toBe('C:\\Program Files\\Erlang OTP');
      expect(Object.keys(rabbit.machine.files)).toContain('C:\\Program Files\\RabbitMQ Server\\rabbitmq_server-4.1.4\\sbin\\rabbitmqctl.bat');
      // Uninstalling Erlang takes its key with it.
      const gone = await compareSet(host, { ...base, machine: erl.machine }, 'package', { ...ERLANG, state: 'absent' });
      expect(gone.diffs, gone.diffs.join('\n')).toEqual([]);
      expect(Object.keys(projectWindowsView(gone.machine).registry).some((k) => /Ericsson/i.test(k))).toBe(false);
    }, 120_000);
  });

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
