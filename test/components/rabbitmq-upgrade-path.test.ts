import { describe, expect, it } from 'vitest';
import { erlangRangeOf, rabbitmqUpgradeRefusals, refusalText, type RabbitmqUpgradeFacts } from '../../src/components/rabbitmq-upgrade-path.js';

const base: RabbitmqUpgradeFacts = { rabbitmqFrom: '4.1.4', rabbitmqTo: '4.2.1', erlangFrom: '27.3.4', erlangTo: '27.3.4.2', featureFlagsDisabled: [] };

describe('rabbitmqUpgradeRefusals', () => {
  const cases: Array<[string, Partial<RabbitmqUpgradeFacts>, string[]]> = [
    ['the next minor series, Erlang both support', {}, []],
    ['a patch within the series', { rabbitmqFrom: '4.2.1', rabbitmqTo: '4.2.4' }, []],
    ['the same version (an Erlang swap alone)', { rabbitmqFrom: '4.2.1', rabbitmqTo: '4.2.1' }, []],
    ['4.0 -> 4.2 skips 4.1', { rabbitmqFrom: '4.0.9', rabbitmqTo: '4.2.1' }, ['skipped-series']],
    ['4.1 -> 4.3 skips 4.2', { rabbitmqTo: '4.3.3' }, ['skipped-series']],
    ['3.13 -> 4.0', { rabbitmqFrom: '3.13.7', rabbitmqTo: '4.0.9', erlangTo: '26.2.5' }, []],
    ['a downgrade', { rabbitmqFrom: '4.2.1', rabbitmqTo: '4.1.4' }, ['downgrade']],
    ['a series the table does not list (nor its Erlang)', { rabbitmqFrom: '4.3.3', rabbitmqTo: '4.4.0' }, ['unknown-series', 'erlang']],
    ['Erlang 28 (new clusters only)', { erlangTo: '28.0.1' }, ['erlang']],
    ['Erlang 26.2 with 4.2.9, which wants 27', { rabbitmqFrom: '4.2.1', rabbitmqTo: '4.2.9', erlangTo: '26.2.5' }, ['erlang']],
    ['Erlang 27 with the old 4.0.3, which wants below 27', { rabbitmqFrom: '4.0.3', rabbitmqTo: '4.1.4', erlangTo: '27.3.4' }, ['erlang']],
    ['feature flags not all enabled', { featureFlagsDisabled: ['khepri_db', 'message_containers'] }, ['feature-flags']],
    ['several at once', { rabbitmqFrom: '4.0.9', featureFlagsDisabled: ['khepri_db'] }, ['skipped-series', 'feature-flags']],
  ];
  it.each(cases)('%s', (_name, over, rules) => {
    expect(rabbitmqUpgradeRefusals({ ...base, ...over }).map((r) => r.rule)).toEqual(rules);
  });

  it('a skipped series names the series to take first', () => {
    const [r] = rabbitmqUpgradeRefusals({ ...base, rabbitmqFrom: '4.0.9', rabbitmqTo: '4.2.1' });
    expect(refusalText(r!)).toMatch(/skips a minor series.*upgrade to 4\.1\.x first/);
  });

  it('an Erlang refusal names the RabbitMQ that does not support it and its range', () => {
    const [r] = rabbitmqUpgradeRefusals({ ...base, erlangTo: '28.0.1' });
    expect(r!.message).toContain('RabbitMQ 4.1.4 (Erlang 26.2 up to (not including) 28)');
    expect(r!.message).toContain('RabbitMQ 4.2.1');
  });

  it('feature flags: the path is to enable them first', () => {
    const [r] = rabbitmqUpgradeRefusals({ ...base, featureFlagsDisabled: ['khepri_db'] });
    expect(refusalText(r!)).toMatch(/khepri_db.*enable them first/);
  });
});

describe('erlangRangeOf', () => {
  it('reads the table by version range', () => {
    expect(erlangRangeOf('4.2.9')).toEqual({ min: '27.0', below: '28' });
    expect(erlangRangeOf('4.2.8')).toEqual({ min: '26.2', below: '28' });
    expect(erlangRangeOf('3.12.0')).toBeNull();
  });
});
