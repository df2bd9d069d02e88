/**
 * Every preflight check id, in one place (style.md: "one concept, one place"). Ids are stable: users
 * grep reports for them, CI filters JUnit by them and docs/preflight.md lists them. Add ids; never
 * rename one.
 *
 * `short` is the label of the console table's row (≤ 14 chars); `area` groups rows in the reports.
 */
export const CHECKS = {
  'host.reachable': { area: 'host', short: 'reachable', title: 'Host reachable and login accepted' },
  'probe.facts': { area: 'host', short: 'facts', title: 'Probe result has the expected shape' },
  'os.version': { area: 'os', short: 'os.version', title: 'Windows Server 2016 (14393) or 2019 (17763)' },
  'os.edition': { area: 'os', short: 'os.edition', title: 'Standard or Datacenter edition, member server (not a DC)' },
  'os.arch': { area: 'os', short: 'os.arch', title: '64-bit operating system' },
  'fs.ntfs': { area: 'disk', short: 'fs.ntfs', title: 'System, %ProgramData% and install drives are NTFS' },
  'disk.size': { area: 'disk', short: 'disk.size', title: 'System drive size' },
  'disk.programdata-free': { area: 'disk', short: 'disk.pd-free', title: 'Free space on the %ProgramData% drive (app)' },
  'disk.install-free': { area: 'disk', short: 'disk.inst-free', title: 'Free space on the install drive (db, lb)' },
  'cpu.cores': { area: 'hardware', short: 'cpu.cores', title: 'CPU cores' },
  'ram.size': { area: 'hardware', short: 'ram.size', title: 'Physical memory' },
  'dotnet.version': { area: 'software', short: 'dotnet', title: '.NET Framework 4.7.1 or later (Release >= 461308)' },
  'powershell.version': { area: 'software', short: 'powershell', title: 'Windows PowerShell 5.1' },
  'tls.12': { area: 'software', short: 'tls.12', title: 'TLS 1.2 enabled in SCHANNEL' },
  'iis.version': { area: 'web', short: 'iis.version', title: 'IIS 10.0 present, or absent and installable (web)' },
  'iis.urlrewrite': { area: 'web', short: 'iis.urlrewrite', title: 'URL Rewrite 2.1 present, or absent and installable (web)' },
  'sql.version': { area: 'db', short: 'sql.version', title: 'SQL Server 2016 or 2019 (db)' },
  'sql.edition': { area: 'db', short: 'sql.edition', title: 'SQL Server Standard or Enterprise edition (db)' },
  'domain.joined': { area: 'host', short: 'domain', title: 'Active Directory member server' },
  'reboot.pending': { area: 'host', short: 'reboot', title: 'No reboot pending' },
  'time.skew': { area: 'host', short: 'time.skew', title: 'Clock within 5 minutes of the workstation and the other hosts' },
  'net.ipv4': { area: 'network', short: 'net.ipv4', title: 'IPv4 address, including the inventory address' },
  'net.ports': { area: 'network', short: 'net.ports', title: 'Ports the platform needs are free' },
  'net.resolve': { area: 'network', short: 'net.resolve', title: "Peers' host names resolve" },
  'net.reach': { area: 'network', short: 'net.reach', title: 'Peers reachable on the ports the platform uses' },
} as const satisfies Record<string, { area: string; short: string; title: string }>;

export type CheckId = keyof typeof CHECKS;

/** Report order: the order of CHECKS. */
export const CHECK_IDS = Object.keys(CHECKS) as CheckId[];

export function isCheckId(id: string): id is CheckId {
  return Object.prototype.hasOwnProperty.call(CHECKS, id);
}
