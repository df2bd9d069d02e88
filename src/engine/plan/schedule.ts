/**
 * The order a playbook runs in, as data: phases in order; a rolling phase (`serial`) as batches of
 * hosts, each batch running all the phase's steps, with a health gate after it; within a batch, each
 * step with its barrier and its own host batches (step `serial`; `run_once` is one batch of one host).
 * The plan lists changes in this order and the executor walks it, so both agree by construction.
 */
import type { Playbook, SerialSpec, Step } from '../playbook/types.js';

export interface StepRun {
  step: Step;
  /** Hosts on which every earlier step must be verified first (from the step's barrier). */
  barrier?: string[] | undefined;
  /** Host batches, in order; the hosts of one batch run at once (up to --forks). */
  hostBatches: string[][];
}

export interface PhaseBatch {
  /** The batch's hosts (all the phase's hosts unless the phase is serial). */
  hosts: string[];
  steps: StepRun[];
  /** Whether the phase's health gate runs after this batch (rolling phases, every batch). */
  healthGate: boolean;
}

export interface PhaseSchedule {
  phase: string;
  batches: PhaseBatch[];
}

/** Split hosts into batches of a serial spec: N at a time, or a percentage (rounded up, at least 1). */
export function serialBatches(hosts: readonly string[], spec: SerialSpec | undefined): string[][] {
  if (!hosts.length) return [];
  if (!spec) return [[...hosts]];
  const size = 'count' in spec ? spec.count : Math.max(1, Math.ceil((hosts.length * spec.percent) / 100));
  const out: string[][] = [];
  for (let i = 0; i < hosts.length; i += size) out.push(hosts.slice(i, i + size));
  return out;
}

export function schedule(pb: Playbook): PhaseSchedule[] {
  return pb.phases.map((phase) => {
    const batches = serialBatches(phase.hosts, phase.serial);
    return {
      phase: phase.name,
      batches: batches.map((batchHosts) => {
        const inBatch = new Set(batchHosts);
        return {
          hosts: batchHosts,
          healthGate: phase.serial !== undefined && phase.health !== undefined,
          steps: phase.steps
            .map((step) => {
              const hosts = step.hosts.filter((h) => inBatch.has(h));
              return { step, barrier: step.barrier, hostBatches: serialBatches(hosts, step.serial) };
            })
            // A run_once host outside this batch: the step runs with the batch that holds it.
            .filter((r) => r.hostBatches.length > 0),
        };
      }),
    };
  });
}

/** Every (step, host) pair in schedule order. */
export function* scheduleOrder(s: PhaseSchedule[]): Generator<{ phase: string; batch: number; step: Step; host: string }> {
  for (const p of s) {
    for (const [i, b] of p.batches.entries()) {
      for (const r of b.steps) for (const hb of r.hostBatches) for (const host of hb) yield { phase: p.phase, batch: i, step: r.step, host };
    }
  }
}
