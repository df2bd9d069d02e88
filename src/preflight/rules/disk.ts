/** fs.ntfs, disk.size, disk.programdata-free (app), disk.install-free (db, lb): docs/preflight.md. */
import type { VolumeFacts } from '../facts.js';
import { finding, gb, hasRole, type Finding } from '../finding.js';
import type { Rule, RuleContext } from './context.js';

export const DISK_SIZE_MIN_GB = 50;
export const DISK_SIZE_RECOMMENDED_GB = 100;
export const PROGRAMDATA_FREE_MIN_GB = 40;
export const INSTALL_FREE_MIN_GB = 5;

function volume(ctx: RuleContext, drive: string): VolumeFacts | undefined {
  return ctx.facts.volumes.find((v) => v.drive.toUpperCase() === drive.toUpperCase());
}

function ntfs(ctx: RuleContext): Finding {
  const { drives } = ctx.facts;
  const wanted: Array<[string, string]> = [['system', drives.system], ['%ProgramData%', drives.programData.drive]];
  if (drives.install) wanted.push(['install', drives.install.drive]);
  const byDrive = new Map<string, string[]>();
  for (const [what, d] of wanted) byDrive.set(d.toUpperCase(), [...(byDrive.get(d.toUpperCase()) ?? []), what]);
  const parts: string[] = [];
  const bad: string[] = [];
  const missing: Array<{ drive: string; whats: string[] }> = [];
  const notNtfs: Array<{ drive: string; whats: string[]; fs: string }> = [];
  for (const [drive, whats] of byDrive) {
    const fs = volume(ctx, drive)?.fileSystem ?? null;
    parts.push(`${drive} ${fs ?? 'not found'} (${whats.join(', ')})`);
    if (fs === null) {
      missing.push({ drive, whats });
      bad.push(`${drive} (${whats.join(', ')}) does not exist on the host`);
    } else if (fs.toUpperCase() !== 'NTFS') {
      notNtfs.push({ drive, whats, fs });
      bad.push(`${drive} (${whats.join(', ')}) is ${fs}`);
    }
  }
  if (bad.length === 0) return finding('fs.ntfs', 'pass', 'NTFS', parts.join('; '), 'Every drive the platform uses is NTFS.');
  return finding('fs.ntfs', 'fail', 'NTFS', parts.join('; '), `Not NTFS: ${bad.join('; ')}.`, ntfsRemediation(missing, notNtfs, drives.install?.path ?? null));
}

/** What to do, drive by drive: a missing drive is created or avoided; only an existing one is converted. */
function ntfsRemediation(missing: Array<{ drive: string; whats: string[] }>, notNtfs: Array<{ drive: string; whats: string[] }>, installPath: string | null): string {
  const steps: string[] = [];
  for (const { drive, whats } of missing) {
    const fixes = [`add an NTFS volume ${drive}`];
    if (whats.includes('install')) fixes.push(`set installPath (now ${installPath ?? drive}) to a folder on an existing NTFS drive`);
    if (whats.includes('%ProgramData%')) fixes.push('point %ProgramData% back at a folder on an existing NTFS drive');
    steps.push(`${drive} (${whats.join(', ')}) is missing on the host: ${fixes.join(', or ')}.`);
  }
  for (const { drive, whats } of notNtfs) {
    const alt = whats.length === 1 && whats[0] === 'install' ? `, or set installPath to a folder on an NTFS drive` : '';
    const when = whats.includes('system') ? ', at the next restart' : '';
    steps.push(`Convert ${drive} (${whats.join(', ')}) to NTFS: convert.exe ${drive} /FS:NTFS (keeps the data${when}; back it up first)${alt}.`);
  }
  return steps.join(' ');
}

function size(ctx: RuleContext): Finding {
  const drive = ctx.facts.drives.system;
  const v = volume(ctx, drive);
  const expected = `>= ${DISK_SIZE_MIN_GB} GB (${DISK_SIZE_RECOMMENDED_GB} GB recommended)`;
  if (!v || v.sizeBytes === null) return finding('disk.size', 'fail', expected, `${drive} not found`, `The system drive ${drive} was not reported.`, 'Check the system drive with Get-CimInstance Win32_LogicalDisk.');
  const g = gb(v.sizeBytes);
  const actual = `${drive} ${g} GB`;
  if (g < DISK_SIZE_MIN_GB) return finding('disk.size', 'fail', expected, actual, `The system drive has ${g} GB, below the ${DISK_SIZE_MIN_GB} GB minimum.`, `Grow the system drive to at least ${DISK_SIZE_MIN_GB} GB (${DISK_SIZE_RECOMMENDED_GB} GB recommended).`);
  if (g < DISK_SIZE_RECOMMENDED_GB) return finding('disk.size', 'warn', expected, actual, `The system drive has ${g} GB, below the recommended ${DISK_SIZE_RECOMMENDED_GB} GB.`, `Grow the system drive to ${DISK_SIZE_RECOMMENDED_GB} GB.`);
  return finding('disk.size', 'pass', expected, actual, `The system drive has ${g} GB.`);
}

function free(ctx: RuleContext, id: 'disk.programdata-free' | 'disk.install-free', what: string, path: string, drive: string, minGb: number): Finding {
  const v = volume(ctx, drive);
  const expected = `>= ${minGb} GB free on ${drive}`;
  if (!v || v.freeBytes === null) return finding(id, 'fail', expected, `${drive} not found`, `The ${what} drive ${drive} (${path}) was not found.`, `Create the drive or point ${what === 'install' ? 'installPath' : '%ProgramData%'} at an existing NTFS drive.`);
  const g = gb(v.freeBytes);
  const actual = `${g} GB free on ${drive}`;
  return g < minGb
    ? finding(id, 'fail', expected, actual, `${drive} (${path}) has ${g} GB free, below the ${minGb} GB minimum.`, `Free or add space on ${drive} until ${minGb} GB are free${what === 'install' ? ', or set installPath to a larger drive' : ''}.`)
    : finding(id, 'pass', expected, actual, `${drive} has ${g} GB free.`);
}

export const diskRules: Rule = (ctx) => {
  const out = [ntfs(ctx), size(ctx)];
  const { drives } = ctx.facts;
  if (hasRole(ctx.host, 'app')) out.push(free(ctx, 'disk.programdata-free', '%ProgramData%', drives.programData.path, drives.programData.drive, PROGRAMDATA_FREE_MIN_GB));
  if (hasRole(ctx.host, 'db', 'lb')) {
    const install = drives.install;
    if (install) out.push(free(ctx, 'disk.install-free', 'install', install.path, install.drive, INSTALL_FREE_MIN_GB));
    else out.push(finding('disk.install-free', 'error', `>= ${INSTALL_FREE_MIN_GB} GB free`, 'no install path probed', 'The probe did not report the install drive.', 'Set installPath for the host.'));
  }
  return out;
};
