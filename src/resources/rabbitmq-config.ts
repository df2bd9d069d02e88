/**
 * rabbitmq_config: the cluster-wide RabbitMQ configuration, run once (run_once) after the join barrier
 * (docs/rabbitmq.md): every stable feature flag enabled, the vhost with its
 * default queue type, users (passwords as secret references, sent only to the Set, piped to add_user on
 * stdin), their tags and permissions on the vhost, guest removed, and policies (NServiceBus's
 * delivery-limit policy). Passwords are set when a user is created; the Test cannot read them, so a
 * changed password is not detected (docs/rabbitmq.md says how to rotate one).
 */
import { z } from 'zod';
import { SecretRef } from './common.js';
import { defineResource, UnreachableStateError } from './resource.js';

const Regex = z.string().default('.*');
const Name = z.string().regex(/^[A-Za-z0-9_.@-]+$/, { message: 'letters, digits, _ . @ -' });

export const RabbitmqPolicy = z.strictObject({
  name: Name,
  pattern: z.string().min(1),
  applyTo: z.enum(['all', 'queues', 'classic_queues', 'quorum_queues', 'streams', 'exchanges']).default('queues'),
  definition: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  priority: z.number().int().default(0),
});

export const RabbitmqConfigParams = z.strictObject({
  featureFlags: z.enum(['all', 'unchanged']).default('all').meta({ description: 'all: every stable feature flag enabled (needed before any upgrade)' }),
  vhost: z.strictObject({ name: Name, defaultQueueType: z.enum(['quorum', 'classic', 'stream']).default('quorum') }),
  users: z
    .array(
      z.strictObject({
        name: Name,
        password: SecretRef,
        tags: z.array(z.enum(['administrator', 'monitoring', 'policymaker', 'management', 'impersonator'])).default([]),
        permissions: z.strictObject({ configure: Regex, write: Regex, read: Regex }).default({ configure: '.*', write: '.*', read: '.*' }),
      }),
    )
    .default([])
    .refine((us) => new Set(us.map((u) => u.name)).size === us.length, { message: 'a user is listed twice' })
    .refine((us) => !us.some((u) => u.name === 'guest'), { message: 'guest is the default account; give your users their own names' }),
  guest: z.enum(['remove', 'keep']).default('remove').meta({ description: 'remove (default): the default guest account is deleted' }),
  policies: z.array(RabbitmqPolicy).default([]).refine((ps) => new Set(ps.map((p) => p.name)).size === ps.length, { message: 'a policy is listed twice' }),
});

export const RabbitmqConfigState = z.object({
  installed: z.boolean(),
  running: z.boolean(),
  featureFlagsDisabled: z.array(z.string()),
  /** The vhost's default queue type; null when there is no such vhost. */
  vhost: z.object({ exists: z.boolean(), defaultQueueType: z.string().nullable() }),
  users: z.array(z.object({ name: z.string(), tags: z.array(z.string()) })),
  /** Permissions on the vhost. */
  permissions: z.array(z.object({ user: z.string(), configure: z.string(), write: z.string(), read: z.string() })),
  /** Policies of the vhost. */
  policies: z.array(z.object({ name: z.string(), pattern: z.string(), applyTo: z.string(), definition: z.record(z.string(), z.unknown()), priority: z.number() })),
});

type Params = z.output<typeof RabbitmqConfigParams>;
type State = z.output<typeof RabbitmqConfigState>;

const sortedTags = (t: readonly string[]) => [...t].sort().join(',');
const sameJson = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** What the Set would change, by area: the plan shows names and settings, never passwords. */
export function rabbitmqConfigChanges(p: Params, s: State): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.featureFlags === 'all' && s.featureFlagsDisabled.length) out.featureFlags = { enable: s.featureFlagsDisabled };
  if (!s.vhost.exists) out.vhost = { create: p.vhost.name, defaultQueueType: p.vhost.defaultQueueType };
  else if (s.vhost.defaultQueueType !== p.vhost.defaultQueueType) out.vhost = { update: p.vhost.name, defaultQueueType: p.vhost.defaultQueueType };
  const addUsers = p.users.filter((u) => !s.users.some((x) => x.name === u.name)).map((u) => u.name);
  if (addUsers.length) out.addUsers = addUsers;
  const tags = p.users.filter((u) => s.users.some((x) => x.name === u.name && sortedTags(x.tags) !== sortedTags(u.tags)) || (addUsers.includes(u.name) && u.tags.length)).map((u) => ({ user: u.name, tags: u.tags }));
  if (tags.length) out.tags = tags;
  const perms = p.users
    .filter((u) => {
      const have = s.permissions.find((x) => x.user === u.name);
      return !have || have.configure !== u.permissions.configure || have.write !== u.permissions.write || have.read !== u.permissions.read;
    })
    .map((u) => ({ user: u.name, ...u.permissions }));
  if (perms.length) out.permissions = perms;
  if (p.guest === 'remove' && s.users.some((u) => u.name === 'guest')) out.removeUsers = ['guest'];
  const policies = p.policies.filter((w) => {
    const have = s.policies.find((x) => x.name === w.name);
    return !have || have.pattern !== w.pattern || have.applyTo !== w.applyTo || have.priority !== w.priority || !sameJson(have.definition, w.definition);
  });
  if (policies.length) out.policies = policies.map((x) => x.name);
  return out;
}

export const rabbitmqConfigResource = defineResource({
  type: 'rabbitmq_config',
  description: 'Cluster-wide RabbitMQ settings: feature flags, vhost, users, permissions, guest, policies (run once)',
  params: RabbitmqConfigParams,
  state: RabbitmqConfigState,
  label: (p) => `rabbitmq_config ${p.vhost.name}`,
  diff(p, s) {
    if (!s.installed) throw new UnreachableStateError('RabbitMQ is not installed on this host; install it in an earlier step');
    if (!s.running) throw new UnreachableStateError('the RabbitMQ node is not running; start the RabbitMQ service first');
    const to = rabbitmqConfigChanges(p, s);
    if (!Object.keys(to).length) return { action: 'none', from: null, to: null };
    return { action: s.vhost.exists ? 'update' : 'create', from: { vhost: s.vhost, users: s.users.map((u) => u.name) }, to };
  },
});
