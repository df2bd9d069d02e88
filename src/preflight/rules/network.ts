/** net.ipv4 and net.ports (docs/preflight.md, "Checks"). Cross-host reachability is in ./reach.ts. */
import { isIPv4 } from 'node:net';
import { finding, type Finding, type PreflightHost } from '../finding.js';
import type { Facts } from '../facts.js';
import { EXPECTED_PORT_OWNERS, formatPorts, portLabel, portsFreeFor } from '../ports.js';
import type { Rule } from './context.js';

/** The addresses a peer can use: preferred, not APIPA, not the loopback adapter. */
export function usableIpv4(list: Facts['ipv4']): string[] {
  return list
    .filter((a) => a.addressState === 'Preferred' && !a.address.startsWith('169.254.') && a.address !== '127.0.0.1' && !/loopback/i.test(a.interfaceAlias))
    .map((a) => a.address);
}

function ipv4(host: PreflightHost, facts: Facts): Finding {
  const usable = usableIpv4(facts.ipv4);
  const literal = isIPv4(host.address);
  const expected = literal ? `an IPv4 address, including ${host.address}` : 'an IPv4 address';
  const actual = usable.length > 0 ? usable.join(', ') : 'none';
  if (usable.length === 0) return finding('net.ipv4', 'fail', expected, actual, 'The host has no usable IPv4 address; RabbitMQ and Service Fabric need one.', 'Configure a static IPv4 address on the host (New-NetIPAddress).');
  if (literal && !usable.includes(host.address)) return finding('net.ipv4', 'fail', expected, actual, `The inventory address ${host.address} is not one of the host's addresses.`, `Correct the address of ${host.name} in the inventory, or assign ${host.address} to the host.`);
  return finding('net.ipv4', 'pass', expected, actual, `IPv4 ${actual}.`);
}

function ports(host: PreflightHost, facts: Facts): Finding[] {
  const wanted = portsFreeFor(host.roles);
  if (wanted.length === 0) return [];
  const expected = `free: ${formatPorts(wanted)}`;
  const conflicts: string[] = [];
  const ours: string[] = [];
  for (const l of facts.listeners) {
    if (!wanted.includes(l.port)) continue;
    const owners = EXPECTED_PORT_OWNERS[l.port] ?? [];
    const text = `${l.port} (${portLabel(l.port)}) held by ${l.processName ?? 'unknown'} (pid ${l.processId})`;
    if (l.processName && owners.some((o) => o.toLowerCase() === l.processName?.toLowerCase())) ours.push(text);
    else conflicts.push(text);
  }
  const unique = (xs: string[]) => [...new Set(xs)];
  if (conflicts.length > 0) {
    return [finding('net.ports', 'fail', expected, unique(conflicts).join('; '), `Ports the platform needs are taken: ${unique(conflicts).join('; ')}.`, 'Stop or reconfigure the program that listens there (Get-NetTCPConnection -State Listen -LocalPort <port>; Get-Process -Id <pid>).')];
  }
  return [finding('net.ports', 'pass', expected, ours.length > 0 ? unique(ours).join('; ') : 'all free', ours.length > 0 ? 'Ports are held by an earlier install of the platform.' : 'All needed ports are free.')];
}

export const networkRules: Rule = ({ host, facts }) => [ipv4(host, facts), ...ports(host, facts)];
