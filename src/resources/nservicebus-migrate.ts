/**
 * nservicebus_migrate: the broker-side migrations of an NServiceBus RabbitMQ transport upgrade
 * (docs/upgrades.md, "NServiceBus"), run with the transport's own tool, once each, in order:
 * `queue migrate-to-quorum <queue>` for each of the step's queues that is still a classic queue (the
 * error and audit queues first, then the endpoints'), then `delays migrate` while v1 delay queues
 * (`nsb.delay-level-NN`) still hold messages (with `delays create` first when the v2 delay
 * infrastructure is incomplete). The Test reads the broker with rabbitmqctl (no password), and the
 * transport version the broker was last migrated for: a registry value the Set writes last, so a
 * version bump shows in plan as an upgrade (`nservicebusRabbitMq: from -> to`) and a re-run after a
 * migration finds nothing to do. A downgrade is refused: the migrations are not reversible.
 */
import { z } from 'zod';
import { WindowsPath } from './common.js';
import { defineResource, NONE, UnreachableStateError, UpgradeRefusedError, type ComponentUpgrade } from './resource.js';
import { Version } from '../engine/expr/version.js';
import { BrokerConnection, EndpointName, Rabbitmqctl, vhostOf } from './nservicebus-queues.js';

/** Where the Set records the transport version the broker was migrated for (HKLM). */
export const NSB_MIGRATE_REGISTRY_KEY = 'SOFTWARE\\CortexInstall\\NServiceBus';
export const NSB_MIGRATE_REGISTRY_VALUE = 'TransportVersion';

/** The v1 delay infrastructure's queues (transport versions before 7): `nsb.delay-level-00` .. `-27`. */
export const V1_DELAY_QUEUE = /^nsb\.delay-level-\d\d$/;

const VersionText = z.string().regex(/^\d+(\.\d+)*$/, { message: 'a version of digits and dots, e.g. 10.2.0' });

export const NservicebusMigrateParams = z.strictObject({
  version: VersionText.meta({ description: "The transport version the endpoints run after the upgrade (the inventory's versions.nservicebusRabbitMq)" }),
  tool: WindowsPath.meta({ description: "rabbitmq-transport.exe of that version (the transport's command line, unzipped in an earlier step)" }),
  rabbitmqctl: Rabbitmqctl,
  endpoints: z.array(EndpointName).min(1),
  connection: BrokerConnection,
  errorQueue: EndpointName.default('error'),
  auditQueue: EndpointName.default('audit'),
});
export type NservicebusMigrateParams = z.output<typeof NservicebusMigrateParams>;

export const NservicebusMigrateState = z.object({
  /** rabbitmqctl exists (RabbitMQ's install, an earlier step, brings it). */
  cliInstalled: z.boolean(),
  /** The transport version the broker was last migrated for; null: never recorded (a fresh install). */
  transportVersion: z.string().nullable(),
  /** The step's queues (endpoints', error, audit) that exist as classic queues. */
  classicQueues: z.array(z.string()),
  /** Messages waiting in the v1 delay queues. */
  v1DelayedMessages: z.number().int().nonnegative(),
  /** Every v2 delay exchange exists. */
  delayInfrastructure: z.boolean(),
});
export type NservicebusMigrateState = z.output<typeof NservicebusMigrateState>;

/** The queues in the order they are migrated: the shared error and audit queues first, then each endpoint's. */
export function migrationQueueOrder(p: Pick<NservicebusMigrateParams, 'endpoints' | 'errorQueue' | 'auditQueue'>): string[] {
  return [...new Set([p.errorQueue, p.auditQueue, ...p.endpoints])];
}

/** The tool's commands the broker needs, in the order the Set runs them; empty: nothing to migrate. */
export function nservicebusMigrations(p: Pick<NservicebusMigrateParams, 'endpoints' | 'errorQueue' | 'auditQueue'>, s: Pick<NservicebusMigrateState, 'classicQueues' | 'v1DelayedMessages' | 'delayInfrastructure'>): string[] {
  const out = migrationQueueOrder(p)
    .filter((q) => s.classicQueues.includes(q))
    .map((q) => `queue migrate-to-quorum ${q}`);
  if (s.v1DelayedMessages > 0) {
    if (!s.delayInfrastructure) out.push('delays create');
    out.push('delays migrate');
  }
  return out;
}

const isVersion = (v: string | null): v is string => v !== null && /^\d+(\.\d+)*$/.test(v);

export const nservicebusMigrateResource = defineResource({
  type: 'nservicebus_migrate',
  description: "The broker-side migrations of an NServiceBus RabbitMQ transport upgrade, run with the transport's own tool",
  params: NservicebusMigrateParams,
  state: NservicebusMigrateState,
  label: (p) => `nservicebus_migrate ${vhostOf(p.connection.url)} to ${p.version}`,
  diff(p, s) {
    if (!s.cliInstalled) throw new UnreachableStateError(`${p.rabbitmqctl} is not installed yet; the broker is migrated once an earlier step installs RabbitMQ (or fix rabbitmqctl)`);
    if (isVersion(s.transportVersion) && new Version(s.transportVersion).compare(new Version(p.version)) > 0) {
      throw new UpgradeRefusedError(`the broker was migrated for transport ${s.transportVersion}; ${p.version} is a downgrade, and the transport's migrations are not reversible: keep versions.nservicebusRabbitMq at ${s.transportVersion} or later`);
    }
    const migrations = nservicebusMigrations(p, s);
    const versionMoves = s.transportVersion === null || new Version(isVersion(s.transportVersion) ? s.transportVersion : '0').compare(new Version(p.version)) !== 0;
    if (!migrations.length && !versionMoves) return NONE;
    if (s.transportVersion === null && !migrations.length) return { action: 'create', from: null, to: { transportVersion: p.version } };
    return {
      action: 'update',
      from: { transportVersion: s.transportVersion, classicQueues: s.classicQueues, v1DelayedMessages: s.v1DelayedMessages },
      to: { transportVersion: p.version, migrations },
    };
  },
  upgrades(p, s): Record<string, ComponentUpgrade> {
    // A fresh install records its version (nothing moves); an upgrade moves the recorded one.
    if (!s.cliInstalled || s.transportVersion === null) return {};
    if (isVersion(s.transportVersion) && new Version(s.transportVersion).compare(new Version(p.version)) === 0) return {};
    return { nservicebusRabbitMq: { from: s.transportVersion, to: p.version } };
  },
});
