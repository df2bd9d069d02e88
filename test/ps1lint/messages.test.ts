// Findings say how to fix them: the nearest known name, the full command for an alias, the 5.1 way
// for a PowerShell 7-only cmdlet.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintFiles, scriptKind } from '../../src/ps1lint/lint.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/ps1lint');
const options = { libDirs: [path.join(FIXTURES, 'lib')], cwd: FIXTURES };

async function messages(rel: string): Promise<string[]> {
  const report = await lintFiles([path.join(FIXTURES, rel)], options);
  return report.findings.map((f) => `${f.line}:${f.col} ${f.message}`);
}

describe('finding messages', () => {
  it('known-command suggests the nearest name and the 5.1 replacement', async () => {
    const m = await messages('known-command/bad/unknown.ps1');
    expect(m).toContainEqual(expect.stringMatching(/^10:14 'Get-CimInstances' .*did you mean Get-CimInstance\?$/));
    expect(m).toContainEqual(expect.stringMatching(/^11:5 'Get-Error' does not exist in Windows PowerShell 5\.1.*\$Error\[0\]/));
    expect(m).toContainEqual(expect.stringMatching(/^13:5 native program 'erlsrv\.exe' is not on the allow-list/));
  });

  it('no-alias names the full command', async () => {
    const m = await messages('no-alias/bad/aliases.ps1');
    expect(m).toContain("12:14 'gci' is an alias; write Get-ChildItem");
    expect(m).toContain("14:5 'sc' is an alias; write Set-Content");
  });

  it('dates says where a stored value escapes', async () => {
    const m = await messages('dates/bad/raw.ps1');
    expect(m).toContainEqual(expect.stringMatching(/^13:13 Get-Date gives a DateTime that is stored in \$when and used unformatted at line 19:\d+; convert it with \.ToUniversalTime\(\)\.ToString\('o'\)/));
  });

  it('file-encoding and ps7-syntax say what 5.1 does differently and how to write it', async () => {
    const enc = await messages('file-encoding/bad/writes.ps1');
    expect(enc).toContainEqual(expect.stringMatching(/^7:5 Set-Content without -Encoding writes the ANSI code page in Windows PowerShell 5\.1 but UTF-8 in PowerShell 7/));
    expect(enc).toContainEqual(expect.stringMatching(/^9:43 -Encoding utf8NoBOM exists only in PowerShell 6 and later.*UTF8Encoding \$false/));
    expect(enc).toContainEqual(expect.stringMatching(/^10:9 redirecting to a file .* UTF-16LE with a BOM in Windows PowerShell 5\.1/));
    const ps7 = await messages('ps7-syntax/bad/ps7.ps1');
    expect(ps7).toContainEqual(expect.stringMatching(/^7:27 '&&' \(a pipeline chain operator\) exists only in PowerShell 7/));
    expect(ps7).toContainEqual(expect.stringMatching(/^8:27 '\|\|' \(a pipeline chain operator\)/));
    expect(ps7).toContainEqual(expect.stringMatching(/^6:18 \$IsWindows is an automatic variable of PowerShell 6 and later/));
  });

  it('syntax points at the docs for parser false positives', async () => {
    expect(await messages('syntax/bad/size-suffix.ps1')).toEqual([expect.stringMatching(/^9:17 cannot parse from .*size suffix.*write the number/)]);
    expect(await messages('syntax/bad/one-line-switch.ps1')).toEqual([expect.stringMatching(/^10:35 .*default clause/)]);
    expect(await messages('syntax/bad/param-same-line.ps1')).toEqual([expect.stringMatching(/^8:22 .*param block on its own line/)]);
    expect(await messages('syntax/bad/ps7-operators.ps1')).toEqual([expect.stringMatching(/^7:10 cannot parse from .*'\?\?'.*only in PowerShell 7; write if \(\$null -eq/)]);
    expect(await messages('syntax/bad/unclosed.ps1')).toEqual([expect.stringMatching(/^6:1 cannot parse from .*fix the syntax/)]);
  });
});

describe('scriptKind', () => {
  it.each([
    ['ps1/probes/facts.ps1', 'probe'],
    ['ps1/resources/service.ps1', 'resource'],
    ['ps1/steps/rabbitmq/install.ps1', 'step'],
    ['ps1/lib/envelope.ps1', 'lib'],
    ['ps1/bootstrap/resident.ps1', 'bootstrap'],
    ['ps1/runner/file-hash.ps1', 'other'],
    ['/srv/steps/checkout/ps1/runner/x.ps1', 'other'],
  ])('%s is %s', (file, kind) => {
    expect(scriptKind(file)).toBe(kind);
  });
});
