/**
 * How the lab models one resource type (docs/lab.md, "Resource scripts"): its Test, as
 * ps1/resources/test-batch.ps1 reads it, and its Set, as ps1/resources/<type>.ps1 changes Windows, both
 * on the lab machine. One model per type in this folder, listed in ./index.ts; the handlers of
 * resources.test-batch and of each resources.<type> are built on them. test/lab/differential/ holds each
 * model to its scripts through the Windows shim.
 */
import type { z } from 'zod';
import type { RESOURCES, ResourceTypeName, SetResultData } from '../../../resources/index.js';
import type { LabHostRef, LabMachine, LabView } from '../types.js';

/** The current state of a type: exactly its `state` schema in src/resources/<type>.ts (what test-batch.ps1 prints). */
export type ResourceStateOf<T extends ResourceTypeName> = z.output<(typeof RESOURCES)[T]['state']>;

/**
 * What the script would fail with: the message its envelope prints (the exception's message, as
 * Get-CortexExceptionMessage gives it) and the error's category. Anything else a model throws is a bug
 * of the lab and surfaces as one.
 */
export class LabResourceError extends Error {
  constructor(
    message: string,
    /** The envelope's category: a script's `throw 'text'` is OperationStopped. */
    readonly category: string = 'OperationStopped',
  ) {
    super(message);
    this.name = 'LabResourceError';
  }
}

export interface ResourceModelContext {
  /** The host's machine: read() only reads it; set() changes it as the script changes Windows. */
  machine: LabMachine;
  /** The step's parameters as the script receives them ($CortexParams / a request's params): JSON, not validated. */
  params: Record<string, unknown>;
  host: LabHostRef;
  lab: LabView;
  /** The host's clock. */
  now(): Date;
  /**
   * A download the Set makes (the file Set's pull branch): what arrived, as the handler fetched it
   * beforehand (the models are synchronous); throws the download's error. Absent: nothing was fetched.
   */
  downloaded?(url: string): { sha256: string; length: number };
  /** Faults a model consults in the middle of its Set (the lab's fault injection); absent in unit tests. */
  faults?: MidSetFaults | undefined;
}

/** Faults that strike inside a Set, where only the model knows the moment (docs/lab.md, "Faults"). */
export interface MidSetFaults {
  /** The rabbitmq_upgrade node stays down after its install (fail-rabbitmq-upgrade; consumes a `once`). */
  failRabbitmqUpgrade(): boolean;
}

export interface LabResourceModel<T extends ResourceTypeName = ResourceTypeName> {
  type: T;
  /** The current state, or a LabResourceError with the message the Test gives for this step. */
  read(ctx: ResourceModelContext): ResourceStateOf<T>;
  /**
   * The Set: changes ctx.machine as the script changes Windows (partly, when it fails midway, as the
   * script does) and returns what it prints; or throws a LabResourceError. Absent: the Set handler of
   * this type is written elsewhere (reboot: it models the restart).
   */
  set?(ctx: ResourceModelContext): SetResultData;
}

/** A model of any type, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLabResourceModel = LabResourceModel<any>;

export function defineResourceModel<T extends ResourceTypeName>(model: LabResourceModel<T>): LabResourceModel<T> {
  return model;
}

/** New-CortexSetResult: what every Set script prints. */
export function setResult(message: string, opts: { rebootRequired?: boolean; exitCode?: number | null } = {}): SetResultData {
  return { rebootRequired: opts.rebootRequired ?? false, exitCode: opts.exitCode ?? null, message: message === '' ? null : message };
}
