/**
 * The playbook document (docs/playbooks.md), as zod schemas. Like the inventory, loading has two passes:
 * 1. the document: structure, step options and names, checked where they are written (resource
 *    parameters only as mappings here, since they may hold {{ templates }} that render per host);
 * 2. per step and target host: templates rendered, then the resource's own params schema (loader.ts).
 * `playbookDocument('editor')` puts each resource's real params schema in place, for the published
 * JSON Schema: editors validate a step's parameters as they are written.
 */
import { z } from 'zod';
import { ROLES } from '../../inventory/schema.js';
import { RESOURCES, RESOURCE_TYPES } from '../../resources/index.js';

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const Name = z.string().regex(NAME_PATTERN, { message: 'use letters, digits, -, _ and . (starting with a letter or digit)' });

export const StepId = Name.meta({ description: 'Unique in the playbook; the journal and plans refer to the step by it' });

/** Seconds as a number, or a number with a unit: 500ms, 30s, 5m, 1h. */
export const Duration = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, { message: 'a duration: seconds as a number, or 500ms, 30s, 5m, 1h' })])
  .meta({ description: 'Seconds, or a number with a unit: 500ms, 30s, 5m, 1h' });

export function durationMs(d: z.infer<typeof Duration>): number {
  if (typeof d === 'number') return Math.round(d * 1000);
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d)!;
  const n = Number(m[1]);
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h']);
}

export const Targets = z
  .strictObject({
    roles: z.array(z.enum(ROLES)).optional().meta({ description: 'Role groups: web, app, db, lb' }),
    groups: z.array(Name).optional().meta({ description: 'Any inventory group' }),
    hosts: z.array(Name).optional().meta({ description: 'Host names' }),
  })
  .meta({ id: 'Targets', description: 'Hosts a step or phase applies to: the union of the roles, groups and hosts listed' });

export const Serial = z
  .union([z.number().int().min(1), z.string().regex(/^([1-9]\d?|100)%$/, { message: 'a number of hosts (2) or a percentage (25%)' })])
  .meta({ description: 'Hosts at a time: a number (1) or a percentage of the targeted hosts (25%)' });

export const Retries = z
  .union([
    z.number().int().min(0).max(100),
    z.strictObject({
      attempts: z.number().int().min(0).max(100).meta({ description: 'Retries after the first try' }),
      delay: Duration.optional().meta({ description: 'Before the first retry. Default 5s.' }),
      backoff: z.number().min(1).max(10).optional().meta({ description: 'Each delay is the previous one times this. Default 2.' }),
      maxDelay: Duration.optional().meta({ description: 'Cap on one delay. Default 5m.' }),
    }),
  ])
  .meta({ description: 'Retries of a failed Set: a count, or { attempts, delay, backoff, maxDelay }' });

export const REBOOT_POLICIES = ['immediate', 'end_of_phase', 'never'] as const;
export const RebootPolicy = z.enum(REBOOT_POLICIES).meta({
  description: 'When a step leaves a reboot pending: immediate (after the step), end_of_phase, or never (reported, not done)',
});

export const Percentage = z.number().min(0).max(100);

/**
 * A step's parameters as one template that renders to the mapping (site data that is already a parameter
 * set: `firewall_rule: '{{ components.roleFirewallRules.app[0] }}'`).
 */
const ParamsTemplate = z.string().regex(/^\s*\{\{[^{}]+\}\}\s*$/, { message: 'expected a mapping (key: value), or one {{ template }} that renders to one' });

/** One key per resource type; a step sets exactly one. */
function resourceShape(mode: 'editor' | 'load'): Record<string, z.ZodOptional<z.ZodType>> {
  return Object.fromEntries(
    RESOURCE_TYPES.map((t) => [
      t,
      (mode === 'editor' ? RESOURCES[t].params : z.union([z.record(z.string(), z.unknown()), ParamsTemplate])).optional().meta({ description: RESOURCES[t].description }),
    ]),
  );
}

function exactlyOneResource(value: Record<string, unknown>, ctx: z.RefinementCtx, what: string): void {
  const present = RESOURCE_TYPES.filter((t) => value[t] !== undefined);
  if (present.length === 1) return;
  ctx.addIssue({
    code: 'custom',
    message: present.length === 0 ? `${what} names no resource.` : `${what} names ${present.length} resources (${present.join(', ')}); one step is one resource.`,
    params: { hint: `Write one of: ${RESOURCE_TYPES.join(', ')}; e.g. directory: { path: 'D:\\Cortex' }.` },
    path: present.length ? [present[1]!] : [],
  });
}

export function playbookDocument(mode: 'editor' | 'load') {
  const resources = resourceShape(mode);
  const Step = z
    .strictObject({
      id: StepId,
      name: z.string().optional().meta({ description: 'What the step does, for people' }),
      targets: Targets.optional().meta({ description: "Default: the phase's targets" }),
      when: z.string().min(1).optional().meta({ description: "Condition on facts and vars, e.g. version(versions.erlang) >= '27' and facts.os.build >= 17763" }),
      run_once: z.union([z.literal(true), Name]).optional().meta({ description: 'Run on one host of the targets: true (the first) or a host name' }),
      serial: Serial.optional(),
      barrier: z.union([z.literal(true), Targets]).optional().meta({ description: 'Before this step, every earlier step must be verified on these hosts (true: every host so far)' }),
      retries: Retries.optional(),
      timeout: Duration.optional().meta({ description: 'Limit for one Set. Default 30m.' }),
      notify: z.union([Name, z.array(Name)]).optional().meta({ description: 'Handler ids to run at the end of the phase when this step changed something' }),
      reboot_policy: RebootPolicy.optional().meta({ description: "Overrides the host's role policy for this step" }),
      ...resources,
    })
    .superRefine((v, ctx) => exactlyOneResource(v, ctx, 'the step'))
    .meta({ id: 'Step' });

  const Handler = z
    .strictObject({
      id: StepId,
      name: z.string().optional(),
      retries: Retries.optional(),
      timeout: Duration.optional(),
      run_once: z
        .union([z.literal(true), Name])
        .optional()
        .meta({ description: 'Run once per phase, on one host, however many hosts notified it: true (the first notified host, in inventory order) or a host name (one of the hosts whose steps notify it)' }),
      ...resources,
    })
    .superRefine((v, ctx) => exactlyOneResource(v, ctx, 'the handler'))
    .meta({ id: 'Handler', description: 'Runs once at the end of a phase on each host where a step notified it and changed something (run_once: on one host only)' });

  const Check = z
    .strictObject({ id: StepId.optional(), ...resources })
    .superRefine((v, ctx) => exactlyOneResource(v, ctx, 'the check'))
    .meta({ id: 'Check', description: 'A desired state that must already hold (tested, never set)' });

  const Health = z.strictObject({
    checks: z.array(Check).min(1),
    retries: z.number().int().min(0).max(1000).optional().meta({ description: 'Re-tests before the gate fails. Default 10.' }),
    delay: Duration.optional().meta({ description: 'Between re-tests. Default 10s.' }),
  }).meta({ description: 'Health gate between serial batches: checks tested on the batch just done' });

  /** A step of a phase's drain: run on the `on` hosts, for the batch host it names (templates render for that host). */
  const DrainStep = z
    .strictObject({
      id: StepId,
      name: z.string().optional(),
      retries: Retries.optional(),
      timeout: Duration.optional().meta({ description: 'Limit for one Set. Default 30m.' }),
      ...resources,
    })
    .superRefine((v, ctx) => exactlyOneResource(v, ctx, 'the drain step'))
    .meta({ id: 'DrainStep' });

  const Drain = z
    .strictObject({
      on: Targets.meta({ description: 'Where the drain steps run (the load balancer), like Ansible delegate_to' }),
      before: DrainStep.meta({ description: "Before a host's first change in its batch: e.g. gobetween_backend state drained; templates render for the changing host" }),
      after: DrainStep.meta({ description: "After the host's last verified change of the batch: e.g. gobetween_backend state live" }),
    })
    .meta({
      id: 'Drain',
      description: 'Steps run on other hosts around each host that changes in this phase (never around a host with nothing to change); a host that fails stays drained',
    });

  const Phase = z
    .strictObject({
      name: Name,
      description: z.string().optional(),
      targets: Targets.optional().meta({ description: 'Default targets of its steps' }),
      serial: Serial.optional().meta({ description: 'Rolling phase: all its steps on this many hosts at a time, a health gate between batches' }),
      health: Health.optional(),
      drain: Drain.optional(),
      max_fail_percentage: Percentage.optional().meta({ description: "Stop when more than this percentage of the phase's hosts failed. Default: the playbook's" }),
      steps: z.array(Step).min(1),
    })
    .meta({ id: 'Phase' });

  const RebootRule = z.strictObject({
    policy: RebootPolicy.optional().meta({ description: 'Default immediate' }),
    quorum: z.boolean().optional().meta({ description: 'Members of this group form a quorum: never two down at once. Default false.' }),
  });

  return z
    .strictObject({
      name: z.string().min(1),
      description: z.string().optional(),
      vars: z.record(Name, z.unknown()).optional().meta({ description: 'Playbook vars; strings may use {{ }} templates of inventory vars' }),
      reboots: z.record(Name, RebootRule).optional().meta({ description: 'Reboot policy per role or group: { app: { policy: immediate, quorum: true } }' }),
      max_fail_percentage: Percentage.optional().meta({ description: 'Stop the run when more than this percentage of a phase\'s hosts failed. Default 0: any failure stops it (running steps finish).' }),
      handlers: z.array(Handler).optional(),
      phases: z.array(Phase).min(1),
    })
    .meta({ id: 'Playbook', description: 'A cortex-deploy playbook (docs/playbooks.md)' });
}

export const PlaybookDocument = playbookDocument('load');
export type PlaybookInput = z.infer<typeof PlaybookDocument>;
export type StepInput = PlaybookInput['phases'][number]['steps'][number];
export type TargetsInput = z.infer<typeof Targets>;
export type RebootPolicyName = (typeof REBOOT_POLICIES)[number];
