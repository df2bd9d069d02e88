import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunLogger, formatLine, newRunId } from '../../src/log/index.js';
import { clearSecretsForTests, redactDeep } from '../../src/secrets/registry.js';
import { resolveHostSecret } from '../../src/inventory/secrets.js';
import { loadInventory } from '../../src/inventory/loader.js';
import { checkInventoryFile } from '../../src/inventory/check.js';
import { renderCheck } from '../../src/cli/commands/inventory.js';
import pc from 'picocolors';
import { InputError } from '../../src/errors.js';

const PASSWORD = 'Corr3ct-Horse"Battery\\Staple';

afterEach(() => {
  clearSecretsForTests();
});

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return () => text;
}

describe('run logger', () => {
  it('names runs by time with a random suffix, sortable and distinct', () => {
    const a = newRunId(new Date('2026-11-24T00:31:12.345Z'));
    expect(a).toMatch(/^20261124-003112-[0-9a-f]{6}$/);
    expect(newRunId()).not.toBe(newRunId());
  });

  it('writes JSON lines into <runDir>/log.jsonl with the run id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-log-'));
    const { logger, runId, logFile } = createRunLogger({ verbose: false, runDir: join(dir, 'run') });
    logger.info({ host: 'app1', step: 'probe' }, 'connected');
    logger.debug('detail');
    const lines = readFileSync(logFile!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'connected', host: 'app1', step: 'probe', runId });
    expect(lines[1]).toMatchObject({ level: 20, msg: 'detail' });
  });

  it('defaults to .cortex/runs/<run-id>/ under the current directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-log-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { runId, runDir, logger } = createRunLogger({ verbose: false });
      logger.info('x');
      expect(runDir).toBe(join(dir, '.cortex', 'runs', runId));
      expect(existsSync(join(runDir!, 'log.jsonl'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it('a password from the inventory (env: reference) never reaches the log file, the terminal, an error message or a report', async () => {
    const saved = process.env.CORTEX_LAB_PASSWORD;
    process.env.CORTEX_LAB_PASSWORD = PASSWORD;
    const inv = await loadInventory('examples/lab/inventory.yaml');
    const secret = await resolveHostSecret(inv, inv.hosts[2]!, 'winrm.password');
    expect(secret).toBe(PASSWORD);

    const dir = mkdtempSync(join(tmpdir(), 'cortex-log-'));
    const terminal = new PassThrough();
    const screen = collect(terminal);
    const { logger, logFile } = createRunLogger({ verbose: true, runDir: dir, terminal, color: false });
    const child = logger.child({ password: secret });
    child.info(`auth with ${secret}`);
    logger.info({ nested: { deep: [secret, { again: `x${secret}y` }] } }, 'fields');
    logger.info('format %s and %o', secret, { p: secret });
    logger.error({ err: new Error(`remote said: bad password ${secret}`) }, 'failed');
    logger.warn(new Error(`top-level error ${secret}`));
    await new Promise((r) => setImmediate(r));

    const file = readFileSync(logFile!, 'utf8');
    expect(file.split('\n').filter(Boolean)).toHaveLength(5);
    expect(file).toContain('********');
    expect(file).not.toContain('Corr3ct');
    expect(file).not.toContain(JSON.stringify(PASSWORD).slice(1, -1));
    expect(screen()).toContain('auth with ********');
    expect(screen()).not.toContain('Corr3ct');

    const err = new InputError(`could not log in with ${secret}`, { host: 'app1', field: 'winrm.password' });
    expect(err.message).not.toContain('Corr3ct');
    expect(err.message).toContain('********');

    // The check report, as a document and as console text, even if a host name carried the value.
    const doc = await checkInventoryFile('examples/lab/inventory.yaml');
    doc.hosts[0]!.name = `web-${secret}`;
    const text = renderCheck(doc, pc.createColors(false)) + JSON.stringify(redactDeep(doc));
    expect(text).not.toContain('Corr3ct');
    if (saved === undefined) delete process.env.CORTEX_LAB_PASSWORD;
    else process.env.CORTEX_LAB_PASSWORD = saved;
  });

  it('renders readable terminal lines with level, host and step', () => {
    const line = formatLine({ level: 40, time: Date.parse('2026-11-24T01:02:03.004Z'), msg: 'slow', host: 'app2', step: 'rabbitmq', ms: 900 }, false);
    expect(line).toBe('01:02:03.004  WARN   app2 rabbitmq  slow  ms=900');
  });

  it('writes nothing when neither a file nor -v is asked for', () => {
    const { logger, runDir, logFile } = createRunLogger({ verbose: false, runDir: null });
    expect(runDir).toBeNull();
    expect(logFile).toBeNull();
    expect(logger.isLevelEnabled('info')).toBe(false);
  });
});
