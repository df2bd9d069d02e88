#!/usr/bin/env node
/**
 * Issue 14, "every defect has a test that failed before its fix", shown mechanically: for each
 * defect, a scratch copy of a commit (default HEAD) with only that defect's fix taken out
 * (test/hostile/reverts/defect-NN.patch), built, and the defect's tests run alone; then the same
 * tests on the untouched copy. Prints a Markdown table (docs/security.md, "How each defect is held").
 *
 * The fix commits (cef8a5f, 921aedc, 58036d6, a151d09, 0b82fbd, 05eaeeb) no longer revert cleanly on
 * today's tree (later work moved the code), so each defect's revert is a minimal hand-made patch that
 * puts back the old behaviour at the place the fix now lives, and nothing else.
 *
 *   node scripts/prove-defect-tests.mjs [--ref HEAD] [--only 01,06b] [--out results.json]
 *
 * Slow by design (a build and a vitest run per defect, one at a time): about 30 minutes at a load
 * average of 15-20 on 2 cores. Not part of scripts/test.sh.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({ options: { ref: { type: 'string', default: 'HEAD' }, only: { type: 'string' }, out: { type: 'string' } } });

const HB = 'test/hostile/http-bounds.test.ts';
const HS = 'test/hostile/hostile-server.test.ts';
const IL = 'test/hostile/inventory-limits.test.ts';
const SE = 'test/hostile/secrets.test.ts';
const CI = 'test/hostile/cli-input.test.ts';
const CE = 'test/hostile/console-escapes.test.ts';
const PH = 'test/hostile/preflight-handshake.test.ts';
const IE = 'test/hostile/interrupt-e2e.test.ts';
const LI = 'test/lifecycle/interrupt.test.ts';

/** Each defect (issue 14's numbering; a, b, c where one number names several faults): its revert and its tests (file, -t pattern). */
const DEFECTS = [
  { id: '01', defect: '1 body bound', runs: [[HB, 'refuses a declared Content-Length|refuses a chunked body|declared chunk size|read-until-close'], [HS, 'huge-body|chunked-endless']] },
  { id: '02', defect: '2 Ctrl-C cleanup', runs: [[LI, 'the first signal aborts'], [IE, 'mid-preflight|mid-exec']] },
  { id: '03', defect: '3 inventory size/depth/hosts', runs: [[IL, 'larger than the limit|levels of block nesting|more hosts than the limit']] },
  { id: '03b', defect: '3 duplicate keys in quadratic time', runs: [[IL, 'duplicate key in a large mapping']] },
  { id: '04', defect: '4 FIFO or device as a file', runs: [[IL, 'a FIFO, a device and a folder'], [SE, 'a FIFO, a device and a folder']] },
  { id: '05', defect: '5 secret exit code in preflight', runs: [[SE, 'file:line preflight$']] },
  { id: '06a', defect: '6 YAML alias bomb', runs: [[IL, 'alias bomb|through the CLI']] },
  { id: '06b', defect: "6 --limit 'app[1'", runs: [[CI, "'app\\[1' is invalid input"]] },
  { id: '06c', defect: '6 --report-html on a folder', runs: [[CI, 'report-html naming a folder']] },
  { id: '07', defect: "7 --limit ''", runs: [[CI, "'' and blanks are an error"]] },
  { id: '08', defect: '8 failed handshake "Connected"', runs: [[PH, 'the host is unreachable']] },
  { id: '09', defect: '9 terminal escapes', runs: [[CE, '.'], [HS, 'a fault text with escape codes']] },
  { id: '10', defect: '10 addresses', runs: [[CI, 'bad IPv4|jump host address']] },
  { id: '11', defect: '11 EPIPE', runs: [[CI, 'exits quietly']] },
  { id: '12', defect: '12 tls.insecure recorded', runs: [[CI, 'preflight: JSON, JUnit|exec: the JSON document']] },
  { id: '13a', defect: '13 parser error names the host', runs: [[HS, 'endless-header']] },
  { id: '13b', defect: '13 secret errors at file:line', runs: [[SE, 'unresolvable secret']] },
];

const selected = opt.only ? DEFECTS.filter((d) => opt.only.split(',').includes(d.id)) : DEFECTS;
const log = (s) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

/** A fresh copy of the ref's tree, with the worktree's installed dependencies and tools. */
function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'prove-defect-'));
  execFileSync('sh', ['-c', `git -C "${root}" archive "${opt.ref}" | tar -x -C "${dir}"`]);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  if (existsSync(join(root, '.tools'))) symlinkSync(join(root, '.tools'), join(dir, '.tools'));
  return dir;
}

function build(dir) {
  const r = spawnSync(join(dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed in ${dir}:\n${r.stdout}${r.stderr}`);
}

/** One test file alone, filtered to the defect's tests: each test's name, status and first failure line. */
function runTests(dir, file, pattern) {
  const out = join(dir, `vitest-${Date.now()}.json`);
  spawnSync(join(dir, 'node_modules/.bin/vitest'), ['run', file, '-t', pattern, '--reporter=json', `--outputFile=${out}`, '--testTimeout=180000', '--hookTimeout=180000'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 15 * 60_000,
  });
  if (!existsSync(out)) return [{ name: `${file} (no result)`, status: 'failed', first: 'vitest wrote no result' }];
  const json = JSON.parse(readFileSync(out, 'utf8'));
  const tests = [];
  for (const f of json.testResults) {
    if (f.assertionResults.length === 0 && f.status === 'failed') tests.push({ name: `${file} (did not load)`, status: 'failed', first: firstLine(f.message) });
    for (const a of f.assertionResults) {
      if (a.status === 'skipped' || a.status === 'pending') continue; // filtered out by -t
      tests.push({ name: a.fullName, status: a.status, first: a.status === 'failed' ? firstLine(a.failureMessages.join('\n')) : '' });
    }
  }
  return tests.length ? tests : [{ name: `${file} /${pattern}/`, status: 'failed', first: 'no test matched' }];
}

function firstLine(text) {
  return (
    String(text ?? '')
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  ).slice(0, 160);
}

const rows = [];
const dir = scratch();
try {
  for (const d of selected) {
    const patch = join(root, 'test/hostile/reverts', `defect-${d.id}.patch`);
    log(`defect ${d.id}: revert ${patch}`);
    execFileSync('git', ['apply', patch], { cwd: dir });
    try {
      build(dir);
      for (const [file, pattern] of d.runs) {
        for (const t of runTests(dir, file, pattern)) {
          rows.push({ id: d.id, defect: d.defect, file, test: t.name, withoutFix: t.status, first: t.first });
          log(`  ${t.status === 'failed' ? 'FAILS' : 'passes'} without its fix: ${t.name}`);
        }
      }
    } finally {
      execFileSync('git', ['apply', '-R', patch], { cwd: dir });
    }
  }
  log('the untouched tree');
  build(dir);
  // Each file once, with every selected defect's tests; each result goes back to the rows of the defects whose pattern names it.
  const byFile = new Map();
  for (const d of selected) for (const [file, pattern] of d.runs) byFile.set(file, [...(byFile.get(file) ?? []), { d, pattern }]);
  for (const [file, wants] of byFile) {
    for (const t of runTests(dir, file, wants.map((w) => `(?:${w.pattern})`).join('|'))) {
      for (const { d } of wants.filter((w) => new RegExp(w.pattern).test(t.name))) {
        const row = rows.find((r) => r.id === d.id && r.test === t.name);
        if (row) row.withFix = t.status;
        else rows.push({ id: d.id, defect: d.defect, file, test: t.name, withoutFix: 'not run', first: '', withFix: t.status });
      }
      log(`  ${t.status} with its fix: ${t.name}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const held = rows.every((r) => r.withoutFix === 'failed' && r.withFix === 'passed');
if (opt.out) writeFileSync(opt.out, `${JSON.stringify({ ref: execFileSync('git', ['-C', root, 'rev-parse', opt.ref], { encoding: 'utf8' }).trim(), rows, held }, null, 2)}\n`);
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/`/g, "'");
const lines = ['| Defect | Revert | Test | Fails without its fix | Passes with it | First failing line without the fix |', '|---|---|---|---|---|---|'];
for (const r of rows) {
  lines.push(`| ${cell(r.defect)} | defect-${r.id}.patch | ${cell(r.file.replace('test/', ''))}: ${cell(r.test)} | ${r.withoutFix === 'failed' ? 'yes' : 'NO'} | ${r.withFix === 'passed' ? 'yes' : 'NO'} | ${cell(r.first)} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
log(held ? 'every defect is held: each test fails without its fix and passes with it' : 'NOT every defect is held (rows marked NO)');
process.exit(held ? 0 : 1);
