/**
 * One simulated host while the lab runs: its profile, its machine state, its live faults and counters,
 * and whether its listeners are up.
 */
import type { LabHostRef } from '../dispatcher.js';
import type { HostFaults } from '../faults/runtime.js';
import type { LabProfile } from '../profile/schema.js';
import type { LabCounters } from './counters.js';
import type { LabHostState } from './types.js';

export interface LabHostRuntime {
  ref: LabHostRef;
  transport: 'winrm' | 'ssh';
  profile: LabProfile;
  state: LabHostState;
  faults: HostFaults;
  counters: LabCounters;
  /** Scripts running on the host now (a killed client's last ones run on, as on Windows). */
  scriptsRunning: number;
  /** Listeners open (false: down by fault, or rebooting). */
  up: boolean;
  /** Until when a reboot keeps it down (ISO), or null. */
  rebootingUntil: string | null;
  /** A restart a script asked for (shutdown.exe /r /t N), not yet begun; absent or null: none. */
  scheduledRestart?: ScheduledRestart | null;
}

export interface ScheduledRestart {
  /** When the host goes down (ISO). */
  at: string;
  delaySec: number;
  /** shutdown.exe's /c comment. */
  comment: string;
}
