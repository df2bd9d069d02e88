/** iis.version, iis.urlrewrite for web servers (docs/preflight.md, "Checks"): present and right, or absent and installable. */
import { compareVersions, finding, hasRole, type Finding } from '../finding.js';
import type { Facts } from '../facts.js';
import type { Rule } from './context.js';

/** The first URL Rewrite 2.1 build (7.2.2 and 7.2.1952 are 2.0). */
export const URL_REWRITE_MIN = '7.2.1980';

function iis(f: Facts['iis']): Finding {
  const expected = 'IIS 10.0, or absent (the install adds it)';
  if (f === null || f.majorVersion === null) return finding('iis.version', 'pass', expected, 'not installed', 'IIS is absent and installable: the install adds the Web-Server role.');
  const actual = `${f.majorVersion}.${f.minorVersion ?? 0}${f.w3wpFileVersion ? ` (w3wp ${f.w3wpFileVersion})` : ''}`;
  return f.majorVersion === 10 && (f.minorVersion ?? 0) === 0
    ? finding('iis.version', 'pass', expected, actual, 'IIS 10.0 is installed.')
    : finding('iis.version', 'fail', expected, actual, `IIS ${f.majorVersion}.${f.minorVersion ?? 0} is installed; the platform needs IIS 10.0.`, 'Use Windows Server 2016 or 2019, whose IIS is 10.0.');
}

function urlRewrite(f: Facts['urlRewrite']): Finding {
  const expected = `URL Rewrite 2.1 (>= ${URL_REWRITE_MIN}) with rewrite.dll, or absent (the install adds it)`;
  if (f.version === null && !f.dllPresent) return finding('iis.urlrewrite', 'pass', expected, 'not installed', 'URL Rewrite is absent and installable: the install adds version 2.1.');
  if (f.version === null || !f.dllPresent) {
    const actual = f.version === null ? 'rewrite.dll without a registry version' : `${f.version} registered, rewrite.dll missing`;
    return finding('iis.urlrewrite', 'fail', expected, actual, 'URL Rewrite is partly installed.', 'Repair or uninstall URL Rewrite (Programs and Features), then re-run preflight.');
  }
  return compareVersions(f.version, URL_REWRITE_MIN) < 0
    ? finding('iis.urlrewrite', 'fail', expected, f.version, `URL Rewrite ${f.version} is older than 2.1.`, 'Uninstall URL Rewrite 2.0 (msiexec /x with its product code) so the install can add 2.1, or install rewrite_amd64_en-US.msi 2.1 yourself.')
    : finding('iis.urlrewrite', 'pass', expected, f.version, `URL Rewrite ${f.version} is installed.`);
}

export const webRules: Rule = ({ host, facts }) => (hasRole(host, 'web') ? [iis(facts.iis), urlRewrite(facts.urlRewrite)] : []);
