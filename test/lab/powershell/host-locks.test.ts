/** The lab's host lock (LabHostLocks): the real bootstrap's named mutex, one per simulated host. */
import { describe, expect, it } from 'vitest';
import { LabHostLocks } from '../../../src/lab/powershell/dispatcher.js';

describe('LabHostLocks', () => {
  it('one holder per host; waiters served in order; another host is not held up', async () => {
    const locks = new LabHostLocks();
    const first = (await locks.acquire('web1', 1000))!;
    expect(await locks.acquire('web1', 0)).toBeNull();
    expect(await locks.acquire('web2', 0)).toBeTypeOf('function');
    const order: string[] = [];
    const second = locks.acquire('web1', 5000).then((r) => (order.push('second'), r!));
    const third = locks.acquire('web1', 5000).then((r) => (order.push('third'), r!));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    first();
    first(); // released twice: the second call does nothing
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    const free = await locks.acquire('web1', 0);
    expect(free).toBeTypeOf('function');
    free!();
  });

  it('a wait that times out gets null and leaves the queue: the next release goes to the one still waiting', async () => {
    const locks = new LabHostLocks();
    const holder = (await locks.acquire('web1', 1000))!;
    const impatient = locks.acquire('web1', 30);
    const patient = locks.acquire('web1', 5000);
    expect(await impatient).toBeNull();
    holder();
    const next = await patient;
    expect(next).toBeTypeOf('function');
    next!();
    const free = await locks.acquire('web1', 0);
    expect(free).toBeTypeOf('function');
    free!();
  });
});
