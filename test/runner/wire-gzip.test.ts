/**
 * The runner's texts travel gzip-compressed (script-frames.ts `scriptGz`, `libGz`; the bootstrap's stdin
 * line): each text is compressed once per process, however many hosts and requests send it. zlib's
 * gzipSync is counted through a module mock (this file only).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createPowerShellDispatcher } from '../../src/lab/powershell/index.js';
import { gunzipText } from '../../src/lab/powershell/gzip-text.js';
import { ScriptRunner, libraryFiles, loadScript } from '../../src/runner/index.js';
import { wireText } from '../../src/runner/wire-text.js';
import { framesOf } from './written-frames.js';
import { FakeSession } from '../fakes/fake-session.js';
import { createTestExecutor, testScripts } from '../fakes/test-executor.js';

const gzipped = vi.hoisted(() => ({ texts: [] as string[] }));
vi.mock('node:zlib', async (importOriginal) => {
  const zlib = await importOriginal<typeof import('node:zlib')>();
  return {
    ...zlib,
    gzipSync: (input: Buffer, options?: import('node:zlib').ZlibOptions) => {
      gzipped.texts.push(Buffer.from(input).toString('utf8'));
      return zlib.gzipSync(input, options);
    },
  };
});

const sha256 = (t: string): string => createHash('sha256').update(t, 'utf8').digest('hex');

describe('texts compressed once per process', () => {
  it('the bootstrap, the library and each shipped script are compressed once across hosts and processes; ad-hoc text never', async () => {
    const runners = ['app1', 'app2', 'app3'].map((name, k) => {
      const session = new FakeSession({ name, address: `127.0.41.${k + 1}` }, createPowerShellDispatcher(createTestExecutor()));
      return { session, runner: new ScriptRunner(session) };
    });
    const [ping, hash] = [loadScript('probes.ping'), loadScript('runner.file-hash')];
    for (const { runner } of runners) {
      await runner.run(ping);
      await runner.run(hash, { path: 'C:\\nothing' });
      await runner.run(ping);
      await runner.run({ id: 'adhoc', text: 'hostname' }, {}, { lib: false });
      await runner.run(testScripts.echo, { a: 1 });
    }
    // A new process on the first host (after close) sends them again, compressed already.
    await runners[0]!.runner.close();
    const again = new ScriptRunner(runners[0]!.session);
    await again.run(ping);
    const lib = libraryFiles().map(wireText).join('\n');
    const expected = [wireText(loadScript('bootstrap.resident').text), lib, wireText(ping.text), wireText(hash.text)];
    expect(gzipped.texts.slice().sort()).toEqual(expected.slice().sort());
    // Every process got the library and its first shipped script compressed, named by the plain text's hash.
    const processes = [...runners.map((r) => r.session.processes[0]!), runners[0]!.session.processes[1]!];
    for (const p of processes) {
      const [first] = framesOf(p);
      expect(first).toMatchObject({ scriptId: 'probes.ping', scriptHash: sha256(wireText(ping.text)), libHash: sha256(lib) });
      expect(gunzipText(first!.libGz!)).toBe(lib);
      expect(gunzipText(first!.scriptGz!)).toBe(wireText(ping.text));
    }
    // Ad-hoc text and scripts without a file travel plain.
    const plain = framesOf(runners[1]!.session.processes[0]!).filter((f) => f.scriptId === 'adhoc' || f.scriptId === 'test.echo');
    expect(plain.map((f) => [f.scriptId, f.script !== undefined, f.scriptGz, f.scriptHash])).toEqual([
      ['adhoc', true, undefined, undefined],
      ['test.echo', true, undefined, undefined],
    ]);
    await Promise.all([again.close(), ...runners.slice(1).map((r) => r.runner.close())]);
  });
});
