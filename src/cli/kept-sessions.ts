/**
 * Sessions the apply's preflight gate opened, kept for the apply itself: the gate probes each host over
 * a session and its resident powershell.exe, and the apply then takes the same ones instead of opening
 * another (docs/playbooks.md). On WinRM that saves, per host, the NTLM handshake, a shell, a
 * PowerShell start and the bootstrap with the library (about 80 KB sealed), a sixth of the requests.
 * Sessions not taken (a gate that stops the run, an interrupt) are closed by closeAll().
 */
import type { ScriptRunner } from '../runner/index.js';
import type { Session } from '../transport/session.js';

export interface KeptSession {
  session: Session;
  runner: ScriptRunner;
}

export class KeptSessions {
  private readonly kept = new Map<string, KeptSession>();

  /** Keep a host's session (a second one for the same host replaces and closes the first). */
  put(host: string, s: KeptSession): void {
    const before = this.kept.get(host);
    this.kept.set(host, s);
    if (before && before.session !== s.session) void before.session.close().catch(() => undefined);
  }

  /** The host's kept session, handed over once (undefined when there is none). */
  take(host: string): KeptSession | undefined {
    const s = this.kept.get(host);
    this.kept.delete(host);
    return s;
  }

  get size(): number {
    return this.kept.size;
  }

  /** Close every session not taken. */
  async closeAll(): Promise<void> {
    const all = [...this.kept.values()];
    this.kept.clear();
    await Promise.all(all.map((s) => s.session.close().catch(() => undefined)));
  }
}
