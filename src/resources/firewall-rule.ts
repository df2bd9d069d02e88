/** firewall_rule: a Windows Firewall rule identified by its name (New-NetFirewallRule -Name). */
import { z } from 'zod';
import { defineResource, fieldDiff, NONE } from './resource.js';

const PortSpec = z.union([z.number().int().min(1).max(65535), z.string().regex(/^\d{1,5}(-\d{1,5})?$/, { message: 'a port or a range, e.g. 5672 or 49152-65535' })]);

export const FirewallRuleParams = z.strictObject({
  name: z.string().min(1),
  direction: z.enum(['inbound', 'outbound']).default('inbound'),
  protocol: z.enum(['tcp', 'udp', 'any']).default('tcp'),
  localPorts: z.array(PortSpec).default([]),
  action: z.enum(['allow', 'block']).default('allow'),
  profiles: z.array(z.enum(['domain', 'private', 'public'])).default(['domain', 'private', 'public']),
  enabled: z.boolean().default(true),
  state: z.enum(['present', 'absent']).default('present'),
});

export const FirewallRuleState = z.object({
  exists: z.boolean(),
  direction: z.enum(['inbound', 'outbound']).nullable(),
  /** Lower case as the host reports it: tcp, udp, any, or another protocol a rule of that name already has (icmpv4, 47, …), which differs from any wanted one. */
  protocol: z.string().nullable(),
  /** As the host reports them: strings ("5672", "49152-65535"). */
  localPorts: z.array(z.string()),
  action: z.enum(['allow', 'block']).nullable(),
  profiles: z.array(z.enum(['domain', 'private', 'public'])),
  enabled: z.boolean().nullable(),
});

const sortedText = (xs: ReadonlyArray<string | number>) => xs.map(String).sort();

export const firewallRuleResource = defineResource({
  type: 'firewall_rule',
  description: 'A Windows Firewall rule',
  params: FirewallRuleParams,
  state: FirewallRuleState,
  label: (p) => `firewall_rule ${p.name}`,
  diff(p, s) {
    if (p.state === 'absent') return s.exists ? { action: 'update', from: { exists: true }, to: { exists: false } } : NONE;
    const want = { direction: p.direction, protocol: p.protocol, localPorts: sortedText(p.localPorts), action: p.action, profiles: sortedText(p.profiles), enabled: p.enabled };
    if (!s.exists) return { action: 'create', from: null, to: want };
    return fieldDiff(want, { ...s, localPorts: sortedText(s.localPorts), profiles: sortedText(s.profiles) } as Partial<typeof want>);
  },
});
