/**
 * The state of one simulated host: its machine, derived from the profile when first created and then
 * changed by the Set-type scripts it runs. Persisted as JSON per host (store.ts). Handlers read and
 * change `machine`; the executor persists after every Set-type script.
 */
import type { LabHostRef } from '../dispatcher.js';
import type { LabProfile } from '../profile/schema.js';

/** Profile keys that describe the lab's behaviour rather than the machine. */
export type LabBehaviourKeys = 'faults' | 'powershellStartMs' | 'scriptDurationMs' | 'maxEnvelopeSizeKb' | 'steps' | 'rebootDownSec' | 'twin';

/** The machine as scripts see it: the profile with every "null: derive it" value resolved. */
export type LabMachine = Omit<LabProfile, LabBehaviourKeys | 'ipv4' | 'computerName' | 'logicalProcessors' | 'bootTime'> & {
  ipv4: string[];
  computerName: string;
  logicalProcessors: number;
  bootTime: string;
  /** Sizes of the files in `files` (bytes), where a script wrote them. */
  fileSizes: Record<string, number>;
};

export interface LabHostState {
  host: LabHostRef;
  /** SHA-256 of the profile the machine was derived from: a changed profile re-derives the machine. */
  profileHash: string;
  createdAt: string;
  updatedAt: string;
  machine: LabMachine;
}

export const STATE_FORMAT_VERSION = 1;
