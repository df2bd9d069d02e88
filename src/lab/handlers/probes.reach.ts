// Models ps1/probes/reach.ps1: from this host, does each peer's name resolve and can a TCP connection
// reach each port. In the lab: a name resolves when it is a lab host; a port is filtered when the peer
// is down or lists the port in its profile's blockedPorts, open when something listens there, and
// closed (refused: the path is open) otherwise. Read-only.
import { z } from 'zod';
import { defineHandler } from './types.js';

const params = z.object({
  targets: z.array(z.object({ name: z.string(), address: z.string(), ports: z.array(z.number().int()) })),
  // reach.ps1's own default.
  timeoutMs: z.number().int().default(5000),
});

export const probesReach = defineHandler({
  id: 'probes.reach',
  script: 'ps1/probes/reach.ps1',
  params,
  defaultDurationMs: 5,
  setType: false,
  run: ({ host, params: p, lab }) => ({
    ok: true,
    data: {
      targets: p.targets.map((t) => {
        const named = lab.findHost(t.name);
        const peer = lab.findHost(t.address) ?? named;
        const up = peer ? lab.isUp(peer.name) : false;
        const blocked = new Set(peer ? (lab.getHostState(peer.name)?.machine.blockedPorts ?? []) : []);
        return {
          name: t.name,
          address: t.address,
          resolved: named ? [named.address] : [],
          resolveError: named ? null : 'No such host is known',
          ports: t.ports.map((port) => ({
            port,
            state: !peer || !up || blocked.has(port) ? 'filtered' : lab.canConnect(host.name, peer.name, port) ? 'open' : 'closed',
          })),
        };
      }),
    },
  }),
});
