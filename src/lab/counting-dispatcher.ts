/**
 * The lab's front dispatcher for both endpoints: counts each command and each powershell.exe start
 * (direct, or through cmd /c) on the host, then hands the command on.
 */
import type { Dispatcher } from './dispatcher.js';
import { exeName } from './powershell/command-line.js';
import type { LabCounters } from './state/counters.js';

export function countingDispatcher(counters: (host: string) => LabCounters | undefined, next: Dispatcher): Dispatcher {
  return {
    start(host, command, args, out) {
      const c = counters(host.name);
      if (c) {
        c.commands++;
        const exe = exeName(command.trim().split(/\s+/)[0] ?? '');
        const viaCmd = exe === 'cmd' && /\bpowershell(\.exe)?\b/i.test([command, ...args].join(' '));
        if (exe === 'powershell' || exe === 'pwsh' || viaCmd) c.powershellStarts++;
      }
      return next.start(host, command, args, out);
    },
  };
}
