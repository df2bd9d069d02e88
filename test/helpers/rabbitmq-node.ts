/**
 * A lab host as the RabbitMQ lab tests start from: Erlang 27.3.4 and RabbitMQ 4.1.4 installed from
 * the lab's synthetic installers, the node named rabbit@<host>, the Erlang cookie in the system
 * profile. One fixture for the component, cluster and upgrade tests.
 */
import { artifactFile } from '../../src/lab/artifacts/catalog.js';
import { applyInstall } from '../../src/lab/artifacts/effects.js';
import type { SyntheticInstaller } from '../../src/lab/artifacts/schema.js';
import { systemprofileCookiePath } from '../../src/lab/components/rabbitmq.js';
import type { LabHostState } from '../../src/lab/state/types.js';
import { machineFrom } from '../lab/differential/resources-b-harness.js';

export function rabbitmqNode(name: string, cookie = 'a'.repeat(64)): LabHostState {
  const st = machineFrom({}, name);
  st.host = { name, address: '127.0.0.10' };
  st.machine.env.RABBITMQ_NODENAME = `rabbit@${name}`;
  for (const id of ['erlang-otp-27.3.4', 'rabbitmq-server-4.1.4']) {
    const a = artifactFile(id);
    applyInstall(st.machine, a.artifact as SyntheticInstaller, a.sha256);
  }
  st.machine.files[systemprofileCookiePath(st.machine)] = cookie;
  return st;
}
