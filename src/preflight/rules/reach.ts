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
  // Refused counts as reachable (nothing listens yet); an error fails; no answer (filtered) is unknown
  // before the install: the peer's own Windows Firewall drops ports it has no rule for until the install
  // creates the rules, and a network firewall looks the same from here.
  const failing: string[] = [];
  const unknown: string[] = [];
  let pairs = 0;
  const pairText = (name: string, ports: number[], states: string) => `${name}:${formatPorts(ports)} ${states} (${[...new Set(ports.map(portLabel))].join(', ')})`;
  for (const t of plan) {
    const r = result.targets.find((x) => x.name === t.name);
    if (!r) {
      unresolved.push(`${t.name} (not measured)`);
      failing.push(`${t.name} (not measured)`);
      continue;
    }
    if (r.resolved.length === 0) unresolved.push(`${t.name} does not resolve${r.resolveError ? ` (${r.resolveError})` : ''}`);
    else if (isIPv4(t.address) && !r.resolved.includes(t.address)) unresolved.push(`${t.name} resolves to ${r.resolved.join(', ')}, not ${t.address}`);
    const stateOf = (port: number) => r.ports.find((x) => x.port === port)?.state;
    const bad = t.ports.filter((port) => {
      const state = stateOf(port);
      return state === undefined || (!isReachable(state) && state !== 'filtered');
    });
    const filtered = t.ports.filter((port) => stateOf(port) === 'filtered');
    pairs += t.ports.length;
    if (bad.length > 0) failing.push(pairText(t.name, bad, [...new Set(bad.map((port) => stateOf(port) ?? 'not measured'))].join('/')));
    if (filtered.length > 0) unknown.push(pairText(t.name, filtered, 'filtered'));
  }
  const fixFirewall = "Open these TCP ports from this host to its peers in the network firewalls and in the peers' Windows Firewall (docs/preflight.md, \"Ports\").";
  const reach = (): Finding => {
    if (failing.length > 0) {
      const all = [...failing, ...unknown];
      return finding('net.reach', 'fail', reachExpected, all.join('; '), `Unreachable from this host: ${all.join('; ')}.`, fixFirewall);
    }
    if (unknown.length > 0) {
      return finding(
        'net.reach',
        'warn',
        reachExpected,
        `firewall or network, unknown: ${unknown.join('; ')}`,
        `No answer before the deadline from ${unknown.join('; ')}: a firewall drops these ports. Before the install that is usually the peer's own Windows Firewall, which has no rule for them yet; a network firewall looks the same from here.`,
        `If a network firewall sits between the hosts, open these TCP ports there; the install's host preparation creates the Windows Firewall rules. Run preflight again after it to confirm (docs/preflight.md, "Ports").`,
      );
    }
    return finding('net.reach', 'pass', reachExpected, `${pairs} peer ports reachable`, `All ${pairs} peer ports are reachable.`);
  };
  return [
    unresolved.length === 0
      ? finding('net.resolve', 'pass', resolveExpected, `${plan.length} peers resolve`, 'Every peer name resolves to its inventory address.')
      : finding('net.resolve', 'fail', resolveExpected, unresolved.join('; '), `Peer names do not resolve as the inventory says: ${unresolved.join('; ')}.`, 'Add DNS A records (or hosts-file entries) for every server name, pointing at its inventory address.'),
    reach(),
  ];
}
