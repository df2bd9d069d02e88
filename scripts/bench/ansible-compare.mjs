#!/usr/bin/env node
/**
 * A no-change apply of the Cortex install compared with Ansible running the same number of `raw` tasks on
 * the same lab hosts (issue 12). Run `npm run build` first; needs Debian's ansible-core (scripts/setup.sh).
 *
 * 1. A detached lab of the 7-host site (examples/lab/inventory.yaml, moved to free loopback addresses) and
 *    the lab's synthetic artifacts in a store (`lab artifacts`).
 * 2. One apply of the playbook installs everything; then `apply --json` again (nothing to change) is timed,
 *    median of 3, with its preflight gate as a user runs it, and once more with --skip-preflight.
 * 3. The plan's step-host pairs give each host's number of steps; ansible-playbook (winrm connection, NTLM with
 *    message encryption, forks = hosts, no fact gathering) runs that many `raw: hostname` tasks on each host.
 *    The lab answers `hostname` itself (CORTEX_PWSH=''), charging each host's cold PowerShell start (400 ms) per
 *    task as Windows would: what a raw task costs on Windows, where cortex-deploy keeps one resident process.
 * Usage: node scripts/bench/ansible-compare.mjs [--playbook playbooks/cortex.yaml]
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import * as lab from './lib/lab.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const PLAYBOOK = join(lab.root, arg('--playbook', 'playbooks/cortex.yaml'));
const ANSIBLE_PLAYBOOK = '/usr/bin/ansible-playbook';
if (!existsSync(ANSIBLE_PLAYBOOK)) throw new Error('ansible-compare needs ansible-playbook (Debian ansible-core; scripts/setup.sh installs it)');

const { addresses, release } = await lab.claimAddresses(7);
const dir = lab.tempDir('ansible');
const state = join(dir, 'state');
// The example site with its 127.0.1.N addresses moved to the claimed block, in the same order.
let inv = readFileSync(join(lab.root, 'examples/lab/inventory.yaml'), 'utf8');
for (let n = 1; n <= 7; n++) inv = inv.replaceAll(`127.0.1.${n} `, `${addresses[n - 1]} `).replaceAll(`127.0.1.${n}}`, `${addresses[n - 1]}}`);
writeFileSync(join(dir, 'inv.yaml'), inv);
// The lab example's synthetic NServiceBus licence goes with it (components.nservicebus.license: file:nservicebus-license.xml).
copyFileSync(join(lab.root, 'examples/lab/nservicebus-license.xml'), join(dir, 'nservicebus-license.xml'));
const labEnv = { CORTEX_PWSH: '' };
// The install's secrets (playbooks/cortex.yaml reads them from the environment): the lab's defaults, as scripts/demo.sh.
const secrets = {
  CORTEX_ERLANG_COOKIE: 'CORTEXLABCLUSTERCOOKIE2026',
  CORTEX_RABBITMQ_OPS_PASSWORD: 'CortexLabOps!2026',
  CORTEX_RABBITMQ_APP_PASSWORD: 'CortexLabApp!2026',
  CORTEX_SF_INSTALL_PASSWORD: 'CortexLab!2026',
  CORTEX_GATEWAY_PFX_PASSWORD: 'Lab-Pfx!2026',
};

/** ansible-playbook, timed from spawn to exit. */
async function ansible(args) {
  const env = {
    ...process.env,
    HOME: dir,
    ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    OPENSSL_CONF: join(lab.root, 'test/fixtures/openssl-legacy.cnf'),
    ANS_LAB_PASSWORD: lab.PASSWORD,
    PATH: `/usr/bin:${process.env.PATH ?? ''}`,
  };
  delete env.REQUESTS_CA_BUNDLE;
  const t0 = performance.now();
  const child = spawn('/usr/bin/python3', [ANSIBLE_PLAYBOOK, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const code = await new Promise((ok) => child.once('close', ok));
  return { code, wallMs: Math.round(performance.now() - t0), out };
}

let result;
try {
  await lab.labUp(join(dir, 'inv.yaml'), state, labEnv);
  const store = join(dir, 'artifacts');
  const exported = await lab.runCli(['lab', 'artifacts', '--store', store], { cwd: dir });
  if (exported.code !== 0) throw new Error(`lab artifacts exited ${exported.code}: ${exported.stderr}`);
  const base = ['-i', 'inv.yaml', '-p', PLAYBOOK, '--store', store, '--json'];
  const install = await lab.runCli(['apply', ...base], { cwd: dir, env: secrets });
  if (install.code !== 0) throw new Error(`the installing apply exited ${install.code}: ${install.stderr.slice(-3000)}`);
  const plan = await lab.runCli(['plan', ...base, '--detailed-exitcode'], { cwd: dir, env: secrets });
  if (plan.code !== 0) throw new Error(`plan after the install exited ${plan.code} (0: no changes): ${plan.stderr.slice(-2000)}`);
  const perHost = {};
  for (const c of JSON.parse(plan.stdout).changes) perHost[c.host] = (perHost[c.host] ?? 0) + 1;
  await lab.runCli(['lab', 'reset-counters', '--state', state]);
  const noChange = await lab.medianOf(3, async () => {
    const r = await lab.runCli(['apply', ...base], { cwd: dir, env: secrets });
    if (r.code !== 0) throw new Error(`no-change apply exited ${r.code}: ${r.stderr.slice(-2000)}`);
    return r;
  });
  const changed = JSON.parse(noChange.stdout).summary;
  const skipPreflight = await lab.medianOf(3, () => lab.runCli(['apply', ...base, '--skip-preflight'], { cwd: dir, env: secrets }));
  const sets = (await lab.labStatus(state)).hosts.reduce((a, h) => a + (h.counters.setCalls ?? 0), 0);

  // The Ansible side: the same hosts, the same credentials, each host's own number of raw tasks.
  const hosts = Object.keys(perHost);
  const addressOf = (h) => new RegExp(`${h}: \\{ address: ([0-9.]+)`).exec(inv)[1];
  const max = Math.max(...Object.values(perHost));
  writeFileSync(join(dir, 'ansible-inv.yml'), [
    'all:',
    '  vars:',
    '    ansible_connection: winrm',
    '    ansible_port: 5985',
    '    ansible_winrm_scheme: http',
    '    ansible_winrm_transport: ntlm',
    '    ansible_winrm_message_encryption: always',
    "    ansible_user: 'LAB\\cortex'",
    "    ansible_password: \"{{ lookup('env', 'ANS_LAB_PASSWORD') }}\"",
    '  hosts:',
    ...hosts.map((h) => `    ${h}: { ansible_host: ${addressOf(h)}, cortex_steps: ${perHost[h]} }`),
    '',
  ].join('\n'));
  const tasks = Array.from({ length: max }, (_, i) => [`    - name: step ${i + 1}`, '      raw: hostname', `      when: cortex_steps | int > ${i}`, '      changed_when: false']).flat();
  writeFileSync(join(dir, 'ansible-pb.yml'), ['- hosts: all', '  gather_facts: false', '  tasks:', ...tasks, ''].join('\n'));
  mkdirSync(join(dir, 'ansible-tmp'), { recursive: true });
  const ans = await ansible(['-i', 'ansible-inv.yml', 'ansible-pb.yml', '-f', String(hosts.length)]);
  if (ans.code !== 0) throw new Error(`ansible-playbook exited ${ans.code}: ${ans.out.slice(-3000)}`);
  const rawTasks = Object.values(perHost).reduce((a, b) => a + b, 0);
  result = {
    bench: 'ansible-compare',
    method: 'no-change apply of the playbook (median of 3, built CLI, preflight gate included) vs ansible-playbook running as many raw tasks per host as the host has steps, same 7 lab hosts (lab answers hostname itself, 400 ms cold PowerShell start per process)',
    playbook: PLAYBOOK.replace(`${lab.root}/`, ''),
    loadAverage1m: lab.loadAverage1m(),
    hosts: hosts.length,
    stepHostPairs: rawTasks,
    installWallMs: install.wallMs,
    noChangeApply: { wallMs: noChange.wallMs, allWallMs: noChange.allWallMs, cpuMs: noChange.cpuMs, summary: changed, setCallsIn3Runs: sets },
    noChangeApplySkipPreflight: { wallMs: skipPreflight.wallMs, allWallMs: skipPreflight.allWallMs },
    ansibleRaw: { tasks: rawTasks, wallMs: ans.wallMs },
    ratio: +(ans.wallMs / noChange.wallMs).toFixed(2),
  };
} finally {
  await lab.labDown(state);
  release();
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
