/** net.resolve and net.reach: judge one host's reach probe result against its plan. */
import { isIPv4 } from 'node:net';
import { finding, type Finding } from '../finding.js';
import { formatPorts, portLabel } from '../ports.js';
import { isReachable, type ReachResult, type ReachTarget } from '../reach.js';

/** "app2, app3 on 135, 445, 4369; db1 on 1433": peers grouped by identical port lists. */
export function describePlan(plan: readonly ReachTarget[]): string {
  const groups = new Map<string, string[]>();
  for (const t of plan) {
    const key = formatPorts(t.ports);
    groups.set(key, [...(groups.get(key) ?? []), t.name]);
  }
  return [...groups].map(([ports, names]) => `${names.join(', ')} on ${ports}`).join('; ');
}

export function reachFindings(plan: readonly ReachTarget[], result: ReachResult | { error: string }): Finding[] {
  if (plan.length === 0) return [];
  const peers = plan.map((t) => t.name).join(', ');
  const resolveExpected = `names resolve: ${peers}`;
  const reachExpected = describePlan(plan);
  if ('error' in result) {
    return [
      finding('net.resolve', 'error', resolveExpected, 'not measured', `The reach probe failed: ${result.error}`, 'Re-run preflight with -v; check the host log.'),
      finding('net.reach', 'error', reachExpected, 'not measured', `The reach probe failed: ${result.error}`, 'Re-run preflight with -v; check the host log.'),
    ];
  }
  const unresolved: string[] = [];
  const unreachable: string[] = [];
  let pairs = 0;
  for (const t of plan) {
    const r = result.targets.find((x) => x.name === t.name);
    if (!r) {
      unresolved.push(`${t.name} (not measured)`);
      unreachable.push(`${t.name} (not measured)`);
      continue;
    }
    if (r.resolved.length === 0) unresolved.push(`${t.name} does not resolve${r.resolveError ? ` (${r.resolveError})` : ''}`);
    else if (isIPv4(t.address) && !r.resolved.includes(t.address)) unresolved.push(`${t.name} resolves to ${r.resolved.join(', ')}, not ${t.address}`);
    const bad = t.ports.filter((port) => {
      const p = r.ports.find((x) => x.port === port);
      return !p || !isReachable(p.state);
    });
    pairs += t.ports.length;
    if (bad.length > 0) {
      const states = [...new Set(bad.map((port) => r.ports.find((x) => x.port === port)?.state ?? 'not measured'))].join('/');
      const labels = [...new Set(bad.map(portLabel))].join(', ');
      unreachable.push(`${t.name}:${formatPorts(bad)} ${states} (${labels})`);
    }
  }
  return [
    unresolved.length === 0
      ? finding('net.resolve', 'pass', resolveExpected, `${plan.length} peers resolve`, 'Every peer name resolves to its inventory address.')
      : finding('net.resolve', 'fail', resolveExpected, unresolved.join('; '), `Peer names do not resolve as the inventory says: ${unresolved.join('; ')}.`, 'Add DNS A records (or hosts-file entries) for every server name, pointing at its inventory address.'),
    unreachable.length === 0
      ? finding('net.reach', 'pass', reachExpected, `${pairs} peer ports reachable`, `All ${pairs} peer ports are reachable.`)
      : finding('net.reach', 'fail', reachExpected, unreachable.join('; '), `Unreachable from this host: ${unreachable.join('; ')}.`, 'Open these TCP ports from this host to its peers in the network firewalls and in the peers\' Windows Firewall (components.md §9 lists the matrix).'),
  ];
}
