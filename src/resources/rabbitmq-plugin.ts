/**
 * rabbitmq_plugin: a plugin enabled (or disabled) on this node. enabled_plugins is per node
 * (%RABBITMQ_BASE%\enabled_plugins), so the step runs on every node. The Test lists the node's plugins
 * (rabbitmq-plugins.bat list --formatter json), the Set runs rabbitmq-plugins.bat enable|disable, both
 * from the sbin folder the RabbitMQ uninstall entry gives (docs/rabbitmq.md).
 */
import { z } from 'zod';
import { defineResource, NONE, UnreachableStateError } from './resource.js';

export const RabbitmqPluginParams = z.strictObject({
  name: z.string().regex(/^rabbitmq_[a-z0-9_]+$/, { message: 'a plugin name like rabbitmq_management' }),
  state: z.enum(['enabled', 'disabled']).default('enabled'),
});

export const RabbitmqPluginState = z.object({
  /** The RabbitMQ uninstall entry exists. */
  installed: z.boolean(),
  /** Explicitly enabled (in enabled_plugins); a plugin enabled only as another's dependency is not. */
  enabled: z.boolean(),
});

export const rabbitmqPluginResource = defineResource({
  type: 'rabbitmq_plugin',
  description: 'A RabbitMQ plugin enabled or disabled on the node (rabbitmq-plugins)',
  params: RabbitmqPluginParams,
  state: RabbitmqPluginState,
  label: (p) => `rabbitmq_plugin ${p.name}`,
  diff(p, s) {
    if (!s.installed) throw new UnreachableStateError('RabbitMQ is not installed on this host (no RabbitMQ uninstall entry); install it in an earlier step');
    const want = p.state === 'enabled';
    return s.enabled === want ? NONE : { action: 'update', from: { state: s.enabled ? 'enabled' : 'disabled' }, to: { state: p.state } };
  },
});
