/**
 * Host states on disk: one JSON file per host under `<stateDir>/hosts/`, written atomically (a temp
 * file in the same folder, then rename) so a lab killed mid-write leaves the previous state, never half
 * a file. Writes of one host are serialised; the last one wins.
 *
 * A Set's change is written behind (saveSoon): within WRITE_BEHIND_MS, one write for all the host's
 * changes of that time. Three seconds, not less: at 1,000 hosts and 50 forks a host's Sets come
 * 1.3–1.5 s apart, so half a second still wrote once per Set there, and those writes took a third of
 * the lab's CPU (docs/benchmarks.md). flushHost() (a shell's Delete: the end of a client's session)
 * and flush() (lab stop) write what is due at once;
 * reset() drops it. A lab killed outright (SIGKILL, a crash) loses at most that last moment's changes.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabHostRef } from '../dispatcher.js';
import type { LabProfile } from '../profile/schema.js';
import { deriveState, profileHash } from './derive.js';
import { STATE_FORMAT_VERSION, type LabHostState } from './types.js';

interface StateFile {
  version: number;
  state: LabHostState;
}

/** Why a host's state was (re)made at load time, for the lab's start summary. */
export type LoadOrigin = 'restored' | 'new' | 'profile-changed' | 'unreadable';

/** How long a Set's change may wait before its host's state is written (saveSoon). */
export const WRITE_BEHIND_MS = 3000;

export class LabStateStore {
  private readonly chains = new Map<string, Promise<void>>();
  /** States to write behind, by host, with the timer that writes them. */
  private readonly due = new Map<string, { state: LabHostState; timer: NodeJS.Timeout }>();
  private dirMade = false;

  constructor(
    readonly stateDir: string,
    private readonly writeBehindMs = WRITE_BEHIND_MS,
  ) {}

  get hostsDir(): string {
    return join(this.stateDir, 'hosts');
  }

  fileOf(hostName: string): string {
    return join(this.hostsDir, `${encodeURIComponent(hostName)}.json`);
  }

  /**
   * The host's saved state, or a fresh one from its profile when there is none, it cannot be read, or
   * the profile's machine part changed since it was saved. Nothing is written here: a host that never
   * runs a Set-type script costs no file (1,000 hosts start fast).
   */
  async load(host: LabHostRef, profile: LabProfile): Promise<{ state: LabHostState; origin: LoadOrigin }> {
    let text: string;
    try {
      text = await readFile(this.fileOf(host.name), 'utf8');
    } catch {
      return { state: deriveState(host, profile), origin: 'new' };
    }
    try {
      const file = JSON.parse(text) as StateFile;
      if (file.version !== STATE_FORMAT_VERSION || !file.state?.machine) throw new Error('format');
      if (file.state.profileHash !== profileHash(profile)) return { state: deriveState(host, profile), origin: 'profile-changed' };
      // The address may move between runs (synthetic inventories); the machine stays.
      file.state.host = { ...host };
      return { state: file.state, origin: 'restored' };
    } catch {
      return { state: deriveState(host, profile), origin: 'unreadable' };
    }
  }

  /**
   * Persist within writeBehindMs (the state as it is then: later changes of the host ride along).
   * A write that fails is retried by the host's next save; it never fails a script.
   */
  saveSoon(state: LabHostState): void {
    const name = state.host.name;
    const pending = this.due.get(name);
    if (pending) {
      pending.state = state;
      return;
    }
    const timer = setTimeout(() => {
      const d = this.due.get(name);
      this.due.delete(name);
      if (d) void this.save(d.state).catch(() => undefined);
    }, this.writeBehindMs);
    this.due.set(name, { state, timer });
  }

  /** Persist (atomically); resolves once this and every earlier write of the host are on disk. */
  save(state: LabHostState): Promise<void> {
    const name = state.host.name;
    // This write carries the latest state: one written behind would only repeat it.
    const pending = this.due.get(name);
    if (pending) {
      clearTimeout(pending.timer);
      this.due.delete(name);
    }
    const text = JSON.stringify({ version: STATE_FORMAT_VERSION, state } satisfies StateFile, null, 2);
    const prev = this.chains.get(name) ?? Promise.resolve();
    const next = prev.then(() => this.writeAtomic(this.fileOf(name), text));
    const settled = next.catch(() => undefined);
    this.chains.set(name, settled);
    void settled.then(() => {
      if (this.chains.get(name) === settled) this.chains.delete(name);
    });
    return next;
  }

  /** Remove saved states (the next load derives from the profile). */
  async reset(hostNames: string[]): Promise<void> {
    // A state written behind after the reset would bring back what the reset removed.
    for (const d of this.due.values()) clearTimeout(d.timer);
    this.due.clear();
    await Promise.all([...this.chains.values()]);
    await Promise.all(hostNames.map((n) => rm(this.fileOf(n), { force: true })));
  }

  /**
   * Write this host's due state now and wait until its writes are on disk: a client that ends its
   * session (a shell's Delete) finds the host's file current once it is answered.
   */
  async flushHost(name: string): Promise<void> {
    const d = this.due.get(name);
    if (d) await this.save(d.state).catch(() => undefined);
    await this.chains.get(name);
  }

  /** Write what is due now, and wait for every pending write (at lab stop). */
  async flush(): Promise<void> {
    for (const d of [...this.due.values()]) void this.save(d.state).catch(() => undefined);
    await Promise.all([...this.chains.values()]);
  }

  /**
   * Synchronous on purpose: 1,000 files of 4 KB, each written and renamed, took 51-103 ms and 57-99 ms
   * of CPU here, against 115-140 ms and 182-217 ms of CPU through fs/promises (three thread-pool round
   * trips and their promises per file). The closing Deletes of a 1,000-host apply wait for such writes.
   * While an apply on the same disk syncs its run journal, creating and renaming a file waits for the
   * file system's journal too (~0.5 ms each under strace); writing through the thread pool instead cost
   * the lab more CPU and gained no wall time in alternated 1,000-host runs, so it stays synchronous.
   */
  private async writeAtomic(file: string, text: string): Promise<void> {
    if (!this.dirMade) {
      mkdirSync(this.hostsDir, { recursive: true });
      this.dirMade = true;
    }
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, text, 'utf8');
    renameSync(tmp, file);
  }
}
