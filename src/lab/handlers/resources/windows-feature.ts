/**
 * windows_feature (ps1/resources/windows-feature.ps1; its Test in test-batch.ps1's
 * Get-CortexWindowsFeatureState): Install-WindowsFeature / Uninstall-WindowsFeature on the lab's feature
 * table (src/lab/windows/features.ts), -IncludeManagementTools adding the feature's tools, a restart the
 * table asks for leaving a reboot pending. Exit codes are FeatureOperationExitCode's: Success 0,
 * NoChangeNeeded 1003, SuccessRestartRequired 3010.
 */
import { installIis } from '../../components/iis.js';
import { findFeature } from '../../windows/features.js';
import { psBool } from './bool.js';
import { resourceParam, stringParam } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'windows_feature';

export const windowsFeatureModel = defineResourceModel({
  type: 'windows_feature',
  read: ({ machine, params }) => {
    const name = stringParam(params, R, 'name', { required: true });
    const f = findFeature(machine, name);
    return f ? { known: true, installed: f.installed } : { known: false, installed: false };
  },
  set: ({ machine: m, params }) => {
    const name = stringParam(params, R, 'name', { required: true });
    const state = stringParam(params, R, 'state', { default: 'present' });
    const tools = psBool(resourceParam(params, R, 'includeManagementTools', { default: false }));
    if (state !== 'present' && state !== 'absent') throw new LabResourceError(`windows_feature: parameter state must be present or absent, not ${state}`);
    const install = state === 'present';
    const f = findFeature(m, name);
    if (!f) throw new LabResourceError(`ArgumentNotValid: The role, role service, or feature name is not valid: '${name}'. The name was not found.`, 'InvalidArgument');
    const rows = [f, ...(tools ? f.managementTools.map((t) => findFeature(m, t)).filter((x) => x !== undefined) : [])];
    const changed = rows.filter((r, i) => r.installed !== install && rows.findIndex((x) => x.name === r.name) === i);
    const restart = changed.some((r) => (install ? r.installRestart : r.uninstallRestart));
    const names = new Set(changed.map((r) => r.name.toLowerCase()));
    if (install) m.features.push(...changed.map((r) => r.name));
    else m.features = m.features.filter((x) => !names.has(x.toLowerCase()));
    // The Web-Server role brings IIS: its services, the InetStp key, DefaultAppPool and the Default Web Site.
    if (install && names.has('web-server')) installIis(m);
    if (restart) m.pendingReboot = true;
    const exitCode = changed.length === 0 ? 1003 : restart ? 3010 : 0;
    const verb = install ? 'installing' : 'removing';
    return setResult(`${verb} ${name}${restart ? ', reboot required' : ''}`, { rebootRequired: restart, exitCode });
  },
});
