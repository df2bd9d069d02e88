/**
 * service_fabric_restart: the code packages of a Service Fabric application restarted on every node
 * that runs them, one node at a time (upgrade-domain order), each node's packages back up before the
 * next node's restart: how an endpoint hosted in Service Fabric re-reads what it reads only at start
 * (the NServiceBus licence: docs/nservicebus.md). An action, not a state: it is a handler, run when a
 * step that notifies it changed something (a new licence), so no change means no restart. A node that
 * is not Up stops the restart before anything is restarted; a cluster or an application that does not
 * exist yet has nothing to restart (a fresh install: the application starts with the new files).
 */
import { z } from 'zod';
import { defineResource, NONE } from './resource.js';

export const ServiceFabricRestartParams = z.strictObject({
  application: z.string().regex(/^fabric:\/[A-Za-z0-9][A-Za-z0-9._/-]*$/, { message: 'an application name like fabric:/Cortex' }),
  reason: z.string().min(1).max(200).default('asked by a handler').meta({ description: 'Why, for the step result (e.g. "the NServiceBus licence changed")' }),
  connectionEndpoint: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: 'host:port of the client endpoint, e.g. localhost:19000' }).default('localhost:19000'),
  timeout: z.number().int().min(10).default(600).meta({ description: "Seconds to wait for each node's code packages to run again" }),
});

export const ServiceFabricRestartState = z.object({
  /** FabricHostSvc exists on this node and the cluster answered. */
  reachable: z.boolean(),
  /** The application exists. */
  applicationExists: z.boolean(),
});

export const serviceFabricRestartResource = defineResource({
  type: 'service_fabric_restart',
  description: "A Service Fabric application's code packages restarted, one node at a time (a handler)",
  params: ServiceFabricRestartParams,
  state: ServiceFabricRestartState,
  label: (p) => `service_fabric_restart ${p.application}`,
  // A restart is asked for by a change (notify), never by a state a Test reads: as a handler its Set
  // runs without this diff; the loader refuses it as a plain step.
  diff: () => NONE,
});
