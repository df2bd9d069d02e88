/** Every resource type, by the key a playbook step uses for it. One place; the schema and planner import it. */
import type { ResourceType } from './resource.js';
import { packageResource } from './package.js';
import { fileResource } from './file.js';
import { directoryResource } from './directory.js';
import { archiveResource } from './archive.js';
import { windowsFeatureResource } from './windows-feature.js';
import { serviceResource } from './service.js';
import { envVarResource } from './env-var.js';
import { registryValueResource } from './registry-value.js';
import { firewallRuleResource } from './firewall-rule.js';
import { aclResource } from './acl.js';
import { scheduledTaskResource } from './scheduled-task.js';
import { execResource } from './exec.js';
import { rebootResource } from './reboot.js';
import { nssmServiceResource } from './nssm-service.js';
import { sqlSchemaResource } from './sql-schema.js';
import { nservicebusQueuesResource } from './nservicebus-queues.js';
import { nservicebusLicenseResource } from './nservicebus-license.js';
import { nservicebusMigrateResource } from './nservicebus-migrate.js';
import { serviceFabricRestartResource } from './service-fabric-restart.js';
import { serviceFabricClusterResource } from './service-fabric-cluster.js';
import { serviceFabricApplicationResource } from './service-fabric-application.js';
import { certificateResource } from './certificate.js';
import { iisAppPoolResource } from './iis-app-pool.js';
import { iisSiteResource } from './iis-site.js';
import { erlangCookieResource } from './erlang-cookie.js';
import { rabbitmqPluginResource } from './rabbitmq-plugin.js';
import { rabbitmqClusterResource } from './rabbitmq-cluster.js';
import { rabbitmqConfigResource } from './rabbitmq-config.js';
import { rabbitmqUpgradeResource } from './rabbitmq-upgrade.js';
import { gobetweenBackendResource } from './gobetween-backend.js';

export const RESOURCES = {
  package: packageResource,
  file: fileResource,
  directory: directoryResource,
  archive: archiveResource,
  windows_feature: windowsFeatureResource,
  service: serviceResource,
  env_var: envVarResource,
  registry_value: registryValueResource,
  firewall_rule: firewallRuleResource,
  acl: aclResource,
  scheduled_task: scheduledTaskResource,
  exec: execResource,
  reboot: rebootResource,
  nssm_service: nssmServiceResource,
  sql_schema: sqlSchemaResource,
  nservicebus_queues: nservicebusQueuesResource,
  nservicebus_license: nservicebusLicenseResource,
  service_fabric_cluster: serviceFabricClusterResource,
  service_fabric_application: serviceFabricApplicationResource,
  certificate: certificateResource,
  iis_app_pool: iisAppPoolResource,
  iis_site: iisSiteResource,
  erlang_cookie: erlangCookieResource,
  rabbitmq_plugin: rabbitmqPluginResource,
  rabbitmq_cluster: rabbitmqClusterResource,
  rabbitmq_config: rabbitmqConfigResource,
  rabbitmq_upgrade: rabbitmqUpgradeResource,
  nservicebus_migrate: nservicebusMigrateResource,
  service_fabric_restart: serviceFabricRestartResource,
  gobetween_backend: gobetweenBackendResource,
} as const satisfies Record<string, ResourceType>;

export type ResourceTypeName = keyof typeof RESOURCES;
export const RESOURCE_TYPES = Object.keys(RESOURCES) as ResourceTypeName[];

export function resourceOf(type: string): ResourceType {
  const r = (RESOURCES as Record<string, ResourceType>)[type];
  if (!r) throw new Error(`unknown resource type '${type}'`);
  return r;
}

export type { ComponentUpgrade, Diff, DiffAction, ResourceType, UpgradeWithin } from './resource.js';
export { UnreachableStateError, UpgradeRefusedError } from './resource.js';
export { REBOOT_EXIT_CODES, classifyExitCode } from './package.js';
export { TEST_BATCH_SCRIPT, TestBatchData, TestBatchRequest, SetResultData, setScriptId } from './script-results.js';
