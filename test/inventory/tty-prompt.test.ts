import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readHidden } from '../../src/inventory/tty-prompt.js';

class FakeTty extends EventEmitter {
  isRaw = false;
  modes: boolean[] = [];
  setRawMode(m: boolean) {
    this.modes.push(m);
    this.isRaw = m;
  }
  resume() {}
  pause() {}
}

describe('readHidden', () => {
  it('reads a line in raw mode without echo, handles backspace, restores the mode', async () => {
    const input = new FakeTty();
    const out = new PassThrough();
    let shown = '';
    out.on('data', (c: Buffer) => (shown += c.toString()));
    const p = readHidden('winrm.password: ', input, out);
    input.emit('data', Buffer.from('s3cr'));
    input.emit('data', Buffer.from('x\u007fet\r'));
    await expect(p).resolves.toBe('s3cret');
    expect(shown).toBe('winrm.password: \n');
    expect(input.modes).toEqual([true, false]);
  });
  it('Ctrl-C cancels', async () => {
    const input = new FakeTty();
    const p = readHidden('q: ', input, new PassThrough());
    input.emit('data', 'ab\u0003');
    await expect(p).rejects.toThrow('cancelled');
  });
});
