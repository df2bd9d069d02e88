/**
 * Every lab handler, one import line each: the executor looks scripts up here by id, and
 * test/lab/handler-sync.test.ts checks this list against ps1/. Add a line when you add a script.
 */
import type { AnyLabHandler } from './types.js';
import { probesPing } from './probes.ping.js';
import { probesFacts } from './probes.facts.js';
import { probesReach } from './probes.reach.js';
import { runnerFileHash } from './runner.file-hash.js';
import { runnerReceiveFile } from './runner.receive-file.js';
import { resourcesTestBatch } from './resources.test-batch.js';
import { resourcesService } from './resources.service.js';
import { resourcesEnvVar } from './resources.env-var.js';
import { resourcesRegistryValue } from './resources.registry-value.js';
import { resourcesFile } from './resources.file.js';
import { resourcesDirectory } from './resources.directory.js';
import { resourcesReboot } from './resources.reboot.js';
// lab-res-b
import { resourcesPackage } from './resources.package.js';
import { resourcesWindowsFeature } from './resources.windows-feature.js';
import { resourcesFirewallRule } from './resources.firewall-rule.js';
import { resourcesAcl } from './resources.acl.js';
import { resourcesScheduledTask } from './resources.scheduled-task.js';
import { resourcesServiceFabricCluster } from './resources.service-fabric-cluster.js';
import { resourcesServiceFabricApplication } from './resources.service-fabric-application.js';
import { resourcesExec } from './resources.exec.js';
import { resourcesArchive } from './resources.archive.js';
// h6-lb-db
import { resourcesNssmService } from './resources.nssm-service.js';
import { resourcesSqlSchema } from './resources.sql-schema.js';
import { resourcesNservicebusQueues } from './resources.nservicebus-queues.js';
import { resourcesNservicebusLicense } from './resources.nservicebus-license.js';
// h5-iis
import { resourcesCertificate } from './resources.certificate.js';
import { resourcesIisAppPool } from './resources.iis-app-pool.js';
import { resourcesIisSite } from './resources.iis-site.js';
import { resourcesErlangCookie } from './resources.erlang-cookie.js';
import { resourcesRabbitmqPlugin } from './resources.rabbitmq-plugin.js';
import { resourcesRabbitmqCluster } from './resources.rabbitmq-cluster.js';
import { resourcesRabbitmqConfig } from './resources.rabbitmq-config.js';
import { resourcesRabbitmqUpgrade } from './resources.rabbitmq-upgrade.js';
import { resourcesNservicebusMigrate } from './resources.nservicebus-migrate.js';
import { resourcesServiceFabricRestart } from './resources.service-fabric-restart.js';
import { resourcesGobetweenBackend } from './resources.gobetween-backend.js';

export const HANDLERS: AnyLabHandler[] = [
  probesPing,
  probesFacts,
  probesReach,
  runnerFileHash,
  runnerReceiveFile,
  resourcesTestBatch,
  resourcesService,
  resourcesEnvVar,
  resourcesRegistryValue,
  resourcesFile,
  resourcesDirectory,
  resourcesReboot,
  // lab-res-b
  resourcesPackage,
  resourcesWindowsFeature,
  resourcesFirewallRule,
  resourcesAcl,
  resourcesScheduledTask,
  resourcesServiceFabricCluster,
  resourcesServiceFabricApplication,
  resourcesExec,
  resourcesArchive,
  // h6-lb-db
  resourcesNssmService,
  resourcesSqlSchema,
  resourcesNservicebusQueues,
  resourcesNservicebusLicense,
  // h5-iis
  resourcesCertificate,
  resourcesIisAppPool,
  resourcesIisSite,
  resourcesErlangCookie,
  resourcesRabbitmqPlugin,
  resourcesRabbitmqCluster,
  resourcesRabbitmqConfig,
  resourcesRabbitmqUpgrade,
  resourcesNservicebusMigrate,
  resourcesServiceFabricRestart,
  resourcesGobetweenBackend,
];

export function handlerRegistry(handlers: readonly AnyLabHandler[] = HANDLERS): Map<string, AnyLabHandler> {
  const map = new Map<string, AnyLabHandler>();
  for (const h of handlers) {
    if (map.has(h.id)) throw new Error(`two lab handlers for script id ${h.id}`);
    map.set(h.id, h);
  }
  return map;
}
