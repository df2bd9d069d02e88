// Models ps1/probes/facts.ps1: every preflight fact of the simulated machine, in exactly the shape the
// script prints on Windows (validated by src/preflight/facts.ts). Read-only.
import { z } from 'zod';
import { psRoundTripDate } from '../powershell/minimal-executor.js';
import type { LabMachine } from '../state/types.js';
import { defineHandler } from './types.js';

const GIB = 1024 ** 3;

const params = z
  .object({
    roles: z.array(z.string()).default([]),
    installPath: z.string().nullable().default(null),
    ports: z.array(z.number().int()).default([]),
  })
  .loose();

function driveOf(path: string, what: string): string {
  if (!/^[A-Za-z]:/.test(path)) throw new Error(`${what} must be a path on a drive letter (like D:\\Cortex), not ${path}`);
  return path.slice(0, 2).toUpperCase();
}

/** The process Get-Process names for a listener on this port, as on a real host with the machine's services. */
function listenerProcess(m: LabMachine, port: number): string | null {
  const running = (name: string) => m.services.some((s) => s.name.toLowerCase() === name.toLowerCase() && s.state === 'Running');
  if ([4369].includes(port) && running('RabbitMQ')) return 'epmd';
  if ([5672, 5671, 15672, 25672].includes(port) && running('RabbitMQ')) return 'erl';
  if ([19000, 19080].includes(port) && running('FabricHostSvc')) return 'Fabric';
  if ([8443, 8888].includes(port) && running('gobetween')) return 'gobetween';
  if (port === 1433) return 'sqlservr';
  if ([80, 443, 445, 5985, 5986].includes(port)) return 'System';
  if ([135, 3389].includes(port)) return 'svchost';
  return null;
}

export function labFacts(m: LabMachine, p: z.output<typeof params>, utcNow: Date): unknown {
  p.ports.forEach((port, i) => {
    if (port < 1 || port > 65535) throw new Error(`ports[${i}] must be a TCP port from 1 to 65535, not ${port}`);
  });
  const systemDrive = 'C:';
  const programDataDrive = driveOf(m.programData, '%ProgramData%');
  const install = p.installPath ? { path: p.installPath, drive: driveOf(p.installPath, 'installPath') } : null;
  const drives = [...new Set([systemDrive, programDataDrive, ...(install ? [install.drive] : [])])];
  const volumes = drives.map((drive) => {
    const v = m.volumes.find((x) => x.drive.toUpperCase() === drive);
    return v ? { drive, fileSystem: v.fileSystem, sizeBytes: Math.round(v.sizeGB * GIB), freeBytes: Math.round(v.freeGB * GIB) } : { drive, fileSystem: null, sizeBytes: null, freeBytes: null };
  });
  const iisVersion = m.iis ? m.iis.version.split('.').map((x) => Number.parseInt(x, 10)) : null;
  return {
    factsVersion: 1,
    computerName: m.computerName,
    os: { caption: m.os.caption, editionId: m.os.editionId, installationType: m.os.installationType, build: m.os.build, productType: m.os.productType, is64Bit: m.os.is64Bit },
    drives: { system: systemDrive, programData: { path: m.programData, drive: programDataDrive }, install },
    volumes,
    ipv4: [
      ...m.ipv4.map((address) => ({ address, interfaceAlias: 'Ethernet', addressState: 'Preferred', prefixOrigin: 'Manual' })),
      { address: '127.0.0.1', interfaceAlias: 'Loopback Pseudo-Interface 1', addressState: 'Preferred', prefixOrigin: 'WellKnown' },
    ],
    domain: { partOfDomain: m.domain.joined, name: m.domain.name, role: m.domain.role },
    cpu: { cores: m.cpuCores, logicalProcessors: m.logicalProcessors },
    memory: { totalPhysicalBytes: Math.round(m.ramGB * GIB) },
    dotnetRelease: m.dotnetRelease > 0 ? m.dotnetRelease : null,
    powershell: { engineVersion: m.psVersion, runtimeVersion: m.psVersion },
    iis: m.iis && iisVersion
      ? { majorVersion: iisVersion[0] ?? null, minorVersion: iisVersion[1] ?? 0, versionString: `Version ${m.iis.version}`, w3wpFileVersion: `${iisVersion[0]}.${iisVersion[1] ?? 0}.${m.os.build}.1` }
      : null,
    urlRewrite: m.iis?.urlRewrite ? { version: m.iis.urlRewrite, dllPresent: true } : { version: null, dllPresent: false },
    sql: m.sql.map((s) => ({ instance: s.instance, id: `MSSQL${s.version.split('.')[0]}.${s.instance}`, version: s.version, edition: s.edition })),
    // The lab machine has one pendingReboot flag; it models Component Based Servicing, no other source.
    pendingReboot: { componentBasedServicing: m.pendingReboot, windowsUpdate: false, pendingFileRenameOperations: false, serverManager: false, computerRename: false, domainJoin: false },
    // tls12 false models an admin who turned TLS 1.2 off in SCHANNEL; true: the values are absent (OS default).
    tls12: m.tls12
      ? { clientEnabled: null, clientDisabledByDefault: null, serverEnabled: null, serverDisabledByDefault: null }
      : { clientEnabled: 0, clientDisabledByDefault: 1, serverEnabled: 0, serverDisabledByDefault: 1 },
    listeners: p.ports
      .filter((port) => m.listeningPorts.includes(port))
      .map((port) => ({ port, address: '0.0.0.0', processId: 1000 + port, processName: listenerProcess(m, port) })),
    utcNow: psRoundTripDate(utcNow),
  };
}

export const probesFacts = defineHandler({
  id: 'probes.facts',
  script: 'ps1/probes/facts.ps1',
  params,
  defaultDurationMs: 5,
  setType: false,
  run: ({ state, params: p, now }) => {
    try {
      return { ok: true, data: labFacts(state.machine, p, now()) };
    } catch (err) {
      return { ok: false, error: { message: (err as Error).message, category: 'OperationStopped' /* a PowerShell throw of a message */ } };
    }
  },
});
