/**
 * cortex-deploy inventory check | schema.
 * check: load and validate the inventory, run the topology rules, print findings by severity, the
 * tier and a role map (or one JSON document with --json). Exit 0, or 3 when the file is invalid or
 * an error finding exists. schema: print the inventory's JSON Schema.
 */
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS } from './catalog.js';
import pc from 'picocolors';
import { ExitCode } from '../../exit-codes.js';
import { checkInventoryFile, type CheckFinding, type InventoryCheckDocument } from '../../inventory/check.js';
import { inventoryJsonSchemaText } from '../../inventory/json-schema.js';
import { createRunLogger } from '../../log/index.js';
import { redact } from '../../secrets/registry.js';
import { consoleLine } from '../../report/console-text.js';

interface CheckArgs {
  inventory: string;
  json: boolean;
  verbose?: boolean;
  exitCode?: number;
}

function colors(stream: NodeJS.WriteStream) {
  return pc.createColors(stream.isTTY === true && !process.env.NO_COLOR);
}

const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'Validate an inventory and check its topology (no host is contacted)',
  builder: (y: Argv) =>
    y
      .option('inventory', { alias: 'i', type: 'string', demandOption: true, describe: 'Inventory YAML file' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON document on stdout: {file, valid, tier, findings, hosts}' })
      .example('$0 inventory check -i site.yaml', 'Findings by severity, the tier and a role map')
      .example('$0 inventory check -i examples/lab/inventory.yaml --json', 'The same as one JSON document')
      .epilogue('Exit codes: 0 valid (warnings allowed); 3 the file is invalid or a topology error was found.\nRules: docs/topology.md. Keys: docs/inventory.md.') as unknown as Argv<CheckArgs>,
  handler: async (argv) => {
    const { logger } = createRunLogger({ verbose: argv.verbose === true, runDir: null });
    logger.debug({ file: argv.inventory }, 'checking inventory');
    const doc = await checkInventoryFile(argv.inventory);
    logger.debug({ valid: doc.valid, findings: doc.findings.length }, 'inventory checked');
    if (argv.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    else process.stdout.write(renderCheck(doc, colors(process.stdout)));
    argv.exitCode = doc.valid ? ExitCode.Ok : ExitCode.InvalidInput;
  },
};

const schemaCommand: CommandModule<object, { exitCode?: number }> = {
  command: 'schema',
  describe: 'Print the JSON Schema of the inventory (for editors; also in docs/inventory.schema.json)',
  builder: (y: Argv) =>
    y
      .example('$0 inventory schema > inventory.schema.json', 'Save the schema for your editor')
      .epilogue('Then start site.yaml with\n  # yaml-language-server: $schema=./inventory.schema.json\nso editors with the YAML language server validate and complete it. Exit code: 0.') as unknown as Argv<{ exitCode?: number }>,
  handler: (argv) => {
    process.stdout.write(inventoryJsonSchemaText());
    argv.exitCode = ExitCode.Ok;
  },
};

export const inventoryCommand: CommandModule = {
  command: COMMANDS.inventory.command,
  describe: COMMANDS.inventory.describe,
  builder: (y: Argv) =>
    y
      .command(checkCommand as unknown as CommandModule)
      .command(schemaCommand as unknown as CommandModule)
      .demandCommand(1, 'Name a subcommand: check or schema.')
      .example('$0 inventory check -i site.yaml', 'Topology rules, before any host is touched')
      .example('$0 inventory schema', 'JSON Schema of the inventory'),
  handler: () => undefined,
};

type Colors = ReturnType<typeof pc.createColors>;

export function renderCheck(doc: InventoryCheckDocument, c: Colors): string {
  const out: string[] = [];
  const errors = doc.findings.filter((f) => f.severity === 'error');
  const warnings = doc.findings.filter((f) => f.severity === 'warning');
  const notes = doc.findings.filter((f) => f.severity === 'info');
  const appCount = doc.hosts.filter((h) => h.roles.includes('app')).length;
  out.push(c.bold(`Inventory ${consoleLine(doc.file)}`) + (doc.hosts.length ? `: ${doc.hosts.length} hosts, ${appCount} application servers, tier ${doc.tier ?? 'none'}` : ''));
  const section = (title: string, list: CheckFinding[], mark: string, paint: (s: string) => string) => {
    if (!list.length) return;
    out.push('', paint(c.bold(`${title} (${list.length})`)));
    for (const f of list) {
      out.push(`  ${paint(mark)} ${f.id === 'inventory.invalid' ? '' : `${c.bold(f.id)}  `}${consoleLine(f.message)}${f.hosts.length ? c.dim(`  [${consoleLine(f.hosts.join(', '))}]`) : ''}`);
      if (f.id !== 'inventory.invalid') out.push(c.dim(`      source: ${consoleLine(f.source)}`));
    }
  };
  section('Errors', errors, '✗', c.red);
  section('Warnings', warnings, '!', c.yellow);
  section('Notes', notes, 'i', c.cyan);
  if (doc.hosts.length) {
    out.push('', c.bold('Role map'));
    const rows = [['HOST', 'ADDRESS', 'ROLES', 'WEB APPS', 'TRANSPORT'], ...doc.hosts.map((h) => [h.name, h.address, h.roles.join(',') || '-', h.webApps.join(',') || '-', h.transport].map(consoleLine))];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    rows.forEach((r, n) => {
      const line = `  ${r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd();
      out.push(n === 0 ? c.dim(line) : line);
    });
  }
  out.push('', doc.valid ? c.green(`valid: ${errors.length} errors, ${warnings.length} warnings`) : c.red(`invalid: ${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`));
  return `${redact(out.join('\n'))}\n`;
}
