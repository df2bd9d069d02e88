import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { mergeFaults, parseFaultFlag } from '../../src/lab/faults/parse.js';
import { HostFaults } from '../../src/lab/faults/runtime.js';
import { LabFaultsSchema } from '../../src/lab/faults/schema.js';

const none = LabFaultsSchema.parse({});

describe('--fault HOST:KIND[:ARG]', () => {
  it('parses every kind', () => {
    expect(parseFaultFlag('app1:latency:250')).toEqual({ host: 'app1', faults: { latencyMs: 250 } });
    expect(parseFaultFlag('app1:drop-after:3').faults).toEqual({ dropAfterRequests: 3 });
    expect(parseFaultFlag('app1:drop-mid-command').faults).toEqual({ dropMidCommand: 'once' });
    expect(parseFaultFlag('app1:http500').faults).toEqual({ http500: 'always' });
    expect(parseFaultFlag('app1:http500:2').faults).toEqual({ http500: 2 });
    expect(parseFaultFlag('app1:refuse-auth').faults).toEqual({ refuseAuth: true });
    expect(parseFaultFlag('app1:fail-script:probes.facts:once').faults).toEqual({ failScripts: { 'probes.facts': 'once' } });
    expect(parseFaultFlag('app1:fail-script:probes.facts').faults).toEqual({ failScripts: { 'probes.facts': 'always' } });
    expect(parseFaultFlag('db1:down').faults).toEqual({ down: true });
    expect(parseFaultFlag('db1:slow:3').faults).toEqual({ slowFactor: 3 });
    expect(parseFaultFlag('db1:reboot:2').faults).toEqual({ reboot: { downSec: 2 } });
    expect(parseFaultFlag('app3:corrupt-transfers').faults).toEqual({ corruptTransfers: true });
    expect(parseFaultFlag('app2:fail-upgrade').faults).toEqual({ failUpgrade: 'once' });
    expect(parseFaultFlag('app2:fail-upgrade:always').faults).toEqual({ failUpgrade: 'always' });
    expect(() => parseFaultFlag('app2:fail-upgrade:twice')).toThrow(/expected once or always, not 'twice'/);
    expect(parseFaultFlag('app2:at-step:install-erlang').faults).toEqual({ atStep: 'install-erlang' });
  });

  it('refuses malformed flags with an input error that lists the kinds', () => {
    for (const bad of ['app1', 'app1:explode', 'app1:latency', 'app1:latency:-5', 'app1:slow:x', 'app1:fail-script', ':down', 'app1:at-step']) {
      expect(() => parseFaultFlag(bad), bad).toThrow(InputError);
    }
    expect(() => parseFaultFlag('app1:explode')).toThrow(/latency, drop-after/);
  });

  it('merges flags over the profile, fail-script entries accumulating', () => {
    const m = mergeFaults({ ...none, failScripts: { a: 'once' } }, [parseFaultFlag('h:fail-script:b').faults, parseFaultFlag('h:latency:5').faults]);
    expect(m.failScripts).toEqual({ a: 'once', b: 'always' });
    expect(m.latencyMs).toBe(5);
  });
});

describe('fault bookkeeping', () => {
  it('drops one request after N, answers 500 to the next N, fails a script once', () => {
    const f = new HostFaults({ ...none, dropAfterRequests: 2, failScripts: { x: 'once', y: 'always' } });
    expect([f.nextRequest(), f.nextRequest(), f.nextRequest(), f.nextRequest()].map((d) => d.action)).toEqual(['continue', 'continue', 'drop', 'continue']);
    expect([f.failScript('x'), f.failScript('x'), f.failScript('y'), f.failScript('y'), f.failScript('z')]).toEqual([true, false, true, true, false]);
    const g = new HostFaults({ ...none, http500: 2 });
    expect([g.nextRequest(), g.nextRequest(), g.nextRequest()].map((d) => d.action)).toEqual(['http500', 'http500', 'continue']);
    const r = new HostFaults({ ...none, reboot: { downSec: 1 } });
    expect([r.rebootAfterSet(), r.rebootAfterSet()]).toEqual([1, null]);
  });

  it('at-step: every fault waits for a script of its step, then acts; down and reboot strike once armed', () => {
    const f = new HostFaults({ ...none, atStep: 'target', http500: 1, refuseAuth: true, failScripts: { x: 'always' }, dropMidCommand: 'once', down: true, slowFactor: 3, latencyMs: 7, corruptTransfers: true });
    const quiet = () => [f.nextRequest().action, f.refuseAuth(), f.failScript('x'), f.dropMidCommand(), f.down, f.slowFactor, f.latencyMs, f.corruptTransfers];
    expect(quiet()).toEqual(['continue', false, false, false, false, 1, 0, false]);
    expect(f.enterStep(undefined)).toBe(false);
    expect(f.enterStep('other')).toBe(false);
    expect(quiet()).toEqual(['continue', false, false, false, false, 1, 0, false]);
    expect(f.enterStep('target')).toBe(true);
    expect(f.enterStep('target')).toBe(false); // armed once
    expect(quiet()).toEqual(['http500', true, true, true, true, 3, 7, true]);
    const r = new HostFaults({ ...none, atStep: 'target', reboot: { downSec: 2 } });
    expect(r.rebootAfterSet()).toBeNull();
    r.enterStep('target');
    expect([r.rebootAfterSet(), r.rebootAfterSet()]).toEqual([2, null]);
    // Replacing the faults disarms them again until their step.
    r.update({ ...none, atStep: 'target', refuseAuth: true });
    expect(r.refuseAuth()).toBe(false);
  });
});
