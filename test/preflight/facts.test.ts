/** The facts schema: captured-shape documents validate; an unexpected shape names the host and the field path. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Facts } from '../../src/preflight/facts.js';
import { probesFacts } from '../../src/scripts/catalog.js';
import { parseData } from '../../src/scripts/contract.js';

const parseFacts = (host: string, data: unknown) => parseData(probesFacts, host, data, 'the facts probe');
import { ProtocolError } from '../../src/errors.js';

const healthy = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/preflight/facts/healthy-ws2019.json'), 'utf8')) as Record<string, unknown>;

describe('facts schema', () => {
  it('accepts the healthy document, including .ToString("o") timestamps with 7 fractional digits', () => {
    expect(parseFacts('app1', healthy).os.build).toBe(17763);
    expect(Facts.safeParse({ ...healthy, utcNow: '2026-11-24T01:00:00.1234567Z' }).success).toBe(true);
  });

  it('names the host and the nested field path of an unexpected shape', () => {
    const bad = { ...healthy, os: { ...(healthy.os as object), build: '17763' } };
    let err: unknown;
    try {
      parseFacts('app1', bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).context).toMatchObject({ host: 'app1', field: 'os.build', script: 'probes.facts' });
    expect((err as Error).message).toMatch(/^host app1, script probes\.facts, field os\.build: /);
  });

  it('names array indices in the path', () => {
    const bad = { ...healthy, volumes: [{ drive: 'C', fileSystem: 'NTFS', sizeBytes: 1, freeBytes: 1 }] };
    expect(() => parseFacts('db1', bad)).toThrow(/field volumes\[0\]\.drive/);
  });

  it('refuses a document of another facts version', () => {
    expect(() => parseFacts('web1', { ...healthy, factsVersion: 2 })).toThrow(/field factsVersion/);
  });

  it('the PowerShell 5.1 date format /Date(…)/ is refused (the probe must emit ISO 8601)', () => {
    expect(() => parseFacts('web1', { ...healthy, utcNow: '/Date(1700000000000)/' })).toThrow(/field utcNow/);
  });
});
