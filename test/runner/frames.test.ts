/** The frame line splitter the runner and the lab's bootstrap emulation share, and big frames end to end. */
import { describe, expect, it } from 'vitest';
import { LineSplitter, decodeFrameLine, encodeFrame } from '../../src/protocol/script-frames.js';
import { createPowerShellDispatcher } from '../../src/lab/powershell/index.js';
import type { ScriptExecutor } from '../../src/lab/dispatcher.js';
import { ScriptRunner } from '../../src/runner/index.js';
import { FakeSession } from '../fakes/fake-session.js';

describe('LineSplitter', () => {
  it('joins lines split across chunks, splits several lines in one chunk, keeps the rest', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('ab');
    s.push(Buffer.from('c\nde\n\nf'));
    s.push('g\r\nh');
    expect(lines).toEqual(['abc', 'de', '', 'fg\r']);
    expect(s.rest()).toBe('h');
  });

  it('handles a 14 MB frame line in 16 KB chunks (linear, not quadratic)', () => {
    const frame = Buffer.from(encodeFrame({ type: 'result', id: 'x', exitCode: 0, output: ['y'.repeat(10 * 1024 * 1024)], errors: [], warnings: [], timedOut: false, durationMs: 1 }));
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    for (let o = 0; o < frame.length; o += 16 * 1024) s.push(frame.subarray(o, o + 16 * 1024));
    expect(lines).toHaveLength(1);
    expect((decodeFrameLine(lines[0]!) as { output: string[] }).output[0]).toHaveLength(10 * 1024 * 1024);
  });
});

describe('big output through the runner', () => {
  it('returns 10 MB of script output intact', async () => {
    const big = 'ä'.repeat(5 * 1024 * 1024); // 10 MB as UTF-8
    const executor: ScriptExecutor = { run: async () => ({ exitCode: 0, output: [big, 'tail'], errors: [], warnings: [] }) };
    const runner = new ScriptRunner(new FakeSession({ name: 'big', address: '127.0.40.61' }, createPowerShellDispatcher(executor)));
    const r = await runner.run({ id: 'adhoc', text: 'Get-Big' }, {}, { lib: false });
    expect(r.output).toEqual([big, 'tail']);
    await runner.close();
  });
});
