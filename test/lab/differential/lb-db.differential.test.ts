/**
 * The lab models of nssm_service, sql_schema and nservicebus_queues held to their scripts through the
 * Windows shim (resources-b-harness.ts): the Set script against the shim's view and the Set handler on
 * the same machine must print the same envelope and leave the same view; then test-batch.ps1 and the
 * model must read the same state. Machine states × parameters: fresh, already done, drifted, refusals.
 */
import { describe, expect, it } from 'vitest';
import { handlerRegistry } from '../../../src/lab/handlers/index.js';
import type { ResourceTypeName } from '../../../src/resources/index.js';
import type { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import { textFile } from '../../../src/lab/artifacts/catalog.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { withShimHost } from '../helpers.js';
import { compareSet, machineFrom, withFile } from './resources-b-harness.js';

const pwsh = pwshForTests('test/lab/differential (load balancer, database, NServiceBus)');
let host: ShimHost;

/** The Set scripts this file holds to their handlers (probes.differential.test.ts counts on it). */
const COMPARED_HERE: Record<string, ResourceTypeName> = {
  'resources.nssm-service': 'nssm_service',
};

it("the handlers compared here are the lab's Set handlers of these types", () => {
  const registry = handlerRegistry();
  for (const [id, type] of Object.entries(COMPARED_HERE)) expect(registry.get(id)?.script, id).toBe(`ps1/resources/${type.replace(/_/g, '-')}.ps1`);
});

const NSSM = 'C:\\Program Files\\nssm\\win64\\nssm.exe';
const GOBETWEEN = {
  serviceName: 'gobetween',
  nssmExe: NSSM,
  program: 'C:\\Program Files\\gobetween\\gobetween.exe',
  parameters: [
    { name: 'AppDirectory', value: 'C:\\Program Files\\gobetween' },
    { name: 'AppParameters', value: '-c gobetween.toml' },
    { name: 'DisplayName', value: 'Cortex load balancer (gobetween)' },
    { name: 'Description', value: 'Balances the Cortex API Gateway Service.' },
    { name: 'Start', value: 'SERVICE_AUTO_START' },
    { name: 'AppStdout', value: 'C:\\ProgramData\\gobetween\\logs\\gobetween.log' },
    { name: 'AppRotateFiles', value: '1' },
    { name: 'AppRotateBytes', value: '10485760' },
    { name: 'AppExit', sub: 'Default', value: 'Restart' },
    { name: 'AppThrottle', value: '1500' },
  ],
};

/** A load balancer with NSSM unzipped (as the archive step leaves it). */
function withNssm(): LabHostState {
  const s = machineFrom({}, 'lb1');
  const f = textFile('lab synthetic nssm 2.24-101-g897c7ad win64');
  withFile(s.machine, NSSM, f.sha256, f.length);
  return s;
}

describe.skipIf(!pwsh)('load balancer, database, NServiceBus: lab models vs scripts through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  describe('nssm_service', () => {
    it('installs the service and sets what install left different; then again is a no-op', async () => {
      const first = await compareSet(host, withNssm(), 'nssm_service', GOBETWEEN);
      expect(first.diffs, first.diffs.join('\n')).toEqual([]);
      expect(first.script).toMatchObject({ ok: true, data: { message: 'installed gobetween; set AppParameters, DisplayName, Description, AppStdout, AppRotateFiles, AppRotateBytes' } });
      expect(first.machine.services.find((s) => s.name === 'gobetween')).toMatchObject({ state: 'Stopped', startType: 'Automatic', binaryPath: NSSM });
      const again = await compareSet(host, { ...withNssm(), machine: first.machine }, 'nssm_service', GOBETWEEN);
      expect(again.diffs, again.diffs.join('\n')).toEqual([]);
      expect(again.script).toMatchObject({ ok: true, data: { message: null } });
      expect(again.viewChanged).toBe(false);
    }, 120_000);

    it('drifted parameters: set each that differs, reset an emptied one, a default number deleted', async () => {
      const installed = (await compareSet(host, withNssm(), 'nssm_service', GOBETWEEN)).machine;
      const changed = {
        ...GOBETWEEN,
        parameters: [
          ...GOBETWEEN.parameters.filter((p) => !['AppParameters', 'AppRotateBytes', 'Start', 'AppExit'].includes(p.name)),
          { name: 'AppParameters', value: '' },
          { name: 'AppRotateBytes', value: '0' },
          { name: 'Start', value: 'SERVICE_DELAYED_AUTO_START' },
          { name: 'AppExit', sub: 'Default', value: 'Exit' },
        ],
      };
      const r = await compareSet(host, { ...withNssm(), machine: installed }, 'nssm_service', changed);
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.script).toMatchObject({ ok: true, data: { message: 'set AppParameters, AppRotateBytes, Start, AppExit Default' } });
      const back = await compareSet(host, { ...withNssm(), machine: r.machine }, 'nssm_service', { ...GOBETWEEN, parameters: [...GOBETWEEN.parameters, { name: 'Start', value: 'SERVICE_DEMAND_START' }].filter((p, i, a) => a.findLastIndex((q) => q.name === p.name) === i) });
      expect(back.diffs, back.diffs.join('\n')).toEqual([]);
    }, 120_000);

    it('refuses without nssm.exe, and a service of that name run by another program', async () => {
      const none = await compareSet(host, machineFrom({}, 'lb1'), 'nssm_service', GOBETWEEN);
      expect(none.diffs, none.diffs.join('\n')).toEqual([]);
      expect(none.script.error?.message).toBe(`nssm_service: ${NSSM} does not exist; unzip NSSM there in an earlier step`);
      const other = withNssm();
      other.machine.services.push({ name: 'gobetween', state: 'Running', startType: 'Automatic', binaryPath: 'C:\\Tools\\gobetween.exe -c C:\\Tools\\gobetween.toml' });
      const r = await compareSet(host, other, 'nssm_service', GOBETWEEN);
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.script.error?.message).toMatch(/^nssm_service: service gobetween exists but is not run by .*nssm\.exe \(its ImagePath is C:\\Tools\\gobetween\.exe -c C:\\Tools\\gobetween\.toml\)/);
    }, 120_000);
  });
});
