/**
 * What the lab's host profiles plug into the WinRM server: fault injection (latency, HTTP 500,
 * dropped connections, refused authentication) and observation (shell and command counters).
 * Every hook is optional; a missing hook means "behave like a healthy host".
 */
import type { LabHostRef } from '../dispatcher.js';

export type RequestDecision = { action: 'continue' } | { action: 'http500' } | { action: 'drop' };

export interface LabServerHooks {
  /**
   * Called for every HTTP request before it is handled. Add latency by awaiting before resolving;
   * `http500` answers with a bare HTTP 500, `drop` destroys the TCP connection without a reply.
   */
  onRequest?(host: LabHostRef): Promise<RequestDecision>;
  /** True: refuse this authentication attempt (Basic or NTLM) as if the password were wrong. */
  refuseAuth?(host: LabHostRef): boolean;
  onShellCreated?(host: LabHostRef): void;
  /** A shell was deleted (the end of a client's session); its DeleteResponse waits for this. */
  onShellDeleted?(host: LabHostRef): Promise<void>;
  /** A request refused with HTTP 413 (over the host's MaxEnvelopeSizekb). */
  onTooLarge?(host: LabHostRef): void;
  onCommand?(host: LabHostRef, command: string, args: string[]): void;
}

export interface LabHostCounters {
  /** HTTP requests received (every POST, including authentication legs and faults). */
  requests: number;
  /** Shells created. */
  shells: number;
  /** Commands started. */
  commands: number;
  /** Requests refused with HTTP 413 (larger than the host's MaxEnvelopeSizekb). */
  tooLarge: number;
}
