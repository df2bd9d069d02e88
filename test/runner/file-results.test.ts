/** The schemas of runner.file-hash and runner.receive-file results: a wrong shape names host, script and field. */
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { runnerFileHash, runnerReceiveFile } from '../../src/scripts/catalog.js';
import { parseData } from '../../src/scripts/contract.js';

const parseFileHash = (host: string, data: unknown) => parseData(runnerFileHash, host, data);
const parseReceiveFile = (host: string, data: unknown) => parseData(runnerReceiveFile, host, data);

const sha = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('file script results', () => {
  it('accepts what the scripts print', () => {
    expect(parseFileHash('web1', { path: 'C:\\a', exists: true, length: 3, sha256: sha })).toEqual({ path: 'C:\\a', exists: true, length: 3, sha256: sha });
    expect(parseFileHash('web1', { path: 'C:\\a', exists: false, length: 0, sha256: null }).exists).toBe(false);
    expect(parseReceiveFile('web1', { path: 'C:\\a', bytes: 0 }).bytes).toBe(0);
  });

  it('an upper-case or short hash is a protocol error naming the field', () => {
    const bad = () => parseFileHash('web1', { path: 'C:\\a', exists: true, length: 3, sha256: sha.toUpperCase() });
    expect(bad).toThrow(ProtocolError);
    expect(bad).toThrow(/host web1.*script runner\.file-hash.*field sha256/);
  });

  it('a missing field of receive-file is a protocol error naming it', () => {
    expect(() => parseReceiveFile('web1', { path: 'C:\\a' })).toThrow(/runner\.receive-file.*field bytes/);
  });
});
