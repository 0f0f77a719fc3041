import { readFileSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { PerfDbError } from '../core/errors.js';
import { writeError } from './file-errors.js';
import { displayPath } from './paths.js';

/**
 * Takes the output folder's lock: a file created exclusively, holding this
 * process's PID and start time. A lock whose process is gone is stale and
 * taken over; one held by a live process is E_LOCKED.
 */
export async function takeLock(lockPath: string, shownDir: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, `${process.pid} ${startTime(process.pid) ?? ''}`.trimEnd() + '\n', { flag: 'wx' });
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw writeError(error, shownDir);
    }
    const [pidText, started] = (await readFile(lockPath, 'utf8').catch(() => '')).trim().split(' ');
    const holder = Number.parseInt(pidText ?? '', 10);
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder, started)) {
      throw new PerfDbError('E_LOCKED', `another run (process ${holder}) is writing this output folder`, {
        file: displayPath(lockPath),
        hint: 'wait for it to finish, or pass a different --out',
      });
    }
    // The process that held the lock is gone: the lock is stale.
    await rm(lockPath, { force: true });
  }
  throw new PerfDbError('E_LOCKED', 'the output folder lock could not be taken', { file: displayPath(lockPath), hint: 'remove the lock file if no run is active' });
}

/**
 * Whether the process that wrote a lock still runs. Where the lock recorded
 * the process's start time (Linux), a live process with that PID but another
 * start time is a later process that reused the PID: the lock is stale.
 */
function isAlive(pid: number, started: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (started === undefined || started === '') return true;
  const now = startTime(pid);
  return now === null || now === started;
}

/** A process's start time in clock ticks since boot (field 22 of /proc/PID/stat); null where unknown. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

