/**
 * archive: a zip extracted into a folder. Extraction is recorded by a marker file in the destination
 * (.cortex-archive.sha256) holding the zip's SHA-256, so "already extracted this exact zip" is one read,
 * not a walk of the tree. `stopServices`: the services whose programs the zip replaces (gobetween.exe,
 * nssm.exe) are stopped for the extraction and started again, only when it runs (docs/gobetween.md).
 */
import { z } from 'zod';
import { Sha256, WindowsPath } from './common.js';
import { defineResource, NONE } from './resource.js';

export const ARCHIVE_MARKER = '.cortex-archive.sha256';

export const ArchiveParams = z.strictObject({
  source: WindowsPath.meta({ description: 'The .zip on the host' }),
  destination: WindowsPath,
  sha256: Sha256.meta({ description: "The zip's SHA-256; extraction is redone when it changes" }),
  clean: z.boolean().default(false).meta({ description: 'Empty the destination before extracting' }),
  stopServices: z
    .array(z.string().min(1))
    .default([])
    .meta({ description: "Services whose programs are in the destination (gobetween, the NSSM that hosts it): when the zip must be extracted, those running are stopped first and started again after (Windows will not overwrite a running program's file)" }),
});

export const ArchiveState = z.object({
  destinationExists: z.boolean(),
  /** Content of the marker file, lower-case hex; null when there is none. */
  markerSha256: z.string().nullable(),
});

export const archiveResource = defineResource({
  type: 'archive',
  description: 'A zip archive extracted into a folder',
  params: ArchiveParams,
  state: ArchiveState,
  label: (p) => `archive ${p.destination}`,
  diff(p, s) {
    if (!s.destinationExists || s.markerSha256 === null) return { action: 'create', from: null, to: { sha256: p.sha256 } };
    if (s.markerSha256.toLowerCase() === p.sha256) return NONE;
    // Replacing files a service runs: the plan says the service is stopped for it.
    return { action: 'update', from: { sha256: s.markerSha256 }, to: { sha256: p.sha256, ...(p.stopServices.length ? { stopsWhileExtracting: p.stopServices } : {}) } };
  },
});
