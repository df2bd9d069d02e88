/** os.version, os.edition, os.arch (docs/preflight.md, "Checks": build, ProductType, EditionID, x64). */
import { finding, type Finding } from '../finding.js';
import type { Rule } from './context.js';

export const SUPPORTED_BUILDS: Record<number, string> = { 14393: 'Windows Server 2016', 17763: 'Windows Server 2019' };
const EDITION_RE = /^Server(Standard|Datacenter)(Core)?$/;

export const osRules: Rule = ({ facts }) => {
  const os = facts.os;
  const out: Finding[] = [];
  const expectedBuild = 'build 14393 (2016) or 17763 (2019)';
  const build = `${os.caption} (build ${os.build})`;
  out.push(
    SUPPORTED_BUILDS[os.build]
      ? finding('os.version', 'pass', expectedBuild, build, `${SUPPORTED_BUILDS[os.build]} is supported.`)
      : finding('os.version', 'fail', expectedBuild, build, `Build ${os.build} is not a supported Windows Server release.`, 'Use a host running Windows Server 2016 or 2019 (Standard or Datacenter).'),
  );

  const expectedEdition = 'EditionID ServerStandard or ServerDatacenter, ProductType 3 (member server)';
  const edition = `${os.editionId ?? 'unknown'}, ProductType ${os.productType}`;
  if (os.productType === 2) {
    out.push(finding('os.edition', 'fail', expectedEdition, edition, 'The host is a domain controller; Service Fabric cannot run on a domain controller.', 'Use a member server, not a domain controller.'));
  } else if (os.productType !== 3) {
    out.push(finding('os.edition', 'fail', expectedEdition, edition, 'The host runs a client (workstation) edition of Windows.', 'Use Windows Server 2016 or 2019 Standard or Datacenter.'));
  } else if (!os.editionId || !EDITION_RE.test(os.editionId)) {
    const evaluation = /eval/i.test(os.editionId ?? '');
    out.push(
      finding(
        'os.edition',
        'fail',
        expectedEdition,
        edition,
        evaluation ? 'The host runs an evaluation edition, which expires.' : `Edition ${os.editionId ?? 'unknown'} is not Standard or Datacenter.`,
        evaluation ? 'Convert it to a licensed edition (DISM /Set-Edition) or use a licensed Standard or Datacenter host.' : 'Use Windows Server Standard or Datacenter.',
      ),
    );
  } else {
    out.push(finding('os.edition', 'pass', expectedEdition, edition, `${os.editionId} member server.`));
  }

  out.push(
    os.is64Bit
      ? finding('os.arch', 'pass', '64-bit', '64-bit', 'The operating system is 64-bit.')
      : finding('os.arch', 'fail', '64-bit', '32-bit', 'The operating system is 32-bit.', 'Use a 64-bit Windows Server host.'),
  );
  return out;
};
