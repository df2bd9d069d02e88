/**
 * Power for the lab's hosts: up and down (listeners opened or closed through the endpoints) and
 * reboots (down for a while, pendingReboot cleared, bootTime moved, state saved, then up again unless
 * a `down` fault holds it). Timers die with the lab.
 */
import type { LabHostRuntime } from './state/host.js';
import type { LabHostState } from './state/types.js';

export interface LabPower {
  /** Open or close the host's endpoint; nothing when it already is. */
  setUp(rt: LabHostRuntime, up: boolean): Promise<void>;
  /** Reboot now: down for downSec, pendingReboot cleared, bootTime moved. */
  reboot(rt: LabHostRuntime, downSec: number): Promise<void>;
  /** Run `fn` after `ms` unless the lab stops first. */
  later(ms: number, fn: () => void): void;
  /** Cancel every pending timer (lab stop). */
  stop(): void;
}

export interface PowerOptions {
  /** Opens or closes a host's listeners (null until the endpoints have started). */
  setEndpointUp(rt: LabHostRuntime, up: boolean): Promise<void>;
  persist(state: LabHostState): Promise<void>;
  onDown(host: string, reason: 'reboot'): void;
  onUp(host: string): void;
}

export function createPower(o: PowerOptions): LabPower {
  const timers = new Set<NodeJS.Timeout>();

  function later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  }

  async function setUp(rt: LabHostRuntime, up: boolean): Promise<void> {
    if (rt.up === up) return;
    rt.up = up;
    await o.setEndpointUp(rt, up);
  }

  async function reboot(rt: LabHostRuntime, downSec: number): Promise<void> {
    rt.counters.reboots++;
    rt.rebootingUntil = new Date(Date.now() + downSec * 1000).toISOString();
    o.onDown(rt.ref.name, 'reboot');
    await setUp(rt, false);
    rt.state.machine.pendingReboot = false;
    rt.state.machine.bootTime = new Date().toISOString();
    rt.state.updatedAt = rt.state.machine.bootTime;
    await o.persist(rt.state);
    await new Promise<void>((resolve) => later(downSec * 1000, resolve));
    rt.rebootingUntil = null;
    if (!rt.faults.faults.down) {
      await setUp(rt, true);
      o.onUp(rt.ref.name);
    }
  }

  return {
    setUp,
    reboot,
    later,
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
