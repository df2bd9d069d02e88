/**
 * Presets are machines that can exist. Each preset, alone and composed with any other at a narrower
 * level, is checked against a table of what each Windows Server build ships and what runs on it:
 * caption and EditionID, the .NET Framework 4.x Release values that build can have (the one it ships
 * being the lowest), the Windows PowerShell version, IIS, SQL Server, domain role.
 *
 * Release values: Microsoft's ".NET Framework versions and dependencies" table (per OS: 4.6.2 is 394802
 * on 2016 and 394806 elsewhere, 4.7 is 460805, 4.7.1 461310, 4.7.2 461814, 4.8 528049 on 2016/2019,
 * 528449 on 2022).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, DISK_KEYS, OS_KEYS, OS_PRESETS, PRESETS, PRESET_NAMES } from '../../src/lab/profile/presets.js';
import { resolveLevels, resolveProfile } from '../../src/lab/profile/resolve.js';
import { LabProfileSchema, type LabProfile } from '../../src/lab/profile/schema.js';

interface OsFacts {
  name: string;
  /** Release of the .NET Framework 4.x the build ships with. */
  shipped: number;
  /** Every Release value this build can report (the shipped one and later updates). */
  releases: number[];
  powershell: RegExp;
  iis: string;
}

const OS_FACTS: Record<number, OsFacts> = {
  // 4.5.1 (shipped), 4.5.2, 4.6, 4.6.1, 4.6.2, 4.7, 4.7.1, 4.7.2, 4.8; PowerShell 4.0, or 5.1.14409 with WMF 5.1.
  9600: { name: 'Windows Server 2012 R2', shipped: 378675, releases: [378675, 379893, 393297, 394271, 394806, 460805, 461310, 461814, 528049], powershell: /^(4\.0|5\.1\.14409\.\d+)$/, iis: '8.5' },
  // 4.6.2 (shipped), 4.7, 4.7.1, 4.7.2, 4.8.
  14393: { name: 'Windows Server 2016', shipped: 394802, releases: [394802, 460805, 461310, 461814, 528049], powershell: /^5\.1\.14393\.\d+$/, iis: '10.0' },
  // 4.7.2 (shipped), 4.8.
  17763: { name: 'Windows Server 2019', shipped: 461814, releases: [461814, 528049], powershell: /^5\.1\.17763\.\d+$/, iis: '10.0' },
  // 4.8 (shipped).
  20348: { name: 'Windows Server 2022', shipped: 528449, releases: [528449], powershell: /^5\.1\.20348\.\d+$/, iis: '10.0' },
};

const EDITIONS: Record<string, string> = {
  ServerDatacenter: 'Datacenter',
  ServerStandard: 'Standard',
  ServerDatacenterEval: 'Datacenter Evaluation',
  ServerStandardEval: 'Standard Evaluation',
};

/** SQL Server major version → the oldest Windows Server build it installs on. */
const SQL_MIN_BUILD: Record<number, number> = { 12: 7601, 13: 9200, 14: 9200, 15: 14393, 16: 14393 };

/** Every way the machine contradicts the facts (empty: it can exist). */
function contradictions(p: LabProfile): string[] {
  const out: string[] = [];
  const os = OS_FACTS[p.os.build];
  if (!os) return [`build ${p.os.build} is not a Windows Server build this table knows`];
  const edition = EDITIONS[p.os.editionId];
  if (!edition) out.push(`EditionID ${p.os.editionId} is not a server edition`);
  else if (p.os.caption !== `Microsoft ${os.name} ${edition}`) out.push(`caption "${p.os.caption}" is not build ${p.os.build} ${p.os.editionId} ("Microsoft ${os.name} ${edition}")`);
  if (p.dotnetRelease < os.shipped) out.push(`.NET Release ${p.dotnetRelease} is older than what ${os.name} ships (${os.shipped})`);
  else if (!os.releases.includes(p.dotnetRelease)) out.push(`.NET Release ${p.dotnetRelease} does not exist on ${os.name} (it can report ${os.releases.join(', ')})`);
  if (!os.powershell.test(p.psVersion)) out.push(`PowerShell ${p.psVersion} is not ${os.name}'s (${String(os.powershell)})`);
  if (p.os.build >= 14393 && !p.os.is64Bit) out.push(`${os.name} is 64-bit only`);
  if (p.iis && p.iis.version !== os.iis) out.push(`IIS ${p.iis.version} is not ${os.name}'s (${os.iis})`);
  if ((p.iis !== null) !== p.features.includes('Web-Server')) out.push('IIS and the Web-Server feature disagree');
  const sqlServices = p.services.filter((s) => /^MSSQL(SERVER$|\$)/.test(s.name)).map((s) => s.name);
  const wantServices = p.sql.map((s) => (s.instance === 'MSSQLSERVER' ? 'MSSQLSERVER' : `MSSQL$${s.instance}`));
  if ([...sqlServices].sort().join() !== [...wantServices].sort().join()) out.push(`SQL services ${sqlServices.join(', ') || 'none'} do not match the instances ${wantServices.join(', ') || 'none'}`);
  for (const s of p.sql) {
    const major = Number(s.version.split('.')[0]);
    const min = SQL_MIN_BUILD[major];
    if (min === undefined) out.push(`SQL Server ${s.version} is not in the table`);
    else if (p.os.build < min) out.push(`SQL Server ${s.version} does not install on ${os.name}`);
  }
  // A default instance listens on 1433; named instances use dynamic ports.
  if (p.sql.some((s) => s.instance === 'MSSQLSERVER') !== p.listeningPorts.includes(1433)) out.push('port 1433 listens without a default SQL Server instance, or the reverse');
  const role = p.domain.role;
  if (p.os.productType === 3 && !(role === 2 || role === 3)) out.push(`a server (productType 3) has domain role ${role}`);
  if (p.os.productType === 2 && !(role === 4 || role === 5)) out.push(`a domain controller (productType 2) has domain role ${role}`);
  if (p.domain.joined !== (role === 1 || role >= 3)) out.push(`joined: ${p.domain.joined} contradicts domain role ${role}`);
  if (p.logicalProcessors !== null && p.logicalProcessors < p.cpuCores) out.push('fewer logical processors than cores');
  return out;
}

function resolved(levels: Array<Record<string, unknown>>): LabProfile {
  const r = resolveLevels(
    levels.map((lab, i) => ({ lab, path: [`level${i}`, 'lab'] })),
    { fallback: { file: 'x', line: 1, col: 1 } },
  );
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  return r.profile;
}

describe('presets are machines that can exist', () => {
  it('the default profile and every preset, alone', () => {
    expect(contradictions(LabProfileSchema.parse(DEFAULT_PROFILE))).toEqual([]);
    for (const name of PRESET_NAMES) expect({ name, wrong: contradictions(resolved([{ preset: name }])) }).toEqual({ name, wrong: [] });
  });

  it('.NET 4.7 is a Server 2016 that was updated (2019 ships 4.7.2)', () => {
    const p = resolved([{ preset: 'dotnet-4.7' }]);
    expect([p.os.build, p.dotnetRelease, p.psVersion]).toEqual([14393, 460805, '5.1.14393.0']);
  });

  it('the table catches what the presets used to get wrong', () => {
    // .NET 4.7 on Server 2019, which ships 4.7.2.
    expect(contradictions(resolved([{ dotnetRelease: 460805 }]))).toEqual([expect.stringContaining('older than what Windows Server 2019 ships (461814)')]);
    // 2016's .NET 4.7.1 is 461310; 461308 is Windows 10 1709's.
    expect(contradictions(resolved([{ preset: 'ws2016', dotnetRelease: 461308 }]))).toEqual([expect.stringContaining('does not exist on Windows Server 2016')]);
    // A 2012 R2 with nothing on 1433 but a port list that says something listens there.
    expect(contradictions(resolved([{ preset: 'ws2012r2', listeningPorts: [135, 445, 1433, 3389, 5985, 5986] }]))).toEqual([expect.stringContaining('1433')]);
    // A 2016 caption on a 2019 build; PowerShell of another build.
    expect(contradictions(resolved([{ os: { caption: 'Microsoft Windows Server 2016 Datacenter' }, psVersion: '5.1.14393.0' }]))).toHaveLength(2);
  });

  it('every OS preset sets every OS key; a preset that sets a disk key sets them all', () => {
    expect(OS_PRESETS.sort()).toEqual(['dotnet-4.7', 'ws2012r2', 'ws2016', 'ws2019']);
    for (const name of PRESET_NAMES) {
      const keys = Object.keys(PRESETS[name]!);
      const os = OS_KEYS.filter((k) => keys.includes(k));
      const disk = DISK_KEYS.filter((k) => keys.includes(k));
      if (OS_PRESETS.includes(name)) expect(os, name).toEqual([...OS_KEYS]);
      expect([0, DISK_KEYS.length], name).toContain(disk.length);
    }
  });

  it('any preset at a narrower level over any other: a valid machine that can exist, but one known pair', () => {
    const impossible: string[] = [];
    for (const outer of PRESET_NAMES) {
      for (const inner of PRESET_NAMES) {
        const wrong = contradictions(resolved([{ preset: outer }, { preset: inner }]));
        if (wrong.length) impossible.push(`${outer} then ${inner}: ${wrong.join('; ')}`);
      }
    }
    // SQL Server 2019 Express does not install on 2012 R2 (docs/lab.md says so at the presets).
    expect(impossible).toEqual(['ws2012r2 then sql-express: SQL Server 15.0.2000.5 does not install on Windows Server 2012 R2']);
  });

  it('an OS preset at the narrower level wins the whole OS image over any outer preset', () => {
    for (const outer of PRESET_NAMES) {
      for (const inner of OS_PRESETS) {
        const p = resolved([{ preset: outer }, { preset: inner }]);
        const alone = resolveProfile({ preset: inner });
        if (!alone.ok) throw new Error(inner);
        for (const k of OS_KEYS) expect({ outer, inner, k, v: p[k] }).toEqual({ outer, inner, k, v: alone.profile[k] });
      }
    }
  });
});
