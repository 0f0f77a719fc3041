import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PerfDbError } from '../core/errors.js';
import { writeError } from './file-errors.js';
import { displayPath } from './paths.js';

/** The lock file's name in an output folder. */
export const LOCK_FILE = '.perfdb.lock';

/** Whether a live run holds the lock (or is writing it): a stale lock, or none, is not held. */
export function lockHeld(lockPath: string): boolean {
  const held = readHolder(lockPath);
  return held !== null && (held.alive || held.writing);
}

/**
 * Takes the output folder's lock: a file created exclusively (O_EXCL),
 * holding this process's PID, start time and a token of its own. A lock
 * held by a live process is E_LOCKED. A stale one (its process is gone) is
 * taken over under a second exclusive file, `<lock>.takeover`, so that of
 * many runs starting together over a stale lock exactly one replaces it:
 * the holder of the takeover file removes the stale lock only while it is
 * still the very one it read, and everyone then races for the exclusive
 * create again. A lock file with no line end yet is being written: its run
 * is between creating it and writing it, and it is waited for, never taken
 * for stale (unless it stays so for WRITING_GRACE_MS: that run died in that
 * instant). Returns the lock's text: releasing it needs that text.
 */
export async function takeLock(lockPath: string, shownDir: string): Promise<string> {
  const mine = `${process.pid} ${startTime(process.pid) ?? '-'} ${randomBytes(6).toString('hex')}\n`;
  const takeover = `${lockPath}.takeover`;
  for (let attempt = 0; attempt < 400; attempt++) {
    if (createExclusive(lockPath, mine, shownDir)) return mine;
    const held = readHolder(lockPath);
    if (held === null) continue; // released meanwhile
    if (held.writing) {
      await pause();
      continue;
    }
    if (held.alive) {
      throw new PerfDbError('E_LOCKED', `another run (process ${held.pid}) is writing this output folder`, { file: displayPath(lockPath), hint: 'wait for it to finish, or pass a different --out' });
    }
    if (createExclusive(takeover, mine, shownDir)) {
      try {
        if (readRaw(lockPath) === held.raw) unlinkSync(lockPath);
      } catch (error) {
        throw writeError(error, shownDir);
      } finally {
        unlinkQuiet(takeover);
      }
      continue;
    }
    // Another run is taking the stale lock over; its takeover file is stale only if it died in that instant.
    const taking = readHolder(takeover);
    if (taking !== null && !taking.writing && !taking.alive && readRaw(takeover) === taking.raw) unlinkQuiet(takeover);
    await pause();
  }
  throw new PerfDbError('E_LOCKED', 'the output folder lock could not be taken', { file: displayPath(lockPath), hint: 'remove the lock file if no run is active' });
}

/**
 * Releases the lock `held` (takeLock's text), best effort, and only while the
 * lock file is still that one: a lock removed by hand and taken by another
 * run since is that run's, and stays.
 */
export function releaseLock(lockPath: string, held: string): void {
  if (readRaw(lockPath) === held) unlinkQuiet(lockPath);
}

function createExclusive(path: string, text: string, shownDir: string): boolean {
  try {
    writeFileSync(path, text, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // Created but not written (a full disk): an empty lock would outlive this run.
    unlinkQuiet(path);
    throw writeError(error, shownDir);
  }
}

function readRaw(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** How long a lock file may stay without its line end before its run is taken for dead: writing it takes microseconds. */
const WRITING_GRACE_MS = 2000;

/** A few milliseconds, at random, between attempts. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 2 + Math.floor(Math.random() * 10)));
}

/**
 * The lock's holder and whether it still runs; null when there is no lock
 * file. `writing`: the file has no line end yet and is younger than
 * WRITING_GRACE_MS (its run is writing it); an older one is stale.
 */
function readHolder(path: string): { pid: number; alive: boolean; writing: boolean; raw: string } | null {
  const raw = readRaw(path);
  if (raw === null) return null;
  if (!raw.endsWith('\n')) {
    const age = ageMs(path);
    if (age === null) return null;
    return { pid: Number.NaN, alive: false, writing: age < WRITING_GRACE_MS, raw };
  }
  const [pidText, started] = raw.trim().split(' ');
  const pid = pidIn(pidText);
  return { pid: pid ?? Number.NaN, alive: pid !== null && isAlive(pid, started), writing: false, raw };
}

/** Milliseconds since the file was last written; null when it is gone. */
function ageMs(path: string): number | null {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already, or the folder became read-only: the next run sees a stale lock and takes it over.
  }
}

/**
 * The PID in an owner record (a lock, a scratch folder's owner file, a
 * temporary folder's name) as this code writes it: a positive decimal
 * integer, no sign, no leading zero; null for anything else, which names no
 * run (0 would signal the whole process group).
 */
export function pidIn(text: string | undefined): number | null {
  return text !== undefined && /^[1-9]\d{0,14}$/.test(text) ? Number(text) : null;
}

/**
 * Whether a process still runs. Where its start time was recorded (Linux), a
 * live process with that PID but another start time is a later process that
 * reused the PID: the lock is stale. `started` is as the record wrote it:
 * '-', empty or absent where it was unknown.
 */
export function isAlive(pid: number, started: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (started === undefined || started === '' || started === '-') return true;
  const now = startTime(pid);
  return now === null || now === started;
}

/** A process's start time in clock ticks since boot (field 22 of /proc/PID/stat); null where unknown. */
export function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
