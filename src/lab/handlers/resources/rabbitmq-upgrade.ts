/**
 * rabbitmq_upgrade (ps1/resources/rabbitmq-upgrade.ps1; its Test in test-batch.ps1's
 * Get-CortexRabbitmqUpgradeState) on the lab's RabbitMQ nodes (src/lab/components/rabbitmq.ts): the
 * roll's checks refuse as the tools do (an alarm; await_online_quorum_plus_one while a peer is down),
 * the node is down from the stop to the start (noted for `lab status`: clusters[].maxDownAtOnce), Erlang
 * and RabbitMQ go through the lab's installers (src/lab/windows/installers.ts), and the
 * fail-rabbitmq-upgrade fault keeps the node down after its install, so await_startup fails.
 */
import { clusterDb, clusterOf, cliNodeName, EX_UNAVAILABLE, labNodes, ownNode, rabbitmqInstall, RABBITMQ_SERVICE, runningNode, toolFailed, unreachableLines } from '../../components/rabbitmq.js';
import { NativeNotEmulated, runInstallerProgram } from '../../windows/installers.js';
import type { LabMachine, LabView } from '../types.js';
import { findInstalledPackage } from './package.js';
import { testPath } from './files.js';
import { resourceParam, stringParam } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'rabbitmq_upgrade';
/** rabbitmq-diagnostics check_local_alarms with an alarm raised: EX_UNAVAILABLE. */
const ALARM_EXIT = EX_UNAVAILABLE;
/** rabbitmq-upgrade await_online_quorum_plus_one that timed out: EX_TEMPFAIL. */
const EX_TEMPFAIL = 75;

function erlangVersionOf(m: LabMachine): string | null {
  return findInstalledPackage(m, '', 'Erlang OTP')?.DisplayVersion ?? null;
}

const series = (v: string) => v.split('.').slice(0, 2).map(Number) as [number, number];
const newerSeries = (a: string, b: string) => series(a)[0] > series(b)[0] || (series(a)[0] === series(b)[0] && series(a)[1] > series(b)[1]);

/** A release's own feature flag (rabbitmq_4.2.0) exists from that release on; other flags always. */
export function flagKnownTo(flag: string, version: string): boolean {
  const m = /^rabbitmq_(\d+\.\d+)\.0$/.exec(flag);
  return !m || !newerSeries(m[1]!, version);
}

function service(m: LabMachine) {
  const s = m.services.find((x) => x.name.toLowerCase() === RABBITMQ_SERVICE.toLowerCase());
  if (!s) throw new LabResourceError('the RabbitMQ service is not installed');
  return s;
}

/** Stop-Service / Start-Service RabbitMQ, noted by the lab while the node is down. */
function setRunning(lab: LabView, m: LabMachine, running: boolean): void {
  service(m).state = running ? 'Running' : 'Stopped';
  lab.noteRabbitmqNodes?.();
}

export const rabbitmqUpgradeModel = defineResourceModel({
  type: 'rabbitmq_upgrade',
  read: ({ machine, params, host, lab }) => {
    stringParam(params, R, 'version', { required: true });
    const erlangVersion = erlangVersionOf(machine);
    const install = rabbitmqInstall(machine);
    if (!install) return { installed: false, version: null, erlangVersion, nodeName: null, running: false, featureFlagsDisabled: [] };
    const nodeName = cliNodeName(machine);
    const nodes = labNodes(lab, { host: host.name, machine });
    const me = nodes.find((n) => n.host === host.name);
    if (!me || !me.running) return { installed: true, version: install.version, erlangVersion, nodeName, running: false, featureFlagsDisabled: [] };
    const db = clusterDb(clusterOf(nodes, me.node.nodeName));
    return { installed: true, version: install.version, erlangVersion, nodeName, running: true, featureFlagsDisabled: db.featureFlagsDisabled.filter((f) => flagKnownTo(f, install.version)) };
  },
  set: ({ machine: m, params, host, lab, faults }) => {
    const action = stringParam(params, R, 'action', { default: 'roll' });
    const version = stringParam(params, R, 'version', { required: true });
    const erlang = resourceParam(params, R, 'erlang', { required: true });
    const erlangVersion = stringParam(erlang, R, 'version', { required: true });
    const timeout = Math.trunc(Number(resourceParam(params, R, 'awaitTimeoutSec', { default: 600 })));
    if (action !== 'roll' && action !== 'finish') throw new LabResourceError(`rabbitmq_upgrade: parameter action must be roll or finish, not ${action}`);
    let install = rabbitmqInstall(m);
    if (!install) throw new LabResourceError('rabbitmq_upgrade: RabbitMQ is not installed (no RabbitMQ uninstall entry); the install steps install it');
    const node = cliNodeName(m);
    const step = <T>(name: string, fn: () => T): T => {
      try {
        return fn();
      } catch (err) {
        if (err instanceof LabResourceError || err instanceof NativeNotEmulated) throw new LabResourceError(`rabbitmq_upgrade: ${name} on ${node} failed: ${err.message}`);
        throw err;
      }
    };

    if (action === 'finish') {
      step('enable_feature_flag all', () => {
        const { nodes } = runningNode(lab, host.name, m);
        const own = ownNode(m);
        const db = structuredClone(clusterDb(clusterOf(nodes, own.nodeName)));
        if (db.featureFlagsDisabled.length) {
          db.featureFlagsDisabled = [];
          db.version += 1;
          own.db = db;
        }
      });
      step('rebalance', () => runningNode(lab, host.name, m, 'rabbitmq-queues'));
      return setResult(`${node}: every feature flag enabled, queue leaders rebalanced`);
    }

    const installer = stringParam(params, R, 'installer', { required: true });
    const root = stringParam(erlang, R, 'root', { default: 'C:\\Program Files\\Erlang OTP' });
    const erlangNow = erlangVersionOf(m);
    const swapErlang = erlangNow !== erlangVersion;
    const from = install.version;
    const newRabbitmq = from !== version;
    if (!swapErlang && !newRabbitmq) {
      if (labNodes(lab, { host: host.name, machine: m }).find((n) => n.host === host.name)?.running) return setResult(`${node} already runs RabbitMQ ${version} on Erlang ${erlangVersion}`);
      step('start', () => setRunning(lab, m, true));
      step('await_startup', () => runningNode(lab, host.name, m));
      return setResult(`${node} started again on RabbitMQ ${version}, Erlang ${erlangVersion}`);
    }
    const erlangInstaller = swapErlang ? stringParam(erlang, R, 'installer', { required: true }) : '';
    if (swapErlang && !testPath(m, erlangInstaller, 'Leaf')) throw new LabResourceError(`rabbitmq_upgrade: the Erlang installer ${erlangInstaller} is not on the host; stage it in an earlier step`);
    if (newRabbitmq && !testPath(m, installer, 'Leaf')) throw new LabResourceError(`rabbitmq_upgrade: the RabbitMQ installer ${installer} is not on the host; stage it in an earlier step`);

    step('check_local_alarms', () => {
      const { me, install: i } = runningNode(lab, host.name, m, 'rabbitmq-diagnostics');
      if (me.node.alarms.length) throw toolFailed(i.sbin, 'rabbitmq-diagnostics', ALARM_EXIT, [`Error: Node ${me.node.nodeName} reported local alarms: ${me.node.alarms.join(', ')}`]);
    });
    step('await_online_quorum_plus_one', () => {
      const { me, nodes, install: i } = runningNode(lab, host.name, m, 'rabbitmq-upgrade');
      const members = clusterOf(nodes, me.node.nodeName);
      // Quorum + 1 online, so this node can stop and every quorum queue keeps its majority.
      const need = members.length < 3 ? 1 : Math.min(members.length, Math.floor(members.length / 2) + 2);
      const online = members.filter((n) => n.running);
      if (online.length < need) throw toolFailed(i.sbin, 'rabbitmq-upgrade', EX_TEMPFAIL, ['Error:', `Timed out after ${timeout} s waiting for quorum + 1 (${need}) online members; online: ${online.map((n) => n.node.nodeName).join(', ')}`]);
    });
    step('drain', () => runningNode(lab, host.name, m, 'rabbitmq-upgrade'));
    step('stop', () => setRunning(lab, m, false));

    const run = (what: string, file: string) => {
      const r = runInstallerProgram(m, file, ['/S']);
      if (r.exitCode !== 0) throw new LabResourceError(`${file} exited with code ${r.exitCode}: ${[...r.output, ...r.errorOutput].join('\n')}`.trim());
      return what;
    };
    if (swapErlang) {
      if (erlangNow !== null) step(`uninstall Erlang ${erlangNow}`, () => run('uninstall', `${root}\\Uninstall.exe`));
      step(`install Erlang ${erlangVersion}`, () => {
        run('install', erlangInstaller);
        if (!testPath(m, `${root}\\bin\\erl.exe`, 'Leaf')) throw new LabResourceError(`${root}\\bin\\erl.exe did not appear within 300 s of the Erlang installer`);
        const key = Object.keys(m.env).find((k) => k.toLowerCase() === 'erlang_home') ?? 'ERLANG_HOME';
        m.env[key] = root;
      });
    }
    if (newRabbitmq) {
      step(`install RabbitMQ ${version}`, () => run('install', installer));
      install = rabbitmqInstall(m);
      if (!install || install.version !== version) throw new LabResourceError(`rabbitmq_upgrade: install RabbitMQ ${version} on ${node} failed: the uninstall entry says ${install?.version ?? 'nothing'}`);
      // A release's own feature flag arrives disabled; the finish step enables it after the last node.
      if (newerSeries(version, from)) {
        const own = ownNode(m);
        const flag = `rabbitmq_${series(version).join('.')}.0`;
        const db = structuredClone(clusterDb(clusterOf(labNodes(lab, { host: host.name, machine: m }), own.nodeName)));
        if (!db.featureFlagsDisabled.includes(flag)) {
          db.featureFlagsDisabled.push(flag);
          db.version += 1;
          own.db = db;
        }
      }
    } else {
      step('service re-registration', () => setRunning(lab, m, true));
    }
    const sbin = install.sbin;
    if (faults?.failRabbitmqUpgrade()) {
      // The fault: the service did not start (the installer's start failed); the node stays down.
      setRunning(lab, m, false);
      throw new LabResourceError(`rabbitmq_upgrade: await_startup on ${node} failed: ${toolFailed(sbin, 'rabbitmqctl', EX_UNAVAILABLE, unreachableLines(node)).message}`);
    }
    lab.noteRabbitmqNodes?.();
    step('await_startup', () => runningNode(lab, host.name, m));
    const { me, nodes } = runningNode(lab, host.name, m);
    const running = clusterOf(nodes, me.node.nodeName).filter((n) => n.running).map((n) => n.node.nodeName);
    if (!running.includes(node)) throw new LabResourceError(`rabbitmq_upgrade: ${node} started after the upgrade, but cluster_status lists these running nodes: ${running.join(', ')}`);
    return setResult(`${node} upgraded to RabbitMQ ${version} on Erlang ${erlangVersion}: ${running.length} running nodes`);
  },
});


