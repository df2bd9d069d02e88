/**
 * From one host's captured facts (docs/site-facts.md) to the `lab:` profile of its twin (docs/rehearse.md),
 * and the list of what the twin had to assume. Pure.
 *
 * The rule: every profile key the facts determine is set from them, so that the lab's model of the
 * facts probe (src/lab/handlers/probes.facts.ts) reads back what the real host reported; every key they
 * cannot determine keeps the lab's default and is named in `assumed`, with the value used. How the
 * session and the probes went is mirrored with faults: a host that could not be reached is down, a
 * refused login is refused again, a probe that failed fails again.
 *
 * What other hosts measured of this one (their reach results) completes its listening and blocked ports.
 */
import { isIPv4 } from 'node:net';
import type { SiteFactsHost } from '../../preflight/site-facts.js';
import type { Facts } from '../../preflight/facts.js';
import { usableIpv4 } from '../../preflight/rules/network.js';
import { portsFreeFor } from '../../preflight/ports.js';
import type { PortState } from '../../preflight/reach.js';
import { DEFAULT_PROFILE } from '../profile/presets.js';
import { NETBIOS_NAME, SYSTEM_DRIVE, type LabProfile } from '../profile/schema.js';
import { listenerProcessName } from '../state/listeners.js';

const GIB = 1024 ** 3;

/** One port of this host as a peer measured it (the peer's reach probe). */
export interface PeerObservation {
  from: string;
  port: number;
  state: PortState;
}

export interface TwinProfileInput {
  host: SiteFactsHost;
  /** The twin host's loopback address. */
  twinAddress: string;
  /** What peers measured of this host's ports. */
  observed: readonly PeerObservation[];
  /** Peers from which this host's name did not resolve (the lab resolves every twin name). */
  unresolvedFrom: readonly string[];
  /** Peers on which this host's name resolved to other addresses than the inventory's. */
  misresolved?: ReadonlyArray<{ from: string; to: readonly string[] }>;
  /** The facts file, for the profile's `twin.source`. */
  source: string;
}

export interface TwinProfile {
  /** A `lab:` block: validated by the lab's profile schema like any inventory's. */
  lab: Record<string, unknown>;
  /** What the twin assumed, one line per key: "ramGB: 16 (not in the facts)". */
  assumed: string[];
  /** The original refused the lab's TLS certificate: the twin's inventory leaves its CA untrusted. */
  tlsUntrusted: boolean;
}

/** The install account's profile on the twin when the inventory does not say (playbooks/cortex.yaml's default). */
export const INSTALL_PROFILE = 'C:\\Users\\cortex';

/** Ports a default lab machine listens on (RPC, SMB, RDP, WinRM), SQL Server's where a default instance is. */
const BASE_PORTS = [135, 445, 3389, 5985, 5986];
const SQL_PORT = 1433;

/** Services that make the lab name a listener's process as the facts did (src/lab/state/listeners.ts). */
const SERVICE_FOR_PROCESS: Record<string, string> = { erl: 'RabbitMQ', epmd: 'RabbitMQ', fabric: 'FabricHostSvc', fabricgateway: 'FabricHostSvc', gobetween: 'gobetween' };

type Service = LabProfile['services'][number];

function sqlServiceName(instance: string): string {
  return instance.toUpperCase() === 'MSSQLSERVER' ? 'MSSQLSERVER' : `MSSQL$${instance}`;
}

/** Host facts → profile keys, with assumptions; `facts` null: only the defaults, all of them stated. */
export function twinProfile(input: TwinProfileInput): TwinProfile {
  const { host } = input;
  const assumed: string[] = [];
  const assume = (key: string, value: unknown, why: string) => assumed.push(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)} (${why})`);
  const lab: Record<string, unknown> = {};
  const faults: Record<string, unknown> = {};
  let tlsUntrusted = false;

  switch (host.session) {
    case 'unreachable':
      faults.down = true;
      assume('faults.down', true, 'the host could not be reached at capture: the twin is down too; `lab fault HOST:clear` brings it up');
      break;
    case 'auth':
      faults.refuseAuth = true;
      assume('faults.refuseAuth', true, 'the login was refused at capture: the twin refuses it too');
      break;
    case 'tls':
      tlsUntrusted = true;
      assume('winrm.tls', 'the lab certificate is not trusted', "the host's certificate was refused at capture: the twin's is too");
      break;
    case 'input':
      assume('session', 'probed', "the host's connection settings were unusable at capture (invalid input); the twin's are usable");
      break;
    case 'not-probed':
      assume('session', 'probed', 'the host was not probed at capture (run interrupted)');
      break;
    case 'connected':
      break;
  }
  if (host.factsFailed) faults.failScripts = { 'probes.facts': 'always' };
  if (host.reachFailed) faults.failScripts = { ...((faults.failScripts as object | undefined) ?? {}), 'probes.reach': 'always' };
  if (host.factsFailed || host.reachFailed) {
    assume('faults.failScripts', faults.failScripts, 'these probes failed at capture: they fail on the twin too');
  }

  const facts = host.facts;
  if (facts === null) {
    assume('machine', 'the lab default (Windows Server 2019, 4 cores, 16 GB, C: 127 GB)', 'no facts were read from the host');
  } else {
    Object.assign(lab, machineFromFacts(facts, input, assume));
  }
  if (host.clockSkewMs !== null) {
    const sec = Math.round(host.clockSkewMs / 1000);
    if (sec !== 0) lab.clockSkewSec = sec;
  } else if (host.session === 'connected' && facts !== null) {
    assume('clockSkewSec', 0, 'the clock offset was not measured');
  }
  for (const peer of input.unresolvedFrom) assume('net.resolve', `${host.name} resolves from ${peer}`, 'its name did not resolve there at capture; the lab resolves every twin host name');
  for (const m of input.misresolved ?? []) assume('net.resolve', `${host.name} resolves to its address from ${m.from}`, `it resolved to ${m.to.join(', ')} there at capture; the lab resolves every twin host name to its address`);
  const errors = [...new Set(input.observed.filter((o) => o.state === 'error').map((o) => `${o.port} from ${o.from}`))];
  if (errors.length > 0) assume('reach errors', 'none', `connecting to ${errors.join(', ')} failed with a socket error at capture; the lab's ports answer or are filtered`);
  if (host.transport === 'winrm' && host.winrm && !['ntlm', 'negotiate'].includes(host.winrm.auth)) {
    assume('winrm.auth', 'ntlm', `the host used ${host.winrm.auth}; the twin logs on with the lab's account over NTLM`);
  }
  // The install account has logged on to a real server, so its profile exists (the RabbitMQ CLI's cookie
  // goes there: playbooks/cortex.yaml, vars.installProfile); a lab host has no user profiles of its own.
  const profileDir = typeof host.vars.installProfile === 'string' && /^[A-Za-z]:\\/.test(host.vars.installProfile) ? host.vars.installProfile : INSTALL_PROFILE;
  lab.directories = [profileDir];
  assume('directories', profileDir, "the install account's profile, made at its first logon; not in the facts");
  for (const name of host.varsLeftOut) assume(`vars.${name}`, 'not set', 'it holds a secret reference, which the facts never carry; set it in the twin inventory if a playbook reads it');
  assume('other', 'the lab defaults for installed products, environment, files, firewall rules, time zone (UTC), boot time, IPv6', 'not in the facts');
  if (Object.keys(faults).length > 0) lab.faults = faults;
  lab.twin = { source: input.source, assumed };
  return { lab, assumed, tlsUntrusted };
}

function machineFromFacts(f: Facts, input: TwinProfileInput, assume: (key: string, value: unknown, why: string) => void): Record<string, unknown> {
  const { host } = input;
  const d = DEFAULT_PROFILE;
  const out: Record<string, unknown> = {};

  // OS.
  const productType = [1, 2, 3].includes(f.os.productType) ? f.os.productType : d.os.productType;
  if (productType !== f.os.productType) assume('os.productType', productType, `the host reported ${f.os.productType}`);
  const editionId = f.os.editionId ?? d.os.editionId;
  if (f.os.editionId === null) assume('os.editionId', editionId, 'not in the facts');
  const installationType = f.os.installationType ?? d.os.installationType;
  if (f.os.installationType === null) assume('os.installationType', installationType, 'not in the facts');
  out.os = { caption: f.os.caption || d.os.caption, editionId, build: f.os.build > 0 ? f.os.build : d.os.build, productType, is64Bit: f.os.is64Bit, installationType };

  // .NET and PowerShell: the lab reports one PowerShell version as both the engine's and the runtime's.
  out.dotnetRelease = f.dotnetRelease ?? 0;
  const ps = f.powershell.engineVersion ?? f.powershell.runtimeVersion;
  if (ps !== null && /^\d+\.\d+(\.\d+){0,2}$/.test(ps)) {
    out.psVersion = ps;
    if (f.powershell.engineVersion && f.powershell.runtimeVersion && f.powershell.engineVersion !== f.powershell.runtimeVersion) {
      assume('psVersion', ps, `the probe ran in PowerShell ${f.powershell.runtimeVersion}; the twin reports the engine's version for both`);
    }
  } else {
    out.psVersion = d.psVersion;
    assume('psVersion', d.psVersion, ps === null ? 'the host reported no PowerShell version' : `the host reported "${ps}"`);
  }

  // Volumes: the facts cover the system, %ProgramData% and install drives.
  const volumes: Array<{ drive: string; fileSystem: string; sizeGB: number; freeGB: number }> = [];
  for (const v of f.volumes) {
    if (v.fileSystem === null || v.sizeBytes === null || v.freeBytes === null || v.sizeBytes <= 0) continue; // no such drive: the twin lacks it too
    volumes.push({ drive: v.drive.toUpperCase(), fileSystem: v.fileSystem, sizeGB: v.sizeBytes / GIB, freeGB: Math.min(v.freeBytes, v.sizeBytes) / GIB });
  }
  if (!volumes.some((v) => v.drive === SYSTEM_DRIVE)) {
    const c = d.volumes[0]!;
    volumes.unshift({ ...c });
    assume(`volumes ${SYSTEM_DRIVE}`, `${c.fileSystem}, ${c.sizeGB} GB, ${c.freeGB} GB free`, 'the facts have no system drive');
  }
  out.volumes = volumes;
  let programData = f.drives.programData.path;
  if (!volumes.some((v) => v.drive === f.drives.programData.drive.toUpperCase())) {
    programData = d.programData;
    assume('programData', programData, `the facts put %ProgramData% on ${f.drives.programData.drive}, a drive they do not describe`);
  }
  out.programData = programData;
  const installDrive = f.drives.install?.drive.toUpperCase();
  out.installDrive = installDrive && volumes.some((v) => v.drive === installDrive) ? installDrive : SYSTEM_DRIVE;
  assume('other volumes', 'none', 'the facts list only the system, %ProgramData% and install drives');

  // Addresses: the inventory address becomes the twin's; other usable addresses stay as reported.
  const usable = usableIpv4(f.ipv4);
  const mapped = usable.map((a) => (a === host.address ? input.twinAddress : a));
  out.ipv4 = isIPv4(host.address) ? mapped : [input.twinAddress, ...mapped.filter((a) => a !== input.twinAddress)];
  const dropped = f.ipv4.filter((a) => !usable.includes(a.address) && a.address !== '127.0.0.1' && !/loopback/i.test(a.interfaceAlias)).map((a) => `${a.address} (${a.addressState})`);
  if (dropped.length > 0) assume('ipv4', 'left out', `${dropped.join(', ')}: the lab has only preferred addresses`);

  // Name, domain, hardware.
  if (NETBIOS_NAME.test(f.computerName)) out.computerName = f.computerName;
  else assume('computerName', 'from the host name', `the host reported "${f.computerName}"`);
  const role = Math.min(5, Math.max(0, f.domain.role));
  const domainName = f.domain.name ?? (f.domain.partOfDomain ? d.domain.name : 'WORKGROUP');
  if (f.domain.name === null) assume('domain.name', domainName, 'not in the facts');
  out.domain = { joined: f.domain.partOfDomain, name: domainName, role };
  out.cpuCores = f.cpu.cores > 0 ? f.cpu.cores : d.cpuCores;
  if (f.cpu.cores <= 0) assume('cpuCores', d.cpuCores, `the host reported ${f.cpu.cores}`);
  out.logicalProcessors = f.cpu.logicalProcessors > 0 ? f.cpu.logicalProcessors : null;
  out.ramGB = f.memory.totalPhysicalBytes > 0 ? f.memory.totalPhysicalBytes / GIB : d.ramGB;
  if (f.memory.totalPhysicalBytes <= 0) assume('ramGB', d.ramGB, 'the host reported no memory');

  // IIS, URL Rewrite, SQL Server.
  if (f.iis) {
    const fromString = /(\d+)\.(\d+)/.exec(f.iis.versionString ?? '');
    const major = f.iis.majorVersion ?? (fromString ? Number(fromString[1]) : null);
    const minor = f.iis.minorVersion ?? (fromString ? Number(fromString[2]) : 0);
    const version = major === null ? '10.0' : `${major}.${minor}`;
    if (major === null) assume('iis.version', version, 'IIS is installed but its version is not in the facts');
    const iis: Record<string, unknown> = { version, urlRewrite: f.urlRewrite.version };
    // Only what differs from what the lab derives: a partial URL Rewrite install, w3wp.exe's own version.
    if (f.urlRewrite.dllPresent !== (f.urlRewrite.version !== null)) iis.rewriteDll = f.urlRewrite.dllPresent;
    const osBuild = f.os.build > 0 ? f.os.build : d.os.build;
    if (f.iis.w3wpFileVersion !== null && /^\d+(\.\d+){1,3}$/.test(f.iis.w3wpFileVersion) && f.iis.w3wpFileVersion !== `${version}.${osBuild}.1`) iis.w3wpVersion = f.iis.w3wpFileVersion;
    if (f.iis.w3wpFileVersion === null) assume('iis.w3wpVersion', `${version}.${osBuild}.1`, 'the facts have no w3wp.exe version');
    out.iis = iis;
  } else {
    out.iis = null;
    if (f.urlRewrite.version !== null) assume('iis', null, `URL Rewrite ${f.urlRewrite.version} is registered without IIS; the lab keeps it under IIS, so the twin has neither`);
  }
  const sql = f.sql.map((s) => {
    const version = s.version !== null && /^\d+(\.\d+){1,3}$/.test(s.version) ? s.version : '15.0.2000.5';
    if (version !== s.version) assume(`sql ${s.instance}.version`, version, 'not in the facts');
    if (s.edition === null) assume(`sql ${s.instance}.edition`, 'Unknown Edition', 'not in the facts');
    return { instance: s.instance, version, edition: s.edition ?? 'Unknown Edition' };
  });
  out.sql = sql;

  // Services: the default set, the SQL instances', and those the listeners' owners show running.
  const services: Service[] = d.services.filter((s) => !/^MSSQL/i.test(s.name) && (s.name !== 'W3SVC' || f.iis !== null));
  const add = (name: string) => {
    if (!services.some((s) => s.name.toLowerCase() === name.toLowerCase())) services.push({ name, state: 'Running', startType: 'Automatic' });
  };
  for (const s of sql) add(sqlServiceName(s.instance));
  for (const l of f.listeners) {
    const svc = l.processName ? SERVICE_FOR_PROCESS[l.processName.toLowerCase()] : undefined;
    if (svc) add(svc);
  }
  out.services = services;
  assume('services', services.map((s) => s.name).join(', '), 'the defaults, with those the SQL instances and listeners show; the facts do not list services');
  out.features = f.iis ? d.features : d.features.filter((x) => !x.startsWith('Web-'));
  assume('features', (out.features as string[]).join(', '), 'not in the facts');

  // Ports: what the host listens on (its listeners, what peers found open), what its firewall drops.
  const asked = new Set(portsFreeFor(host.roles));
  const listening = new Set<number>(f.listeners.map((l) => l.port));
  const notListening = new Set<number>([...asked].filter((p) => !listening.has(p)));
  const byPort = new Map<number, PortState[]>();
  for (const o of input.observed) byPort.set(o.port, [...(byPort.get(o.port) ?? []), o.state]);
  const blocked: number[] = [];
  for (const [port, states] of byPort) {
    if (states.includes('open')) listening.add(port);
    else if (states.every((s) => s === 'filtered') && host.session === 'connected') blocked.push(port);
    else if (states.includes('closed')) notListening.add(port);
    if (states.includes('filtered') && !states.every((s) => s === 'filtered')) {
      assume(`port ${port}`, 'not blocked', `some peers found it filtered, others did not (${states.join(', ')}); the lab blocks a port for every peer or none`);
    }
  }
  const defaults = [...BASE_PORTS, ...(sql.some((s) => s.instance.toUpperCase() === 'MSSQLSERVER') ? [SQL_PORT] : [])].filter((p) => !listening.has(p) && !notListening.has(p) && !blocked.includes(p));
  for (const p of defaults) listening.add(p);
  if (defaults.length > 0) assume('listeningPorts', defaults.join(', '), "a default server's; neither the facts nor the peers measured them");
  out.listeningPorts = [...listening].sort((a, b) => a - b);
  out.blockedPorts = blocked.sort((a, b) => a - b);
  // Listeners whose process or id is not what the lab would show are written down as they were.
  const owners: Record<string, { process: string | null; pid: number }> = {};
  for (const l of f.listeners) {
    if (String(l.port) in owners) continue; // the same port on another local address: one owner
    const lab = listenerProcessName({ services }, l.port);
    if (l.processName !== lab || l.processId !== 1000 + l.port) owners[String(l.port)] = { process: l.processName, pid: l.processId };
  }
  if (Object.keys(owners).length > 0) out.portOwners = owners;
  const otherAddresses = [...new Set(f.listeners.filter((l) => l.address !== '0.0.0.0').map((l) => `${l.port} on ${l.address}`))];
  if (otherAddresses.length > 0) assume('listeners', 'on 0.0.0.0', `the host listened on ${otherAddresses.join(', ')}; the lab's listeners are on every address`);

  // Pending reboot: the lab has one flag (it models Component Based Servicing).
  const r = f.pendingReboot;
  const sources = Object.entries(r).filter(([, v]) => v).map(([k]) => k);
  out.pendingReboot = sources.length > 0;
  if (sources.some((s) => s !== 'componentBasedServicing')) assume('pendingReboot', true, `pending from ${sources.join(', ')}; the lab models every source as Component Based Servicing`);

  // TLS 1.2: the lab has it on (values absent, the OS default) or turned off in SCHANNEL.
  const t = f.tls12;
  const off = t.clientEnabled === 0 || t.serverEnabled === 0;
  out.tls12 = !off;
  const values = [t.clientEnabled, t.clientDisabledByDefault, t.serverEnabled, t.serverDisabledByDefault];
  const labShape = off ? values.join() === '0,1,0,1' : values.every((v) => v === null);
  if (!labShape) assume('tls12', !off, `SCHANNEL values ${values.map((v) => v ?? 'absent').join('/')} (client Enabled/DisabledByDefault, server Enabled/DisabledByDefault); the lab has TLS 1.2 on by default or off`);
  return out;
}
