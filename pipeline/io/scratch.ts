import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerfDbError } from '../core/errors.js';
import { outputPathError } from './file-errors.js';
import { displayPath } from './paths.js';
import { isAlive, pidIn, startTime } from './lock.js';

const PREFIX = 'perfdb-check-';
/** Inside each scratch folder: the PID and start time of the check that made it. */
const OWNER = '.owner';

/**
 * A scratch folder for --check under the system temp folder. An interrupted
 * check exits from its signal handler, so the folder is also removed on
 * process exit until `release()`; a check killed outright (SIGKILL) leaves
 * its folder behind, and the next check removes it (removeStale).
 */
export async function checkScratch(): Promise<{ path: string; release: () => void; failed: (error: unknown) => unknown }> {
  let path: string;
  removeStale(tmpdir());
  try {
    path = await mkdtemp(join(tmpdir(), PREFIX));
    writeFileSync(join(path, OWNER), `${process.pid} ${startTime(process.pid) ?? '-'}\n`);
  } catch (error) {
    throw asScratchError(outputPathError(error, tmpdir()), 'make');
  }
  const remove = () => rmSync(path, { recursive: true, force: true });
  process.once('exit', remove);
  // Errors name their paths as shown (relative to the working folder where they lie under it).
  const inScratch = [path, displayPath(path)];
  return {
    path,
    release: () => process.off('exit', remove),
    // A write into the scratch folder that failed (a full or read-only temporary folder) is the temporary folder's fault, not --out's.
    failed: (error: unknown) => (error instanceof PerfDbError && error.code === 'E_OUTPUT_NOT_WRITABLE' && inScratch.some((p) => (error.place.file ?? '').startsWith(p)) ? asScratchError(error, 'write') : error),
  };
}

/**
 * Removes the scratch folders of checks that no longer run: only folders
 * named like ours that hold an owner file naming a process that is gone (or
 * a later one that reused its PID), or that have had no readable owner
 * (no file, one without its line end, or one naming no PID) for
 * UNOWNED_GRACE_MS: a check killed between making its folder and writing
 * the file, or a file damaged since. Anything else, and
 * whatever cannot be removed (another user's), is left alone.
 */
export function removeStale(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (!isStale(path)) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Not a check's folder, or not ours to remove.
    }
  }
}

/** How long a scratch folder may lack a whole owner file before its check is taken for dead: writing it takes microseconds. */
const UNOWNED_GRACE_MS = 60_000;

/** Whether a folder named like ours is a scratch folder of a check that no longer runs. */
function isStale(path: string): boolean {
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return false;
  let owner: string | null;
  try {
    owner = readFileSync(join(path, OWNER), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    owner = null;
  }
  const [pidText, started] = owner !== null && owner.endsWith('\n') ? owner.trim().split(' ') : [];
  const pid = pidIn(pidText);
  // No owner to ask (no file, a cut one, or one naming no PID): its check is taken for dead after the grace period.
  if (pid === null) return Date.now() - statSync(path).mtimeMs > UNOWNED_GRACE_MS;
  return !isAlive(pid, started);
}

function asScratchError(error: unknown, verb: 'make' | 'write'): unknown {
  if (!(error instanceof PerfDbError)) return error;
  return new PerfDbError('E_OUTPUT_NOT_WRITABLE', `--check cannot ${verb} its scratch folder in the temporary folder: ${error.message.replace(/^cannot write the outputs: /, '')}`, {
    file: tmpdir(),
    hint: 'set TMPDIR to a writable folder with room for a copy of the outputs',
  });
}
