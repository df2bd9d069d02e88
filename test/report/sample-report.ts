/** A 9-host preflight report with one failure, one warning, one unreachable host and one dropped port (a warning too). */
import { runPreflight } from '../../src/preflight/run.js';
import type { PreflightReport } from '../../src/preflight/outcome.js';
import { fakeConnect, nineHosts } from '../preflight/fake-hosts.js';

export async function sampleReport(): Promise<PreflightReport> {
  const { connect } = fakeConnect({
    app3: { patch: { dotnetRelease: 460805 } },
    web2: { patch: { cpu: { cores: 2, logicalProcessors: 2 } } },
    lb1: { connectError: 'unreachable' },
    app1: { blocked: (peer, port) => peer === 'app2' && port === 25672 },
  });
  return runPreflight({ hosts: nineHosts, connect, forks: 100 });
}
