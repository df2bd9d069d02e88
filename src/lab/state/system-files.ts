/**
 * Files a simulated machine has because of what its profile installs, not because a script wrote them:
 * IIS's worker process and the URL Rewrite module. Their bytes are not in the lab; each has a stable
 * stand-in SHA-256 and a length, and the version a real file of that product would carry. A machine fact
 * shared by the handlers (runner.file-hash, probes.facts) and the Windows view (src/lab/shim/), like
 * listeners.ts.
 */
import type { LabMachine } from './types.js';
import { memoString } from '../../lib/memo-string.js';

export interface SystemFile {
  path: string;
  length: number;
  sha256: string;
  /** VersionInfo.FileVersion. */
  fileVersion: string;
}

/** A stable stand-in SHA-256 (hex) for a file whose bytes the lab does not have. */
export const standInSha256: (seed: string) => string = memoString(standIn);

function standIn(seed: string): string {
  let out = '';
  let h = 0x811c9dc5;
  for (let i = 0; out.length < 64; i++) {
    h ^= seed.charCodeAt(i % seed.length) + i;
    h = Math.imul(h, 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}

export function systemRoot(m: LabMachine): string {
  return m.env.windir ?? m.env.SystemRoot ?? 'C:\\Windows';
}

export function systemFiles(m: LabMachine): SystemFile[] {
  if (!m.iis) return [];
  const [major = 0, minor = 0] = m.iis.version.split('.').map((x) => Number.parseInt(x, 10));
  const inetsrv = `${systemRoot(m)}\\System32\\inetsrv`;
  // A system binary's FileVersion is the OS build's: major.minor.build.revision.
  const files: SystemFile[] = [
    { path: `${inetsrv}\\w3wp.exe`, length: 27648, sha256: standInSha256(`w3wp ${m.iis.version} ${m.os.build}`), fileVersion: m.iis.w3wpVersion ?? `${major}.${minor}.${m.os.build}.1` },
  ];
  // A partial URL Rewrite install: the module registered without its DLL, or the DLL left behind.
  if (m.iis.rewriteDll ?? m.iis.urlRewrite !== null) {
    files.push({ path: `${inetsrv}\\rewrite.dll`, length: 379904, sha256: standInSha256(`rewrite ${m.iis.urlRewrite ?? 'orphan'}`), fileVersion: m.iis.urlRewrite ?? '7.2.1993' });
  }
  return files;
}
