/** What the playbook loader adds to the generic YAML problem messages (src/inventory/problems.ts). */
import type { DocumentHints } from '../../inventory/problems.js';
import { RESOURCE_TYPES } from '../../resources/index.js';

/** Ansible keywords and modules users reach for, and what cortex-deploy calls them. */
export const ANSIBLE_PLAYBOOK_EQUIVALENTS: Readonly<Record<string, string>> = {
  hosts: 'targets: { roles: [...], groups: [...], hosts: [...] }',
  tasks: 'steps',
  win_package: 'package',
  win_copy: 'file',
  win_file: 'directory (or file)',
  win_unzip: 'archive',
  win_feature: 'windows_feature',
  win_service: 'service',
  win_environment: 'env_var',
  win_regedit: 'registry_value',
  win_firewall_rule: 'firewall_rule',
  win_acl: 'acl',
  win_scheduled_task: 'scheduled_task',
  win_shell: 'exec (with unless: or creates:)',
  win_command: 'exec (with unless: or creates:)',
  win_reboot: 'reboot',
  max_fail_percentage: 'max_fail_percentage (on the playbook or a phase)',
  become: 'scheduled_task with runAs (for a step that must run as another account)',
};

const isStepPath = (path: Array<string | number>) => path.length === 4 && path[0] === 'phases' && path[2] === 'steps';

export const PLAYBOOK_HINTS: DocumentHints = {
  shape(path, value) {
    const last = path[path.length - 1];
    if (last === 'targets' && typeof value === 'string') return `Write targets: { roles: [${value}] } (or groups: / hosts:).`;
    if ((last === 'steps' || last === 'phases') && !Array.isArray(value)) return `${last} is a list: start each entry with '- '.`;
    return undefined;
  },
  unknownKey(path) {
    if (isStepPath(path)) return ` A step is its options (id, targets, when, serial, …) and one resource: ${RESOURCE_TYPES.join(', ')}.`;
    return undefined;
  },
  equivalents: ANSIBLE_PLAYBOOK_EQUIVALENTS,
  equivalentNoun: 'an Ansible keyword',
};
