import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PerfDbError } from '../core/errors.js';
import { displayPath } from './paths.js';

/** One pinned raw file. */
export interface PinnedFile {
  name: string;
  url: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  files: PinnedFile[];
}

export async function readManifest(path: string): Promise<Manifest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new PerfDbError('E_MANIFEST', `the raw-data manifest cannot be read: ${(error as Error).message}`, {
      file: displayPath(path),
      hint: 'restore data/raw/manifest.json from git',
    });
  }
  const files = (parsed as Partial<Manifest>).files;
  const valid =
    Array.isArray(files) &&
    files.every((f) => typeof f?.name === 'string' && typeof f.url === 'string' && /^[0-9a-f]{64}$/.test(String(f.sha256)) && !/[\\/]/.test(f.name));
  if (!valid) {
    throw new PerfDbError('E_MANIFEST', 'the raw-data manifest is malformed; expected {"files": [{"name", "url", "sha256", ...}]}', {
      file: displayPath(path),
      hint: 'restore data/raw/manifest.json from git',
    });
  }
  return parsed as Manifest;
}

export interface FetchOptions {
  /** Folders to copy from, in order of preference; missing folders are skipped. */
  mirrors: string[];
  /** Whether the pinned URL may be tried when no mirror has the file. */
  download: boolean;
  log?: (line: string) => void;
}

/**
 * Makes every pinned file present in `rawDir`: files already there are kept
 * if their sha256 is the pinned one (else E_CHECKSUM); missing ones are copied from the first mirror that has them, else
 * downloaded. Each copy is verified against the pinned sha256 before it is
 * renamed into place, so a bad copy never lands. Returns the names fetched.
 */
export async function fetchPinned(manifest: Manifest, rawDir: string, options: FetchOptions): Promise<string[]> {
  const fetched: string[] = [];
  for (const pinned of manifest.files) {
    const target = join(rawDir, pinned.name);
    if (existsSync(target)) {
      // A pinned file already here must still be the pinned one: an edited copy would silently change the database.
      const actual = sha256(await readFile(target));
      if (actual !== pinned.sha256) {
        throw new PerfDbError('E_CHECKSUM', `${pinned.name} has sha256 ${actual}; the manifest pins ${pinned.sha256}`, {
          file: displayPath(target),
          hint: `delete it and run \`npm run data:fetch\` to restore the pinned file; keep your own data under another name`,
        });
      }
      continue;
    }
    const { bytes, from } = await obtain(pinned, options);
    const actual = sha256(bytes);
    if (actual !== pinned.sha256) {
      throw new PerfDbError('E_CHECKSUM', `${pinned.name} from ${from} has sha256 ${actual}; expected ${pinned.sha256}`, {
        file: displayPath(target),
        hint: 'the mirror or download holds a different version of the file; replace it with the pinned one',
      });
    }
    const temp = `${target}.${process.pid}.tmp`;
    try {
      await writeFile(temp, bytes);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw new PerfDbError('E_OUTPUT_NOT_WRITABLE', `cannot write ${pinned.name}: ${(error as Error).message}`, {
        file: displayPath(target),
        hint: 'check the permissions of data/raw',
      });
    }
    options.log?.(`fetched ${pinned.name} from ${from} (sha256 verified)`);
    fetched.push(pinned.name);
  }
  return fetched;
}

async function obtain(pinned: PinnedFile, options: FetchOptions): Promise<{ bytes: Buffer; from: string }> {
  for (const mirror of options.mirrors) {
    const path = join(mirror, pinned.name);
    if (existsSync(path)) return { bytes: await readFile(path), from: displayPath(path) };
  }
  const howToSupply = `set PERFDB_MIRROR to a folder holding ${pinned.name}, or copy it into data/raw/ (sha256 ${pinned.sha256})`;
  if (!options.download) {
    throw new PerfDbError('E_RAW_MISSING', `${pinned.name} is in no mirror and downloading is off`, { hint: howToSupply });
  }
  try {
    const response = await fetch(pinned.url, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return { bytes: Buffer.from(await response.arrayBuffer()), from: pinned.url };
  } catch (error) {
    throw new PerfDbError('E_RAW_MISSING', `${pinned.name} is in no mirror and could not be downloaded (${(error as Error).message})`, {
      hint: howToSupply,
    });
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The mirror folders to try: $PERFDB_MIRROR, then ../shared/data next to the project root. */
export function defaultMirrors(projectRoot: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const mirrors: string[] = [];
  if (env.PERFDB_MIRROR !== undefined && env.PERFDB_MIRROR !== '') mirrors.push(env.PERFDB_MIRROR);
  const shared = join(projectRoot, '..', 'shared', 'data');
  if (existsSync(shared)) mirrors.push(shared);
  return mirrors;
}
