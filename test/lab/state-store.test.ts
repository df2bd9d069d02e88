/**
 * LabStateStore's write-behind (saveSoon): a host's changes close together make one write, after the
 * delay and with the latest state; save(), flushHost() and flush() write at once; reset() drops what is due.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabStateStore } from '../../src/lab/state/store.js';
import type { LabHostState } from '../../src/lab/state/types.js';

const stateOf = (name: string, mark: number) => ({ host: { name, address: '127.0.0.1' }, machine: {}, mark }) as unknown as LabHostState;
const markOn = (store: LabStateStore, name: string) => (JSON.parse(readFileSync(store.fileOf(name), 'utf8')) as { state: { mark: number } }).state.mark;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LabStateStore write-behind', () => {
  it('writes a host once, after the delay, with its latest state', async () => {
    const store = new LabStateStore(mkdtempSync(join(tmpdir(), 'cortex-store-')), 100);
    store.saveSoon(stateOf('a', 1));
    store.saveSoon(stateOf('a', 2));
    store.saveSoon(stateOf('b', 7));
    expect(existsSync(store.fileOf('a'))).toBe(false);
    await sleep(300);
    await store.flush();
    expect([markOn(store, 'a'), markOn(store, 'b')]).toEqual([2, 7]);
    const written = statSync(store.fileOf('a')).mtimeMs;
    await sleep(150);
    expect(statSync(store.fileOf('a')).mtimeMs).toBe(written); // nothing more was due
  });

  it('flush() writes what is due at once; save() supersedes it', async () => {
    const store = new LabStateStore(mkdtempSync(join(tmpdir(), 'cortex-store-')), 60_000);
    store.saveSoon(stateOf('a', 1));
    await store.flush();
    expect(markOn(store, 'a')).toBe(1);
    store.saveSoon(stateOf('a', 2));
    await store.save(stateOf('a', 3));
    expect(markOn(store, 'a')).toBe(3);
    await store.flush();
    expect(markOn(store, 'a')).toBe(3); // the state due before the save was not written after it
  });

  it('flushHost() writes that host now and leaves the others due', async () => {
    const store = new LabStateStore(mkdtempSync(join(tmpdir(), 'cortex-store-')), 60_000);
    store.saveSoon(stateOf('a', 1));
    store.saveSoon(stateOf('b', 7));
    await store.flushHost('a');
    expect(markOn(store, 'a')).toBe(1);
    expect(existsSync(store.fileOf('b'))).toBe(false);
    await store.flushHost('c'); // nothing due: resolves
    await store.flush();
    expect(markOn(store, 'b')).toBe(7);
  });

  it('reset() drops what is due, so the removed state does not come back', async () => {
    const store = new LabStateStore(mkdtempSync(join(tmpdir(), 'cortex-store-')), 50);
    await store.save(stateOf('a', 1));
    store.saveSoon(stateOf('a', 2));
    await store.reset(['a']);
    await sleep(150);
    await store.flush();
    expect(existsSync(store.fileOf('a'))).toBe(false);
  });
});
