#!/usr/bin/env node
/**
 * NTLM sealing throughput, no network (run `npm run build` first). Prints one JSON object, MB/s of
 * plaintext on one thread:
 *   rc4            Rc4.xorInPlace over a 1 MiB buffer
 *   sealInPlace    SessionSecurity.sealInPlace (HMAC-MD5 + RC4) over 1 MiB
 *   encryptBody    the whole MS-WSMV framing of a 1 MiB envelope (one allocation, copy, seal)
 *   decryptBody    parse + unseal of the same, copying and `inPlace`
 *   sendBody       a Send of 1 MiB stdin, MB/s of stdin: the envelope built as a string then Buffer.from
 *                  (`bufferFromString`), as a string handed to encryptBody (`string`), or as parts with the
 *                  base64 written into the body (`parts`), the same into a reused BodyBuffer (`partsReusedBody`)
 * Usage: node scripts/bench/sealing.mjs [--mb 200]
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { Rc4 } from '../../dist/protocol/ntlm/rc4.js';
import { SessionSecurity } from '../../dist/protocol/ntlm/sealing.js';
import { BodyBuffer, decryptBody, encryptBody } from '../../dist/protocol/wsman/encryption.js';

const i = process.argv.indexOf('--mb');
const mb = i > 0 ? Number(process.argv[i + 1]) : 200;
const size = 1024 * 1024;
const rounds = Math.max(1, Math.round(mb));
const flags = 0xe2888235; // 128-bit, KEY_EXCH, SEAL, SIGN, ESS: what Windows negotiates
const key = randomBytes(16);

function rate(fn) {
  fn(); // warm-up: let TurboFan optimise the loops before timing
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) fn();
  return Math.round((rounds * size) / 1024 / 1024 / ((performance.now() - t0) / 1000));
}

const data = randomBytes(size);
const rc4 = new Rc4(key);
const client = new SessionSecurity(key, flags, 'client');
const server = new SessionSecurity(key, flags, 'server');
const result = {
  mb: rounds,
  rc4: rate(() => rc4.xorInPlace(data)),
  sealInPlace: rate(() => client.sealInPlace(data)),
};
const c2 = new SessionSecurity(key, flags, 'client');
result.encryptBody = rate(() => encryptBody(data, c2));
// decrypt needs bodies sealed in sequence: seal them all first (not timed), then time the decrypts.
const decryptRate = (inPlace) => {
  const c = new SessionSecurity(key, flags, 'client');
  const s = new SessionSecurity(key, flags, 'server');
  const bodies = Array.from({ length: rounds + 1 }, () => encryptBody(data, c));
  let n = 0;
  return rate(() => decryptBody(bodies[n].body, bodies[n++].contentType, s, { inPlace }));
};
result.decryptBody = { copy: decryptRate(false), inPlace: decryptRate(true) };
void server;
const before = '<s:Envelope><s:Body><rsp:Send><rsp:Stream Name="stdin" CommandId="0C1A2B3C-0000-4000-8000-000000000000">';
const after = '</rsp:Stream></rsp:Send></s:Body></s:Envelope>';
const c3 = new SessionSecurity(key, flags, 'client');
result.sendBody = {
  bufferFromString: rate(() => encryptBody(Buffer.from(`${before}${data.toString('base64')}${after}`, 'utf8'), c3)),
  string: rate(() => encryptBody(`${before}${data.toString('base64')}${after}`, c3)),
  parts: rate(() => encryptBody([before, { base64: data }, after], c3)),
  partsReusedBody: ((reuse) => rate(() => encryptBody([before, { base64: data }, after], c3, { reuse })))(new BodyBuffer()),
};
result.loadAverage = os.loadavg()[0];
process.stdout.write(`${JSON.stringify(result)}\n`);
