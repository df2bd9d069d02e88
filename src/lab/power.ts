/**
 * Power for the lab's hosts: up and down (listeners opened or closed through the endpoints) and
 * reboots (down for a while, pendingReboot cleared, bootTime moved, state saved, then up again unless
 * a `down` fault holds it), now or scheduled as shutdown.exe /r /t N schedules one. Timers die with the lab.
 */
import { completeReboot } from './handlers/resources/reboot.js';
import type { RestartRequest } from './handlers/types.js';
import type { LabHostRuntime, ScheduledRestart } from './state/host.js';
import type { LabHostState } from './state/types.js';

export interface LabPower {
  /** Open or close the host's endpoint; nothing when it already is. */
  setUp(rt: LabHostRuntime, up: boolean): Promise<void>;
  /** Reboot now: down for downSec, pendingReboot cleared, bootTime moved. */
  reboot(rt: LabHostRuntime, downSec: number): Promise<void>;
  /**
   * A restart a script asked for: the host goes down after req.delaySec (at least RESTART_GRACE_MS, so
   * the script's result reaches the client first) for downSec. One at a time, as on Windows.
   */
  scheduleRestart(rt: LabHostRuntime, req: RestartRequest, downSec: number): ScheduledRestart;
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

/** Time for a script's result to reach the client before its host goes away (shutdown /t 0). */
export const RESTART_GRACE_MS = 50;

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
    rt.scheduledRestart = null;
    rt.counters.reboots++;
    rt.rebootingUntil = new Date(Date.now() + downSec * 1000).toISOString();
    o.onDown(rt.ref.name, 'reboot');
    await setUp(rt, false);
    // Every pending-reboot marker a step wrote is cleared, and a waiting rename takes effect.
    completeReboot(rt.state.machine);
    rt.state.machine.bootTime = new Date().toISOString();
    rt.state.updatedAt = rt.state.machine.bootTime;
    await o.persist(rt.state);
    await new Promise<void>((resolve) => later(downSec * 1000, resolve));
    rt.rebootingUntil = null;
    if (!rt.faults.down) {
      await setUp(rt, true);
      o.onUp(rt.ref.name);
    }
  }

  function scheduleRestart(rt: LabHostRuntime, req: RestartRequest, downSec: number): ScheduledRestart {
    const ms = Math.max(req.delaySec * 1000, RESTART_GRACE_MS);
    const scheduled: ScheduledRestart = { at: new Date(Date.now() + ms).toISOString(), delaySec: req.delaySec, comment: req.comment };
    rt.scheduledRestart = scheduled;
    later(ms, () => {
      // Only the restart this timer was set for (a lab reboot in between has already done it).
      if (rt.scheduledRestart === scheduled) void reboot(rt, downSec);
    });
    return scheduled;
  }

  return {
    setUp,
    reboot,
    scheduleRestart,
    later,
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
