/**
 * The lab's rabbitmq_upgrade (src/lab/handlers/resources/rabbitmq-upgrade.ts): a three-node 4.1.4
 * cluster rolled to 4.2.1 on Erlang 27.3.4.2 one node at a time; await_online_quorum_plus_one refusing
 * while a peer is down; the node noted down while it upgrades; the fail-rabbitmq-upgrade fault leaving
 * it down; a second run starting it again; finish enabling the new release's flag.
 */
import { describe, expect, it } from 'vitest';
import { artifactFile } from '../../src/lab/artifacts/catalog.js';
import { joinCluster, RabbitmqDownHistory, rabbitmqClusterStatus } from '../../src/lab/components/rabbitmq.js';
import { flagKnownTo, rabbitmqUpgradeModel } from '../../src/lab/handlers/resources/rabbitmq-upgrade.js';
import type { LabView } from '../../src/lab/handlers/types.js';
import type { LabHostState } from '../../src/lab/state/types.js';
import { rabbitmqUpgradeResource } from '../../src/resources/rabbitmq-upgrade.js';
import { rabbitmqNode } from '../helpers/rabbitmq-node.js';

const STAGE = 'C:\\ProgramData\\CortexInstall\\artifacts';

function node(name: string): LabHostState {
  const st = rabbitmqNode(name);
  // The new installers, staged.
  for (const [id, file] of [['erlang-otp-27.3.4.2', 'otp_win64_27.3.4.2.exe'], ['rabbitmq-server-4.2.1', 'rabbitmq-server-4.2.1.exe']] as const) st.machine.files[`${STAGE}\\${file}`] = artifactFile(id).sha256;
  return st;
}

function cluster() {
  const states = ['app1', 'app2', 'app3'].map(node);
  const history = new RabbitmqDownHistory();
  const l: LabView = { hosts: () => states.map((s) => s.host), findHost: () => undefined, getHostState: (n) => states.find((s) => s.host.name === n), isUp: () => true, canConnect: () => false };
  l.noteRabbitmqNodes = () => history.note(rabbitmqClusterStatus(l));
  joinCluster(l, 'app2', states[1]!.machine, 'rabbit@app1');
  joinCluster(l, 'app3', states[2]!.machine, 'rabbit@app1');
  return { states, l, history };
}

const params = { version: '4.2.1', installer: `${STAGE}\\rabbitmq-server-4.2.1.exe`, erlang: { version: '27.3.4.2', installer: `${STAGE}\\otp_win64_27.3.4.2.exe` } };
const now = () => new Date('2026-12-02T12:00:00Z');

describe('lab rabbitmq_upgrade', () => {
  it('rolls every node one at a time: each noted down once, never two, quorum kept; re-read: nothing to do', () => {
    const { states, l, history } = cluster();
    for (const st of states) {
      const ctx = { machine: st.machine, params, host: st.host, lab: l, now };
      const before = rabbitmqUpgradeResource.state.parse(rabbitmqUpgradeModel.read(ctx));
      expect(rabbitmqUpgradeResource.diff(rabbitmqUpgradeResource.params.parse(params), before).action).toBe('update');
      expect(rabbitmqUpgradeModel.set!(ctx).message).toBe(`rabbit@${st.host.name} upgraded to RabbitMQ 4.2.1 on Erlang 27.3.4.2: 3 running nodes`);
      const after = rabbitmqUpgradeResource.state.parse(rabbitmqUpgradeModel.read(ctx));
      expect([after.version, after.erlangVersion, after.running]).toEqual(['4.2.1', '27.3.4.2', true]);
    }
    const [status] = history.apply(rabbitmqClusterStatus(l));
    expect([status!.maxDownAtOnce, status!.quorumLost, status!.downNow]).toEqual([1, false, []]);
    // The old nodes did not see the new release's flag during the roll; the upgraded ones do, until finish.
    const ctx = { machine: states[0]!.machine, params: { ...params, action: 'finish' }, host: states[0]!.host, lab: l, now };
    expect(rabbitmqUpgradeModel.read(ctx).featureFlagsDisabled).toEqual(['rabbitmq_4.2.0']);
    rabbitmqUpgradeModel.set!(ctx);
    expect(rabbitmqUpgradeModel.read(ctx).featureFlagsDisabled).toEqual([]);
  });

  it('await_online_quorum_plus_one refuses while a peer is down: the node is never stopped', () => {
    const { states, l } = cluster();
    states[1]!.machine.services.find((s) => s.name === 'RabbitMQ')!.state = 'Stopped';
    const st = states[0]!;
    expect(() => rabbitmqUpgradeModel.set!({ machine: st.machine, params, host: st.host, lab: l, now })).toThrow(/^rabbitmq_upgrade: await_online_quorum_plus_one on rabbit@app1 failed: .*rabbitmq-upgrade\.bat exited with code 75: Error:\nTimed out after 600 s waiting for quorum \+ 1 \(3\) online members/);
    expect(st.machine.services.find((s) => s.name === 'RabbitMQ')!.state).toBe('Running');
  });

  it('the fault: the node stays down after its install, await_startup fails; the next run starts it again', () => {
    const { states, l, history } = cluster();
    const st = states[1]!;
    let once = true;
    const faults = { failRabbitmqUpgrade: () => (once ? !(once = false) : false) };
    const ctx = { machine: st.machine, params, host: st.host, lab: l, now, faults };
    expect(() => rabbitmqUpgradeModel.set!(ctx)).toThrow(/^rabbitmq_upgrade: await_startup on rabbit@app2 failed: .*rabbitmqctl\.bat exited with code 69/);
    const down = rabbitmqUpgradeResource.state.parse(rabbitmqUpgradeModel.read(ctx));
    expect([down.version, down.running]).toEqual(['4.2.1', false]);
    expect(history.apply(rabbitmqClusterStatus(l))[0]!.quorumLost).toBe(false);
    // The next node cannot stop while app2 is down.
    expect(() => rabbitmqUpgradeModel.set!({ machine: states[2]!.machine, params, host: states[2]!.host, lab: l, now })).toThrow(/await_online_quorum_plus_one/);
    expect(rabbitmqUpgradeResource.diff(rabbitmqUpgradeResource.params.parse(params), down)).toEqual({ action: 'update', from: { running: false }, to: { running: true } });
    expect(rabbitmqUpgradeModel.set!(ctx).message).toBe('rabbit@app2 started again on RabbitMQ 4.2.1, Erlang 27.3.4.2');
  });

  it("a release's own flag is known from that release on", () => {
    expect(flagKnownTo('rabbitmq_4.2.0', '4.1.4')).toBe(false);
    expect(flagKnownTo('rabbitmq_4.2.0', '4.2.1')).toBe(true);
    expect(flagKnownTo('khepri_db', '4.1.4')).toBe(true);
  });
});
