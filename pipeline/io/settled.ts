/**
 * Reading an output folder a run may be putting its outputs into (query,
 * --check), without writing to it. A commit's journal there (io/commit.ts)
 * means a commit under way, a few milliseconds while its run holds the lock,
 * or one a kill interrupted, which only the next run over the folder
 * finishes or undoes: until then the folder may hold a mix of two runs.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { PerfDbError } from '../core/errors.js';
import { journalState } from './commit.js';
import { LOCK_FILE, lockHeld } from './lock.js';
import { displayPath } from './paths.js';

/** How long a reader waits for a commit under way to end. */
const COMMIT_WAIT_MS = 5000;
/** Reads of a folder that a commit changed while they ran, before giving up. */
const READS = 3;

/** Once no commit is under way in `dir`; E_INTERRUPTED_COMMIT when one was interrupted, E_LOCKED when one does not end. */
export async function settled(dir: string): Promise<void> {
  const until = Date.now() + COMMIT_WAIT_MS;
  // A committed journal is a commit's clean-up: every output in place is the new run's.
  while (journalState(dir) === 'moving') {
    if (!lockHeld(join(dir, LOCK_FILE))) {
      throw new PerfDbError('E_INTERRUPTED_COMMIT', 'a run was stopped while it put its outputs in place: the folder may hold some outputs of that run and some of the run before', {
        file: displayPath(dir),
        hint: 'run the generate command that wrote the folder again (its --out this folder): before it writes, it finishes or undoes the interrupted commit',
      });
    }
    if (Date.now() > until) {
      throw new PerfDbError('E_LOCKED', `another run has been putting its outputs in place in this folder for over ${COMMIT_WAIT_MS / 1000} s`, { file: displayPath(dir), hint: 'wait for it to finish, and run again' });
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * `read` of the files `names` in `dir`, once no commit is under way, and
 * again when a commit replaced any of them meanwhile (or made the read
 * fail: between moving an old output aside and the new one in, it is not
 * there), so that what is read comes from one run.
 */
export async function readSettled<T>(dir: string, names: readonly string[], read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await settled(dir);
    const before = identities(dir, names);
    let value: T;
    try {
      value = await read();
    } catch (error) {
      if (attempt < READS && changed(dir, names, before)) continue;
      throw error;
    }
    if (!changed(dir, names, before)) return value;
    if (attempt === READS) throw new PerfDbError('E_LOCKED', `the folder's outputs were replaced while they were read, ${READS} times`, { file: displayPath(dir), hint: 'wait for the runs writing it to finish, and run again' });
  }
}

function changed(dir: string, names: readonly string[], before: string): boolean {
  return journalState(dir) === 'moving' || identities(dir, names) !== before;
}

/** Which file each name is (a commit renames a new one in): its inode, size and time of change; '-' for none. */
function identities(dir: string, names: readonly string[]): string {
  return names
    .map((name) => {
      try {
        const s = statSync(join(dir, name));
        return `${s.ino}:${s.size}:${s.ctimeMs}`;
      } catch {
        return '-';
      }
    })
    .join(' ');
}
