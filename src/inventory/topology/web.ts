/** Web servers: at least one hosts the Gateway; Gateway and LivePortal are recommended apart. */
import { SOURCES, finding, names, withRole, type TopologyHost, type TopologyRule } from './rule.js';

export const webGateway: TopologyRule = {
  id: 'topology.web-gateway',
  severity: 'error',
  summary: 'At least one web server hosts the Gateway (webApps: [gateway]).',
  source: SOURCES.web,
  check(hosts: readonly TopologyHost[]) {
    const web = withRole(hosts, 'web');
    if (web.some((h) => h.webApps.includes('gateway'))) return [];
    return [finding(webGateway, web.length === 0 ? 'no web server: put at least one host in the web group with webApps: [gateway].' : `no web server hosts the Gateway; set webApps: [gateway] on one of ${names(web).join(', ')}.`, names(web))];
  },
};

export const webAppsApart: TopologyRule = {
  id: 'topology.web-apps-together',
  severity: 'warning',
  summary: 'Gateway and LivePortal are recommended on separate web servers.',
  source: SOURCES.web,
  check(hosts: readonly TopologyHost[]) {
    return withRole(hosts, 'web')
      .filter((h) => h.webApps.includes('gateway') && h.webApps.includes('liveportal'))
      .map((h) => finding(webAppsApart, `${h.name} hosts both the Gateway and LivePortal; they are recommended on separate web servers.`, [h.name]));
  },
};

export const webNoApps: TopologyRule = {
  id: 'topology.web-no-apps',
  severity: 'warning',
  summary: 'Every web server hosts at least one web app (gateway or liveportal).',
  source: SOURCES.web,
  check(hosts: readonly TopologyHost[]) {
    return withRole(hosts, 'web')
      .filter((h) => h.webApps.length === 0)
      .map((h) => finding(webNoApps, `web server ${h.name} hosts no web app; set webApps: [gateway] or [liveportal].`, [h.name]));
  },
};
