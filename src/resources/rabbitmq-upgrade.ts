/**
 * rabbitmq_upgrade: this RabbitMQ node rolled to a new RabbitMQ (and Erlang) version in place, keeping
 * the cluster's quorum (docs/upgrades.md, "RabbitMQ"). Run it in a `serial: 1` phase: its Set checks the
 * node has no alarms, waits for `rabbitmq-upgrade await_online_quorum_plus_one` (the node can stop
 * without a quorum queue losing its majority), drains it, stops it, swaps Erlang when the version
 * changes (uninstall, install, ERLANG_HOME, service re-registration), runs the new RabbitMQ installer,
 * waits for `rabbitmqctl await_startup` and checks the node is back among the cluster's running nodes.
 * `action: finish` (a handler the roll notifies, so it runs after the last node): every feature flag
 * enabled, then `rabbitmq-queues rebalance all`.
 *
 * A node upgraded but not running (a roll that stopped at await_startup) is started again, so a re-run
 * continues where the roll stopped. A node RabbitMQ is not installed on is left to the install steps (nothing to upgrade). A jump the
 * cluster cannot take (a skipped minor series, an Erlang the old or new RabbitMQ does not support,
 * feature flags not enabled) is refused by the diff, so plan refuses it and apply stops before any node.
 */
import { z } from 'zod';
import { WindowsPath } from './common.js';
import { defineResource, NONE, UnreachableStateError, UpgradeRefusedError } from './resource.js';
import { Version } from '../engine/expr/version.js';
import { rabbitmqUpgradeRefusals, refusalText } from '../components/rabbitmq-upgrade-path.js';

const VersionText = z.string().regex(/^\d+(\.\d+)*$/, { message: 'a version of digits and dots, e.g. 4.2.1' });

export const RabbitmqUpgradeParams = z.strictObject({
  action: z.enum(['roll', 'finish']).default('roll').meta({ description: 'roll (default): upgrade this node; finish: after the last node, enable every feature flag and rebalance' }),
  version: VersionText.meta({ description: 'The RabbitMQ version this node runs after the roll' }),
  installer: WindowsPath.optional().meta({ description: 'rabbitmq-server-<version>.exe on the host (roll)' }),
  erlang: z
    .strictObject({
      version: VersionText.meta({ description: 'The Erlang/OTP version after the roll' }),
      installer: WindowsPath.optional().meta({ description: 'otp_win64_<version>.exe on the host' }),
      root: WindowsPath.default('C:\\Program Files\\Erlang OTP').meta({ description: 'Where the Erlang installer puts OTP 25 and later' }),
    })
    .meta({ description: 'The Erlang the node runs on; swapped on the same node when its version changes' }),
  awaitTimeoutSec: z.number().int().min(10).max(86400).default(600).meta({ description: 'Limit for await_online_quorum_plus_one and await_startup' }),
}).refine((p) => p.action === 'finish' || (p.installer !== undefined && p.erlang.installer !== undefined), { message: 'a roll needs installer and erlang.installer (the files staged in an earlier step)', path: ['installer'] });

export const RabbitmqUpgradeState = z.object({
  installed: z.boolean(),
  /** RabbitMQ's DisplayVersion; null when not installed. */
  version: z.string().nullable(),
  /** Erlang/OTP's DisplayVersion; null when not installed. */
  erlangVersion: z.string().nullable(),
  nodeName: z.string().nullable(),
  /** The node answers its CLI. */
  running: z.boolean(),
  /** Feature flags this node knows and the cluster has not enabled (list_feature_flags). */
  featureFlagsDisabled: z.array(z.string()),
});

const same = (a: string | null, b: string) => a !== null && /^\d+(\.\d+)*$/.test(a) && new Version(a).compare(new Version(b)) === 0;

export const rabbitmqUpgradeResource = defineResource({
  type: 'rabbitmq_upgrade',
  description: 'This RabbitMQ node upgraded in place, one node at a time, with Erlang swapped when its version changes',
  params: RabbitmqUpgradeParams,
  state: RabbitmqUpgradeState,
  label: (p) => (p.action === 'finish' ? `rabbitmq_upgrade finish ${p.version}` : `rabbitmq_upgrade ${p.version} (Erlang ${p.erlang.version})`),
  diff(p, s) {
    // Nothing installed: the install steps install the wanted versions; there is nothing to roll.
    if (!s.installed) return NONE;
    if (p.action === 'finish') {
      if (!s.running) throw new UnreachableStateError(`the RabbitMQ node ${s.nodeName ?? ''} is not running; start it before the cluster's feature flags are enabled`);
      return s.featureFlagsDisabled.length ? { action: 'update', from: { featureFlagsDisabled: s.featureFlagsDisabled }, to: { featureFlags: 'all enabled', rebalance: 'all' } } : NONE;
    }
    if (same(s.version, p.version) && same(s.erlangVersion, p.erlang.version)) {
      // Upgraded, but down (a roll that stopped at await_startup): starting it again continues the roll.
      return s.running ? NONE : { action: 'update', from: { running: false }, to: { running: true } };
    }
    if (!s.running) throw new UnreachableStateError(`the RabbitMQ node ${s.nodeName ?? ''} is not running; start it (and let it rejoin its cluster) before it is upgraded`);
    if (s.version === null) throw new UnreachableStateError('the RabbitMQ uninstall entry has no DisplayVersion; reinstall RabbitMQ');
    const refusals = rabbitmqUpgradeRefusals({ rabbitmqFrom: s.version, rabbitmqTo: p.version, erlangFrom: s.erlangVersion, erlangTo: p.erlang.version, featureFlagsDisabled: s.featureFlagsDisabled });
    if (refusals.length) throw new UpgradeRefusedError(refusals.map(refusalText).join('. '));
    return { action: 'update', from: { rabbitmq: s.version, erlang: s.erlangVersion }, to: { rabbitmq: p.version, erlang: p.erlang.version } };
  },
  upgrades(p, s) {
    if (p.action === 'finish' || !s.installed) return {};
    const out: Record<string, { from: string | null; to: string }> = {};
    if (!same(s.version, p.version)) out.rabbitmq = { from: s.version, to: p.version };
    if (!same(s.erlangVersion, p.erlang.version)) out.erlang = { from: s.erlangVersion, to: p.erlang.version };
    return out;
  },
});
