// Every committed script under ps1/ is clean: it parses and passes every rule (or carries a reasoned
// lint-ignore). Not vacuous: ps1/lib/envelope.ps1 at least must be linted.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, lintFiles } from '../../src/ps1lint/lint.js';
import { formatReport } from '../../src/ps1lint/format.js';

describe('ps1/', () => {
  it('has no findings', async () => {
    const report = await lintFiles([path.join(REPO_ROOT, 'ps1')], { cwd: REPO_ROOT });
    expect(report.files).toContain(path.join('ps1', 'lib', 'envelope.ps1'));
    expect(report.findings, formatReport(report)).toEqual([]);
  });
});
