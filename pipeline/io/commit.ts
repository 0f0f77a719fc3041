/**
 * Putting a run's outputs in place all at once, whatever fails or kills the
 * process on the way. The new outputs wait in a temporary folder inside the
 * output folder; a journal (.perfdb-journal, written by rename, so it is
 * either there whole or not at all) names that folder, a folder for the old
 * outputs, and the outputs concerned. Then every old output moves aside,
 * every new one moves in, the journal is marked committed, and the two
 * folders go. A failure part-way rolls back at once; a kill leaves the
 * journal, and the next run over the folder (holding its lock) finishes the
 * job: forward when the journal says committed, else back. Either way the
 * folder ends with every old output or every new one, never a mix.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerfDbError } from '../core/errors.js';
import { ASIDE_SUFFIX, OWNED, TEMP_PREFIX, tempOwner } from './owned.js';
import { displayPath, makeFolders } from './paths.js';

export const JOURNAL = '.perfdb-journal';

/** The file operations of a commit; tests replace them to fail or die at any step. */
export interface FileOps {
  rename(from: string, to: string): void;
  remove(path: string): void;
  exists(path: string): boolean;
  write(path: string, text: string): void;
  read(path: string): string;
  mkdir(path: string): void;
}

export const REAL_OPS: FileOps = {
  rename: (from, to) => renameSync(from, to),
  remove: (path) => rmSync(path, { recursive: true, force: true }),
  exists: (path) => existsSync(path),
  write: (path, text) => writeFileSync(path, text),
  read: (path) => readFileSync(path, 'utf8'),
  mkdir: (path) => makeFolders(path),
};

interface Journal {
  state: 'moving' | 'committed';
  /** Folder names inside the output folder. */
  temp: string;
  aside: string;
  /** Outputs this run wrote (moved in) and outputs it owns but did not write (moved out). */
  written: string[];
  removed: string[];
  /** Of those, the ones that existed before the commit. */
  existing: string[];
}

/**
 * Commits: the owned outputs end as `temp` holds them (an owned output the
 * run did not write is removed). Synchronous, so that no signal handler runs
 * in between. On a failure, rolls back and rethrows the failure.
 */
export function commit(outDir: string, temp: string, written: readonly string[], owned: readonly string[], ops: FileOps = REAL_OPS): void {
  const removed = owned.filter((name) => !written.includes(name));
  const all = [...written, ...removed];
  const journal: Journal = { state: 'moving', temp, aside: `${temp}${ASIDE_SUFFIX}`, written: [...written], removed, existing: all.filter((n) => ops.exists(join(outDir, n))) };
  try {
    writeJournal(outDir, journal, ops);
  } catch (error) {
    // Nothing has moved: the old outputs stand; what the run wrote goes.
    quietly(() => ops.remove(join(outDir, `${JOURNAL}.tmp`)));
    quietly(() => ops.remove(join(outDir, temp)));
    throw error;
  }
  try {
    ops.mkdir(join(outDir, journal.aside));
    for (const name of journal.existing) ops.rename(join(outDir, name), join(outDir, journal.aside, name));
    for (const name of journal.written) ops.rename(join(outDir, temp, name), join(outDir, name));
    writeJournal(outDir, { ...journal, state: 'committed' }, ops);
  } catch (error) {
    rollBack(outDir, journal, ops);
    throw error;
  }
  // Committed: a folder that cannot be removed now (the folder became read-only) is the next run's to remove.
  quietly(() => finish(outDir, journal, ops));
}

function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // See the callers: the journal, or the run's own leftovers, tell the next run what to do.
  }
}

/** Whatever an interrupted commit left in the folder, repaired; what was done, for a message. */
export function recover(outDir: string, ops: FileOps = REAL_OPS): 'nothing' | 'rolled back' | 'completed' {
  const path = join(outDir, JOURNAL);
  ops.remove(join(outDir, `${JOURNAL}.tmp`));
  if (!ops.exists(path)) return 'nothing';
  let parsed: unknown;
  try {
    parsed = JSON.parse(ops.read(path));
  } catch {
    // A journal cut short was never in force (it is written by rename): nothing had moved.
    ops.remove(path);
    return 'nothing';
  }
  const journal = checkedJournal(parsed, path);
  if (journal.state === 'committed') {
    finish(outDir, journal, ops);
    return 'completed';
  }
  rollBack(outDir, journal, ops);
  return 'rolled back';
}

/**
 * The journal as this code writes it, or E_BAD_JOURNAL: recovery renames and
 * removes what the journal names, so a journal edited or damaged by hand must
 * name nothing but a run's temporary folder and the outputs a run owns.
 */
function checkedJournal(value: unknown, path: string): Journal {
  const j = value as Partial<Journal> | null;
  const owned = new Set<string>(OWNED);
  const names = (list: unknown) => Array.isArray(list) && list.every((n) => typeof n === 'string' && owned.has(n));
  const fault =
    j === null || typeof j !== 'object' || Array.isArray(j)
      ? 'it is not an object'
      : j.state !== 'moving' && j.state !== 'committed'
        ? 'its state is neither "moving" nor "committed"'
        : typeof j.temp !== 'string' || (tempOwner(j.temp)?.aside ?? true)
          ? `its temporary folder is not a name a run gives (${TEMP_PREFIX}PID-START-TIME)`
          : j.aside !== `${j.temp}${ASIDE_SUFFIX}`
            ? 'its folder for the old outputs is not the temporary folder\'s'
            : !names(j.written) || !names(j.removed) || !names(j.existing)
              ? `its lists of outputs name something other than ${OWNED.join(', ')}`
              : null;
  if (fault === null) return j as Journal;
  throw new PerfDbError('E_BAD_JOURNAL', `the journal of an interrupted commit is damaged: ${fault}; nothing was changed`, {
    file: displayPath(path),
    hint: `check the outputs beside it and any ${TEMP_PREFIX}* folder, then delete the journal and run again`,
  });
}

/** Back to the old outputs: every new one that moved in goes back, every old one that moved aside returns. */
function rollBack(outDir: string, j: Journal, ops: FileOps): void {
  for (const name of [...j.written, ...j.removed]) {
    const [here, aside, temp] = [join(outDir, name), join(outDir, j.aside, name), join(outDir, j.temp, name)];
    const oldAside = ops.exists(aside);
    const newHere = ops.exists(here) && (oldAside || !j.existing.includes(name)) && !ops.exists(temp) && j.written.includes(name);
    if (newHere) ops.rename(here, temp);
    if (oldAside) ops.rename(aside, here);
  }
  finish(outDir, j, ops);
}

/**
 * The outputs stand as they end: the journal goes first. The two folders,
 * named for a run that is over by the next run, are then that run's to
 * remove where they cannot be removed now (a file in them made immutable).
 */
function finish(outDir: string, j: Journal, ops: FileOps): void {
  ops.remove(join(outDir, `${JOURNAL}.tmp`));
  ops.remove(join(outDir, JOURNAL));
  quietly(() => ops.remove(join(outDir, j.aside)));
  quietly(() => ops.remove(join(outDir, j.temp)));
}

/** Whether a commit's journal in the folder says its outputs are part moved ('moving': some old, some new), for readers; a journal cut short was never in force. */
export function journalState(outDir: string): 'none' | 'moving' | 'committed' {
  let text: string;
  try {
    text = readFileSync(join(outDir, JOURNAL), 'utf8');
  } catch {
    return 'none';
  }
  try {
    return (JSON.parse(text) as { state?: unknown }).state === 'moving' ? 'moving' : 'committed';
  } catch {
    return 'none';
  }
}

/** The journal, whole or not at all: written beside it, then renamed over it. */
function writeJournal(outDir: string, journal: Journal, ops: FileOps): void {
  ops.write(join(outDir, `${JOURNAL}.tmp`), `${JSON.stringify(journal)}\n`);
  ops.rename(join(outDir, `${JOURNAL}.tmp`), join(outDir, JOURNAL));
}
