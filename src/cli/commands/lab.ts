/**
 * cortex-deploy lab up | down | status | reset | reset-counters | fault | versions | artifacts: simulated Windows Server hosts on loopback
 * addresses (docs/lab.md). `up` runs in the foreground until Ctrl-C, or with --detach starts a
 * background process (pid file and log in the state folder) and returns once its listeners are up.
 * `down` stops exactly the process in the pid file. `status` shows each host's state and counters.
 * `versions` lists the component versions the lab supports; `artifacts` writes their synthetic files
 * into an artifact store, as `artifacts add` would.
 */
import { join, resolve } from 'node:path';
import pc from 'picocolors';
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS } from './catalog.js';
import { InputError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { loadInventory } from '../../inventory/index.js';
import {
  assertNotRunning,
  controlPaths,
  DEFAULT_STATE_DIR,
  queryStatus,
  sendFaults,
  sendReset,
  sendResetCounters,
  serveControl,
  spawnDetached,
  stopRunningLab,
  type ControlPaths,
} from '../../lab/control.js';
import { clustersFromBalancers, clustersFromGroups } from '../../lab/clusters.js';
import { GobetweenSettings } from '../../components/gobetween.js';
import { parseFaultFlag } from '../../lab/faults/parse.js';
import { startLab, type LabEvent, type LabHostSpec, type LabStatus } from '../../lab/lab.js';
import { labHostsFromInventory } from '../../lab/profile/from-inventory.js';
import { LabStateStore } from '../../lab/state/store.js';
import { redact } from '../../secrets/registry.js';
import { buildTwin } from '../../lab/twin/build.js';
import { labVersions, writeLabStore } from '../../lab/artifacts/store.js';
import { renderAdd, DEFAULT_STORE } from './artifacts.js';

interface CommonArgs {
  inventory?: string | undefined;
  state: string;
  json?: boolean;
  exitCode?: number;
}
interface UpArgs extends CommonArgs {
  inventory?: string | undefined;
  /** A site facts file: start a twin of that site (docs/rehearse.md). */
  fromFacts?: string | undefined;
  /** With --from-facts: where the twin's inventory goes (default: twin.yaml in the state folder). */
  writeInventory?: string | undefined;
  detach: boolean;
  fault: string[];
  hosts?: number | undefined;
  base?: string | undefined;
}

/** Where --hosts puts its synthetic hosts when --base is not given. */
const SYNTHETIC_BASE = '127.1.0.0';

/** `--hosts N --base A`: N copies of the inventory's first host on consecutive addresses after A. */
export function syntheticHosts(template: LabHostSpec, n: number, base: string): LabHostSpec[] {
  const parts = base.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255) || parts[0] !== 127) {
    throw new InputError(`--base ${base} is not a loopback IPv4 address (127.x.y.z)`, { field: '--base' });
  }
  const start = ((parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) + 1;
  if (!Number.isInteger(n) || n < 1 || start + n - 1 > 0xfffffe) throw new InputError(`--hosts ${n} does not fit after ${base} in 127.0.0.0/8`, { field: '--hosts' });
  const width = String(n).length;
  return Array.from({ length: n }, (_, i) => {
    const k = start + i;
    return { ...template, name: `lab${String(i + 1).padStart(width, '0')}`, address: `127.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}` };
  });
}

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(redact(s));
const colors = () => pc.createColors(process.stdout.isTTY === true && !process.env.NO_COLOR);

function withState(y: Argv): Argv {
  return y.option('state', { type: 'string', default: DEFAULT_STATE_DIR, describe: 'State folder: host states, pid file, log, certificate' });
}

/** --state, and -i accepted though unused, so a command line that worked for `up` works here too. */
function withStateAndUnusedInventory(y: Argv): Argv {
  return withState(y).option('inventory', { alias: 'i', type: 'string', describe: 'Inventory (accepted for symmetry with up)' });
}

/** The running lab's control paths, or an input error saying none runs (and `hint`, what to do). */
async function requireRunningLab(state: string, hint: string): Promise<ControlPaths> {
  const paths = controlPaths(state);
  if (!(await queryStatus(paths))) throw new InputError(`no lab running from ${paths.stateDir}`, { hint });
  return paths;
}

function describeEvent(e: LabEvent): string {
  switch (e.kind) {
    case 'state':
      return e.origin === 'restored' ? `${e.host}: state restored` : `${e.host}: state re-made from the profile (${e.origin})`;
    case 'down':
      return `${e.host}: down (${e.reason})`;
    case 'up':
      return `${e.host}: up`;
    case 'fault':
      return `${e.host}: fault ${e.fault}`;
    case 'restart-scheduled':
      return `${e.host}: restart scheduled at ${e.at}`;
    case 'warning':
      return e.message;
  }
}

function summaryLines(s: LabStatus): string[] {
  const up = s.hosts.filter((h) => h.up).length;
  const lines = [`lab running (pid ${s.pid}): ${s.hosts.length} hosts, ${up} up; state ${s.stateDir}`, `HTTPS certificate (trust it as winrm.tls.ca): ${s.certPath}`];
  if (s.ssh) lines.push(`SSH on port ${s.ssh.port}: key ${s.ssh.clientKeyPath}, known_hosts ${s.ssh.knownHostsPath}, user ${s.ssh.user}`);
  return lines;
}

/** --from-facts: build the twin's inventory (the lab then starts from it like from any inventory). */
async function twinInventory(argv: UpArgs, paths: ControlPaths): Promise<string> {
  if (argv.hosts !== undefined) throw new InputError('--hosts and --from-facts cannot be used together', { field: '--hosts', hint: 'A twin has the hosts of its facts file.' });
  const built = await buildTwin({ factsFile: argv.fromFacts!, inventoryFile: argv.writeInventory ?? join(paths.stateDir, 'twin.yaml'), stateDir: paths.stateDir, base: argv.base });
  for (const s of built.skippedBlocks) out(`skipped addresses ${s}
`);
  for (const s of built.leftOut) out(`left out ${s.name}: ${s.why}
`);
  const first = built.hosts[0]!;
  const last = built.hosts[built.hosts.length - 1]!;
  out(`twin of ${argv.fromFacts}: ${built.hosts.length} hosts on ${first.address}${built.hosts.length > 1 ? ` to ${last.address}` : ''}; inventory ${built.inventoryFile}
`);
  out(`what each host assumed where the facts could not say: cortex-deploy lab status${argv.state !== DEFAULT_STATE_DIR ? ` --state ${argv.state}` : ''}, or lab.twin.assumed in the inventory
`);
  return built.inventoryFile;
}

async function up(argv: UpArgs): Promise<number> {
  const paths = controlPaths(argv.state);
  await assertNotRunning(paths);
  const faultFlags = argv.fault.map(parseFaultFlag);
  if (argv.inventory === undefined && argv.fromFacts === undefined) throw new InputError('lab up needs an inventory (-i FILE) or a facts file (--from-facts FILE)', { field: '--inventory' });
  if (argv.inventory !== undefined && argv.fromFacts !== undefined) throw new InputError('-i and --from-facts cannot be used together', { field: '--from-facts', hint: 'A twin writes its own inventory (--write-inventory FILE); start it later with lab up -i FILE.' });
  if (argv.writeInventory !== undefined && argv.fromFacts === undefined) throw new InputError('--write-inventory goes with --from-facts', { field: '--write-inventory' });
  const inventoryFile = argv.fromFacts !== undefined ? await twinInventory(argv, paths) : resolve(argv.inventory!);
  // Validate everything before detaching, so the user sees input errors directly.
  const inv = await loadInventory(inventoryFile);
  const fromInventory = await labHostsFromInventory(inv);
  const skipped = fromInventory.skipped;
  const hosts = argv.hosts !== undefined && fromInventory.hosts[0] ? syntheticHosts(fromInventory.hosts[0], argv.hosts, argv.base ?? SYNTHETIC_BASE) : fromInventory.hosts;
  if (hosts.length === 0) throw new InputError(`${inventoryFile} has no host the lab can simulate`, { hint: 'Lab hosts use transport winrm or ssh on 127.x.y.z addresses.' });

  if (argv.detach) {
    const script = process.argv[1];
    if (!script) throw new InputError('cannot find the cortex-deploy entry script to detach');
    const childArgs = [script, 'lab', 'up', '-i', inventoryFile, '--state', paths.stateDir, ...argv.fault.flatMap((f) => ['--fault', f])];
    if (argv.hosts !== undefined) childArgs.push('--hosts', String(argv.hosts), '--base', argv.base ?? SYNTHETIC_BASE);
    const { status } = await spawnDetached(childArgs, paths);
    for (const line of summaryLines(status)) out(`${line}\n`);
    out(`log ${paths.logFile}; stop with: cortex-deploy lab down${argv.inventory ? ` -i ${argv.inventory}` : ''}${argv.state !== DEFAULT_STATE_DIR ? ` --state ${argv.state}` : ''}\n`);
    return ExitCode.Ok;
  }

  const started = Date.now();
  // The inventory's groups, and each gobetween balanced server (its backends: drained ones are out).
  const gob = inv.components ? GobetweenSettings.safeParse(inv.components.gobetween ?? {}) : undefined;
  const clusters = [...clustersFromGroups(inv.groups, hosts.map((h) => h.name)), ...(gob?.success ? clustersFromBalancers(gob.data.servers, inv.groups, hosts.map((h) => h.name)) : [])];
  const lab = await startLab({ hosts, stateDir: paths.stateDir, faultFlags, clusters, onEvent: (e) => out(`${new Date().toISOString()} ${describeEvent(e)}\n`) });
  let stopping: Promise<void> | null = null;
  let release: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (release = r));
  const stop = () => {
    stopping ??= (async () => {
      await control.close().catch(() => undefined);
      await lab.stop();
      release();
    })();
  };
  const control = await serveControl(lab, paths, stop);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  for (const s of skipped) out(`skipped ${s.name}: ${s.why}\n`);
  for (const line of summaryLines(lab.status())) out(`${line}\n`);
  out(`ready in ${Date.now() - started} ms; Ctrl-C or \`cortex-deploy lab down\` stops it\n`);
  await stopped;
  out('lab stopped\n');
  return ExitCode.Ok;
}

async function down(argv: CommonArgs): Promise<number> {
  const paths = controlPaths(argv.state);
  const r = await stopRunningLab(paths);
  if ('stopped' in r) out(`lab stopped (pid ${r.stopped})\n`);
  else if (r.stalePid !== null) out(`no lab running (removed a stale pid file for pid ${r.stalePid})\n`);
  else out(`no lab running from ${paths.stateDir}\n`);
  return ExitCode.Ok;
}

async function hostNames(argv: CommonArgs): Promise<Array<{ name: string; address: string }>> {
  if (!argv.inventory) return [];
  const inv = await loadInventory(resolve(argv.inventory));
  return inv.hosts.map((h) => ({ name: h.name, address: h.address }));
}

async function status(argv: CommonArgs): Promise<number> {
  // `lab status | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  const paths = controlPaths(argv.state);
  const s = await queryStatus(paths);
  if (!s) {
    const hosts = await hostNames(argv);
    if (argv.json) out(`${JSON.stringify({ running: false, stateDir: paths.stateDir, hosts: hosts.map((h) => ({ ...h, up: false })) }, null, 2)}\n`);
    else out(`no lab running from ${paths.stateDir}${hosts.length ? `; ${hosts.length} inventory hosts down` : ''}\n`);
    return ExitCode.Failed;
  }
  if (argv.json) {
    out(`${JSON.stringify(s, null, 2)}\n`);
    return ExitCode.Ok;
  }
  const c = colors();
  for (const line of summaryLines(s)) out(`${line}\n`);
  const header = ['host', 'address', 'state', 'requests', 'shells', 'powershell', 'scripts', 'set', 'faults'];
  const rows = s.hosts.map((h) => [
    h.name,
    h.address,
    h.up ? 'up' : h.rebootingUntil ? 'rebooting' : 'down',
    String(h.counters.requests),
    String(h.counters.shells),
    String(h.counters.powershellStarts),
    String(h.counters.scripts),
    String(h.counters.setCalls),
    String(h.counters.faults),
  ]);
  const widths = header.map((hd, i) => Math.max(hd.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  out(`${c.bold(fmt(header))}\n`);
  for (const r of rows) {
    const line = fmt(r);
    out(`${r[2] === 'up' ? line : c.red(line)}\n`);
  }
  for (const g of s.clusters) {
    const quorum = g.quorumLost === null ? '' : g.quorumLost ? ', quorum lost' : ', quorum kept';
    const line =
      g.kind === 'rabbitmq'
        ? `${g.kind} ${g.name} (${g.members.length}): ${(g.nodes ?? []).join(', ')}; ${(g.running ?? []).length} running`
        : `${g.kind} ${g.name} (${g.members.length}): ${g.downNow.length} down now, at most ${g.maxDownAtOnce} at once${quorum}`;
    out(`${g.quorumLost ? c.red(line) : line}\n`);
  }
  for (const line of twinLines(s)) out(`${line}\n`);
  return ExitCode.Ok;
}

async function resetCountersCmd(argv: CommonArgs): Promise<number> {
  const paths = await requireRunningLab(argv.state, 'Counters live in the running lab; start one with `cortex-deploy lab up -i INV --detach`.');
  await sendResetCounters(paths);
  out('lab reset-counters: every counter is back to zero (host states untouched)\n');
  return ExitCode.Ok;
}

/**
 * A twin's hosts: what each assumed where the facts could not say (docs/rehearse.md). Hosts that assumed
 * the same thing are listed together, so a twin of a hundred alike hosts stays readable.
 */
export function twinLines(s: LabStatus): string[] {
  const twins = s.hosts.filter((h) => h.twin !== null);
  if (twins.length === 0) return [];
  const sources = [...new Set(twins.map((h) => h.twin!.source))];
  const hostsOf = new Map<string, string[]>();
  for (const h of twins) for (const a of h.twin!.assumed) hostsOf.set(a, [...(hostsOf.get(a) ?? []), h.name]);
  const groups = new Map<string, string[]>();
  for (const [line, names] of hostsOf) {
    const who = names.length === twins.length && twins.length > 1 ? 'every host' : names.join(', ');
    groups.set(who, [...(groups.get(who) ?? []), line]);
  }
  const lines = ['', `twin of ${sources.join(', ')}: what the hosts assumed where the facts could not say`];
  for (const [who, assumed] of groups) lines.push(`${who}:`, ...assumed.map((a) => `  ${a}`));
  return lines;
}

async function reset(argv: CommonArgs): Promise<number> {
  const paths = controlPaths(argv.state);
  if (await queryStatus(paths)) {
    await sendReset(paths);
    out('lab reset: every host is back to its profile (running lab)\n');
    return ExitCode.Ok;
  }
  const names = (await hostNames(argv)).map((h) => h.name);
  await new LabStateStore(paths.stateDir).reset(names);
  out(`lab reset: ${names.length} host states removed from ${paths.stateDir}; the next lab up starts from the profiles\n`);
  return ExitCode.Ok;
}

async function fault(argv: CommonArgs & { spec: string[] }): Promise<number> {
  const paths = await requireRunningLab(argv.state, 'Start one with `cortex-deploy lab up -i INV --detach`.');
  for (const spec of argv.spec) {
    const clear = /^([^:]+):clear$/.exec(spec);
    if (clear) {
      await sendFaults(paths, clear[1]!, {}, true);
      out(`${clear[1]}: faults cleared\n`);
      continue;
    }
    const f = parseFaultFlag(spec);
    await sendFaults(paths, f.host, f.faults);
    out(`${f.host}: ${spec.slice(f.host.length + 1)}\n`);
  }
  return ExitCode.Ok;
}

function run<A extends CommonArgs>(fn: (a: A) => Promise<number>) {
  return async (argv: A) => {
    try {
      argv.exitCode = await fn(argv);
    } catch (e) {
      if (e instanceof Error && !(e instanceof InputError) && (e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        err(`cortex-deploy: an address of the lab is already in use (${(e as Error).message}); is another lab running?\n`);
        argv.exitCode = ExitCode.InvalidInput;
        return;
      }
      throw e;
    }
  };
}

const FAULT_HELP =
  'HOST:KIND[:ARG], KIND one of latency:MS, drop-after:N, drop-mid-command[:once|always], http500[:N], refuse-auth, fail-script:ID[:once|always], down, slow:K, reboot:T, corrupt-transfers, at-step:STEP';

async function versions(argv: { json?: boolean }): Promise<number> {
  const v = labVersions();
  if (argv.json) out(`${JSON.stringify(v, null, 2)}\n`);
  else {
    const width = Math.max(0, ...Object.keys(v).map((k) => k.length));
    out(Object.keys(v).length ? Object.entries(v).map(([k, list]) => `${k.padEnd(width)}  ${list.join(', ')}\n`).join('') : 'The lab has no synthetic store artifacts.\n');
  }
  return ExitCode.Ok;
}

async function artifacts(argv: { store: string; json?: boolean }): Promise<number> {
  const results = await writeLabStore(argv.store);
  if (argv.json) out(`${JSON.stringify({ store: resolve(argv.store), artifacts: results.map((r) => ({ action: r.action, ...r.artifact })) }, null, 2)}\n`);
  else {
    for (const r of results) out(renderAdd(r, argv.store, colors().isColorSupported));
    out(`${results.length} lab artifact${results.length === 1 ? '' : 's'} in ${resolve(argv.store)} (${results.filter((r) => r.action !== 'unchanged').length} written). Check them with: cortex-deploy artifacts verify --store ${argv.store}\n`);
  }
  return ExitCode.Ok;
}

export const labCommand: CommandModule = {
  command: COMMANDS.lab.command,
  describe: COMMANDS.lab.describe,
  builder: (y: Argv) =>
    y
      .command<UpArgs>({
        command: 'up',
        describe: 'Start the lab hosts of an inventory',
        builder: (b: Argv) =>
          withState(b)
            .option('inventory', { alias: 'i', type: 'string', describe: 'Inventory YAML file' })
            .option('from-facts', { type: 'string', describe: 'Start a twin of a site: hosts that mirror the facts preflight --save-facts captured (docs/rehearse.md)' })
            .option('write-inventory', { type: 'string', describe: "With --from-facts: write the twin's inventory here (default: twin.yaml in the state folder)" })
            .option('detach', { type: 'boolean', default: false, describe: 'Run in the background (pid file and log in the state folder)' })
            .option('fault', { type: 'string', array: true, default: [], describe: FAULT_HELP })
            .option('hosts', { type: 'number', describe: "Synthetic scale test: N copies of the inventory's first host (named lab001…) instead of its hosts" })
            .option('base', { type: 'string', describe: 'Addresses start after this one. --hosts: default 127.1.0.0; --from-facts: default the first free block from 127.2.0.0' })
            .example('$0 lab up -i examples/lab/inventory.yaml --detach', 'Start the 7-host example lab in the background')
            .example('$0 lab up --from-facts site.facts.json --write-inventory twin.yaml --detach', 'A twin of a real site, to rehearse on (docs/rehearse.md)')
            .example('$0 lab up -i examples/lab/inventory.yaml --fault app2:down --fault db1:latency:200', 'With faults') as unknown as Argv<UpArgs>,
        handler: run(up),
      })
      .command<CommonArgs>({
        command: 'down',
        describe: 'Stop the lab started from this state folder',
        builder: (b: Argv) =>
          withStateAndUnusedInventory(b)
            .example('$0 lab down -i examples/lab/inventory.yaml', 'Stop the lab started from the default state folder')
            .example('$0 lab down --state /tmp/my-lab', 'Stop the lab started with --state /tmp/my-lab') as unknown as Argv<CommonArgs>,
        handler: run(down),
      })
      .command<CommonArgs>({
        command: 'status',
        describe: 'Hosts up or down, with counters (requests, shells, PowerShell processes, scripts, Set calls)',
        builder: (b: Argv) =>
          withState(b)
            .option('inventory', { alias: 'i', type: 'string', describe: 'Inventory: list its hosts even when no lab runs' })
            .option('json', { type: 'boolean', default: false, describe: 'One JSON document on stdout' })
            .example('$0 lab status', 'Hosts and counters of the running lab')
            .example('$0 lab status --json', 'The same as JSON (counters for tests and benchmarks)')
            .epilogue('Exit codes: 0 a lab is running; 1 none is.') as unknown as Argv<CommonArgs>,
        handler: run(status),
      })
      .command<CommonArgs>({
        command: 'reset',
        describe: 'Restore every host to its profile (forget what scripts installed)',
        builder: (b: Argv) =>
          withState(b)
            .option('inventory', { alias: 'i', type: 'string', demandOption: true, describe: 'Inventory YAML file' })
            .example('$0 lab reset -i examples/lab/inventory.yaml', 'Forget everything installed on the lab hosts') as unknown as Argv<CommonArgs>,
        handler: run(reset),
      })
      .command<CommonArgs>({
        command: 'reset-counters',
        describe: "Set the running lab's counters back to zero (per host, per step, clusters' most down at once)",
        builder: (b: Argv) =>
          withStateAndUnusedInventory(b)
            .example('$0 lab reset-counters', 'Count the next apply on its own') as unknown as Argv<CommonArgs>,
        handler: run(resetCountersCmd),
      })
      .command<CommonArgs & { spec: string[] }>({
        command: 'fault <spec..>',
        describe: 'Add faults to hosts of the running lab',
        builder: (b: Argv) =>
          withStateAndUnusedInventory(b)
            .positional('spec', { type: 'string', array: true, describe: FAULT_HELP })
            .example('$0 lab fault app2:down', 'Take app2 down now')
            .example('$0 lab fault app1:latency:500 app1:fail-script:probes.facts:once', 'Slow app1 down and fail its next facts probe')
            .example('$0 lab fault app2:clear', 'Remove every fault of app2 (and bring it up)') as unknown as Argv<CommonArgs & { spec: string[] }>,
        handler: run(fault),
      })
      .command<{ json?: boolean }>({
        command: 'versions',
        describe: 'The component versions the lab supports (its synthetic artifacts), oldest first',
        builder: (b: Argv) =>
          b
            .option('json', { type: 'boolean', default: false, describe: 'One JSON document on stdout: { component: [versions] }' })
            .example('$0 lab versions --json', '{ "erlang": ["27.3.4", "27.3.5"], ... }') as unknown as Argv<{ json?: boolean }>,
        handler: async (argv) => {
          (argv as { exitCode?: number }).exitCode = await versions(argv);
        },
      })
      .command<{ store: string; json?: boolean }>({
        command: 'artifacts',
        describe: "Write the lab's synthetic artifacts into an artifact store, as artifacts add would (nothing to download for a lab)",
        builder: (b: Argv) =>
          b
            .option('store', { type: 'string', default: DEFAULT_STORE, describe: 'The store folder (created if need be; its manifest.yaml records each file)' })
            .option('json', { type: 'boolean', default: false, describe: 'One JSON document on stdout: {store, artifacts: [{action, name, version, file, sha256, size}]}' })
            .example('$0 lab artifacts', 'Into ./artifacts, the default store of artifacts add and apply')
            .example('$0 lab artifacts --store /tmp/lab-store', 'Another store folder') as unknown as Argv<{ store: string; json?: boolean }>,
        handler: async (argv) => {
          (argv as { exitCode?: number }).exitCode = await artifacts(argv);
        },
      })
      .example('$0 lab up -i examples/lab/inventory.yaml --detach', 'Start the example lab in the background')
      .example('$0 lab down -i examples/lab/inventory.yaml', 'Stop it')
      .demandCommand(1, 'Name a lab command: up, down, status, reset, reset-counters, fault, versions, artifacts.'),
  handler: () => undefined,
};
