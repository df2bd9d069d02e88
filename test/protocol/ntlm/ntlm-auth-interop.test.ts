/**
 * Interop with an independent NTLM implementation: Debian's python3-ntlm-auth 1.4 (what pywinrm uses)
 * authenticates against our NtlmServer, and the two seal messages for each other. Needs /usr/bin/python3
 * with python3-ntlm-auth (scripts/setup.sh installs python3-winrm, which pulls it in) and OpenSSL's legacy
 * provider for its MD4 (test/fixtures/openssl-legacy.cnf).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { hasFlag, NegotiateFlags as F } from '../../../src/protocol/ntlm/flags.js';
import { decodeAuthenticate, decodeChallenge, decodeNegotiate } from '../../../src/protocol/ntlm/messages.js';
import { NtlmServer, type VerifyOptions, type VerifyResult } from '../../../src/lab/winrm/ntlm-server.js';
import { SIGNATURE_LENGTH } from '../../../src/protocol/ntlm/sealing.js';

const peerScript = resolve(import.meta.dirname, 'ntlm_auth_peer.py');
const opensslConf = resolve(import.meta.dirname, '../../fixtures/openssl-legacy.cnf');
const names = { netbiosDomain: 'LAB', netbiosComputer: 'WIN01', dnsDomain: 'lab.example', dnsComputer: 'win01.lab.example' };
const lookup = (user: string, domain: string) => (user === 'deploy' && domain === 'LAB' ? 'Pa55w0rd-ü' : null);

interface PeerRun {
  negotiate: Buffer;
  challenge: Buffer;
  authenticate: Buffer;
  pythonFlags: number;
  verdict: VerifyResult;
  fromPython: { sealed: Buffer; signature: Buffer; plaintext: string }[];
  pythonUnwrapped: string[] | undefined;
  pythonError: string | undefined;
}

/** One handshake + message exchange with the Python client. `tamper` corrupts our first reply. */
async function runPeer(opts: { password: string; cbt?: Buffer; verify?: VerifyOptions; tamper?: boolean }): Promise<PeerRun> {
  const messages = ['<s:Envelope>first request</s:Envelope>', 'second request ' + 'y'.repeat(3000), 'third ✓'];
  const args = { user: 'deploy', password: opts.password, domain: 'LAB', workstation: 'PYCLIENT', cbt: opts.cbt?.toString('hex') ?? null, messages };
  const child = spawn('/usr/bin/python3', [peerScript, JSON.stringify(args)], {
    env: { ...process.env, OPENSSL_CONF: opensslConf },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await lines.next();
    if (r.done) throw new Error(`python peer ended early: ${stderr}`);
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  try {
    const server = new NtlmServer();
    const negotiate = Buffer.from((await next()).negotiate as string, 'base64');
    const challenge = server.challenge(negotiate, names);
    child.stdin.write(JSON.stringify({ challenge: challenge.toString('base64') }) + '\n');
    const step2 = await next();
    const authenticate = Buffer.from(step2.authenticate as string, 'base64');
    const verdict = server.verify(authenticate, lookup, opts.verify);
    const fromPython = (step2.wrapped as string[]).map((w, i) => {
      const bytes = Buffer.from(w, 'base64');
      return { signature: bytes.subarray(0, SIGNATURE_LENGTH), sealed: bytes.subarray(SIGNATURE_LENGTH), plaintext: messages[i]! };
    });
    let replies: string[] = [];
    if (verdict.ok) {
      replies = ['reply one', 'reply two ' + 'z'.repeat(5000), 'réponse trois'].map((text, i) => {
        const { sealed, signature } = verdict.security.seal(Buffer.from(text));
        if (opts.tamper && i === 0) sealed[0]! ^= 0x40;
        return Buffer.concat([signature, sealed]).toString('base64');
      });
    }
    child.stdin.write(JSON.stringify({ wrapped: replies }) + '\n');
    const step3 = await next();
    return {
      negotiate,
      challenge,
      authenticate,
      pythonFlags: step2.flags as number,
      verdict,
      fromPython,
      pythonUnwrapped: step3.unwrapped as string[] | undefined,
      pythonError: step3.error as string | undefined,
    };
  } finally {
    child.stdin.end();
    child.kill();
  }
}

describe('interop with python3-ntlm-auth 1.4 (Debian)', () => {
  it('its AUTHENTICATE verifies on our server; each side unseals what the other sealed', async () => {
    const run = await runPeer({ password: 'Pa55w0rd-ü' });
    // ntlm-auth's NEGOTIATE asks for OEM instead of UNICODE, and for SEAL; our CHALLENGE must echo SEAL.
    const n = decodeNegotiate(run.negotiate);
    expect(hasFlag(n.flags, F.SEAL)).toBe(true);
    expect(hasFlag(decodeChallenge(run.challenge).flags, F.SEAL)).toBe(true);
    expect(hasFlag(run.pythonFlags, F.SEAL)).toBe(true);
    const a = decodeAuthenticate(run.authenticate);
    expect(a.mic).toBeDefined(); // our timestamp made it send a MIC, which verify() checked
    expect(a.lmChallengeResponse).toEqual(Buffer.alloc(24));

    expect(run.verdict).toMatchObject({ ok: true, user: 'deploy', domain: 'LAB', workstation: 'PYCLIENT' });
    if (!run.verdict.ok) return;
    for (const m of run.fromPython) {
      // Really encrypted on the wire, not just signed (winrm.md §9).
      expect(m.sealed.includes(Buffer.from('request'))).toBe(false);
      expect(run.verdict.security.unseal(m.sealed, m.signature).toString('utf8')).toBe(m.plaintext);
    }
    expect(run.pythonError).toBeUndefined();
    expect(run.pythonUnwrapped).toEqual(['reply one', 'reply two ' + 'z'.repeat(5000), 'réponse trois']);
  });

  it('a wrong password is refused', async () => {
    const run = await runPeer({ password: 'wrong' });
    expect(run.verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/NTProofStr mismatch/) });
  });

  it('its signature check rejects a message we tampered with', async () => {
    const run = await runPeer({ password: 'Pa55w0rd-ü', tamper: true });
    expect(run.verdict.ok).toBe(true);
    expect(run.pythonError).toMatch(/signature|checksum|match/i);
  });

  it('its channel binding is accepted when it matches and refused when it does not', async () => {
    const appData = Buffer.concat([Buffer.from('tls-server-end-point:'), randomBytes(32)]);
    const good = await runPeer({ password: 'Pa55w0rd-ü', cbt: appData, verify: { channelBindings: appData, requireChannelBindings: true } });
    expect(good.verdict.ok).toBe(true);
    const other = Buffer.concat([Buffer.from('tls-server-end-point:'), randomBytes(32)]);
    const bad = await runPeer({ password: 'Pa55w0rd-ü', cbt: appData, verify: { channelBindings: other } });
    expect(bad.verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/channel binding mismatch/) });
  });
});
