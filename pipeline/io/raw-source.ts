import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
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

/** A folder to copy pinned files from, and how the user named it (for messages). */
export interface Mirror {
  path: string;
  /** `PERFDB_MIRROR`, or the shared data folder next to the project. */
  origin: string;
}

export interface FetchOptions {
  /** Folders to copy from, in order of preference; a folder that does not exist is skipped, with a note. */
  mirrors: readonly Mirror[];
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
  // A mirror that is not a folder is named once: in the error when no file can be had, else in a note at the end.
  const faults = mirrorFaults(options.mirrors);
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
    const { bytes, from } = await obtain(pinned, target, options, faults);
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
  for (const fault of faults) options.log?.(`note: ${fault}; it is not used`);
  return fetched;
}

async function obtain(pinned: PinnedFile, target: string, options: FetchOptions, faults: readonly string[]): Promise<{ bytes: Buffer; from: string }> {
  for (const mirror of options.mirrors) {
    const path = join(mirror.path, pinned.name);
    if (existsSync(path)) return { bytes: await readFile(path), from: displayPath(path) };
  }
  const searched = options.mirrors.filter((m) => isFolder(m.path)).map(label);
  const where = [...faults, ...(searched.length === 0 ? (faults.length === 0 ? ['no mirror folder is set'] : []) : [`not in ${searched.join(' nor in ')}`])].join('; ');
  const hint = `download ${pinned.url} by hand and save it as ${displayPath(target)} (sha256 ${pinned.sha256}), or set PERFDB_MIRROR to a folder holding ${pinned.name}`;
  if (!options.download) {
    throw new PerfDbError('E_RAW_MISSING', `${pinned.name} cannot be had offline: ${where}`, { hint });
  }
  try {
    const response = await fetch(pinned.url, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return { bytes: Buffer.from(await response.arrayBuffer()), from: pinned.url };
  } catch (error) {
    throw new PerfDbError('E_RAW_MISSING', `${pinned.name} could not be downloaded (${downloadFault(error)}): ${where}`, { hint });
  }
}

/** Why a download failed, in a few words: the network error's code when fetch gives one. */
function downloadFault(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? `, ${cause.code}` : '';
  return `${(error as Error).message}${code}`;
}

/** A mirror as the user set it: PERFDB_MIRROR=PATH, or the shared data folder PATH. */
function label(m: Mirror): string {
  return m.origin === 'PERFDB_MIRROR' ? `PERFDB_MIRROR=${m.path}` : `${m.origin} ${displayPath(m.path)}`;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** What is wrong with each mirror that is not a folder: named as the user set it. */
function mirrorFaults(mirrors: readonly Mirror[]): string[] {
  return mirrors.filter((m) => !isFolder(m.path)).map((m) => `${label(m)}: ${existsSync(m.path) ? 'that is a file, not a folder' : 'the folder does not exist'}`);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The mirror folders to try: $PERFDB_MIRROR (even one that does not exist, to be named), then ../shared/data next to the project root when it exists. */
export function defaultMirrors(projectRoot: string, env: NodeJS.ProcessEnv = process.env): Mirror[] {
  const mirrors: Mirror[] = [];
  if (env.PERFDB_MIRROR !== undefined && env.PERFDB_MIRROR !== '') mirrors.push({ path: env.PERFDB_MIRROR, origin: 'PERFDB_MIRROR' });
  const shared = join(projectRoot, '..', 'shared', 'data');
  if (existsSync(shared)) mirrors.push({ path: shared, origin: 'the shared data folder' });
  return mirrors;
}
