// Models ps1/probes/ping.ps1: the host's name, its clock (UTC) and PowerShell version. Read-only.
import { probesPing as contract } from '../../scripts/catalog.js';
import { psRoundTripDate } from '../powershell/minimal-executor.js';
import { defineHandler } from './types.js';

export const probesPing = defineHandler({
  contract,
  defaultDurationMs: 2,
  setType: false,
  run: ({ state, now }) => ({
    ok: true,
    data: { hostName: state.machine.computerName, utcNow: psRoundTripDate(now()), psVersion: state.machine.psVersion },
  }),
});
