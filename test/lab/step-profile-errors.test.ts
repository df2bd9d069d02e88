/** The `steps` and `rebootDownSec` profile keys are validated like the rest of a lab profile: strictly, at file:line:col. */
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/index.js';
import { labProfilesOf } from '../../src/lab/profile/from-inventory.js';
import { LabProfileError } from '../../src/lab/profile/resolve.js';

function inventory(lines: string[]) {
  return parseInventory(['all:', '  vars:', "    winrm: { user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD }", '  hosts:', ...lines].join('\n'), 'lab.yaml');
}

function problemsOf(lines: string[]) {
  const inv = inventory(lines);
  try {
    labProfilesOf(inv, inv.hosts);
  } catch (e) {
    if (e instanceof LabProfileError) return e.problems.map((p) => ({ at: `${p.position.line}:${p.position.col}`, field: p.field, message: p.message, hint: p.hint }));
    throw e;
  }
  return [];
}

describe('step profile validation', () => {
  it('accepts durations, failures (with times and exit code) per step id, and a reboot down time', () => {
    const inv = inventory([
      '    app1:',
      '      address: 127.0.0.2',
      '      lab:',
      '        rebootDownSec: 0.5',
      '        steps:',
      '          install-erlang: { durationMs: 1500 }',
      '          start-rabbitmq: { fail: { message: "service did not start", times: 2 }, exitCode: 5 }',
      '          reboot-app: { fail: {} }',
    ]);
    const p = labProfilesOf(inv, inv.hosts).get('app1')!;
    expect(p.rebootDownSec).toBe(0.5);
    expect(p.steps).toEqual({
      'install-erlang': { durationMs: 1500 },
      'start-rabbitmq': { fail: { message: 'service did not start', times: 2 }, exitCode: 5 },
      'reboot-app': { fail: { message: 'the step failed' } },
    });
  });

  it('every mistake at its line and column, with its field', () => {
    const got = problemsOf([
      '    app1:', //                                                         line 5
      '      address: 127.0.0.2',
      '      lab:',
      '        rebootDownSec: -1', //                                        line 8
      '        steps:',
      '          a: { durationMS: 100 }', //                                 line 10
      '          b: { fail: { message: "x", times: 0 } }', //                line 11
      '          c: { exitCode: 3 }', //                                     line 12
      '          d: { fail: true }', //                                      line 13
    ]);
    expect(got.map(({ at, field }) => `${at} ${field}`)).toEqual([
      '8:24 all.hosts.app1.lab.rebootDownSec',
      '10:16 all.hosts.app1.lab.steps.a.durationMS',
      '11:45 all.hosts.app1.lab.steps.b.fail.times',
      '12:26 all.hosts.app1.lab.steps.c.exitCode',
      '13:22 all.hosts.app1.lab.steps.d.fail',
    ]);
    expect(got[1]!.message).toMatch(/unknown key 'durationMS'. Did you mean 'durationMs'\?/);
    expect(got[3]!.message).toBe('exitCode is the exit code of a simulated failure: it needs fail.');
    expect(got[3]!.hint).toContain('Add fail:');
  });

  it('the error message names the file and line', () => {
    const inv = inventory(['    app1: { address: 127.0.0.2, lab: { steps: { s: { durationMs: fast } } } }']);
    expect(() => labProfilesOf(inv, inv.hosts)).toThrow(/lab\.yaml:5:66, host app1, field all\.hosts\.app1\.lab\.steps\.s\.durationMs/);
  });
});
