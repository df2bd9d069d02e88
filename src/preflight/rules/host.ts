/** domain.joined, reboot.pending, time.skew (docs/preflight.md, "Checks"; Kerberos allows 5 minutes of clock skew). */
import { finding, type Finding } from '../finding.js';
import type { Facts } from '../facts.js';
import type { ClockComparison, Rule } from './context.js';

export const TIME_SKEW_MAX_MS = 5 * 60_000;
export const TIME_SKEW_WARN_MS = 60_000;

function domain(d: Facts['domain']): Finding {
  const expected = 'member of an Active Directory domain (DomainRole 3)';
  if (d.role === 4 || d.role === 5) return finding('domain.joined', 'fail', expected, `domain controller of ${d.name ?? '?'}`, 'The host is a domain controller; Service Fabric cannot run on one.', 'Use a member server, not a domain controller.');
  if (!d.partOfDomain) return finding('domain.joined', 'fail', expected, `workgroup ${d.name ?? ''}`.trim(), 'The host is not joined to a domain.', 'Join the host to the Active Directory domain (Add-Computer -DomainName ... -Restart).');
  if (d.role !== 3) return finding('domain.joined', 'fail', expected, `${d.name ?? '?'}, DomainRole ${d.role}`, `DomainRole ${d.role} is not a member server.`, 'Use a Windows Server member server.');
  return finding('domain.joined', 'pass', expected, d.name ?? 'joined', `Member server of ${d.name ?? 'the domain'}.`);
}

function reboot(r: Facts['pendingReboot']): Finding {
  const sources = [
    r.componentBasedServicing ? 'Component Based Servicing' : null,
    r.windowsUpdate ? 'Windows Update' : null,
    r.pendingFileRenameOperations ? 'PendingFileRenameOperations' : null,
    r.serverManager ? 'Server Manager' : null,
    r.computerRename ? 'computer rename' : null,
    r.domainJoin ? 'domain join' : null,
  ].filter((x): x is string => x !== null);
  return sources.length === 0
    ? finding('reboot.pending', 'pass', 'no reboot pending', 'none', 'No reboot is pending.')
    : finding('reboot.pending', 'warn', 'no reboot pending', `pending (${sources.join(', ')})`, `A reboot is pending (${sources.join(', ')}); installers may refuse or misbehave until it happens.`, 'Reboot the host before the install (Restart-Computer), or let the install reboot it during host preparation.');
}

function fmt(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  const text = s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`;
  return `${ms < 0 ? '-' : '+'}${text}`;
}

/** time.skew alone: the run re-judges it once every host's clock is known (the median moves). */
export function skew(c: ClockComparison | null): Finding[] {
  if (c === null) return [];
  const expected = 'within 5 min of the workstation and of the other hosts';
  const peers = c.skewMs - c.medianSkewMs;
  const actual = `${fmt(c.skewMs)} vs workstation, ${fmt(peers)} vs other hosts`;
  const worst = Math.max(Math.abs(c.skewMs), Math.abs(peers));
  const fix = 'Synchronise the clock with the domain hierarchy (w32tm /resync; check w32tm /query /status) and the workstation with the same source.';
  if (worst > TIME_SKEW_MAX_MS) return [finding('time.skew', 'fail', expected, actual, `The clock is off by more than 5 minutes; Kerberos and cluster leases will fail.`, fix)];
  if (worst > TIME_SKEW_WARN_MS) return [finding('time.skew', 'warn', expected, actual, 'The clock is off by more than a minute.', fix)];
  return [finding('time.skew', 'pass', expected, actual, 'The clock is in sync.')];
}

export const hostRules: Rule = ({ facts, clock }) => [domain(facts.domain), reboot(facts.pendingReboot), ...skew(clock)];
