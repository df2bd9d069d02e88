/**
 * A fresh host state from a profile (pure, apart from the clock passed in).
 */
import { createHash } from 'node:crypto';
import type { LabHostRef } from '../dispatcher.js';
import type { LabProfile } from '../profile/schema.js';
import type { LabHostState, LabMachine } from './types.js';

/** Stable hash of a profile's machine part (behaviour keys like faults do not reset a host's state). */
export function profileHash(profile: LabProfile): string {
  const { faults: _f, powershellStartMs: _p, scriptDurationMs: _s, maxEnvelopeSizeKb: _m, ...machine } = profile;
  return createHash('sha256').update(stableStringify(machine)).digest('hex');
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function deriveMachine(host: LabHostRef, profile: LabProfile, now: Date): LabMachine {
  const { faults: _f, powershellStartMs: _p, scriptDurationMs: _s, maxEnvelopeSizeKb: _m, ...rest } = profile;
  return structuredClone({
    ...rest,
    ipv4: profile.ipv4 ?? [host.address],
    computerName: profile.computerName ?? host.name.toUpperCase().slice(0, 15),
    logicalProcessors: profile.logicalProcessors ?? profile.cpuCores,
    bootTime: profile.bootTime ?? now.toISOString(),
    fileSizes: {},
  });
}

export function deriveState(host: LabHostRef, profile: LabProfile, now: Date = new Date()): LabHostState {
  const at = now.toISOString();
  return { host: { ...host }, profileHash: profileHash(profile), createdAt: at, updatedAt: at, machine: deriveMachine(host, profile, now) };
}
