// Models ps1/resources/firewall-rule.ps1: the Set of the firewall_rule resource, on its lab model (./resources/firewall-rule.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesFirewallRule = resourceSetHandler('firewall_rule');
