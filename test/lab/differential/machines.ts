/**
 * Lab machine states for the differential tests: every preset, and generated ones from a seeded PRNG
 * (mulberry32, src/lib/seeded-random.ts; the seed is printed, so any failure can be replayed with
 * DIFFERENTIAL_SEED=<seed>).
 * Generated states are `lab:` overrides a user could write, resolved and validated like an inventory's.
 */
import { DEFAULT_PROFILE, PRESET_NAMES } from '../../../src/lab/profile/presets.js';
import { resolveProfile } from '../../../src/lab/profile/resolve.js';
import { deriveState } from '../../../src/lab/state/derive.js';
import type { LabView } from '../../../src/lab/handlers/types.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import { mulberry32 } from '../../../src/lib/seeded-random.js';

export interface Rng {
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
  subset<T>(xs: readonly T[]): T[];
}

export function rng(seed: number): Rng {
  const next = mulberry32(seed);
  const r: Rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    chance: (p) => next() < p,
    subset: (xs) => xs.filter(() => next() < 0.5),
  };
  return r;
}

export interface NamedState {
  label: string;
  state: LabHostState;
}

const NOW = new Date('2026-01-15T10:00:00.000Z');

function stateOf(label: string, index: number, overrides: Record<string, unknown>): NamedState {
  const r = resolveProfile(overrides);
  if (!r.ok) throw new Error(`generated profile ${label} is invalid: ${JSON.stringify(r.issues)}\n${JSON.stringify(overrides)}`);
  const host = { name: `gen${index}`, address: `127.0.${20 + Math.floor(index / 200)}.${(index % 200) + 10}` };
  return { label, state: deriveState(host, r.profile, NOW) };
}

export function presetStates(): NamedState[] {
  return PRESET_NAMES.map((p, i) => stateOf(`preset ${p}`, i, { preset: p }));
}

const OSES = [
  { caption: 'Microsoft Windows Server 2012 R2 Datacenter', editionId: 'ServerDatacenter', build: 9600, ps: '4.0' },
  { caption: 'Microsoft Windows Server 2016 Standard', editionId: 'ServerStandard', build: 14393, ps: '5.1.14393.0' },
  { caption: 'Microsoft Windows Server 2019 Datacenter', editionId: 'ServerDatacenter', build: 17763, ps: '5.1.17763.1' },
  { caption: 'Microsoft Windows Server 2019 Standard Evaluation', editionId: 'ServerStandardEval', build: 17763, ps: '5.1.17763.1' },
  { caption: 'Microsoft Windows Server 2022 Datacenter', editionId: 'ServerDatacenter', build: 20348, ps: '5.1.20348.1' },
] as const;
const DOTNET = [0, 378675, 394802, 460805, 461808, 528049, 533320];
const SQL_NAMES = ['MSSQLSERVER', 'SQLEXPRESS', 'CORTEX', 'REPORTING'];
const SQL_VERSIONS = ['13.0.5026.0', '14.0.1000.169', '15.0.2000.5', '16.0.1000.6'];
const PORTS = [80, 135, 443, 445, 1433, 3389, 4369, 5672, 5985, 5986, 8443, 15672, 19000, 19080, 25672];

/** One generated `lab:` block. */
export function generateOverrides(r: Rng): Record<string, unknown> {
  const os = r.pick(OSES);
  const drives = ['C:', ...r.subset(['D:', 'E:'])];
  const volumes = drives.map((drive) => {
    const sizeGB = r.pick([40, 60, 127, 255.5, 500, 1024]);
    return { drive, fileSystem: drive === 'C:' ? 'NTFS' : r.pick(['NTFS', 'ReFS', 'FAT32']), sizeGB, freeGB: Math.round(r.next() * sizeGB * 100) / 100 };
  });
  const cores = r.pick([1, 2, 4, 6, 8, 16, 24, 32]);
  const sqlCount = r.pick([0, 0, 1, 1, 2, 3]);
  const names = [...SQL_NAMES].sort(() => r.next() - 0.5).slice(0, sqlCount);
  const joined = r.chance(0.7);
  const iis = r.chance(0.6) ? { version: r.pick(['8.5', '10.0', '10']), urlRewrite: r.chance(0.6) ? r.pick(['7.2.1993', '7.2.2']) : null } : null;
  const services = [
    { name: 'WinRM', state: 'Running', startType: 'Automatic' },
    ...(r.chance(0.5) ? [{ name: 'RabbitMQ', state: r.pick(['Running', 'Stopped']), startType: 'Automatic' }] : []),
    ...(r.chance(0.4) ? [{ name: 'FabricHostSvc', state: 'Running', startType: 'Automatic' }] : []),
    ...(r.chance(0.3) ? [{ name: 'gobetween', state: 'Running', startType: 'Automatic' }] : []),
  ];
  const files: Record<string, string> = {};
  for (let i = r.int(0, 3); i > 0; i--) {
    const sha = Array.from({ length: 64 }, () => '0123456789abcdef'[r.int(0, 15)]).join('');
    files[r.pick(['C:\\Cortex\\bin\\cortex.zip', 'D:\\Installers\\erlang-27.3.4.exe', 'C:\\ProgramData\\Cortex\\settings.json', 'C:\\Temp\\Ünïcode file.txt'])] = sha;
  }
  const o: Record<string, unknown> = {
    os: { caption: os.caption, editionId: os.editionId, build: os.build, productType: r.chance(0.1) ? 2 : 3, is64Bit: r.chance(0.95), installationType: r.pick(['Server', 'Server', 'Server Core']) },
    dotnetRelease: r.pick(DOTNET),
    psVersion: r.chance(0.85) ? os.ps : r.pick(['4.0', '5.0.10586.117', '5.1.14393.0']),
    volumes,
    programData: r.chance(0.8) ? 'C:\\ProgramData' : `${r.pick(drives)}\\ProgramData`,
    installDrive: r.pick(drives),
    ipv4: r.chance(0.1) ? [] : r.chance(0.5) ? null : Array.from({ length: r.int(1, 3) }, (_, i) => `10.${r.int(0, 255)}.${r.int(0, 255)}.${10 + i}`),
    computerName: r.chance(0.5) ? null : r.pick(['WEB01', 'APP-NODE-3', 'DB1', 'LB-GOBETWEEN-01']),
    domain: joined ? { joined: true, name: r.pick(['corp.example.com', 'ad.contoso.local']), role: r.pick([3, 3, 4, 5]) } : { joined: false, name: r.pick(['WORKGROUP', 'LAB']), role: 2 },
    cpuCores: cores,
    logicalProcessors: r.chance(0.5) ? null : cores * 2,
    ramGB: r.pick([2, 4, 7.5, 8, 16, 32, 64, 256]),
    iis,
    sql: names.map((instance) => ({ instance, version: r.pick(SQL_VERSIONS), edition: r.pick(['Standard Edition (64-bit)', 'Express Edition (64-bit)', 'Enterprise Edition: Core-based Licensing (64-bit)', 'Developer Edition (64-bit)']) })),
    services,
    files,
    pendingReboot: r.chance(0.25),
    listeningPorts: r.subset(PORTS),
    blockedPorts: r.subset([445, 1433, 5672, 8443, 19000]),
    tls12: r.chance(0.8),
    clockSkewSec: r.pick([0, 0, 0, 30, -90]),
  };
  // Drawn last, so the draws above (and the machines of earlier seeds) stay as they were: what twins of
  // real sites carry (docs/rehearse.md): a partial URL Rewrite install, a patched w3wp.exe, a port held by another program.
  if (iis && r.chance(0.3)) Object.assign(iis, { rewriteDll: iis.urlRewrite === null });
  if (iis && r.chance(0.3)) Object.assign(iis, { w3wpVersion: `${iis.version.includes('.') ? iis.version : `${iis.version}.0`}.${os.build}.${r.int(2, 6000)}` });
  const listening = o.listeningPorts as number[];
  if (listening.length > 0 && r.chance(0.3)) o.portOwners = { [String(r.pick(listening))]: { process: r.pick(['java', 'nginx', null]), pid: r.int(30_000, 60_000) } }; // above every 1000 + port the lab gives
  return o;
}

export function generatedStates(seed: number, count: number): NamedState[] {
  const r = rng(seed);
  const out: NamedState[] = [];
  for (let i = 0; i < count; i++) {
    const o = generateOverrides(r);
    const s = stateOf(`generated #${i} (seed ${seed})`, 100 + i, o);
    // Sizes of files as a script that wrote them would have recorded (runner.receive-file).
    for (const path of Object.keys(s.state.machine.files)) s.state.machine.fileSizes[path] = r.int(0, 5_000_000);
    out.push(s);
  }
  return out;
}

/** Parameters of probes.facts for a state: roles, install path (also on a drive the host lacks), ports (in any order, repeated). */
export function factsParams(r: Rng): { roles: string[]; installPath: string | null; ports: number[] } {
  const ports = r.subset([...PORTS, 9999]);
  if (ports.length > 1 && r.chance(0.3)) ports.push(ports[0]!);
  return {
    roles: r.subset(['web', 'app', 'db', 'lb']),
    installPath: r.pick([null, 'C:\\Cortex', 'D:\\Cortex', 'e:\\Apps\\Cortex', 'F:\\Cortex', 'C:/Cortex', 'Cortex\\relative', '\\\\fileserver\\share\\Cortex']),
    ports: ports.sort(() => r.next() - 0.5),
  };
}

export { DEFAULT_PROFILE };

export interface LabMember {
  state: LabHostState;
  up: boolean;
}

/**
 * A LabView over some states, with src/lab/lab.ts's rules: a host is found by its exact name or address;
 * a connect reaches a host that is up, on a port it does not block, that it listens on or that is a WinRM
 * endpoint of the lab.
 */
export function labViewOf(members: LabMember[]): LabView {
  const find = (key: string) => members.find((m) => m.state.host.name === key || m.state.host.address === key);
  return {
    hosts: () => members.map((m) => m.state.host),
    findHost: (key) => find(key)?.state.host,
    getHostState: (name) => find(name)?.state,
    isUp: (name) => find(name)?.up ?? false,
    canConnect: (_from, to, port) => {
      const t = find(to);
      if (!t || !t.up || t.state.machine.blockedPorts.includes(port)) return false;
      return [5985, 5986].includes(port) || t.state.machine.listeningPorts.includes(port);
    },
  };
}

/** probes.reach targets from one host to the others: right and wrong addresses, IP literals, unknown names, any case. */
export function reachTargets(r: Rng, from: LabHostState, peers: LabMember[]): Array<{ name: string; address: string; ports: number[] }> {
  const targets: Array<{ name: string; address: string; ports: number[] }> = [];
  for (const p of peers) {
    const m = p.state.machine;
    const ports = [...new Set([...r.subset(m.listeningPorts), ...r.subset(m.blockedPorts), r.pick([5985, 5986, 8443, 15672, 9999])])];
    targets.push({ name: p.state.host.name, address: p.state.host.address, ports });
  }
  const other = peers[0];
  if (other) {
    targets.push({ name: other.state.host.name.toUpperCase(), address: other.state.host.address, ports: [5985] });
    targets.push({ name: other.state.host.address, address: other.state.host.address, ports: [5986, 1] });
    targets.push({ name: other.state.host.name, address: '127.0.99.99', ports: [5985] });
  }
  targets.push({ name: from.host.name, address: from.host.address, ports: [5985, 65000] });
  targets.push({ name: 'nosuchhost.invalid', address: '127.0.99.98', ports: [80] });
  targets.push({ name: '10.1.2.3', address: '10.1.2.3', ports: [] });
  return targets.sort(() => r.next() - 0.5);
}
