/**
 * Regenerates ps51-commands.ts from local git mirrors of the two official
 * documentation repositories (one Markdown page per cmdlet, named after it):
 *   MicrosoftDocs/PowerShell-Docs          reference/5.1/<module>/<Verb-Noun>.md
 *   MicrosoftDocs/windows-powershell-docs  docset/winserver2019-ps/<module>/<Verb-Noun>.md
 *
 *   npm run build && node dist/ps1lint/data/generate-commands.js <PowerShell-Docs.git> <windows-powershell-docs.git>
 *
 * Only the file listing is read (git ls-tree), nothing is copied from the pages.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

interface ModuleSource {
  module: string;
  repo: 'MicrosoftDocs/PowerShell-Docs' | 'MicrosoftDocs/windows-powershell-docs';
  dir: string;
  view: string;
  note?: string;
}

const PS51 = (module: string, note?: string): ModuleSource => ({
  module, repo: 'MicrosoftDocs/PowerShell-Docs', dir: `reference/5.1/${module}`, view: 'powershell-5.1', note,
});
const WS2019 = (module: string, note?: string): ModuleSource => ({
  module, repo: 'MicrosoftDocs/windows-powershell-docs', dir: `docset/winserver2019-ps/${module}`, view: 'windowsserver2019-ps', note,
});

/** The modules scripts may use; each is in-box on Windows Server 2016/2019 (WebAdministration/IISAdministration once IIS is installed). */
export const MODULE_SOURCES: ModuleSource[] = [
  PS51('Microsoft.PowerShell.Core'),
  PS51('Microsoft.PowerShell.Management'),
  PS51('Microsoft.PowerShell.Utility'),
  PS51('Microsoft.PowerShell.Security'),
  PS51('Microsoft.PowerShell.Diagnostics'),
  PS51('Microsoft.PowerShell.Archive'),
  PS51('Microsoft.PowerShell.Host'),
  PS51('Microsoft.PowerShell.LocalAccounts'),
  PS51('Microsoft.WSMan.Management'),
  PS51('CimCmdlets'),
  WS2019('NetTCPIP'),
  WS2019('NetSecurity'),
  WS2019('NetAdapter'),
  WS2019('NetConnection'),
  WS2019('DnsClient'),
  WS2019('SmbShare'),
  WS2019('Storage'),
  WS2019('ScheduledTasks'),
  WS2019('pki'),
  WS2019('DISM'),
  WS2019('BitsTransfer'),
  WS2019('International'),
  WS2019('TLS'),
  WS2019('Defender'),
  WS2019('WebAdministration', 'present once the Web-Server (IIS) role with its management scripting tools is installed'),
  WS2019('IISAdministration', 'present once the Web-Server (IIS) role is installed'),
  {
    module: 'ServerManager', repo: 'MicrosoftDocs/windows-powershell-docs', dir: 'docset/winserver2022-ps/ServerManager',
    view: 'windowsserver2022-ps',
    note: 'in-box on Windows Server 2012 and later; the 2016/2019 docsets have no page for it, the 2022 page lists the same cmdlets',
  },
];

const REFERENCE_NOTE = 'MicrosoftDocs/PowerShell-Docs reference/<version>/<module>/<cmdlet>.md, "### -Name" headings';

const CMDLET_PAGE = /^([A-Za-z]+-[A-Za-z0-9]+)\.md$/;

function listCmdlets(gitDir: string, dir: string): string[] {
  const out = execFileSync('git', ['--git-dir', gitDir, 'ls-tree', '--name-only', `HEAD:${dir}`], { encoding: 'utf8' });
  return out.split('\n').map((f) => CMDLET_PAGE.exec(f)?.[1]).filter((n): n is string => n !== undefined).sort();
}

/** The PowerShell 7 reference folders compared with 5.1 for parameters added after 5.1. */
const PS7_VIEWS = ['7.4', '7.5'];

interface ParameterDiff {
  /** parameters (and their aliases) of the 5.1 page */
  ps51: string[];
  /** parameters documented for PowerShell 7 and absent in 5.1 */
  ps7Only: string[];
}

/** `### -Name` headings of a cmdlet page, with the `Aliases:` of each parameter's yaml block. */
function pageParameters(gitDir: string, file: string): { names: string[]; aliases: string[] } | null {
  let text: string;
  try {
    text = execFileSync('git', ['--git-dir', gitDir, 'show', `HEAD:${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
  const names: string[] = [];
  const aliases: string[] = [];
  for (const section of text.split(/^### /m).slice(1)) {
    const m = /^-([A-Za-z0-9]+)\s*$/m.exec(section.split('\n', 1)[0] ?? '');
    if (!m?.[1]) continue;
    names.push(m[1]);
    const a = /^Aliases:\s*(.*)$/m.exec(section)?.[1] ?? '';
    aliases.push(...a.split(',').map((x) => x.trim()).filter((x) => /^[A-Za-z0-9]+$/.test(x)));
  }
  return { names, aliases };
}

function parameterDiffs(gitDir: string, modules: ModuleSource[]): Record<string, ParameterDiff> {
  const out: Record<string, ParameterDiff> = {};
  for (const m of modules.filter((x) => x.repo === 'MicrosoftDocs/PowerShell-Docs')) {
    for (const cmdlet of listCmdlets(gitDir, m.dir)) {
      const old = pageParameters(gitDir, `${m.dir}/${cmdlet}.md`);
      if (!old) continue;
      const known = new Set([...old.names, ...old.aliases].map((n) => n.toLowerCase()));
      const added = new Set<string>();
      for (const view of PS7_VIEWS) {
        const next = pageParameters(gitDir, `reference/${view}/${m.module}/${cmdlet}.md`);
        for (const n of next?.names ?? []) if (!known.has(n.toLowerCase())) added.add(n);
      }
      if (added.size > 0) out[cmdlet] = { ps51: [...old.names, ...old.aliases].sort(), ps7Only: [...added].sort() };
    }
  }
  return out;
}

function head(gitDir: string): string {
  return execFileSync('git', ['--git-dir', gitDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
}

function main(): void {
  const [psDocs, winDocs] = process.argv.slice(2);
  if (!psDocs || !winDocs) throw new Error('usage: generate-commands <PowerShell-Docs git dir> <windows-powershell-docs git dir>');
  const dirs = { 'MicrosoftDocs/PowerShell-Docs': psDocs, 'MicrosoftDocs/windows-powershell-docs': winDocs };
  const commits = { 'MicrosoftDocs/PowerShell-Docs': head(psDocs), 'MicrosoftDocs/windows-powershell-docs': head(winDocs) };
  const modules = MODULE_SOURCES.map((m) => {
    const cmdlets = listCmdlets(dirs[m.repo], m.dir);
    if (cmdlets.length === 0) throw new Error(`no cmdlet pages under ${m.repo}/${m.dir}`);
    return {
      module: m.module,
      docs: `https://learn.microsoft.com/en-us/powershell/module/${m.module.toLowerCase()}/?view=${m.view}`,
      listedFrom: `https://github.com/${m.repo}/tree/${commits[m.repo]}/${m.dir}`,
      ...(m.note ? { note: m.note } : {}),
      cmdlets,
    };
  });
  const body = [
    '// GENERATED by src/ps1lint/data/generate-commands.ts from the official module references; do not edit by hand.',
    '// Each module names the docs page that lists its cmdlets and the docs-repository folder the list was read from.',
    '',
    'export interface CommandModule {',
    '  module: string;',
    '  /** learn.microsoft.com page listing the module\'s cmdlets */',
    '  docs: string;',
    '  /** docs-repository folder (one page per cmdlet) the names were listed from */',
    '  listedFrom: string;',
    '  note?: string;',
    '  cmdlets: readonly string[];',
    '}',
    '',
    `export const PS51_MODULES: readonly CommandModule[] = ${JSON.stringify(modules, null, 2)};`,
    '',
    '/**',
    ` * Parameters documented for PowerShell ${PS7_VIEWS.join('/')} but not on the cmdlet's 5.1 page (${REFERENCE_NOTE}),`,
    ' * with the 5.1 parameters and aliases (to tell an abbreviation of a 5.1 parameter apart).',
    ' */',
    `export const PS7_ONLY_PARAMETERS: Readonly<Record<string, { ps51: readonly string[]; ps7Only: readonly string[] }>> = ${JSON.stringify(parameterDiffs(psDocs, MODULE_SOURCES), null, 2)};`,
    '',
  ].join('\n');
  const target = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../src/ps1lint/data/ps51-commands.ts');
  // Silent on success (nothing below src/cli writes to the screen): `git diff` shows what changed.
  writeFileSync(target, body);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
