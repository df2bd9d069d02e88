/**
 * What each lab preset must produce in preflight, per role: the checks that do not pass, and nothing
 * else. Shared by the handler test (no sockets) and the end-to-end lab test.
 */
import type { Role } from '../../src/preflight/finding.js';

type Expect = Record<string, 'warn' | 'fail'>;

const common: Record<string, Expect> = {
  ws2019: {},
  ws2016: {},
  ws2012r2: { 'os.version': 'fail', 'powershell.version': 'fail', 'dotnet.version': 'fail' },
  'dotnet-4.7': { 'dotnet.version': 'fail' },
  'fat32-programdata': { 'fs.ntfs': 'fail' },
  'low-disk': { 'disk.size': 'warn' },
  workgroup: { 'domain.joined': 'fail' },
  'sql-express': {},
  'ipv6-only': { 'net.ipv4': 'fail' },
  small: { 'cpu.cores': 'warn', 'ram.size': 'warn' },
};

const byRole: Record<string, Partial<Record<Role, Expect>>> = {
  ws2012r2: { web: { 'iis.version': 'fail' }, db: { 'sql.version': 'fail', 'sql.edition': 'fail' } },
  'fat32-programdata': { app: { 'disk.programdata-free': 'fail' } },
  'low-disk': { app: { 'disk.programdata-free': 'fail' }, db: { 'disk.install-free': 'fail' }, lb: { 'disk.install-free': 'fail' } },
  'sql-express': { db: { 'sql.edition': 'fail' } },
};

export const PRESET_NAMES_EXPECTED = Object.keys(common);

export function expectedFor(preset: string, role: Role): Expect {
  const base = common[preset];
  if (!base) throw new Error(`no expectation for preset ${preset}`);
  return { ...base, ...(byRole[preset]?.[role] ?? {}) };
}
