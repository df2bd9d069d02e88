// Models ps1/probes/reach.ps1: from this host, does each peer's name resolve and can a TCP connection
// reach each port. In the lab: a name resolves when it is a lab host's (any case) or an IPv4 literal; a
// port of the target's address is filtered when no lab host has that address, when it is down or lists
// the port in its profile's blockedPorts, open when something listens there, and closed (refused: the
// path is open) otherwise. Read-only.
import { isIPv4 } from 'node:net';
import { probesReach as contract } from '../../scripts/catalog.js';
import { defineHandler } from './types.js';

export const probesReach = defineHandler({
  contract,
  defaultDurationMs: 5,
  setType: false,
  run: ({ host, params: p, lab }) => ({
    ok: true,
    data: {
      targets: p.targets.map((t) => {
        // Names resolve as Windows resolves them: an IPv4 literal is itself, a lab host's name in any case is its address.
        const literal = isIPv4(t.name);
        const named = lab.hosts().find((h) => h.name.toLowerCase() === t.name.toLowerCase());
        // The connection goes to the address, whatever the name.
        const peer = lab.findHost(t.address);
        const up = peer ? lab.isUp(peer.name) : false;
        const blocked = new Set(peer ? (lab.getHostState(peer.name)?.machine.blockedPorts ?? []) : []);
        return {
          name: t.name,
          address: t.address,
          resolved: literal ? [t.name] : named ? [named.address] : [],
          resolveError: literal || named ? null : 'No such host is known',
          ports: t.ports.map((port) => ({
            port,
            state: !peer || !up || blocked.has(port) ? 'filtered' : lab.canConnect(host.name, peer.name, port) ? 'open' : 'closed',
          })),
        };
      }),
    },
  }),
});
