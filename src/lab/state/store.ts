/**
 * Host states on disk: one JSON file per host under `<stateDir>/hosts/`, written atomically (a temp
 * file in the same folder, then rename) so a lab killed mid-write leaves the previous state, never half
 * a file. Writes of one host are serialised; the last one wins.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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

export class LabStateStore {
  private readonly chains = new Map<string, Promise<void>>();
  private dirMade = false;

  constructor(readonly stateDir: string) {}

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

  /** Persist (atomically); resolves once this and every earlier write of the host are on disk. */
  save(state: LabHostState): Promise<void> {
    const name = state.host.name;
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
    await Promise.all([...this.chains.values()]);
    await Promise.all(hostNames.map((n) => rm(this.fileOf(n), { force: true })));
  }

  /** Wait for pending writes (at lab stop). */
  async flush(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private async writeAtomic(file: string, text: string): Promise<void> {
    if (!this.dirMade) {
      await mkdir(this.hostsDir, { recursive: true });
      this.dirMade = true;
    }
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, file);
  }
}
