/**
 * The live fault state of one host: what its next request, authentication attempt or script meets.
 * Pure bookkeeping (no sockets, no timers): lab.ts turns the decisions into closed listeners and
 * dropped connections, the executor into failed scripts and slower durations.
 */
import type { LabFaults } from './schema.js';

export type RequestFault = { action: 'continue' } | { action: 'http500' } | { action: 'drop' };

export class HostFaults {
  private requestsSeen = 0;
  private dropAfterDone = false;
  private http500Left: number | 'always' | null;
  private readonly failedOnce = new Set<string>();
  private midCommandDone = false;
  private rebootDone = false;
  /** The `once` faults that have struck since the faults were set. */
  private readonly struckOnce = new Set<'upgrade' | 'rabbitmqUpgrade'>();
  /** Whether the faults act: from the start, or once a script of `atStep` has started. */
  private armed: boolean;

  constructor(private spec: LabFaults) {
    this.http500Left = spec.http500;
    this.armed = spec.atStep === null;
  }

  /**
   * A script of step `tag` starts on the host. True when this arms the faults (`atStep` reached):
   * the caller then strikes with `down` or `reboot` mid-script.
   */
  enterStep(tag: string | undefined): boolean {
    if (this.armed || tag === undefined || tag !== this.spec.atStep) return false;
    this.armed = true;
    return true;
  }

  /** Whether the host's listeners must be closed (a `down` fault that acts now). */
  get down(): boolean {
    return this.armed && this.spec.down;
  }

  get corruptTransfers(): boolean {
    return this.armed && this.spec.corruptTransfers;
  }

  get faults(): LabFaults {
    return this.spec;
  }

  /** Add or replace faults at run time (the control socket, tests). */
  update(next: LabFaults): void {
    this.spec = next;
    this.http500Left = next.http500;
    this.dropAfterDone = false;
    this.requestsSeen = 0;
    this.failedOnce.clear();
    this.midCommandDone = false;
    this.rebootDone = false;
    this.struckOnce.clear();
    this.armed = next.atStep === null;
  }

  /** Whether this rolling upgrade's node must stay down after its install (consumes a `once`). */
  failRabbitmqUpgrade(): boolean {
    return this.strikes(this.spec.failRabbitmqUpgrade, 'rabbitmqUpgrade');
  }

  /** `always` strikes every time; `once` the first time after the faults were set. */
  private strikes(mode: 'once' | 'always' | null, which: 'upgrade' | 'rabbitmqUpgrade'): boolean {
    if (mode === 'always') return true;
    if (mode !== 'once' || this.struckOnce.has(which)) return false;
    this.struckOnce.add(which);
    return true;
  }

  get latencyMs(): number {
    return this.armed ? this.spec.latencyMs : 0;
  }

  get slowFactor(): number {
    return this.armed ? this.spec.slowFactor : 1;
  }

  /** Decide what happens to the next HTTP request (after latency). */
  nextRequest(): RequestFault {
    if (!this.armed) return { action: 'continue' };
    this.requestsSeen++;
    const n = this.spec.dropAfterRequests;
    if (n !== null && !this.dropAfterDone && this.requestsSeen > n) {
      this.dropAfterDone = true;
      return { action: 'drop' };
    }
    if (this.http500Left === 'always') return { action: 'http500' };
    if (typeof this.http500Left === 'number' && this.http500Left > 0) {
      this.http500Left--;
      return { action: 'http500' };
    }
    return { action: 'continue' };
  }

  refuseAuth(): boolean {
    return this.armed && this.spec.refuseAuth;
  }

  /** Whether this run of the script must fail (consumes a `once`). */
  failScript(scriptId: string): boolean {
    const mode = this.armed ? this.spec.failScripts[scriptId] : undefined;
    if (mode === 'always') return true;
    if (mode === 'once' && !this.failedOnce.has(scriptId)) {
      this.failedOnce.add(scriptId);
      return true;
    }
    return false;
  }

  /** Whether the connection must drop while this script runs (consumes a `once`). */
  dropMidCommand(): boolean {
    const mode = this.armed ? this.spec.dropMidCommand : null;
    if (mode === 'always') return true;
    if (mode === 'once' && !this.midCommandDone) {
      this.midCommandDone = true;
      return true;
    }
    return false;
  }

  /** Whether the host's node fails its upgrade now (consumes a `once`). */
  failUpgrade(): boolean {
    return this.strikes(this.spec.failUpgrade, 'upgrade');
  }

  /** Seconds to stay down when a Set-type script completes, or null (consumed: one reboot). */
  rebootAfterSet(): number | null {
    if (!this.armed || !this.spec.reboot || this.rebootDone) return null;
    this.rebootDone = true;
    return this.spec.reboot.downSec;
  }
}
