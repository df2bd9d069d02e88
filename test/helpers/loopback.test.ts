/** The per-file loopback allocator: blocks are exclusive between claimants and skip held addresses. */
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { claimLoopbackBlock } from './loopback.js';

function listen(address: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host: address, port, exclusive: true }, () => resolve(s));
  });
}

describe('claimLoopbackBlock', () => {
  it('gives each claimant its own block, stable for a key once released', async () => {
    const a = await claimLoopbackBlock('test/helpers/some-file.test.ts');
    const b = await claimLoopbackBlock('test/helpers/some-file.test.ts');
    expect(a.prefix).toMatch(/^127\.(2[0-4]\d|25[0-4])\.\d{1,3}\.$/);
    expect(b.prefix).not.toBe(a.prefix);
    a.release();
    b.release();
    const again = await claimLoopbackBlock('test/helpers/some-file.test.ts');
    expect(again.prefix).toBe(a.prefix);
    again.release();
    expect(() => a.addr(255)).toThrow(/outside 1–254/);
    expect(a.addr(7)).toBe(`${a.prefix}7`);
  });

  it('skips a block something else listens on (a lab the user has running)', async () => {
    const first = await claimLoopbackBlock('test/helpers/other-file.test.ts');
    first.release();
    const squatter = await listen(first.addr(200), 5986);
    try {
      const next = await claimLoopbackBlock('test/helpers/other-file.test.ts');
      expect(next.prefix).not.toBe(first.prefix);
      next.release();
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});
