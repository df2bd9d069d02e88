/**
 * Every resource type the lab models, one import line each: the handlers of resources.test-batch and of
 * each resources.<type> look them up here. A type without a model answers "not emulated by the lab".
 */
import type { ResourceTypeName } from '../../../resources/index.js';
import type { AnyLabResourceModel } from './types.js';
import { rebootModel } from './reboot.js';
import { serviceModel } from './service.js';
import { envVarModel } from './env-var.js';
import { registryValueModel } from './registry-value.js';
import { fileModel } from './file.js';
import { directoryModel } from './directory.js';
// lab-res-b
import { packageModel } from './package.js';
import { windowsFeatureModel } from './windows-feature.js';
import { firewallRuleModel } from './firewall-rule.js';
import { aclModel } from './acl.js';
import { scheduledTaskModel } from './scheduled-task.js';
import { execModel } from './exec.js';
import { archiveModel } from './archive.js';
// h6-lb-db
import { nssmServiceModel } from './nssm-service.js';
import { sqlSchemaModel } from './sql-schema.js';
import { nservicebusQueuesModel } from './nservicebus-queues.js';
import { nservicebusLicenseModel } from './nservicebus-license.js';
import { serviceFabricClusterModel } from './service-fabric-cluster.js';
import { serviceFabricApplicationModel } from './service-fabric-application.js';
// h5-iis
import { certificateModel } from './certificate.js';
import { iisAppPoolModel } from './iis-app-pool.js';
import { iisSiteModel } from './iis-site.js';
// issue 12: RabbitMQ and Erlang (src/lab/components/rabbitmq.ts)
import { erlangCookieModel } from './erlang-cookie.js';
import { rabbitmqClusterModel, rabbitmqConfigModel, rabbitmqPluginModel } from './rabbitmq.js';
// issue 13: the RabbitMQ roll
import { rabbitmqUpgradeModel } from './rabbitmq-upgrade.js';
import { nservicebusMigrateModel } from './nservicebus-migrate.js';
import { serviceFabricRestartModel } from './service-fabric-restart.js';
// issue 13 §5: draining web servers at the load balancer
import { gobetweenBackendModel } from './gobetween-backend.js';

export const RESOURCE_MODELS: readonly AnyLabResourceModel[] = [
  rebootModel,
  serviceModel,
  envVarModel,
  registryValueModel,
  fileModel,
  directoryModel,
  // lab-res-b
  packageModel,
  windowsFeatureModel,
  firewallRuleModel,
  aclModel,
  scheduledTaskModel,
  execModel,
  archiveModel,
  // h6-lb-db
  nssmServiceModel,
  sqlSchemaModel,
  nservicebusQueuesModel,
  nservicebusLicenseModel,
  serviceFabricClusterModel,
  serviceFabricApplicationModel,
  // h5-iis
  certificateModel,
  iisAppPoolModel,
  iisSiteModel,
  erlangCookieModel,
  rabbitmqPluginModel,
  rabbitmqClusterModel,
  rabbitmqConfigModel,
  rabbitmqUpgradeModel,
  nservicebusMigrateModel,
  serviceFabricRestartModel,
  gobetweenBackendModel,
];

const byType = new Map<string, AnyLabResourceModel>(RESOURCE_MODELS.map((m) => [m.type, m]));

/** The model of a resource type, or undefined when the lab has none (yet). */
export function resourceModel(type: ResourceTypeName | string): AnyLabResourceModel | undefined {
  return byType.get(type);
}
