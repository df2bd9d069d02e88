/**
 * The lab's nservicebus_migrate model held to its script through the Windows shim
 * (resources-b-harness.ts): resources.nservicebus-migrate's Set against the shim's view and the Set
 * handler on the same machine must print the same envelope and leave the same view (queues, message
 * counts, the recorded version in the registry); then test-batch.ps1 and the model read the same state.
 */
import { describe, expect, it } from 'vitest';
import { handlerRegistry } from '../../../src/lab/handlers/index.js';
import { textFile } from '../../../src/lab/artifacts/catalog.js';
import type { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { withShimHost } from '../helpers.js';
import { compareSet, machineFrom, withFile } from './resources-b-harness.js';

const pwsh = pwshForTests('test/lab/differential (nservicebus_migrate)');
let host: ShimHost;

const CTL = 'C:\\Program Files\\RabbitMQ Server\\rabbitmq_server-4.1.4\\sbin\\rabbitmqctl.bat';
const TOOL = 'C:\\Program Files\\NServiceBus.Transport.RabbitMQ.CommandLine\\rabbitmq-transport.exe';
const MIGRATE = { version: '10.2.0', tool: TOOL, rabbitmqctl: CTL, endpoints: ['Cortex.Flow', 'Cortex.Gateway'], connection: { url: 'amqp://cortex@localhost:5672/cortex', password: 'Lab-Broker!1' }, errorQueue: 'error', auditQueue: 'audit' };
const OLD_BROKER = {
  cortex: {
    queues: { 'Cortex.Flow': 'quorum', 'Cortex.Gateway': 'classic', error: 'quorum', audit: 'classic', 'nsb.delay-level-03': 'classic', 'nsb.delay-level-10': 'classic' },
    messages: { 'nsb.delay-level-03': 4, 'nsb.delay-level-10': 1, 'Cortex.Gateway': 2 },
  },
};

function app(rabbit: 'Running' | 'Stopped' = 'Running', vhosts: Record<string, unknown> = OLD_BROKER, recorded: string | null = '10.1.0'): LabHostState {
  const s = machineFrom({ services: [{ name: 'RabbitMQ', state: rabbit }], amqpVhosts: vhosts, ...(recorded ? { registry: { 'HKLM\\SOFTWARE\\CortexInstall\\NServiceBus': { TransportVersion: { kind: 'String', data: recorded } } } } : {}) }, 'app1');
  for (const f of [CTL, TOOL]) withFile(s.machine, f, textFile(f).sha256, 10);
  return s;
}

it("the handler compared here is the lab's Set handler of nservicebus_migrate", () => {
  expect(handlerRegistry().get('resources.nservicebus-migrate')?.script).toBe('ps1/resources/nservicebus-migrate.ps1');
});

describe.skipIf(!pwsh)('nservicebus_migrate: model and script', () => {
  withShimHost(pwsh!, (h) => (host = h));

  it('migrates the classic queues in order, the v1 delayed messages, records the version; again is a no-op', async () => {
    const first = await compareSet(host, app(), 'nservicebus_migrate', MIGRATE);
    expect(first.diffs, first.diffs.join('\n')).toEqual([]);
    expect(first.script).toMatchObject({ ok: true, data: { message: 'queue audit to quorum, queue Cortex.Gateway to quorum, delay infrastructure, 5 delayed messages from v1 to v2, transport version 10.1.0 -> 10.2.0' } });
    expect(first.machine.amqpVhosts.cortex!.messages).toMatchObject({ 'nsb.delay-level-03': 0, 'nsb.v2.delay-level-03': 4, 'nsb.v2.delay-level-10': 1, 'Cortex.Gateway': 2 });
    const again = await compareSet(host, { ...app(), machine: first.machine }, 'nservicebus_migrate', MIGRATE);
    expect(again.diffs, again.diffs.join('\n')).toEqual([]);
    expect(again.script).toMatchObject({ ok: true, data: { message: null } });
    expect(again.viewChanged).toBe(false);
  }, 120_000);

  it('a fresh broker records the version only; the node down and a missing tool are refused alike, nothing changed', async () => {
    const fresh = await compareSet(host, app('Running', { cortex: { queues: { 'Cortex.Flow': 'quorum' } } }, null), 'nservicebus_migrate', MIGRATE);
    expect(fresh.diffs, fresh.diffs.join('\n')).toEqual([]);
    expect(fresh.script).toMatchObject({ ok: true, data: { message: 'transport version none recorded -> 10.2.0' } });
    const down = await compareSet(host, app('Stopped'), 'nservicebus_migrate', MIGRATE);
    expect(down.diffs, down.diffs.join('\n')).toEqual([]);
    expect(down.script.error?.message).toBe(`${CTL} exited with code 69: Error: unable to perform an operation on node 'rabbit@APP1'. Please see diagnostics information and suggestions below.`);
    expect(down.viewChanged).toBe(false);
    const s = app();
    delete s.machine.files[TOOL];
    const notool = await compareSet(host, s, 'nservicebus_migrate', MIGRATE);
    expect(notool.diffs, notool.diffs.join('\n')).toEqual([]);
    expect(notool.script.error?.message).toBe(`nservicebus_migrate: ${TOOL} does not exist; unzip the transport tool there in an earlier step`);
  }, 120_000);
});
