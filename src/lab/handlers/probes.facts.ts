// Models ps1/probes/facts.ps1: every preflight fact of the simulated machine, in exactly the shape the
// script prints on Windows (validated by src/preflight/facts.ts). Read-only.
import type { z } from 'zod';
import { probesFacts as contract } from '../../scripts/catalog.js';
import { psRoundTripDate } from '../powershell/minimal-executor.js';
import { machineListeners } from '../state/listeners.js';
import { systemFiles } from '../state/system-files.js';
import type { LabMachine } from '../state/types.js';
import { defineHandler } from './types.js';

const GIB = 1024 ** 3;

function driveOf(path: string, what: string): string {
  if (!/^[A-Za-z]:/.test(path)) throw new Error(`${what} must be a path on a drive letter (like D:\\Cortex), not ${path}`);
  return path.slice(0, 2).toUpperCase();
}

export function labFacts(m: LabMachine, p: z.output<typeof contract.params>, utcNow: Date): unknown {
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
      ? { majorVersion: iisVersion[0] ?? null, minorVersion: iisVersion[1] ?? 0, versionString: `Version ${m.iis.version}`, w3wpFileVersion: systemFiles(m).find((f) => /\\w3wp\.exe$/i.test(f.path))?.fileVersion ?? null }
      : null,
    urlRewrite: { version: m.iis?.urlRewrite ?? null, dllPresent: systemFiles(m).some((f) => /\\rewrite\.dll$/i.test(f.path)) },
    sql: m.sql.map((s) => ({ instance: s.instance, id: `MSSQL${s.version.split('.')[0]}.${s.instance}`, version: s.version, edition: s.edition })),
    // The lab machine has one pendingReboot flag; it models Component Based Servicing, no other source.
    pendingReboot: { componentBasedServicing: m.pendingReboot, windowsUpdate: false, pendingFileRenameOperations: false, serverManager: false, computerRename: false, domainJoin: false },
    // tls12 false models an admin who turned TLS 1.2 off in SCHANNEL; true: the values are absent (OS default).
    tls12: m.tls12
      ? { clientEnabled: null, clientDisabledByDefault: null, serverEnabled: null, serverDisabledByDefault: null }
      : { clientEnabled: 0, clientDisabledByDefault: 1, serverEnabled: 0, serverDisabledByDefault: 1 },
    // Get-NetTCPConnection lists each listener once, whatever the order or repetition of the ports asked
    // for, in the TCP table's order (local address, then port).
    listeners: machineListeners(m)
      .filter((l) => p.ports.includes(l.port))
      .sort((a, b) => a.address.localeCompare(b.address) || a.port - b.port),
    utcNow: psRoundTripDate(utcNow),
  };
}

export const probesFacts = defineHandler({
  contract,
  defaultDurationMs: 5,
  setType: false,
  run: ({ state, params: p, now }) => {
    try {
      return { ok: true, data: labFacts(state.machine, p, now()) };
    } catch (err) {
      // facts.ps1 throws a string, which PowerShell files under OperationStopped.
      return { ok: false, error: { message: (err as Error).message, category: 'OperationStopped' } };
    }
  },
});
