/**
 * `cortex-deploy artifacts add FILE | artifacts verify` (docs/artifacts.md): the artifact store on the
 * workstation. add copies an installer into the store and records its SHA-256 and size; verify checks
 * every recorded file (missing, wrong size, wrong hash: each named, exit 1) and, with -i, that the store
 * holds every version the inventory pins.
 */
import pc from 'picocolors';
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS } from './catalog.js';
import { ExitCode } from '../../exit-codes.js';
import { addArtifact, DEFAULT_ARTIFACT_STORE, readManifest, verifyStore, type AddResult, type StoreReport } from '../../artifacts/store.js';
import { selectArtifacts, type VersionSelection } from '../../artifacts/manifest.js';
import { loadInventory } from '../../inventory/index.js';
import { consoleLine } from '../../report/console-text.js';

export interface ArtifactsIo {
  stdout: { write(s: string): unknown };
  color: boolean;
}

export const DEFAULT_STORE = DEFAULT_ARTIFACT_STORE;

export async function runArtifactsAdd(args: { store: string; file: string; name?: string | undefined; version?: string | undefined; url?: string | undefined; replace: boolean; json: boolean }, io: ArtifactsIo): Promise<number> {
  const r = await addArtifact(args.store, args.file, { name: args.name, version: args.version, url: args.url, replace: args.replace });
  io.stdout.write(args.json ? `${JSON.stringify({ store: args.store, action: r.action, artifact: r.artifact, previous: r.previous ?? null }, null, 2)}\n` : renderAdd(r, args.store, io.color));
  return ExitCode.Ok;
}

export function renderAdd(r: AddResult, store: string, color: boolean): string {
  const c = pc.createColors(color);
  const a = r.artifact;
  const verb = r.action === 'added' ? c.green('added') : r.action === 'replaced' ? c.yellow('replaced') : 'unchanged';
  return `${consoleLine(`${verb} ${a.name} ${a.version}: ${store}/${a.file}`)}\n  sha256 ${a.sha256}\n  size   ${a.size} bytes\n`;
}

export interface VerifyDocument extends StoreReport {
  inventory: { file: string; missing: VersionSelection['missing']; found: Array<{ name: string; version: string; file: string; hosts: string[] }> } | null;
  ok: boolean;
}

export async function runArtifactsVerify(args: { store: string; inventory?: string | undefined; json: boolean }, io: ArtifactsIo): Promise<number> {
  const report = await verifyStore(args.store);
  let inventory: VerifyDocument['inventory'] = null;
  if (args.inventory) {
    const inv = await loadInventory(args.inventory);
    const sel = selectArtifacts((await readManifest(args.store)) ?? { artifacts: [] }, inv.hosts);
    inventory = { file: inv.file, missing: sel.missing, found: sel.found.map((f) => ({ name: f.name, version: f.version, file: f.artifact.file, hosts: f.hosts })) };
  }
  const ok = report.summary.ok === report.summary.total && (inventory?.missing.length ?? 0) === 0;
  const doc: VerifyDocument = { ...report, inventory, ok };
  io.stdout.write(args.json ? `${JSON.stringify(doc, null, 2)}\n` : renderVerify(doc, io.color));
  return ok ? ExitCode.Ok : ExitCode.Failed;
}

const LABEL: Record<string, string> = { ok: 'ok', missing: 'MISSING', 'wrong-size': 'WRONG SIZE', 'wrong-hash': 'WRONG HASH' };

export function renderVerify(doc: VerifyDocument, color: boolean): string {
  const c = pc.createColors(color);
  const out: string[] = [c.bold(`Artifact store ${doc.store}: ${doc.summary.total} artifact${doc.summary.total === 1 ? '' : 's'}`)];
  const width = Math.max(0, ...doc.artifacts.map((a) => `${a.name} ${a.version}`.length));
  for (const a of doc.artifacts) {
    const label = LABEL[a.status]!.padEnd(10);
    const line = `  ${a.status === 'ok' ? c.green(label) : c.red(label)}  ${`${a.name} ${a.version}`.padEnd(width)}  ${a.status === 'ok' ? a.file : a.message}`;
    out.push(consoleLine(line));
  }
  if (doc.unrecorded.length) out.push('', c.dim(`Not in the manifest (not checked): ${doc.unrecorded.join(', ')}`));
  if (doc.inventory) {
    out.push('', `Inventory ${doc.inventory.file}: ${doc.inventory.found.length} pinned version${doc.inventory.found.length === 1 ? '' : 's'} in the store`);
    for (const m of doc.inventory.missing) out.push(consoleLine(`  ${c.red('NO ARTIFACT')}  ${m.name} ${m.version} (versions.${m.name} of ${m.hosts.join(', ')}): add it with cortex-deploy artifacts add FILE --name ${m.name} --version ${m.version}`));
  }
  const s = doc.summary;
  out.push('', `verify: ${s.ok} ok, ${s.missing} missing, ${s.wrongSize} wrong size, ${s.wrongHash} wrong hash${doc.inventory ? `, ${doc.inventory.missing.length} pinned version${doc.inventory.missing.length === 1 ? '' : 's'} without artifact` : ''}`);
  return `${out.join('\n')}\n`;
}

const color = (argv: object) => (argv as { color?: boolean }).color !== false && !process.env.NO_COLOR && process.stdout.isTTY === true;
const setExit = (argv: object, code: number) => {
  (argv as { exitCode?: number }).exitCode = code;
};

export const artifactsCommand: CommandModule = {
  command: COMMANDS.artifacts.command,
  describe: COMMANDS.artifacts.describe,
  builder: (y: Argv) =>
    y
      .option('store', { type: 'string', default: DEFAULT_STORE, describe: 'The store folder (its manifest.yaml records every artifact)' })
      .command({
        command: 'add <file>',
        describe: 'Copy an installer into the store and record its SHA-256 and size',
        builder: (yy: Argv) =>
          yy
            // --version names the artifact's version here, not cortex-deploy's (that is `cortex-deploy --version`).
            .version(false)
            .positional('file', { type: 'string', demandOption: true, describe: 'The installer or package file' })
            .option('name', { type: 'string', describe: 'Component name, as in the inventory\'s versions (default: from the file name when known)' })
            .option('version', { type: 'string', describe: 'Its version (default: from the file name when known)' })
            .option('url', { type: 'string', describe: 'Where it was downloaded from (recorded)' })
            .option('replace', { type: 'boolean', default: false, describe: 'Record this file even if the name and version are recorded with another hash' })
            .option('json', { type: 'boolean', default: false, describe: 'Print {store, action, artifact, previous} on stdout' })
            .example('$0 artifacts add ~/Downloads/rabbitmq-server-4.1.4.exe', 'Name and version from the file name: rabbitmq 4.1.4')
            .example('$0 artifacts add rewrite_amd64_en-US.msi --version 2.1', 'URL Rewrite: the version is not in the file name')
            .example('$0 artifacts add cortex-7.2.zip --name cortex --version 7.2 --store D:\\cortex-artifacts', 'Another store folder'),
        handler: async (argv) => {
          setExit(argv, await runArtifactsAdd({ store: String(argv.store), file: String(argv.file), name: argv.name as string | undefined, version: argv.version as string | undefined, url: argv.url as string | undefined, replace: argv.replace === true, json: argv.json === true }, { stdout: process.stdout, color: color(argv) }));
        },
      })
      .command({
        command: 'verify',
        describe: 'Check every recorded file: present, its size, its SHA-256 (exit 1 on any difference)',
        builder: (yy: Argv) =>
          yy
            .option('inventory', { alias: 'i', type: 'string', describe: 'Also check that the store holds every version this inventory pins (versions vars)' })
            .option('json', { type: 'boolean', default: false, describe: 'Print {store, artifacts:[{name,version,file,status,expected,actual,message}], unrecorded, inventory, summary, ok} on stdout' })
            .example('$0 artifacts verify', 'Check the store in ./artifacts')
            .example('$0 artifacts verify -i site.yaml --json', 'And the versions site.yaml pins, as JSON'),
        handler: async (argv) => {
          setExit(argv, await runArtifactsVerify({ store: String(argv.store), inventory: argv.inventory as string | undefined, json: argv.json === true }, { stdout: process.stdout, color: color(argv) }));
        },
      })
      .demandCommand(1, 'Name a subcommand: artifacts add FILE or artifacts verify.')
      .example('$0 artifacts add otp_win64_27.3.4.exe', 'Record an installer (erlang 27.3.4)')
      .example('$0 artifacts verify', 'Check the whole store')
      .epilogue('Exit codes: 0 all good; 1 a file is missing or differs (or a pinned version has no artifact); 3 bad input or manifest (file:line). Docs: docs/artifacts.md'),
  handler: () => undefined,
};
