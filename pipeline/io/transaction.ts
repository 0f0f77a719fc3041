import { createWriteStream, mkdirSync, readdirSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commit, recover, REAL_OPS, type FileOps } from './commit.js';
import { outputPathError } from './file-errors.js';
import { isAlive, LOCK_FILE, releaseLock, startTime, takeLock } from './lock.js';
import { checkOutputFolder } from './output-folder.js';
import { ASIDE_SUFFIX, tempName, tempOwner } from './owned.js';
import { displayPath, makeFolders } from './paths.js';


/**
 * All-or-nothing output: files are written into a temporary folder inside the
 * output folder (named for this process: .perfdb-tmp-<pid>-<start>-<n>) and
 * put in place only by `commit()` (io/commit.ts: journalled, so that any
 * failure or kill leaves every old output or every new one). A lock keeps
 * two runs from writing the same folder at once; holding it, a run first
 * repairs what an interrupted commit left, and removes the temporary folders
 * of runs that are gone, never those of a live one. `abort()` (on any failure
 * or signal) removes this run's temporary folder and the lock.
 */
export class OutputTransaction {
  private readonly names = new Set<string>();
  private done = false;

  private constructor(
    readonly outDir: string,
    private readonly tempName: string,
    private readonly lockPath: string,
    private readonly lock: string,
    private readonly ops: FileOps,
  ) {}

  private get tempDir(): string {
    return join(this.outDir, this.tempName);
  }

  static async begin(outDir: string, ops: FileOps = REAL_OPS): Promise<OutputTransaction> {
    const shown = displayPath(outDir);
    checkOutputFolder(outDir);
    try {
      makeFolders(outDir);
    } catch (error) {
      throw outputPathError(error, shown);
    }
    const lockPath = join(outDir, LOCK_FILE);
    const lock = await takeLock(lockPath, shown);
    try {
      repair(outDir, ops);
      const temp = tempName(process.pid, startTime(process.pid), Date.now());
      mkdirSync(join(outDir, temp));
      return new OutputTransaction(outDir, temp, lockPath, lock, ops);
    } catch (error) {
      releaseLock(lockPath, lock);
      throw outputPathError(error, shown);
    }
  }

  /** A stream to a new output file (a path relative to the output folder). */
  async stream(name: string): Promise<WriteStream> {
    const path = await this.prepare(name);
    return createWriteStream(path, { highWaterMark: 1 << 20 });
  }

  /** Where a new output file (a path relative to the output folder) is to be written, for whoever opens it itself. */
  async path(name: string): Promise<string> {
    return this.prepare(name);
  }

  async write(name: string, content: string | Uint8Array): Promise<void> {
    const path = await this.prepare(name);
    try {
      await writeFile(path, content);
    } catch (error) {
      throw outputPathError(error, displayPath(path));
    }
  }

  /**
   * Puts the new outputs in place and releases the lock. `owned` names the
   * top-level files and folders this run owns: each is replaced whole by
   * what this run wrote, or removed when this run wrote none.
   */
  commit(owned: readonly string[]): void {
    if (this.done) throw new Error('OutputTransaction already finished');
    const written = [...new Set([...this.names].map((name) => name.split('/')[0] as string))].sort();
    this.done = true;
    try {
      commit(this.outDir, this.tempName, written, owned, this.ops);
    } catch (error) {
      throw outputPathError(error, displayPath(this.outDir));
    } finally {
      releaseLock(this.lockPath, this.lock);
    }
    // Committed; a folder of the commit's that could not be removed is said now, and tried again by the next run.
    for (const name of [`${this.tempName}${ASIDE_SUFFIX}`, this.tempName]) if (this.ops.exists(join(this.outDir, name))) leftOver(join(this.outDir, name), 'this run');
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    removeFolder(this.tempDir);
    releaseLock(this.lockPath, this.lock);
  }

  private async prepare(name: string): Promise<string> {
    if (this.done) throw new Error('OutputTransaction already finished');
    this.names.add(name);
    const path = join(this.tempDir, name);
    try {
      makeFolders(join(path, '..'));
    } catch (error) {
      throw outputPathError(error, displayPath(path));
    }
    return path;
  }
}

/** What killed runs left in an output folder, repaired: an interrupted commit finished or undone, their temporary folders removed. Call it holding the lock. */
export function repair(outDir: string, ops: FileOps = REAL_OPS): void {
  recover(outDir, ops);
  removeDeadTemps(outDir);
}

/**
 * Temporary folders of runs that are gone (a kill's leftovers); a live run's,
 * and a folder no run named, are never touched. One that cannot be removed
 * (a file in it made immutable) holds no output: a line on stderr says so,
 * and the run goes on.
 */
function removeDeadTemps(outDir: string): void {
  for (const name of readdirSync(outDir)) {
    const owner = tempOwner(name);
    if (owner === null || !statSync(join(outDir, name)).isDirectory() || isAlive(owner.pid, owner.started)) continue;
    try {
      rmSync(join(outDir, name), { recursive: true, force: true });
    } catch (error) {
      leftOver(join(outDir, name), 'an earlier run', (error as NodeJS.ErrnoException).code);
    }
  }
}

/** A line on stderr for a temporary folder that cannot be removed: it holds no output. */
function leftOver(path: string, whose: string, code?: string): void {
  process.stderr.write(`warning: ${displayPath(path)}, left by ${whose}, cannot be removed${code === undefined ? '' : ` (${code})`}; it holds no output: remove it by hand (lsattr shows a file made immutable)\n`);
}

/** What a removal waits before it tries again. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Removes this run's temporary folder, best effort. No write starts once the
 * transaction is done, but one that began before may still create its file
 * while the folder is being removed (ENOTEMPTY): the removal is tried again
 * after a pause of 2 ms, up to 50 times; an open after it fails, its folder
 * gone. Any other failure is left: exiting or failing anyway, a leftover
 * temporary folder is removed by the next run.
 */
function removeFolder(path: string): void {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      rmSync(path, { recursive: true, force: true });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY') return;
      Atomics.wait(PAUSE, 0, 0, 2);
    }
  }
}
