/**
 * Tolerance for SPNEGO-wrapped NTLM tokens (RFC 4178): WinRM clients and servers may exchange raw NTLMSSP
 * tokens under the `Negotiate` scheme or wrap them in SPNEGO (pyspnego does). This only
 * unwraps: it finds the NTLMSSP token inside a NegTokenInit (mechToken) or NegTokenResp (responseToken).
 */
import { NTLMSSP_SIGNATURE } from './messages.js';

const MAX_DEPTH = 6;

/** The raw NTLMSSP token in `token` (itself, or found inside SPNEGO DER), or undefined. Never throws. */
export function extractNtlmToken(token: Buffer): Buffer | undefined {
  if (token.length >= 8 && token.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) return token;
  return search(token, 0, token.length, 0);
}

/** Walks the DER elements in [start, end) depth-first; returns the first OCTET STRING holding an NTLMSSP token. */
function search(der: Buffer, start: number, end: number, depth: number): Buffer | undefined {
  if (depth > MAX_DEPTH) return undefined;
  let at = start;
  while (at + 2 <= end) {
    const tag = der[at]!;
    let len = der[at + 1]!;
    let body = at + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || body + n > end) return undefined;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[body + i]!;
      body += n;
    }
    if (body + len > end) return undefined;
    const value = der.subarray(body, body + len);
    if (tag === 0x04 && value.length >= 8 && value.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) return Buffer.from(value);
    // Constructed elements (SEQUENCE, context tags, [APPLICATION 0]) hold the tokens we look for.
    if (tag & 0x20) {
      const found = search(der, body, body + len, depth + 1);
      if (found) return found;
    }
    at = body + len;
  }
  return undefined;
}
