/**
 * service_fabric_restart (ps1/resources/service-fabric-restart.ps1; its Test in test-batch.ps1's
 * Get-CortexServiceFabricRestartState), on src/lab/components/service-fabric.ts: the application's code
 * packages restarted node by node in upgrade-domain order, every node Up before each; each restart is
 * counted on the node (`serviceFabric.codePackageRestarts`, shown by `lab status --json` per host as
 * codePackageRestarts). The node stays Up: a code package restart takes no node out of the cluster.
 */
import { clusterNodes, connectError, FABRIC_HOST_SERVICE, service, upgradeDomains } from '../../components/service-fabric.js';
import type { LabMachine } from '../../state/types.js';
import type { ResourceModelContext } from './types.js';
import { notEmulated } from './files.js';
import { stringParam } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'service_fabric_restart';

function connect(ctx: ResourceModelContext): string | null {
  const endpoint = stringParam(ctx.params, R, 'connectionEndpoint', { default: 'localhost:19000' });
  const error = connectError(ctx.machine, ctx.lab, endpoint);
  if (error?.includes('not emulated by the lab')) throw new LabResourceError(error, 'NotImplemented');
  return error;
}

function countRestart(x: LabMachine, application: string): void {
  if (!x.serviceFabric) return;
  const counts = (x.serviceFabric.codePackageRestarts ??= {});
  counts[application] = (counts[application] ?? 0) + 1;
}

export const serviceFabricRestartModel = defineResourceModel({
  type: 'service_fabric_restart',
  read: (ctx) => {
    const application = stringParam(ctx.params, R, 'application', { required: true });
    if (!service(ctx.machine, FABRIC_HOST_SERVICE) || connect(ctx) !== null) return { reachable: false, applicationExists: false };
    return { reachable: true, applicationExists: ctx.machine.serviceFabric!.cluster.applications.some((a) => a.name === application) };
  },
  set: (ctx) => {
    const { machine: m, params, lab } = ctx;
    const application = stringParam(params, R, 'application', { required: true });
    const reason = stringParam(params, R, 'reason', { default: 'asked by a handler' });
    const endpoint = stringParam(params, R, 'connectionEndpoint', { default: 'localhost:19000' });
    if (!service(m, FABRIC_HOST_SERVICE)) return setResult(`nothing to restart: no Service Fabric on this node yet (${reason})`);
    const error = connect(ctx);
    if (error !== null) throw new LabResourceError(`${R}: the Service Fabric cluster does not answer at ${endpoint}: ${error}`);
    const sf = m.serviceFabric!;
    if (!sf.cluster.applications.some((a) => a.name === application)) return setResult(`nothing to restart: ${application} is not deployed yet (${reason})`);
    if (!lab.changeHost && sf.cluster.nodes.some((n) => n.host !== ctx.host.name)) throw notEmulated(`${R}: restarting code packages on other nodes (the lab runs no other hosts here)`);
    const restarted: string[] = [];
    for (const d of upgradeDomains(sf.cluster)) {
      for (const n of d.nodes) {
        const down = clusterNodes(sf, lab).filter((x) => x.status !== 'Up').map((x) => x.name);
        if (down.length) throw new LabResourceError(`${R}: node(s) ${down.join(', ')} not Up; ${application} was not restarted on ${n.nodeName} (restarted before: ${restarted.join(', ') || 'none'}). Bring the node(s) back, then apply again`);
        if (n.host === ctx.host.name) countRestart(m, application);
        else lab.changeHost!(n.host, (s) => countRestart(s.machine, application));
        restarted.push(`${n.nodeName} (${d.name})`);
      }
    }
    return setResult(`restarted ${application} one node at a time (${reason}): ${restarted.join(', ')}`);
  },
});
