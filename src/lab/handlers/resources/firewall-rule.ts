/**
 * firewall_rule (ps1/resources/firewall-rule.ps1; its Test in test-batch.ps1's
 * Get-CortexFirewallRuleState): a rule found by its name is created with every field, updated in place,
 * or removed, on machine.firewallRules; read back as Get-NetFirewallRule and Get-NetFirewallPortFilter
 * show it (a rule in every profile is 'Any', no ports is 'Any').
 */
import type { LabMachine } from '../../state/types.js';
import { psBool } from './bool.js';
import { resourceParam, stringParam } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'firewall_rule';
const PROFILES = ['Domain', 'Private', 'Public'] as const;
type Rule = LabMachine['firewallRules'][number];

function findRule(m: LabMachine, name: string): Rule | undefined {
  return m.firewallRules.find((r) => r.name.toLowerCase() === name.toLowerCase());
}

const title = (s: string) => s.slice(0, 1).toUpperCase() + s.slice(1).toLowerCase();
const list = (v: unknown) => (Array.isArray(v) ? v : [v]).map((x) => String(x));

export const firewallRuleModel = defineResourceModel({
  type: 'firewall_rule',
  read: ({ machine, params }) => {
    const name = stringParam(params, R, 'name', { required: true });
    const r = findRule(machine, name);
    if (!r) return { exists: false, direction: null, protocol: null, localPorts: [], action: null, profiles: [], enabled: null };
    const all = PROFILES.every((p) => r.profiles.includes(p));
    return {
      exists: true,
      direction: r.direction.toLowerCase() as 'inbound' | 'outbound',
      protocol: r.protocol.toLowerCase(),
      localPorts: r.localPorts.map(String),
      action: r.action.toLowerCase() as 'allow' | 'block',
      profiles: PROFILES.filter((p) => all || r.profiles.includes(p)).map((p) => p.toLowerCase() as 'domain' | 'private' | 'public'),
      enabled: r.enabled,
    };
  },
  set: ({ machine: m, params: p }) => {
    const name = stringParam(p, R, 'name', { required: true });
    const state = stringParam(p, R, 'state', { default: 'present' });
    if (state !== 'present' && state !== 'absent') throw new LabResourceError(`firewall_rule: parameter state must be present or absent, not ${state}`);
    const existing = findRule(m, name);
    if (state === 'absent') {
      if (existing) m.firewallRules = m.firewallRules.filter((r) => r !== existing);
      return setResult(`removed ${name}`);
    }
    const direction = stringParam(p, R, 'direction', { default: 'inbound' });
    const protocol = stringParam(p, R, 'protocol', { default: 'tcp' });
    const action = stringParam(p, R, 'action', { default: 'allow' });
    const enabled = psBool(resourceParam(p, R, 'enabled', { default: true }));
    const ports = list(resourceParam(p, R, 'localPorts', { default: [] }));
    const profiles = list(resourceParam(p, R, 'profiles', { default: ['domain', 'private', 'public'] }));
    if (!['inbound', 'outbound'].includes(direction)) throw new LabResourceError(`firewall_rule: parameter direction must be inbound or outbound, not ${direction}`);
    if (!['tcp', 'udp', 'any'].includes(protocol)) throw new LabResourceError(`firewall_rule: parameter protocol must be tcp, udp or any, not ${protocol}`);
    if (!['allow', 'block'].includes(action)) throw new LabResourceError(`firewall_rule: parameter action must be allow or block, not ${action}`);
    if (protocol === 'any' && ports.length > 0) throw new LabResourceError('firewall_rule: parameter localPorts needs protocol tcp or udp (ports mean nothing for any protocol)');
    if (profiles.length === 0) throw new LabResourceError('firewall_rule: parameter profiles is empty; list domain, private and/or public');
    for (const x of profiles) if (!['domain', 'private', 'public'].includes(x)) throw new LabResourceError(`firewall_rule: parameter profiles may hold domain, private and public, not ${x}`);
    const fields = {
      direction: title(direction) as Rule['direction'],
      protocol: (protocol === 'any' ? 'Any' : protocol.toUpperCase()) as Rule['protocol'],
      // Plain ports as numbers, as a profile writes them; ranges as text.
      localPorts: ports.map((x) => (/^\d+$/.test(x) ? Number(x) : x)),
      action: title(action) as Rule['action'],
      profiles: PROFILES.filter((x) => profiles.includes(x.toLowerCase())),
      enabled,
    };
    if (!existing) {
      m.firewallRules.push({ name, remoteAddresses: ['Any'], ...fields });
      return setResult(`created ${name}`);
    }
    Object.assign(existing, fields);
    return setResult(`updated ${name}`);
  },
});
