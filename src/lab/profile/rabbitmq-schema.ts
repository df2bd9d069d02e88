/**
 * A lab host's RabbitMQ node, as its state keeps it (src/lab/components/rabbitmq.ts) and as the Windows
 * view carries it to the shim's RabbitMQ tools. Only zod here: the profile's and the view's schemas both
 * import it.
 */
import { z } from 'zod';

// Vhosts, users, permissions, policies and
// feature flags are cluster-wide: each node keeps the copy it last wrote with a version, and the
// cluster's is the newest copy among its members (a join replaces the joining node's with it).
export const LabRabbitmqDbSchema = z.strictObject({
  version: z.number().int().nonnegative().default(0),
  featureFlagsDisabled: z.array(z.string()).default([]),
  vhosts: z.array(z.strictObject({ name: z.string(), defaultQueueType: z.string() })).default([{ name: '/', defaultQueueType: 'classic' }]),
  /** Users with their tags; the password only as a SHA-256 (the lab never keeps a secret). */
  users: z.array(z.strictObject({ name: z.string(), tags: z.array(z.string()), passwordSha256: z.string() })).default([{ name: 'guest', tags: ['administrator'], passwordSha256: '' }]),
  permissions: z
    .array(z.strictObject({ vhost: z.string(), user: z.string(), configure: z.string(), write: z.string(), read: z.string() }))
    .default([{ vhost: '/', user: 'guest', configure: '.*', write: '.*', read: '.*' }]),
  policies: z
    .array(z.strictObject({ vhost: z.string(), name: z.string(), pattern: z.string(), applyTo: z.string(), definition: z.record(z.string(), z.unknown()), priority: z.number().int() }))
    .default([]),
});

export const LabRabbitmqNodeSchema = z.strictObject({
  /** rabbit@<host>: RABBITMQ_NODENAME when the service was installed, else rabbit@<computer name>. */
  nodeName: z.string().regex(/^[A-Za-z0-9_-]+@[A-Za-z0-9.-]+$/, 'a node name like rabbit@app01'),
  /** enabled_plugins (per node). */
  plugins: z.array(z.string()).default([]),
  /** The node this one joined (join_cluster); null: it formed its own cluster. */
  joinedTo: z.string().nullable().default(null),
  /** Resource alarms raised on this node (memory, disk). */
  alarms: z.array(z.string()).default([]),
  db: LabRabbitmqDbSchema.default(() => LabRabbitmqDbSchema.parse({})),
});
