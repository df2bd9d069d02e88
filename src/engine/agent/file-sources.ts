/**
 * Where a `file` step's `source` is read from on the workstation: an absolute path as written, else
 * relative to the playbook's folder. apply checks every source of the run before any host is touched,
 * so a missing file is invalid input naming the step's file:line, never a failure halfway through.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError } from '../../errors.js';
import type { Playbook } from '../playbook/types.js';
import { stepsOf } from '../playbook/types.js';

export function fileSourcePath(sourceDir: string, source: string): string {
  return isAbsolute(source) ? source : resolve(sourceDir, source);
}

export function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** Throws an InputError for the first `file` source of the run (on `hosts`) that is not a file here. */
export function checkFileSources(pb: Playbook, hosts: readonly string[]): void {
  const only = new Set(hosts);
  for (const step of [...stepsOf(pb), ...Object.values(pb.handlers)]) {
    if (step.resource !== 'file') continue;
    for (const host of step.hosts) {
      if (!only.has(host)) continue;
      const p = step.params[host] as { source?: string; state?: string } | undefined;
      if (!p?.source || p.state === 'absent') continue;
      const path = fileSourcePath(dirname(pb.file), p.source);
      if (!isFile(path)) {
        throw new InputError(`the file source ${path} does not exist on this workstation`, { position: step.position, host, step: step.id, field: 'file.source', hint: 'Give a path relative to the playbook, or an absolute one.' });
      }
    }
  }
}
