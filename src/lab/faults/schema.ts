/**
 * Faults a simulated host can be given, from the profile (`lab.faults` in the inventory) or from
 * `lab up --fault HOST:KIND[:ARG]` (parse.ts). One schema for both, so the docs list one set of names.
 */
import { z } from 'zod';

const onceOrAlways = z.enum(['once', 'always']);

export const LabFaultsSchema = z
  .strictObject({
    /** Added before every HTTP request is handled. */
    latencyMs: z.number().int().nonnegative().default(0),
    /** Drop the TCP connection of the request after the first N (once; the client may reconnect). */
    dropAfterRequests: z.number().int().nonnegative().nullable().default(null),
    /** Drop the connection while a script is running (after it started, before its result). */
    dropMidCommand: onceOrAlways.nullable().default(null),
    /** Answer HTTP 500: to every request, or to the next N. */
    http500: z.union([z.literal('always'), z.number().int().positive()]).nullable().default(null),
    /** Refuse every authentication attempt as if the password were wrong. */
    refuseAuth: z.boolean().default(false),
    /** Make a script fail (script id → once | always). */
    failScripts: z.record(z.string(), onceOrAlways).default({}),
    /** Host down: its listeners are closed from the start. */
    down: z.boolean().default(false),
    /** Every script takes K times its simulated duration. */
    slowFactor: z.number().positive().default(1),
    /**
     * Reboot after the next Set-type script completes (as an installer would): listeners closed for
     * downSec seconds, pendingReboot cleared, bootTime moved to the moment of the reboot.
     */
    reboot: z.strictObject({ downSec: z.number().nonnegative() }).nullable().default(null),
    /**
     * Every file the host receives arrives with its first byte changed: an upload (runner.receive-file)
     * or a download from the pull server (resources.file). What the hash checks after a copy are for.
     */
    corruptTransfers: z.boolean().default(false),
    /**
     * The host's node fails in the middle of its upgrade (Service Fabric: the upgrade domain's health
     * check fails and the monitored upgrade rolls back). Once: the next upgrade of the node only.
     */
    failUpgrade: onceOrAlways.nullable().default(null),
    /**
     * A rolling upgrade's node does not come back (docs/upgrades.md): the rabbitmq_upgrade Set stops the
     * node and installs, then the service does not start and await_startup fails; the node stays down.
     */
    failRabbitmqUpgrade: onceOrAlways.nullable().default(null),
    /**
     * Hold the host's other faults until a script of this playbook step (the run frame's tag) starts
     * on it; from then on they act as usual. With it, `down` and `reboot` strike halfway through that
     * script (the script's change is made, its answer lost): a host lost in the middle of a step.
     */
    atStep: z.string().min(1).nullable().default(null),
  })
  .prefault({});

export type LabFaults = z.output<typeof LabFaultsSchema>;

export const FAULT_KINDS = [
  'latency',
  'drop-after',
  'drop-mid-command',
  'http500',
  'refuse-auth',
  'fail-script',
  'down',
  'slow',
  'reboot',
  'corrupt-transfers',
  'fail-upgrade',
  'fail-rabbitmq-upgrade',
  'at-step',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
