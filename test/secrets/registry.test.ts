import { afterEach, describe, expect, it } from 'vitest';
import { clearSecretsForTests, mayHoldSecretInJson, redact, registerSecret } from '../../src/secrets/registry.js';

afterEach(() => clearSecretsForTests());

describe('secret registry: the log lines that need the full redaction', () => {
  it('finds a secret in a JSON line raw, escaped by JSON, or as its base64, and passes a clean line', () => {
    const secret = 'Pa"ss\\word\t1';
    expect(mayHoldSecretInJson(JSON.stringify({ msg: 'x' }))).toBe(false);
    registerSecret(secret);
    expect(mayHoldSecretInJson(JSON.stringify({ msg: `login with ${secret}` }))).toBe(true);
    expect(mayHoldSecretInJson(JSON.stringify({ [`key-${secret}`]: 1 }))).toBe(true);
    expect(mayHoldSecretInJson(`raw ${secret}`)).toBe(true);
    expect(mayHoldSecretInJson(JSON.stringify({ h: Buffer.from(secret).toString('base64') }))).toBe(true);
    expect(mayHoldSecretInJson(JSON.stringify({ msg: 'script finished', host: 'web1', exitCode: 0 }))).toBe(false);
    // A near miss is not a secret: one character short, escaped or not.
    expect(mayHoldSecretInJson(JSON.stringify({ msg: secret.slice(0, -1) }))).toBe(false);
  });

  it('answers the same on every call (no regular-expression state between lines)', () => {
    registerSecret('hunter22');
    const line = JSON.stringify({ msg: 'a hunter22 b' });
    expect([1, 2, 3].map(() => mayHoldSecretInJson(line))).toEqual([true, true, true]);
    expect(redact('a hunter22 b')).toBe('a ******** b');
  });
});
