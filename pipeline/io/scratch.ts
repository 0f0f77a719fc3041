import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerfDbError } from '../core/errors.js';
import { outputPathError } from './file-errors.js';
import { isAlive, startTime } from './lock.js';

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
  const scratchPath = path;
  return {
    path,
    release: () => process.off('exit', remove),
    // A write into the scratch folder that failed (a full or read-only temporary folder) is the temporary folder's fault, not --out's.
    failed: (error: unknown) => (error instanceof PerfDbError && error.code === 'E_OUTPUT_NOT_WRITABLE' && (error.place.file ?? '').startsWith(scratchPath) ? asScratchError(error, 'write') : error),
  };
}

/**
 * Removes the scratch folders of checks that no longer run: only folders
 * named like ours that hold an owner file naming a process that is gone (or
 * a later one that reused its PID). Anything else, and whatever cannot be
 * removed (another user's), is left alone.
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
      const [pid, started] = readFileSync(join(path, OWNER), 'utf8').trim().split(' ');
      if (!/^\d+$/.test(pid ?? '') || isAlive(Number(pid), started === '-' ? undefined : started)) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Not a check's folder, one being made, or not ours to remove.
    }
  }
}

function asScratchError(error: unknown, verb: 'make' | 'write'): unknown {
  if (!(error instanceof PerfDbError)) return error;
  return new PerfDbError('E_OUTPUT_NOT_WRITABLE', `--check cannot ${verb} its scratch folder in the temporary folder: ${error.message.replace(/^cannot write the outputs: /, '')}`, {
    file: tmpdir(),
    hint: 'set TMPDIR to a writable folder with room for a copy of the outputs',
  });
}
