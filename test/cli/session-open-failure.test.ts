/**
 * apply and plan count a host whose session could not be opened as preflight does (docs/exit-codes.md):
 * an HTTP 500 or a timeout during the login is an unreachable host (exit 2), not a failed step (1);
 * invalid settings stay invalid input (3). Found by the soak benchmark (scripts/bench/soak.mjs): an
 * NTLM NEGOTIATE answered with HTTP 500 made apply exit 1 where preflight exits 2.
 */
import { describe, expect, it } from 'vitest';
import { sessionOpenFailure } from '../../src/cli/host-agents.js';
import { AuthError, InputError, OperationTimeoutError, ProtocolError, UnreachableError } from '../../src/errors.js';

describe('sessionOpenFailure', () => {
  it('an HTTP 500 or a timeout in the login: unreachable (exit 2), same message and host, the cause kept', () => {
    for (const err of [
      new ProtocolError('WinRM answered the NTLM NEGOTIATE with HTTP 500 Internal Server Error instead of a challenge', { host: 'app2' }),
      new OperationTimeoutError('NTLM negotiate got no answer within 1500 ms', { host: 'app2' }),
    ]) {
      const out = sessionOpenFailure(err) as UnreachableError;
      expect(out).toBeInstanceOf(UnreachableError);
      expect(out.exitCode).toBe(2);
      expect(out.message).toBe(err.message);
      expect(out.context.host).toBe('app2');
      expect(out.cause).toBe(err);
    }
  });

  it('invalid input, a refused login and anything not a CortexError pass unchanged', () => {
    const input = new InputError('env:PW is not set', { host: 'app2' });
    const auth = new AuthError('credentials refused', { host: 'app2' });
    const bug = new TypeError('x is undefined');
    expect(sessionOpenFailure(input)).toBe(input);
    expect(sessionOpenFailure(auth)).toBe(auth);
    expect(sessionOpenFailure(bug)).toBe(bug);
  });
});
