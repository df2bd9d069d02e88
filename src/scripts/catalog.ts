/**
 * Every script under ps1/ that the orchestrator runs, by id: one contract each (./contract.ts). The
 * runner's callers pass these objects, never id strings; the lab's handlers (src/lab/handlers/) are
 * defined from them. test/scripts/catalog.test.ts keeps this list and the ps1/ headers in step.
 */
import { z } from 'zod';
import { Facts, FactsParams } from '../preflight/facts.js';
import { ReachParams, ReachResult } from '../preflight/reach.js';
import { FileHashData, ReceiveFileData } from '../runner/file-results.js';
import { RECEIVE_FILE_SCRIPT_ID } from '../runner/bootstrap.js';
import { RESOURCE_TYPES } from '../resources/index.js';
import { SetResultData, TEST_BATCH_SCRIPT, TestBatchData, TestBatchRequest, setScriptId } from '../resources/script-results.js';
import { defineScript, type AnyScriptContract } from './contract.js';

/** The host's name, its clock and PowerShell version: the cheapest round trip (a session check). */
export const PingData = z.strictObject({
  hostName: z.string().min(1),
  utcNow: z.iso.datetime({ offset: true }),
  psVersion: z.string().regex(/^\d+\.\d+/),
});

export const probesPing = defineScript({ id: 'probes.ping', file: 'ps1/probes/ping.ps1', params: z.object({}), result: PingData });
export const probesFacts = defineScript({ id: 'probes.facts', file: 'ps1/probes/facts.ps1', params: FactsParams, result: Facts });
export const probesReach = defineScript({ id: 'probes.reach', file: 'ps1/probes/reach.ps1', params: ReachParams, result: ReachResult });
export const runnerFileHash = defineScript({
  id: 'runner.file-hash',
  file: 'ps1/runner/file-hash.ps1',
  params: z.object({ path: z.string().min(1, 'the full path of the file on the host') }),
  result: FileHashData,
});
/** Streams a file through stdin: a header frame with these params, then the raw bytes (src/runner/upload.ts). */
export const runnerReceiveFile = defineScript({
  id: RECEIVE_FILE_SCRIPT_ID,
  file: 'ps1/runner/receive-file.ps1',
  params: z.object({ path: z.string().min(1), length: z.number().int().nonnegative() }),
  result: ReceiveFileData,
});

/** Every resource Test of one host in one phase, in one round trip (docs/scripts.md, "Resource scripts"). */
export const resourcesTestBatch = defineScript({
  id: TEST_BATCH_SCRIPT,
  file: 'ps1/resources/test-batch.ps1',
  params: z.object({ requests: z.array(TestBatchRequest) }),
  result: TestBatchData,
});

/**
 * The Set script of each resource type. Its parameters are the step's, already checked against the
 * type's params schema when the playbook loaded (src/resources/<type>.ts), plus what the agent adds
 * (the staged copy of a file): so here only "an object".
 */
export const RESOURCE_SET_SCRIPTS = RESOURCE_TYPES.map((type) =>
  defineScript({ id: setScriptId(type), file: `ps1/resources/${type.replace(/_/g, '-')}.ps1`, params: z.looseObject({}), result: SetResultData }),
);

/** The contracts the orchestrator calls by name. */
export const NAMED_SCRIPTS = [probesPing, probesFacts, probesReach, runnerFileHash, runnerReceiveFile] as const;
export type ScriptId = (typeof NAMED_SCRIPTS)[number]['id'];

/** Every contract, one per script under ps1/. */
export const SCRIPTS: readonly AnyScriptContract[] = [...NAMED_SCRIPTS, resourcesTestBatch, ...RESOURCE_SET_SCRIPTS];

/**
 * Files under ps1/ with a `# cortex-script:` header that are not scripts the orchestrator runs on their
 * own: the library sent with every script, the resident bootstrap, and files installed on hosts for
 * other programs to run (ps1/files/: gobetween's health check).
 */
export const SUPPORT_SCRIPT_IDS = ['lib.envelope', 'lib.windows', 'lib.resource', 'lib.iis', 'lib.nssm', 'lib.sql', 'lib.nservicebus', 'lib.gobetween', 'bootstrap.resident', 'files.gobetween-healthcheck'] as const;

const byId = new Map<string, AnyScriptContract>(SCRIPTS.map((s) => [s.id, s]));

export function scriptContract(id: string): AnyScriptContract | undefined {
  return byId.get(id);
}
