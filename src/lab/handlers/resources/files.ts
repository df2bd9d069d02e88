/**
 * Files and folders of a lab machine as the Windows shim shows them (windows-view.ts: the system files
 * and folders the profile implies, plus `files` and `directories`), with the shim's path rules
 * (ConvertTo-CortexShimPath, Test-Path, New-Item, Remove-Item, Move-Item) and their messages. Shared by
 * the models of file and directory. Pure apart from changing the machine passed in.
 */
import { systemFiles } from '../../state/system-files.js';
import type { LabMachine } from '../../state/types.js';
import { machineRegistry, systemDirectories } from '../../shim/windows-view.js';
import { registryKey } from './registry.js';
import { LabResourceError } from './types.js';
import { memoString } from '../../../lib/memo-string.js';

const SHIM_DOC = 'see docs/lab.md, "The Windows shim"';

/** What the lab does not model: the shim's New-CortexNotEmulatedError, as the script reports it. */
export function notEmulated(what: string): LabResourceError {
  return new LabResourceError(`${what}: not emulated by the lab (${SHIM_DOC})`, 'NotImplemented');
}

/** ConvertTo-CortexShimPath: backslashes, repeated ones collapsed (not a UNC path's leading pair), none at the end. */
export const shimPath: (p: string) => string = memoString((p) => p.replace(/\//g, '\\').replace(/(?<!^)\\{2,}/g, '\\').replace(/\\+$/, ''));

const key = memoString((p: string) => shimPath(p).toLowerCase());

/** Split-Path -Parent as the shim answers it: 'C:\' for a file at a drive's root, '' without a backslash. */
export function parentPath(p: string): string {
  const n = shimPath(p);
  const i = n.lastIndexOf('\\');
  if (i < 0) return '';
  if (i === 2 && n[1] === ':') return n.slice(0, 3);
  return n.slice(0, i);
}

export type PathKind = 'registry' | 'file' | 'other';

export function pathKind(p: string): PathKind {
  if (/^(HKLM:|HKEY_LOCAL_MACHINE|Registry::HKEY_LOCAL_MACHINE|Microsoft\.PowerShell\.Core\\Registry::HKEY_LOCAL_MACHINE)(\\|\/|$)/i.test(p)) return 'registry';
  if (/^[A-Za-z]:([\\/]|$)/.test(p) || /^\\\\/.test(p)) return 'file';
  return 'other';
}

/** Resolve-CortexShimPathArgument: a Windows path, else not emulated. */
function windowsPathArgument(p: string): string {
  if (p === '') throw new LabResourceError("Cannot bind argument to parameter 'Path' because it is null.");
  if (pathKind(p) === 'other') throw notEmulated(`the path ${p} (not a Windows path)`);
  return p;
}

/** A file of the machine (system file or written one): its stored path, SHA-256 (lower case) and length. */
export function findFile(m: LabMachine, p: string): { path: string; sha256: string; length: number; system: boolean } | undefined {
  const want = key(p);
  // Written files replace system files of the same path (the projection lists them last).
  const written = Object.keys(m.files).filter((f) => key(f) === want).at(-1);
  if (written !== undefined) return { path: written, sha256: m.files[written]!.toLowerCase(), length: m.fileSizes[written] ?? 0, system: false };
  const sys = systemFiles(m).find((f) => key(f.path) === want);
  return sys ? { path: sys.path, sha256: sys.sha256.toLowerCase(), length: sys.length, system: true } : undefined;
}

/** Test-CortexShimDirectory: a drive the host has, a listed folder or one below it, or a folder holding a file. */
export function isDirectory(m: LabMachine, p: string): boolean {
  const want = key(p);
  if (/^[a-z]:$/.test(want)) return m.volumes.some((v) => v.drive.toLowerCase() === want);
  const below = (x: string) => {
    const k = key(x);
    return k === want || k.startsWith(`${want}\\`);
  };
  if ([...systemDirectories(m), ...m.directories].some(below)) return true;
  return [...Object.keys(m.files), ...systemFiles(m).map((f) => f.path)].some((f) => key(f).startsWith(`${want}\\`));
}

/** Test-Path -LiteralPath as the shim answers it (files, folders, HKLM keys; any other path is not emulated). */
export function testPath(m: LabMachine, p: string, type: 'Any' | 'Container' | 'Leaf' = 'Any'): boolean {
  if (/^(variable|env|function|alias):/i.test(p)) throw notEmulated(`Test-Path ${p} in a resource step`);
  windowsPathArgument(p);
  if (pathKind(p) === 'registry') {
    const sub = p.replace(/^(Microsoft\.PowerShell\.Core\\)?(Registry::)?(HKLM:|HKEY_LOCAL_MACHINE)/i, '');
    const subKey = sub.replace(/^\\+|\\+$/g, '').replace(/\\{2,}/g, '\\');
    return type !== 'Leaf' && (subKey === '' || registryKey(machineRegistry(m), subKey) !== undefined);
  }
  const file = findFile(m, p) !== undefined;
  const dir = !file && isDirectory(m, p);
  return type === 'Leaf' ? file : type === 'Container' ? dir : file || dir;
}

/** The system folders and files (the profile implies them): the shim refuses to remove or move them. */
function assertNotSystemPath(m: LabMachine, p: string, what: string): void {
  const want = key(p);
  for (const s of [...systemDirectories(m), ...systemFiles(m).map((f) => f.path)]) {
    const k = key(s);
    if (k === want || k.startsWith(`${want}\\`)) throw notEmulated(`${what} of ${p}, which holds ${s} (the profile implies it)`);
  }
}

/** Assert-CortexShimDrive: the FileSystem provider's error for a drive the host does not have. */
function assertDrive(m: LabMachine, p: string): void {
  const letter = /^([A-Za-z]):/.exec(p)?.[1];
  if (letter && !m.volumes.some((v) => v.drive.toUpperCase() === `${letter.toUpperCase()}:`)) {
    throw new LabResourceError(`Cannot find drive. A drive with the name '${letter}' does not exist.`, 'ObjectNotFound');
  }
}

function addDirectory(m: LabMachine, p: string): void {
  if (!m.directories.some((d) => key(d) === key(p))) m.directories.push(p);
}

/** A folder stays when the last item in it goes (Add-CortexShimParentFolder lists it, whether or not it was listed). */
function keepParentFolder(m: LabMachine, p: string): void {
  const parent = parentPath(p);
  if (/^[A-Za-z]:\\./.test(parent)) addDirectory(m, parent);
}

/** New-Item -ItemType Directory -Path p -Force: the folder and its parents; an existing folder is kept. */
export function createDirectory(m: LabMachine, p: string): void {
  windowsPathArgument(p);
  const norm = shimPath(p);
  assertDrive(m, norm);
  if (findFile(m, norm)) throw new LabResourceError(`An item with the specified name ${norm} already exists.`);
  if (isDirectory(m, norm)) return;
  if (!/^[A-Za-z]:\\/.test(norm)) throw notEmulated(`New-Item -ItemType Directory ${norm} (folders on drives only)`);
  for (let a = parentPath(norm); a && !/^[A-Za-z]:\\?$/.test(a); a = parentPath(a)) {
    if (findFile(m, a)) throw notEmulated(`a folder below the file ${a}`);
  }
  addDirectory(m, norm);
}

/** Remove-Item -LiteralPath p -Recurse -Force of a folder or a file (the caller has checked it exists). */
export function removeItem(m: LabMachine, p: string): void {
  windowsPathArgument(p);
  assertNotSystemPath(m, p, 'Remove-Item');
  const file = findFile(m, p);
  if (file) {
    delete m.files[file.path];
    delete m.fileSizes[file.path];
    keepParentFolder(m, p);
    return;
  }
  const want = key(p);
  const below = (x: string) => key(x) === want || key(x).startsWith(`${want}\\`);
  m.directories = m.directories.filter((d) => !below(d));
  for (const f of Object.keys(m.files).filter(below)) {
    delete m.files[f];
    delete m.fileSizes[f];
  }
  keepParentFolder(m, p);
}

/** Move-Item -LiteralPath from -Destination to -Force, for a file whose destination folder exists. */
export function moveFile(m: LabMachine, from: string, to: string): void {
  windowsPathArgument(from);
  windowsPathArgument(to);
  const dest = shimPath(to);
  const file = findFile(m, from);
  if (!file) {
    if (isDirectory(m, from)) throw notEmulated(`Move-Item of the folder ${from}`);
    throw new LabResourceError(`Cannot find path '${from}' because it does not exist.`, 'ObjectNotFound');
  }
  if (isDirectory(m, dest)) throw notEmulated(`Move-Item into the folder ${dest}`);
  assertNotSystemPath(m, from, 'Move-Item');
  assertDrive(m, dest);
  const parent = parentPath(dest);
  if (parent && !isDirectory(m, parent)) throw new LabResourceError(`Could not find a part of the path '${dest}'.`);
  delete m.files[file.path];
  delete m.fileSizes[file.path];
  const existing = findFile(m, dest);
  if (existing && !existing.system) {
    delete m.files[existing.path];
    delete m.fileSizes[existing.path];
  }
  m.files[dest] = file.sha256;
  m.fileSizes[dest] = file.length;
  keepParentFolder(m, from);
}

/** Write-CortexAsciiFile (the shim's): a file with these bytes' length and SHA-256; its folder must exist. */
export function writeFileBytes(m: LabMachine, p: string, sha256: string, length: number): void {
  windowsPathArgument(p);
  const dest = shimPath(p);
  assertDrive(m, dest);
  const parent = parentPath(dest);
  if (parent && !isDirectory(m, parent)) throw new LabResourceError(`Could not find a part of the path '${dest}'.`);
  if (isDirectory(m, dest)) throw new LabResourceError(`Access to the path '${p}' is denied.`);
  const existing = findFile(m, dest);
  const k = existing && !existing.system ? existing.path : dest;
  m.files[k] = sha256;
  m.fileSizes[k] = length;
}

/** [System.IO.File]::Create(p) then the bytes written (a download): recorded as their SHA-256 and length; the folder must exist. */
export function writeFile(m: LabMachine, p: string, sha256: string, length: number): void {
  windowsPathArgument(p);
  assertNotSystemPath(m, p, 'File.Create');
  assertDrive(m, shimPath(p));
  const parent = parentPath(shimPath(p));
  if (parent && !isDirectory(m, parent)) throw new LabResourceError(`Could not find a part of the path '${shimPath(p)}'.`);
  const existing = findFile(m, p);
  const k = existing && !existing.system ? existing.path : shimPath(p);
  m.files[k] = sha256;
  m.fileSizes[k] = length;
}
