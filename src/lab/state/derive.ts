/**
 * A fresh host state from a profile (pure, apart from the clock passed in).
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { LabHostRef } from '../dispatcher.js';
import { NETBIOS_NAME, type LabProfile } from '../profile/schema.js';
import type { LabBehaviourKeys, LabHostState, LabMachine } from './types.js';

/** Stable hash of a profile's machine part (behaviour keys like faults do not reset a host's state). */
export function profileHash(profile: LabProfile): string {
  return createHash('sha256').update(stableStringify(machinePart(profile))).digest('hex');
}

/** The profile without its behaviour keys (LabBehaviourKeys): what describes the machine. */
function machinePart(profile: LabProfile): Omit<LabProfile, LabBehaviourKeys> {
  const { faults: _f, powershellStartMs: _p, scriptDurationMs: _s, maxEnvelopeSizeKb: _m, steps: _t, rebootDownSec: _r, twin: _w, ...machine } = profile;
  return machine;
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const WIN_NAME_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * The computer name Windows would have for an inventory host name, by the NetBIOS rule: the first label
 * of a DNS name (app1.corp.example.com is APP1), upper case, at most 15 characters, characters NetBIOS
 * does not allow replaced by '-'. A name that gives no valid computer name (an IP address, only digits)
 * gets one like Windows Setup makes: WIN- and 11 letters or digits (stable: derived from the name).
 */
export function computerNameFor(name: string): string {
  const label = isIP(name) ? '' : (name.split('.')[0] ?? '');
  const netbios = label.replace(/[^A-Za-z0-9!@#$%^&'(){}\-_~]/g, '-').toUpperCase().slice(0, 15);
  if (NETBIOS_NAME.test(netbios)) return netbios;
  const digest = createHash('sha256').update(name).digest();
  return `WIN-${[...digest.subarray(0, 11)].map((b) => WIN_NAME_ALPHABET[b % WIN_NAME_ALPHABET.length]).join('')}`;
}

export function deriveMachine(host: LabHostRef, profile: LabProfile, now: Date): LabMachine {
  const rest = machinePart(profile);
  return structuredClone({
    ...rest,
    ipv4: profile.ipv4 ?? [host.address],
    // NetBIOS names are upper case ($env:COMPUTERNAME, hostname), whatever case the profile gives.
    computerName: (profile.computerName ?? computerNameFor(host.name)).toUpperCase(),
    logicalProcessors: profile.logicalProcessors ?? profile.cpuCores,
    bootTime: profile.bootTime ?? now.toISOString(),
    fileSizes: {},
  });
}

export function deriveState(host: LabHostRef, profile: LabProfile, now: Date = new Date()): LabHostState {
  const at = now.toISOString();
  return { host: { ...host }, profileHash: profileHash(profile), createdAt: at, updatedAt: at, machine: deriveMachine(host, profile, now) };
}
