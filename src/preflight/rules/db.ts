/** sql.version, sql.edition for the database server (docs/preflight.md, "Checks"; read from the registry). */
import { finding, hasRole, type Finding } from '../finding.js';
import type { Facts } from '../facts.js';
import type { Rule } from './context.js';

/** Major version → release: 2016 = 13, 2019 = 15 (2017 = 14 is not in the supported list). */
export const SQL_SUPPORTED_MAJORS: Record<number, string> = { 13: 'SQL Server 2016', 15: 'SQL Server 2019' };
const SQL_NAMES: Record<number, string> = { 11: 'SQL Server 2012', 12: 'SQL Server 2014', 13: 'SQL Server 2016', 14: 'SQL Server 2017', 15: 'SQL Server 2019', 16: 'SQL Server 2022' };

type Instance = Facts['sql'][number];

function major(i: Instance): number | null {
  const m = /^(\d+)\./.exec(i.version ?? '');
  return m ? Number(m[1]) : null;
}

export function editionSupported(edition: string | null): boolean {
  return edition !== null && /^(Standard|Enterprise)/i.test(edition) && !/Evaluation|Developer|Express/i.test(edition);
}

function describe(i: Instance): string {
  const m = major(i);
  return `${i.instance} ${i.version ?? 'unknown version'}${m !== null && SQL_NAMES[m] ? ` (${SQL_NAMES[m]})` : ''}, ${i.edition ?? 'unknown edition'}`;
}

export const dbRules: Rule = ({ host, facts }) => {
  if (!hasRole(host, 'db')) return [];
  const instances = facts.sql;
  const verExpected = 'SQL Server 2016 (13.x) or 2019 (15.x)';
  const edExpected = 'Standard or Enterprise (not Express, Developer or Evaluation)';
  if (instances.length === 0) {
    const fix = 'Install SQL Server 2016 or 2019 Standard or Enterprise on the database server.';
    return [
      finding('sql.version', 'fail', verExpected, 'no instance', 'No SQL Server instance is installed.', fix),
      finding('sql.edition', 'fail', edExpected, 'no instance', 'No SQL Server instance is installed.', fix),
    ];
  }
  const actual = instances.map(describe).join('; ');
  const supported = instances.filter((i) => SQL_SUPPORTED_MAJORS[major(i) ?? -1]);
  const out: Finding[] = [
    supported.length > 0
      ? finding('sql.version', 'pass', verExpected, actual, `${SQL_SUPPORTED_MAJORS[major(supported[0] as Instance) as number]} (${(supported[0] as Instance).instance}).`)
      : finding('sql.version', 'fail', verExpected, actual, 'No instance runs SQL Server 2016 or 2019.', 'Install SQL Server 2016 or 2019 (or upgrade the instance).'),
  ];
  // The edition is judged on the instances the platform could use: those with a supported version, if any.
  const candidates = supported.length > 0 ? supported : instances;
  const good = candidates.find((i) => editionSupported(i.edition));
  out.push(
    good
      ? finding('sql.edition', 'pass', edExpected, actual, `${good.edition} (${good.instance}).`)
      : finding('sql.edition', 'fail', edExpected, actual, `No usable instance has a Standard or Enterprise edition (${candidates.map((i) => i.edition ?? 'unknown').join(', ')}).`, 'Upgrade the edition to Standard or Enterprise (SQL Server setup, Edition Upgrade) with a licence key.'),
  );
  return out;
};
